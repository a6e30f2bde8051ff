"""The contract's objects (message, conversation, contact), one definition each, used by REST,
websocket frames and events alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chats.attachment_links import attachments_data, file_path
from chats.models import (
    AttachmentKind,
    AuthorKind,
    Channel,
    Contact,
    Conversation,
    CsatResponse,
    Message,
    Outcome,
)
from helpdesk.strict_input import NO_NUL_PATTERN, TEXT_PATTERN


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": settings.MESSAGE_MAX_CHARS,
        "pattern": TEXT_PATTERN,
        "description": "plain text, 1 to 10,000 characters, not only whitespace; kept verbatim",
    }
)
class MessageBodyField(serializers.JSONField):
    """Any JSON in: `chats.validation.clean_body` refuses what is not a body, saying why."""


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "maxLength": settings.CLIENT_ID_MAX_CHARS,
        "pattern": NO_NUL_PATTERN,
        "description": "chosen by the sender: the same one again returns the first message",
    }
)
class ClientIdField(serializers.JSONField):
    """Any JSON in: `chats.validation.clean_client_id` refuses what is not one, saying why."""


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 1},
        "maxItems": settings.ATTACHMENTS_PER_MESSAGE,
        "uniqueItems": True,
        "description": "ids of the sender's uploads (POST .../attachments) the message carries;"
        " with files, the body may be left out",
    }
)
class AttachmentIdsField(serializers.JSONField):
    """Any JSON in: `services.attachments.clean_attachment_ids` refuses what is not a list of
    upload ids, saying why."""


def require_body_or_files(attrs: dict[str, Any]) -> dict[str, Any]:
    """A message's request: a body, unless it carries files."""
    if attrs.get("body") is None and not attrs.get("attachments"):
        raise serializers.ValidationError({"body": [_("This field is required.")]})
    return attrs


def body_or_files_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A message's request schema: a body, or files, or both."""
    schema.pop("required", None)
    schema["anyOf"] = [
        {"required": ["body"]},
        {"required": ["attachments"], "properties": {"attachments": {"minItems": 1}}},
    ]
    return schema


class AuthorSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AuthorKind.choices)
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


def author_of(message: Message) -> dict[str, Any]:
    if message.author_kind == AuthorKind.OPERATOR and message.author_operator is not None:
        operator = message.author_operator
        return {"kind": "operator", "id": operator.pk, "name": operator.display_name}
    if message.author_kind == AuthorKind.VISITOR:
        contact = message.author_contact
        name = contact.name if contact is not None and contact.name else _("Visitor")
        return {"kind": "visitor", "id": message.author_contact_id, "name": name}
    if message.author_kind == AuthorKind.BOT:
        return {"kind": "bot", "id": None, "name": _("Bot")}
    if message.author_kind == AuthorKind.OPERATOR:
        return {"kind": "operator", "id": None, "name": _("Operator")}
    return {"kind": "system", "id": None, "name": _("System")}


class AttachmentSerializer(serializers.Serializer):
    """A file: what it is (from its content) and a signed link to it that expires."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text="the sender's file name, made safe")
    content_type = serializers.CharField(help_text="found from the content, not the name")
    kind = serializers.ChoiceField(choices=AttachmentKind.choices)
    size = serializers.IntegerField(help_text="bytes")
    width = serializers.IntegerField(allow_null=True, help_text="images only")
    height = serializers.IntegerField(allow_null=True, help_text="images only")
    url = serializers.CharField(
        help_text="a path on the helpdesk, signed, good for ATTACHMENT_URL_TTL (24 h by default)"
    )


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField(source="conversation_id")
    seq = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    private = serializers.BooleanField()
    attachments = serializers.SerializerMethodField()
    client_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(
        allow_null=True, help_text="when its author changed it in their channel (Telegram)"
    )
    hidden = serializers.BooleanField(
        help_text="removed from the group it was posted in by an operator; kept here"
    )
    delivery = serializers.SerializerMethodField()
    delivery_error = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "string",
            "enum": ["pending", "sent", "failed"],
            "nullable": True,
            "description": "for a reply that leaves through a channel (Telegram, email, API):"
            " its way out; null otherwise",
        }
    )
    def get_delivery(self, message: Message) -> str | None:
        return message.delivery or None

    @extend_schema_field({"type": "string", "nullable": True, "description": "why it failed"})
    def get_delivery_error(self, message: Message) -> str | None:
        return message.delivery_error or None

    @extend_schema_field(AuthorSerializer)
    def get_author(self, message: Message) -> dict[str, Any]:
        return author_of(message)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, message: Message) -> list[dict[str, Any]]:
        return attachments_data(message.attachments)


class AssigneeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


def avatar_url(contact: Contact) -> str | None:
    """A signed link to the contact's picture (`attachment_links`), or None."""
    return None if contact.avatar_id is None else file_path(contact.avatar_id, "avatar.jpg")


class ContactBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    vip = serializers.BooleanField()
    avatar_url = serializers.SerializerMethodField(
        help_text="a signed link to their picture from their channel (Telegram), or null"
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_avatar_url(self, contact: Contact) -> str | None:
        return avatar_url(contact)


class LastMessageSerializer(serializers.Serializer):
    body = serializers.CharField(help_text="the first 140 characters")
    author_kind = serializers.ChoiceField(choices=AuthorKind.choices)
    private = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class CsatBriefSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField(
        source="updated_at", help_text="when the rating was given (the latest, if replaced)"
    )


class TelegramOfConversationSerializer(serializers.Serializer):
    """Where a Telegram conversation happens: the user, and the group for a group's."""

    id = serializers.IntegerField(help_text="the Telegram user's id")
    username = serializers.CharField(allow_null=True)
    blocked = serializers.BooleanField(help_text="the user blocked the bot")
    chat = serializers.ChoiceField(choices=["private", "group"])
    group_title = serializers.CharField(allow_null=True)


def telegram_of(conversation: Conversation) -> dict[str, Any] | None:
    chat = conversation.telegram_chat
    if chat is None:
        return None
    return {
        "id": chat.user_id,
        "username": chat.username or None,
        "blocked": chat.blocked,
        "chat": chat.kind,
        "group_title": chat.title or None if chat.kind == "group" else None,
    }


class ConversationSerializer(serializers.Serializer):
    """The operators' conversation object (a visitor's is `VisitorConversationSerializer`)."""

    id = serializers.IntegerField()
    inbox = serializers.IntegerField(source="inbox_id")
    status = serializers.CharField()
    priority = serializers.CharField()
    assignee = AssigneeSerializer(allow_null=True)
    team = serializers.IntegerField(source="team_id", allow_null=True)
    labels = serializers.SerializerMethodField()
    contact = ContactBriefSerializer()
    created_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()
    queue_position = serializers.SerializerMethodField()
    # Extensions (additive): the list's preview line, and what the unread count needs.
    last_message = serializers.SerializerMethodField()
    last_seq = serializers.IntegerField()
    agent_read_seq = serializers.IntegerField(source="operator_last_read_seq")
    page_url = serializers.CharField(help_text="the page the visitor opened the chat on")
    subject = serializers.CharField(
        allow_blank=True, help_text="what it is about, where its channel says (an email's subject)"
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        allow_null=True,
        help_text="the outcome of the last resolve; a reopen keeps it until the next resolve",
    )
    sale_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="with the outcome `sale`: the amount in the account's currency",
    )
    csat = serializers.SerializerMethodField()
    channel = serializers.ChoiceField(
        source="inbox.channel", choices=Channel.choices, help_text="its inbox's channel"
    )
    telegram = serializers.SerializerMethodField()

    @extend_schema_field(TelegramOfConversationSerializer(allow_null=True))
    def get_telegram(self, conversation: Conversation) -> dict[str, Any] | None:
        return telegram_of(conversation)

    def to_representation(self, instance: Conversation) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["outcome"] = data["outcome"] or None
        return data

    @extend_schema_field(CsatBriefSerializer(allow_null=True))
    def get_csat(self, conversation: Conversation) -> dict[str, Any] | None:
        return _csat_of(conversation)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_labels(self, conversation: Conversation) -> list[str]:
        return sorted(label.name for label in conversation.labels.all())

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_queue_position(self, conversation: Conversation) -> int | None:
        return getattr(conversation, "queue_position_value", None)

    @extend_schema_field(LastMessageSerializer(allow_null=True))
    def get_last_message(self, conversation: Conversation) -> dict[str, Any] | None:
        return last_message_of(conversation)


class VisitorAssigneeSerializer(serializers.Serializer):
    name = serializers.CharField(source="display_name")


class VisitorConversationSerializer(serializers.Serializer):
    """A visitor's view of their conversation (widget REST and frames): what the widget shows,
    nothing of how the team works on it. No priority, labels or team; no read mark or activity
    time, which a private note moves; not the operator's id."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    assignee = VisitorAssigneeSerializer(allow_null=True)
    queue_position = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_queue_position(self, conversation: Conversation) -> int | None:
        return getattr(conversation, "queue_position_value", None)


def _last_annotation(conversation: Conversation) -> dict[str, Any] | None:
    """The annotation of `selectors.with_last_message`."""
    value = getattr(conversation, "last_message_value", None)
    if isinstance(value, str):  # a backend that hands JSON back as text
        value = json.loads(value)
    return value if isinstance(value, dict) else None


def last_message_of(conversation: Conversation) -> dict[str, Any] | None:
    value = _last_annotation(conversation)
    if value is None:
        return None
    created_at = datetime.fromisoformat(value["created_at"])
    if created_at.tzinfo is None:  # SQLite keeps UTC without an offset
        created_at = created_at.replace(tzinfo=UTC)
    return {
        "body": value["body"],
        "author_kind": value["author_kind"],
        "private": bool(value["private"]),
        "created_at": iso_datetime(created_at),
    }


class ContactTelegramSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="the Telegram user's id")
    username = serializers.CharField(allow_null=True)
    blocked = serializers.BooleanField(help_text="the user blocked the bot")


def contact_telegram(contact: Contact) -> dict[str, Any] | None:
    """The contact's Telegram account, as their latest private chat with a bot shows it."""
    prefetched = getattr(contact, "private_telegram_chats", None)
    if prefetched is not None:
        chat = prefetched[0] if prefetched else None
    elif contact.pk is not None:
        chat = contact.telegram_chats.filter(kind="private").order_by("-id").first()
    else:
        chat = None
    if chat is None:
        return None
    return {"id": chat.user_id, "username": chat.username or None, "blocked": chat.blocked}


class MergeSuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    vip = serializers.BooleanField()
    account_manager = serializers.IntegerField(source="account_manager_id", allow_null=True)
    notes = serializers.CharField()
    telegram = serializers.SerializerMethodField()
    avatar_url = serializers.SerializerMethodField()
    conversations = serializers.SerializerMethodField()
    merge_suggestions = serializers.SerializerMethodField(
        help_text="other contacts with the same email or phone, for those who may merge "
        "(supervisors, admins); empty for agents"
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_avatar_url(self, contact: Contact) -> str | None:
        return avatar_url(contact)

    @extend_schema_field(ContactTelegramSerializer(allow_null=True))
    def get_telegram(self, contact: Contact) -> dict[str, Any] | None:
        return contact_telegram(contact)

    @extend_schema_field(MergeSuggestionSerializer(many=True))
    def get_merge_suggestions(self, contact: Contact) -> list[dict[str, Any]]:
        found = self.context.get("merge_suggestions", [])
        return MergeSuggestionSerializer(found, many=True).data  # type: ignore[return-value]

    @extend_schema_field(ConversationSerializer(many=True))
    def get_conversations(self, contact: Contact) -> list[dict[str, Any]]:
        conversations = self.context.get("conversations", [])
        return ConversationSerializer(conversations, many=True).data  # type: ignore[return-value]


def iso_datetime(moment: datetime) -> str:
    """The same text DRF's DateTimeField renders (UTC, ``Z``)."""
    text = moment.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else iso_datetime(moment)


def message_data(message: Message) -> dict[str, Any]:
    """`MessageSerializer(message).data`, built by hand: it is on every send's hot path (a
    test keeps the two identical)."""
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "author": author_of(message),
        "body": message.body,
        "private": message.private,
        "attachments": attachments_data(message.attachments),
        "client_id": message.client_id,
        "created_at": iso_datetime(message.created_at),
        "edited_at": iso_or_none(message.edited_at),
        "hidden": message.hidden,
        "delivery": message.delivery or None,
        "delivery_error": message.delivery_error or None,
    }


def conversation_data(conversation: Conversation) -> dict[str, Any]:
    """`ConversationSerializer(conversation).data`, built by hand: every row of the console's
    list and every conversation event goes through it, and DRF's field machinery was a third of
    a list request's CPU (a test keeps the two identical). `conversation` comes from
    `selectors.conversation_base()`. For operators only: a visitor gets
    `visitor_conversation_data`."""
    contact = conversation.contact
    assignee = conversation.assignee
    return {
        "id": conversation.pk,
        "inbox": conversation.inbox_id,
        "status": conversation.status,
        "priority": conversation.priority,
        "assignee": (
            {"id": assignee.pk, "name": assignee.display_name} if assignee is not None else None
        ),
        "team": conversation.team_id,
        "labels": sorted(label.name for label in conversation.labels.all()),
        "contact": {
            "id": contact.pk,
            "name": contact.name,
            "email": contact.email,
            "vip": contact.vip,
            "avatar_url": avatar_url(contact),
        },
        "created_at": iso_datetime(conversation.created_at),
        "last_activity_at": iso_datetime(conversation.last_activity_at),
        "queue_position": getattr(conversation, "queue_position_value", None),
        "last_message": last_message_of(conversation),
        "last_seq": conversation.last_seq,
        "agent_read_seq": conversation.operator_last_read_seq,
        "page_url": conversation.page_url,
        "subject": conversation.subject,
        "outcome": conversation.outcome or None,
        "sale_amount": None
        if conversation.sale_amount is None
        else f"{conversation.sale_amount:.2f}",
        "csat": _csat_of(conversation),
        "channel": conversation.inbox.channel,
        "telegram": telegram_of(conversation),
    }


def _csat_of(conversation: Conversation) -> dict[str, Any] | None:
    try:
        response = conversation.csat
    except CsatResponse.DoesNotExist:
        return None
    return {
        "rating": response.rating,
        "comment": response.comment,
        "created_at": iso_datetime(response.updated_at),
    }


def visitor_conversation_data(conversation: Conversation) -> dict[str, Any]:
    """`VisitorConversationSerializer(conversation).data`: the one view of a conversation that
    reaches a visitor (widget REST, `welcome` and `conversation` frames)."""
    assignee = conversation.assignee
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "assignee": {"name": assignee.display_name} if assignee is not None else None,
        "queue_position": getattr(conversation, "queue_position_value", None),
    }
