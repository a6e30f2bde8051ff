"""Django admin for admins only: the operator's `role` decides, whatever `is_staff` says."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class HelpdeskAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "role", None) == "admin")


class HelpdeskAdminConfig(AdminConfig):
    default_site = "helpdesk.admin_site.HelpdeskAdminSite"
