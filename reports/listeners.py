"""Report events, written in the transaction of each fact (an in-transaction listener), so a
fact and its report event exist together or not at all; `opened` and `first_response` are
unique per conversation, so a retry never counts one twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists

from chats.audience import Audience
from chats.events.domain import (
    ConversationAssigned,
    ConversationOpened,
    ConversationOutcomeSet,
    ConversationStatusChanged,
    ConversationUpdated,
    CsatCreated,
    DomainEvent,
    MessageCreated,
)
from chats.models import AuthorKind, Conversation, Inbox, Message
from reports.models import ReportEvent, ReportEventKind
from reports.rollup import days_changed

EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    ConversationOpened,
    MessageCreated,
    ConversationAssigned,
    ConversationStatusChanged,
    ConversationOutcomeSet,
    ConversationUpdated,
    CsatCreated,
)


def wants(event: DomainEvent) -> bool:
    match event:
        case MessageCreated():
            return event.is_operator_reply
        case ConversationAssigned(previous=previous, current=current):
            gained = current.assignee is not None and current.assignee != previous.assignee
            return gained or current.team != previous.team
        case ConversationStatusChanged():
            return event.resolved or event.reopened
        case ConversationUpdated():
            return "labels" in event.fields
    return True


class Rows:
    """The rows of one batch, each with its inbox's channel (one query for the batch)."""

    def __init__(self, events: Sequence[DomainEvent]) -> None:
        self.rows: list[ReportEvent] = []
        audiences = (_audience(event) for event in events)
        self.inbox_ids = {audience.inbox for audience in audiences if audience is not None}

    def add(
        self,
        kind: str,
        *,
        at: datetime,
        conversation_id: int,
        audience: Audience,
        actor_id: int | None = None,
        value: float | None = None,
        operator_id: int | None = None,
        opened_at: datetime | None = None,
        outcome: str = "",
        sale_amount: Decimal | None = None,
    ) -> None:
        self.rows.append(
            ReportEvent(
                kind=kind,
                occurred_at=at,
                conversation_id=conversation_id,
                inbox_id=audience.inbox,
                team_id=audience.team,
                operator_id=audience.assignee if operator_id is None else operator_id,
                actor_id=actor_id,
                value=value,
                opened_at=opened_at,
                outcome=outcome,
                sale_amount=sale_amount,
            )
        )

    def save(self) -> None:
        channels = dict(Inbox.objects.filter(pk__in=self.inbox_ids).values_list("pk", "channel"))
        for row in self.rows:
            row.channel = channels.get(row.inbox_id, "")
        # A new rating replaces the conversation's (its row is updated); the rest are added,
        # each once where the kind is once per conversation (`opened`, `first_response`).
        added = [row for row in self.rows if not _replaced_rating(row)]
        ReportEvent.objects.bulk_create(added, ignore_conflicts=True)
        # A first response counts in the day its conversation was opened, maybe rolled up.
        days_changed(row.opened_at for row in added if row.kind == ReportEventKind.FIRST_RESPONSE)


def _replaced_rating(row: ReportEvent) -> bool:
    if row.kind != ReportEventKind.RATED:
        return False
    rated = ReportEvent.objects.filter(
        conversation_id=row.conversation_id, kind=ReportEventKind.RATED
    )
    days_changed(rated.values_list("occurred_at", flat=True))
    updated = rated.update(
        occurred_at=row.occurred_at,
        value=row.value,
        inbox_id=row.inbox_id,
        channel=row.channel,
        team_id=row.team_id,
        operator_id=row.operator_id,
    )
    return updated > 0


def _audience(event: DomainEvent) -> Audience | None:
    """The audience of the rows an event adds (None: it adds none, it changes some)."""
    match event:
        case MessageCreated():
            return event.audience
        case ConversationAssigned():
            return event.current
        case ConversationOpened() | ConversationStatusChanged() | CsatCreated():
            return event.audience
    return None


