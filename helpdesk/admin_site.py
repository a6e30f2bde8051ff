"""Django admin for admins only: the operator's `role` decides, whatever `is_staff` says."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from operators.views import closing_session_sockets


class HelpdeskAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "role", None) == "admin")

    def logout(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        """The admin's logout ends the console's session too (they share the cookie)."""
        logout = super().logout
        return closing_session_sockets(request, lambda: logout(request, extra_context))
