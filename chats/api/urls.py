from django.urls import path

from chats.api import attachments, canned, console, message_actions, posts, webhooks

urlpatterns = [
    path("inboxes", console.InboxListView.as_view(), name="inboxes"),
    path("inboxes/<int:inbox_id>", console.InboxDetailView.as_view(), name="inbox"),
    path("inboxes/<int:inbox_id>/posts", posts.PostListView.as_view(), name="inbox-posts"),
    path("inboxes/<int:inbox_id>/posts/<int:post_id>", posts.PostDetailView.as_view()),
    path("conversations", console.ConversationListView.as_view(), name="conversations"),
    path(
        "conversations/counts",
        console.ConversationCountsView.as_view(),
        name="conversation-counts",
    ),
    path("conversations/<int:conversation_id>", console.ConversationDetailView.as_view()),
    path(
        "conversations/<int:conversation_id>/messages",
        console.ConversationMessagesView.as_view(),
        name="conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/messages/<int:message_id>/hide",
        message_actions.MessageHideView.as_view(),
    ),
    path(
        "conversations/<int:conversation_id>/messages/<int:message_id>/retry",
        message_actions.MessageRetryView.as_view(),
    ),
    path("conversations/<int:conversation_id>/assign", console.ConversationAssignView.as_view()),
    path("conversations/<int:conversation_id>/status", console.ConversationStatusView.as_view()),
    path("conversations/<int:conversation_id>/labels", console.ConversationLabelsView.as_view()),
    path(
        "conversations/<int:conversation_id>/priority", console.ConversationPriorityView.as_view()
    ),
    path("attachments", attachments.OperatorAttachmentsView.as_view(), name="attachments"),
    path("attachments/<int:attachment_id>", attachments.OperatorAttachmentView.as_view()),
    path("contacts", console.ContactListView.as_view(), name="contacts"),
    path("contacts/<int:contact_id>", console.ContactDetailView.as_view()),
    path("contacts/<int:contact_id>/merge", console.ContactMergeView.as_view()),
    path("labels", console.LabelListView.as_view(), name="labels"),
    path("webhooks", webhooks.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<int:webhook_id>", webhooks.WebhookDetailView.as_view()),
    path("webhooks/<int:webhook_id>/secret", webhooks.WebhookSecretView.as_view()),
    path("webhooks/<int:webhook_id>/deliveries", webhooks.DeliveryListView.as_view()),
    path(
        "webhooks/<int:webhook_id>/deliveries/<uuid:delivery_id>",
        webhooks.DeliveryDetailView.as_view(),
    ),
    path(
        "webhooks/<int:webhook_id>/deliveries/<uuid:delivery_id>/resend",
        webhooks.DeliveryResendView.as_view(),
    ),
    path("canned-responses", canned.CannedResponseListView.as_view(), name="canned-responses"),
    path(
        "canned-responses/<int:canned_response_id>",
        canned.CannedResponseDetailView.as_view(),
        name="canned-response",
    ),
]
