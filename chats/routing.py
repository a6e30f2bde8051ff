"""Websocket URLs. The console is only for the helpdesk's own origins (ALLOWED_HOSTS); the
widget checks each inbox's `allowed_origins` itself, at the handshake."""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from chats.consumers import ConsoleConsumer, WidgetConsumer

websocket_urlpatterns = [
    path("ws/widget/v1/", WidgetConsumer.as_asgi()),
    path(
        "ws/console/v1/",
        AllowedHostsOriginValidator(AuthMiddlewareStack(ConsoleConsumer.as_asgi())),
    ),
]
