from django.urls import path

from chats.api import attachments, widget

urlpatterns = [
    path("sessions", widget.SessionView.as_view(), name="widget-sessions"),
    path("messages", widget.WidgetMessagesView.as_view(), name="widget-messages"),
    path("attachments", attachments.VisitorAttachmentsView.as_view(), name="widget-attachments"),
    path("attachments/<int:attachment_id>", attachments.VisitorAttachmentView.as_view()),
    path("csat", widget.CsatView.as_view(), name="widget-csat"),
    path("contact", widget.WidgetContactView.as_view(), name="widget-contact"),
]
