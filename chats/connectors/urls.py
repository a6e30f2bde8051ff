"""Where channels call the helpdesk (`/channels/...`)."""

from django.urls import path

from chats.connectors.telegram.webhook import telegram_webhook

urlpatterns = [
    path("telegram/<int:inbox_id>/webhook", telegram_webhook, name="telegram-webhook"),
]