def _first_response(message: Message) -> tuple[float, datetime] | None:
    """From the contact's first message to this reply, if this is the first reply after it,
    and when the conversation was opened (one query: the contact's first message, unless a
    first response is recorded)."""
    answered = ReportEvent.objects.filter(
        conversation_id=message.conversation_id, kind=ReportEventKind.FIRST_RESPONSE
    )
    first = (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            author_kind=AuthorKind.VISITOR,
            seq__lt=message.seq,
        )
        .filter(~Exists(answered))
        .order_by("seq")
        .values_list("created_at", "conversation__created_at")
        .first()
    )
    if first is None:
        return None
    asked_at, opened_at = first
    return (message.created_at - asked_at).total_seconds(), opened_at


def _message_rows(event: MessageCreated, rows: Rows) -> None:
    message = event.message
    at, pk = message.created_at, message.conversation_id
    actor = message.author_operator_id
    rows.add(
        ReportEventKind.REPLY, at=at, conversation_id=pk, audience=event.audience, actor_id=actor
    )
    first = _first_response(message)
    if first is not None:
        rows.add(
            ReportEventKind.FIRST_RESPONSE,
            at=at,
            conversation_id=pk,
            audience=event.audience,
            actor_id=actor,
            value=first[0],
            opened_at=first[1],
        )


def _assignment_rows(event: ConversationAssigned, rows: Rows) -> None:
    previous, current = event.previous, event.current
    kinds = []
    if current.assignee is not None and current.assignee != previous.assignee:
        kinds.append(ReportEventKind.ASSIGNED)
    if previous.team is not None and current.team != previous.team:
        kinds.append(ReportEventKind.TRANSFERRED)  # a conversation given its first team is not
    for kind in kinds:
        rows.add(
            kind,
            at=event.at,
            conversation_id=event.conversation_id,
            audience=current,
            actor_id=event.actor_id,
        )


def _status_rows(event: ConversationStatusChanged, rows: Rows) -> None:
    created_at = event.opened_at or Conversation.objects.values_list("created_at", flat=True).get(
        pk=event.conversation_id
    )
    if event.resolved:
        seconds: float | None = (event.at - created_at).total_seconds()
        kind = ReportEventKind.RESOLVED
    else:
        seconds, kind = None, ReportEventKind.REOPENED
    rows.add(
        kind,
        at=event.at,
        conversation_id=event.conversation_id,
        audience=event.audience,
        actor_id=event.actor_id,
        value=seconds,
        opened_at=created_at,
        outcome=event.outcome,
        sale_amount=event.sale_amount,
    )


def _outcome_corrected(event: ConversationOutcomeSet) -> None:
    """The conversation's last resolve takes the outcome it was given afterwards."""
    last = (
        ReportEvent.objects.filter(
            conversation_id=event.conversation_id, kind=ReportEventKind.RESOLVED
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    if last is None:
        return
    last.outcome, last.sale_amount = event.outcome, event.sale_amount
    last.save(update_fields=["outcome", "sale_amount"])
    days_changed([last.occurred_at])


def _labels_changed(event: ConversationUpdated) -> None:
    """A conversation's labels are read as they are now: its rolled-up days change."""
    events = ReportEvent.objects.filter(conversation_id=event.conversation_id)
    days_changed(at for pair in events.values_list("occurred_at", "opened_at") for at in pair)


def on_events(events: Sequence[DomainEvent]) -> None:
    rows = Rows(events)
    for event in events:
        match event:
            case ConversationOpened():
                rows.add(
                    ReportEventKind.OPENED,
                    at=event.at,
                    conversation_id=event.conversation_id,
                    audience=event.audience,
                )
            case MessageCreated():
                _message_rows(event, rows)
            case ConversationAssigned():
                _assignment_rows(event, rows)
            case ConversationStatusChanged():
                _status_rows(event, rows)
            case ConversationOutcomeSet():
                _outcome_corrected(event)
            case ConversationUpdated():
                _labels_changed(event)
            case CsatCreated():
                rows.add(
                    ReportEventKind.RATED,
                    at=event.at,
                    conversation_id=event.conversation_id,
                    audience=event.audience,
                    value=float(event.rating),
                )
    rows.save()
