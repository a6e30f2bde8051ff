from django.urls import path

from operators.api import views

urlpatterns = [
    path("auth/token", views.TokenView.as_view(), name="auth-token"),
    path("me", views.MeView.as_view(), name="me"),
    path("operators", views.OperatorListView.as_view(), name="operators"),
    path("operators/<int:operator_id>", views.OperatorDetailView.as_view(), name="operator"),
    path("teams", views.TeamListView.as_view(), name="teams"),
]
