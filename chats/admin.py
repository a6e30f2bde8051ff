from django.contrib import admin

from chats.models import (
    CannedResponse,
    Contact,
    Conversation,
    CsatResponse,
    Inbox,
    Label,
    Message,
    Visitor,
)


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "channel", "team", "routing", "created_at"]
    list_filter = ["channel", "routing", "team"]
    search_fields = ["name"]
    readonly_fields = ["inbox_key", "created_at"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "email", "phone", "vip", "account_manager", "created_at"]
    list_filter = ["vip"]
    search_fields = ["name", "email", "phone", "external_id"]
    raw_id_fields = ["account_manager"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "inbox",
        "contact",
        "status",
        "priority",
        "assignee",
        "team",
        "last_activity_at",
    ]
    list_filter = ["status", "priority", "inbox", "team"]
    search_fields = ["contact__name", "contact__email"]
    raw_id_fields = ["contact", "assignee"]
    readonly_fields = ["last_seq", "created_at", "last_activity_at"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "seq", "author_kind", "private", "created_at"]
    list_filter = ["author_kind", "private"]
    search_fields = ["body"]
    raw_id_fields = ["conversation", "author_operator", "author_contact"]
    readonly_fields = ["seq", "sender_key", "client_id", "created_at"]


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin):
    list_display = ["id", "inbox", "contact", "locale", "last_seen_at"]
    raw_id_fields = ["contact"]
    exclude = ["token_hash"]


admin.site.register(Label)
admin.site.register(CsatResponse)


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "shortcut", "title", "owner", "team", "updated_at"]
    list_filter = ["team"]
    search_fields = ["shortcut", "title", "body"]
    raw_id_fields = ["owner"]
