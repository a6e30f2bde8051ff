"""What the Telegram connector hears (registered in `chats.events.subscriptions`).

In the transaction: an operator's public reply in a Telegram conversation is `pending` from
the moment it exists (its `ack` and frame say so). After the commit: pending replies are sent
(`tasks.deliver`), a reply sent again by hand too, a hidden message is deleted from its group,
and a resolved private conversation asks for a rating.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from chats.connectors.telegram import requests
from chats.events.domain import (
    ConversationStatusChanged,
    DomainEvent,
    MessageChanged,
    MessageCreated,
)
from chats.models import Channel, Delivery, Inbox, Message
from helpdesk.db import db_call

IN_TRANSACTION_TYPES: tuple[type[DomainEvent], ...] = (MessageCreated,)
EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    MessageCreated,
    MessageChanged,
    ConversationStatusChanged,
)


@lru_cache(maxsize=4096)
def is_telegram_inbox(inbox_id: int) -> bool:
    """An inbox's channel never changes: asked once per process."""
    return Inbox.objects.filter(pk=inbox_id, channel=Channel.TELEGRAM).exists()


def wants(event: DomainEvent) -> bool:
    return isinstance(event, MessageCreated) and event.is_operator_reply


def mark_pending(events: Sequence[DomainEvent]) -> None:
    for event in events:
        if not isinstance(event, MessageCreated) or not event.is_operator_reply:
            continue
        if not is_telegram_inbox(event.conversation.inbox_id):
            continue
        Message.objects.filter(pk=event.message.pk).update(delivery=Delivery.PENDING)
        event.message.delivery = Delivery.PENDING


def _may_concern_telegram(event: DomainEvent) -> bool:
    """Without a query: what `on_events` may act on (a visitor's message never)."""
    match event:
        case MessageCreated() | MessageChanged() if event.message.delivery == Delivery.PENDING:
            return True
        case MessageChanged(change="hidden"):
            return True
        case ConversationStatusChanged() if event.resolved:
            return True
    return False


async def on_events_async(events: Sequence[DomainEvent]) -> None:
    """On the event loop (the group commit's batches of visitors' messages): a database
    thread only when there is something for Telegram."""
    work = [event for event in events if _may_concern_telegram(event)]
    if work:
        await db_call(on_events, work)


def on_events(events: Sequence[DomainEvent]) -> None:
    for event in events:
        match event:
            case MessageCreated() | MessageChanged() if event.message.delivery == Delivery.PENDING:
                requests.request_delivery(event.message.conversation_id)
            case MessageChanged(change="hidden"):
                requests.request_hide(event.message.pk)
            case ConversationStatusChanged() if event.resolved and is_telegram_inbox(
                event.audience.inbox
            ):
                requests.request_rating(event.conversation_id)
