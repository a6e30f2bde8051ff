"""The notification object, one definition for REST and the console's `notification` frame."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from chats.serializers import iso_datetime
from operators.models import Notification, NotificationKind


class NotifierSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NotificationSerializer(serializers.Serializer):
    """For the OpenAPI document; `notification_data` builds the same object."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    conversation = serializers.IntegerField()
    message = serializers.IntegerField(allow_null=True)
    by = NotifierSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()


def notification_data(notification: Notification) -> dict[str, Any]:
    """`by` must be loaded (`select_related("by")`, or set by the service that made it)."""
    by = notification.by
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "conversation": notification.conversation_id,
        "message": notification.message_id,
        "by": {"id": by.pk, "name": by.display_name} if by is not None else None,
        "created_at": iso_datetime(notification.created_at),
        "read": notification.read_at is not None,
    }
