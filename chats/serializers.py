"""The contract's objects (message, conversation, contact), one definition each, used by REST,
websocket frames and events alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chats.models import AuthorKind, Contact, Conversation, Message


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


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField(source="conversation_id")
    seq = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    private = serializers.BooleanField()
    attachments = serializers.ListField(child=serializers.DictField())
    client_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()

    @extend_schema_field(AuthorSerializer)
    def get_author(self, message: Message) -> dict[str, Any]:
        return author_of(message)


class AssigneeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ContactBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    vip = serializers.BooleanField()


class ConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    inbox = serializers.IntegerField(source="inbox_id")
    status = serializers.CharField()
    priority = serializers.CharField()
    assignee = AssigneeSerializer(allow_null=True)
    team = serializers.IntegerField(source="team_id", allow_null=True)
    labels = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()
    queue_position = serializers.SerializerMethodField()

    @extend_schema_field(ContactBriefSerializer)
    def get_contact(self, conversation: Conversation) -> dict[str, Any]:
        data = dict(ContactBriefSerializer(conversation.contact).data)
        if self.context.get("for_visitor"):
            data["vip"] = False  # how the team ranks a customer is not for the customer
        return data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_labels(self, conversation: Conversation) -> list[str]:
        if self.context.get("for_visitor"):
            return []  # labels are the team's own words about the customer
        return sorted(label.name for label in conversation.labels.all())

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_queue_position(self, conversation: Conversation) -> int | None:
        return getattr(conversation, "queue_position_value", None)


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    vip = serializers.BooleanField()
    account_manager = serializers.IntegerField(source="account_manager_id", allow_null=True)
    notes = serializers.CharField()
    conversations = serializers.SerializerMethodField()

    @extend_schema_field(ConversationSerializer(many=True))
    def get_conversations(self, contact: Contact) -> list[dict[str, Any]]:
        conversations = self.context.get("conversations", [])
        return ConversationSerializer(conversations, many=True).data  # type: ignore[return-value]


def _iso(moment: datetime) -> str:
    """The same text DRF's DateTimeField renders (UTC, ``Z``)."""
    text = moment.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


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
        "attachments": message.attachments,
        "client_id": message.client_id,
        "created_at": _iso(message.created_at),
    }


def conversation_data(conversation: Conversation, *, for_visitor: bool = False) -> dict[str, Any]:
    return dict(ConversationSerializer(conversation, context={"for_visitor": for_visitor}).data)
