from django.urls import path

from chats.api import widget

urlpatterns = [
    path("sessions", widget.SessionView.as_view(), name="widget-sessions"),
    path("messages", widget.WidgetMessagesView.as_view(), name="widget-messages"),
    path("csat", widget.CsatView.as_view(), name="widget-csat"),
    path("contact", widget.WidgetContactView.as_view(), name="widget-contact"),
]
