"""The live broadcast: the frames of each committed event, to the consoles and widgets.

One call gets the events of one `record` (or of a group commit's batch), re-reads in one query
the conversations whose whole object goes out, and publishes every frame in one round trip to
Redis, in the events' order. A conversation that left its team's queue moves the others up:
the team's waiting conversations go out once per batch with their new positions.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import translation

from chats import broadcast, selectors
from chats.events import live
from chats.events.domain import (
    ContactUpdated,
    ConversationAssigned,
    ConversationOpened,
    ConversationOutcomeSet,
    ConversationRead,
    ConversationStatusChanged,
    ConversationUpdated,
    CredentialsEnded,
    CsatCreated,
    DomainEvent,
    MessageChanged,
    MessageCreated,
    NotificationsCreated,
    OperatorStatusChanged,
    OperatorUpdated,
)
from chats.models import AuthorKind, Conversation
from helpdesk.db import db_call

Published = list[tuple[str, live.Event]]

EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    MessageCreated,
    MessageChanged,
    ConversationOpened,
    ConversationAssigned,
    ConversationStatusChanged,
    ConversationUpdated,
    ConversationOutcomeSet,
    CsatCreated,
    ConversationRead,
    ContactUpdated,
    OperatorStatusChanged,
    OperatorUpdated,
    CredentialsEnded,
    NotificationsCreated,
)

# The front of a queue whose positions moved goes out (the drain's batch, as before); a
# visitor further back sees their position at their next frame or resume.
QUEUE_FRAMES_MAX = 500

REREAD = (
    ConversationOpened,
    ConversationAssigned,
    ConversationStatusChanged,
    ConversationUpdated,
    ConversationOutcomeSet,
    CsatCreated,
)


def _reread_ids(events: Sequence[DomainEvent]) -> set[int]:
    ids: set[int] = set()
    for event in events:
        if isinstance(event, REREAD):
            ids.add(event.conversation_id)
        elif isinstance(event, ContactUpdated):
            ids.update(event.conversation_ids)
        elif isinstance(event, ConversationRead) and event.by == AuthorKind.OPERATOR:
            ids.add(event.conversation.pk)
    return ids


def _queue_teams(events: Sequence[DomainEvent]) -> list[int]:
    teams = {
        event.left_queue_of
        for event in events
        if isinstance(event, ConversationAssigned | ConversationStatusChanged)
    }
    return sorted(team for team in teams if team is not None)


def _frames_of(event: DomainEvent, read: dict[int, Conversation]) -> Published:
    match event:
        case MessageCreated():
            return live.messages_events([event])
        case MessageChanged():
            return live.message_changed_events(event)
        case ConversationAssigned(conversation_id=pk) if pk in read:
            return live.conversation_events(read[pk], previous=event.previous)
        case (
            ConversationOpened(conversation_id=pk) | ConversationStatusChanged(conversation_id=pk)
        ) if pk in read:
            return live.conversation_events(read[pk])
        case (
            ConversationUpdated(conversation_id=pk)
            | ConversationOutcomeSet(conversation_id=pk)
            | CsatCreated(conversation_id=pk)
        ) if pk in read:
            return live.conversation_events(read[pk], to_visitor=False)
        case ContactUpdated():
            return [
                frame
                for pk in event.conversation_ids
                if pk in read
                for frame in live.conversation_events(read[pk], to_visitor=False)
            ]
        case ConversationRead(by=AuthorKind.VISITOR):
            return live.visitor_read_events(
                event.conversation, seq=event.seq, name=event.reader_name
            )
        case ConversationRead() if event.conversation.pk in read:
            return live.operator_read_events(read[event.conversation.pk], seq=event.seq)
        case OperatorStatusChanged():
            return live.operator_status_events(event.frame)
        case OperatorUpdated(scope=scope) if event.revoked or scope is None:
            return live.operator_revoke_events(event.operator_id)
        case OperatorUpdated(scope=scope) if scope is not None:
            return live.operator_access_events(event.operator_id, scope)
        case CredentialsEnded():
            return live.operator_revoke_events(
                event.operator_id, token_id=event.token_id, session=event.session
            )
        case NotificationsCreated():
            return [f for pk, data in event.frames for f in live.notification_events(pk, data)]
    return []


def frames(events: Sequence[DomainEvent]) -> Published:
    """Every frame of `events`, in their order, then the queues whose positions moved."""
    with translation.override(settings.LANGUAGE_CODE):
        wanted = _reread_ids(events)
        read = selectors.conversation_base().in_bulk(list(wanted)) if wanted else {}
        batch: Published = []
        for event in events:
            batch += _frames_of(event, read)
        for team_id in _queue_teams(events):
            waiting = selectors.conversation_base().filter(team_id=team_id, queued_at__isnull=False)
            for conversation in waiting.order_by("queued_at", "id")[:QUEUE_FRAMES_MAX]:
                batch += live.conversation_events(conversation)
        return batch


def on_events(events: Sequence[DomainEvent]) -> None:
    batch = frames(events)
    if batch:
        broadcast.publish_batch(batch)


async def on_events_async(events: Sequence[DomainEvent]) -> None:
    """On the event loop: messages (the group commit's) need no query and go out from here;
    anything else is built in a database thread."""
    messages = [event for event in events if isinstance(event, MessageCreated)]
    if len(messages) < len(events):
        await db_call(on_events, events)
        return
    batch = live.messages_events(messages)
    if batch:
        await broadcast.apublish_batch(batch)
