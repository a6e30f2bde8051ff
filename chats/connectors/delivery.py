"""Replies that leave through a channel (Telegram, email): registered in
`chats.events.subscriptions`.

In the transaction: an operator's public reply in such a conversation is `pending` from the
moment it exists (its `ack` and frame say so). After the commit: the channel's connector is
asked to send what is pending (a reply just written, or one sent again by hand).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from chats.connectors.email import requests as email
from chats.connectors.telegram import requests as telegram
from chats.events.domain import DomainEvent, MessageChanged, MessageCreated
from chats.models import Channel, Delivery, Inbox, Message
from helpdesk.db import db_call

IN_TRANSACTION_TYPES: tuple[type[DomainEvent], ...] = (MessageCreated,)
EVENT_TYPES: tuple[type[DomainEvent], ...] = (MessageCreated, MessageChanged)

SENDERS: dict[str, Callable[[int], None]] = {
    Channel.TELEGRAM: telegram.request_delivery,
    Channel.EMAIL: email.request_delivery,
}


@lru_cache(maxsize=4096)
def channel_of(inbox_id: int) -> str:
    """An inbox's channel never changes: asked once per process."""
    return Inbox.objects.filter(pk=inbox_id).values_list("channel", flat=True).first() or ""


def wants(event: DomainEvent) -> bool:
    return isinstance(event, MessageCreated) and event.is_operator_reply


def mark_pending(events: Sequence[DomainEvent]) -> None:
    for event in events:
        if not isinstance(event, MessageCreated) or not event.is_operator_reply:
            continue
        if channel_of(event.conversation.inbox_id) not in SENDERS:
            continue
        Message.objects.filter(pk=event.message.pk).update(delivery=Delivery.PENDING)
        event.message.delivery = Delivery.PENDING


def _pending(events: Sequence[DomainEvent]) -> list[MessageCreated | MessageChanged]:
    return [
        event
        for event in events
        if isinstance(event, MessageCreated | MessageChanged)
        and event.message.delivery == Delivery.PENDING
    ]


async def on_events_async(events: Sequence[DomainEvent]) -> None:
    """On the event loop (the group commit's batches of visitors' messages, never pending):
    a database thread only when there is something to send."""
    if _pending(events):
        await db_call(on_events, events)


def on_events(events: Sequence[DomainEvent]) -> None:
    for event in _pending(events):
        send = SENDERS.get(channel_of(event.conversation.inbox_id))
        if send is not None:
            send(event.message.conversation_id)
