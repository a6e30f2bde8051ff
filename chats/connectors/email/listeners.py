"""What the email connector hears besides the replies to send (`chats.connectors.delivery`):
an operator's public reply in a web conversation asks for the unread replies to be emailed
to a visitor who left their email (`continuity`), a while later."""

from __future__ import annotations

from collections.abc import Sequence

from chats.connectors.delivery import channel_of
from chats.connectors.email import requests
from chats.events.domain import DomainEvent, MessageCreated
from chats.models import Channel
from helpdesk.db import db_call

EVENT_TYPES: tuple[type[DomainEvent], ...] = (MessageCreated,)


def _replies_in_web(events: Sequence[DomainEvent]) -> list[MessageCreated]:
    return [
        event for event in events if isinstance(event, MessageCreated) and event.is_operator_reply
    ]


async def on_events_async(events: Sequence[DomainEvent]) -> None:
    """The group commit's batches hold visitors' messages only: nothing to do then."""
    if _replies_in_web(events):
        await db_call(on_events, events)


def on_events(events: Sequence[DomainEvent]) -> None:
    for event in _replies_in_web(events):
        if channel_of(event.conversation.inbox_id) == Channel.WEB:
            requests.request_continuity(event.message.conversation_id)
