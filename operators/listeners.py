"""Notifications hear, in the transaction of the fact, what one operator should look at: a
note that mentions them, a conversation handed to them or their team, one taken from them
for want of an answer, a key account of theirs waiting without them."""

from __future__ import annotations

from collections.abc import Sequence

from chats.events.domain import (
    AssignCause,
    ConversationAssigned,
    DomainEvent,
    KeyAccountWaiting,
    MessageCreated,
)
from chats.models import AuthorKind, Message
from operators.models import Operator
from operators.notifications import (
    key_account_notify,
    mentions_notify,
    reassigned_notify,
    transfer_notify,
)

EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    MessageCreated,
    ConversationAssigned,
    KeyAccountWaiting,
)

TAKEN_AWAY_BY = (AssignCause.RETURNED, AssignCause.REASSIGNED)


def wants(event: DomainEvent) -> bool:
    match event:
        case MessageCreated(message=message):
            return (
                message.private
                and message.author_kind == AuthorKind.OPERATOR
                and "@" in message.body
            )
        case ConversationAssigned(cause=cause):
            return cause == AssignCause.HAND or (
                cause in TAKEN_AWAY_BY and event.previous.assignee is not None
            )
    return True


def _handed(event: ConversationAssigned) -> None:
    assert event.actor_id is not None  # a hand assignment has its hand
    by = Operator.objects.get(pk=event.actor_id)
    current, previous = event.current, event.previous
    if current.assignee is not None and current.assignee == previous.assignee:
        return  # handed to the one who had it: no news
    note = Message.objects.get(pk=event.note_id) if event.note_id is not None else None
    transfer_notify(
        conversation_id=event.conversation_id,
        audience=current,
        by=by,
        operator_id=current.assignee,
        team_id=current.team if current.assignee is None else None,
        note=note,
    )


def on_events(events: Sequence[DomainEvent]) -> None:
    for event in events:
        match event:
            case MessageCreated(message=message) if message.author_operator is not None:
                mentions_notify(
                    message=message, audience=event.audience, by=message.author_operator
                )
            case ConversationAssigned(cause=AssignCause.HAND):
                _handed(event)
            case ConversationAssigned(previous=previous) if previous.assignee is not None:
                reassigned_notify(
                    operator_id=previous.assignee,
                    conversation_id=event.conversation_id,
                    audience=event.current,
                )
            case KeyAccountWaiting():
                key_account_notify(manager_ids_by_conversation=event.manager_ids_by_conversation)
