from django.urls import path

from operators.api import notifications, views

urlpatterns = [
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("me", views.MeView.as_view(), name="me"),
    path("operators", views.OperatorListView.as_view(), name="operators"),
    path("operators/<int:operator_id>", views.OperatorDetailView.as_view(), name="operator"),
    path("teams", views.TeamListView.as_view(), name="teams"),
    path("notifications", notifications.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<int:notification_id>/read",
        notifications.NotificationReadView.as_view(),
        name="notification-read",
    ),
]
