from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from operators.models import Notification, Operator, Team


@admin.register(Operator)
class OperatorAdmin(UserAdmin):
    list_display = ["username", "name", "role", "status", "max_chats", "is_active"]
    list_filter = ["role", "status", "is_active", "teams"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Helpdesk"), {"fields": ("name", "role", "status", "max_chats", "teams")}),
    )
    filter_horizontal = ["teams", "groups", "user_permissions"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "created_at"]
    search_fields = ["name"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "operator", "kind", "conversation", "by", "created_at", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["operator", "conversation", "message", "by"]
