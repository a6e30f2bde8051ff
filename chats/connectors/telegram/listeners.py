"""What the Telegram connector hears (registered in `chats.events.subscriptions`), besides the
replies to send (`chats.connectors.delivery`): a hidden message is deleted from its group,
and a resolved private conversation asks for a rating."""

from __future__ import annotations

from collections.abc import Sequence

from chats.connectors.delivery import channel_of
from chats.connectors.telegram import requests
from chats.events.domain import ConversationStatusChanged, DomainEvent, MessageChanged
from chats.models import Channel
from helpdesk.db import db_call

EVENT_TYPES: tuple[type[DomainEvent], ...] = (MessageChanged, ConversationStatusChanged)


def _may_concern_telegram(event: DomainEvent) -> bool:
    """Without a query: what `on_events` may act on."""
    match event:
        case MessageChanged(change="hidden"):
            return True
        case ConversationStatusChanged() if event.resolved:
            return True
    return False


async def on_events_async(events: Sequence[DomainEvent]) -> None:
    work = [event for event in events if _may_concern_telegram(event)]
    if work:
        await db_call(on_events, work)


def on_events(events: Sequence[DomainEvent]) -> None:
    for event in events:
        match event:
            case MessageChanged(change="hidden"):
                requests.request_hide(event.message.pk)
            case ConversationStatusChanged() if event.resolved and (
                channel_of(event.audience.inbox) == Channel.TELEGRAM
            ):
                requests.request_rating(event.conversation_id)
