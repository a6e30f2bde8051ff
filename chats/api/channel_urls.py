from django.urls import path

from chats.api import channel

urlpatterns = [
    path("contacts", channel.ContactsView.as_view(), name="channel-contacts"),
    path("conversations", channel.ConversationsView.as_view(), name="channel-conversations"),
    path("conversations/<int:conversation_id>", channel.ConversationView.as_view()),
    path(
        "conversations/<int:conversation_id>/messages",
        channel.ConversationMessagesView.as_view(),
        name="channel-messages",
    ),
]
