"""The outbox fanned out: each fact becomes one delivery per webhook that takes it, with its
JSON body fixed now (every retry posts and signs the same bytes), and leaves the outbox in the
same transaction, so it is fanned out once. One fan-out at a time (a transaction-scoped lock
on PostgreSQL): deliveries are made in the outbox's order, which is the facts' commit order
within a conversation (its row lock orders them), and the sender keeps that order."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from chats.connectors.webhooks.payloads import data_of
from chats.models import Webhook, WebhookDelivery, WebhookEvent
from chats.models import WebhookEventName as Name
from chats.serializers import iso_datetime

logger = logging.getLogger(__name__)

BATCH = 500
# A delivery is retried for this long, then given up.
GIVE_UP_AFTER = timedelta(hours=24)
_LOCK_KEY = 0x57454248  # "WEBH": pg_advisory_xact_lock's key for the fan-out


def webhook_takes(webhook: Webhook, event: WebhookEvent) -> bool:
    """An admin's webhook: the events it chose, private notes only if it asked for them. An
    API inbox's: the operators' public replies in its inbox."""
    if webhook.inbox_id is not None:
        return (
            event.name == Name.MESSAGE_CREATED
            and event.operator_reply
            and event.inbox_id == webhook.inbox_id
        )
    return event.name in webhook.events and (webhook.include_private or not event.private)


def delivery_body(uid: uuid.UUID, event: WebhookEvent, data: dict[str, Any]) -> str:
    payload = {
        "id": str(uid),
        "event": event.name,
        "created_at": iso_datetime(event.occurred_at),
        "data": data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _data(event: WebhookEvent, *, private: bool) -> dict[str, Any] | None:
    """An event whose object cannot be read is logged and dropped, never blocking the rest."""
    try:
        return data_of(event, private=private)
    except Exception:
        logger.exception("webhook event %s could not be read; dropped", event.pk)
        return None


def fan_out() -> tuple[int, int]:
    """Fan out up to `BATCH` outbox rows: answers how many rows and how many deliveries."""
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        events = list(WebhookEvent.objects.order_by("id")[:BATCH])
        if not events:
            return 0, 0
        webhooks = list(Webhook.objects.all())
        deliveries = []
        for event in events:
            views: dict[bool, dict[str, Any] | None] = {}
            for webhook in webhooks:
                if not webhook_takes(webhook, event):
                    continue
                private = webhook.include_private and webhook.inbox_id is None
                if private not in views:
                    views[private] = _data(event, private=private)
                data = views[private]
                if data is None:
                    continue
                uid = uuid.uuid4()
                deliveries.append(
                    WebhookDelivery(
                        uid=uid,
                        webhook=webhook,
                        event=event.name,
                        conversation_id=event.conversation_id,
                        body=delivery_body(uid, event, data),
                        created_at=now,
                        next_attempt_at=now,
                        expires_at=now + GIVE_UP_AFTER,
                    )
                )
        WebhookDelivery.objects.bulk_create(deliveries)
        WebhookEvent.objects.filter(pk__in=[event.pk for event in events]).delete()
    return len(events), len(deliveries)


def outbox_waiting() -> bool:
    return WebhookEvent.objects.exists()
