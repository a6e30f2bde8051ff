"""What the outbound webhooks hear (registered in `chats.events.subscriptions`).

In the transaction of a fact: a fact some webhook takes is written to the outbox, so it is
delivered at least once whatever happens after the commit. After the commit: the fan-out is
asked for (a lost request is made up by beat's `tasks.tick` within seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone

from chats.connectors.webhooks import requests, subscriptions
from chats.events.domain import (
    ContactUpdated,
    ConversationAssigned,
    ConversationOpened,
    ConversationStatusChanged,
    CsatCreated,
    DomainEvent,
    MessageCreated,
)
from chats.models import WebhookEvent
from chats.models import WebhookEventName as Name
from helpdesk.db import db_call

EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    ConversationOpened,
    ConversationAssigned,
    ConversationStatusChanged,
    MessageCreated,
    CsatCreated,
    ContactUpdated,
)


def _of_conversation(
    name: str, *, at: datetime, inbox_id: int, conversation_id: int
) -> WebhookEvent:
    return WebhookEvent(
        name=name,
        occurred_at=at,
        inbox_id=inbox_id,
        conversation_id=conversation_id,
        object_id=conversation_id,
    )


def outbox_row(event: DomainEvent) -> WebhookEvent | None:
    """The outbox row of a fact, or None for a fact no webhook event names."""
    match event:
        case ConversationOpened() | CsatCreated():
            name = (
                Name.CONVERSATION_CREATED
                if isinstance(event, ConversationOpened)
                else Name.CSAT_CREATED
            )
            return _of_conversation(
                name,
                at=event.at,
                inbox_id=event.audience.inbox,
                conversation_id=event.conversation_id,
            )
        case ConversationAssigned():
            return _of_conversation(
                Name.CONVERSATION_ASSIGNED,
                at=event.at,
                inbox_id=event.current.inbox,
                conversation_id=event.conversation_id,
            )
        case ConversationStatusChanged() if event.resolved or event.reopened:
            return _of_conversation(
                Name.CONVERSATION_RESOLVED if event.resolved else Name.CONVERSATION_REOPENED,
                at=event.at,
                inbox_id=event.audience.inbox,
                conversation_id=event.conversation_id,
            )
        case MessageCreated():
            message = event.message
            return WebhookEvent(
                name=Name.MESSAGE_CREATED,
                occurred_at=message.created_at or timezone.now(),
                inbox_id=event.conversation.inbox_id,
                conversation_id=message.conversation_id,
                object_id=message.pk or 0,
                private=message.private,
                operator_reply=event.is_operator_reply,
            )
        case ContactUpdated():
            return WebhookEvent(
                name=Name.CONTACT_UPDATED, occurred_at=timezone.now(), object_id=event.contact_id
            )
    return None


def _taken(row: WebhookEvent | None) -> bool:
    return row is not None and subscriptions.current().takes(
        row.name,
        inbox_id=row.inbox_id,
        private=row.private,
        operator_reply=row.operator_reply,
    )


def wants(event: DomainEvent) -> bool:
    return _taken(outbox_row(event))


def outbox_write(events: Sequence[DomainEvent]) -> None:
    rows = [row for row in map(outbox_row, events) if _taken(row)]
    WebhookEvent.objects.bulk_create(rows)  # type: ignore[arg-type]


def _any_taken(events: Sequence[DomainEvent]) -> bool:
    return any(wants(event) for event in events)


def on_events(events: Sequence[DomainEvent]) -> None:
    if _any_taken(events):
        requests.request_delivery()


async def on_events_async(events: Sequence[DomainEvent]) -> None:
    """On the event loop (the group commit's batches): a thread only when something was
    written to the outbox."""
    if _any_taken(events):
        await db_call(requests.request_delivery)
