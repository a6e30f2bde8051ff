from django.urls import path

from chats.api import console

urlpatterns = [
    path("inboxes", console.InboxListView.as_view(), name="inboxes"),
    path("conversations", console.ConversationListView.as_view(), name="conversations"),
    path("conversations/<int:conversation_id>", console.ConversationDetailView.as_view()),
    path(
        "conversations/<int:conversation_id>/messages",
        console.ConversationMessagesView.as_view(),
        name="conversation-messages",
    ),
    path("conversations/<int:conversation_id>/assign", console.ConversationAssignView.as_view()),
    path("conversations/<int:conversation_id>/status", console.ConversationStatusView.as_view()),
    path("conversations/<int:conversation_id>/labels", console.ConversationLabelsView.as_view()),
    path(
        "conversations/<int:conversation_id>/priority", console.ConversationPriorityView.as_view()
    ),
    path("contacts/<int:contact_id>", console.ContactDetailView.as_view()),
]
