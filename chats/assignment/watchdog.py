"""The ownership watchdog: a visitor does not wait on an operator who is not answering.

A conversation *awaits a reply* when it is open and its latest public message from a person
(the visitor or an operator; notes, bot and system messages do not count) is the visitor's.
It has waited since its first visitor message after the last public operator reply
(`waiting_since`).

- `ownership_return`: an operator who has been `offline` for `OWNERSHIP_RETURN_GRACE_SECONDS`
  loses the conversations they held when they went offline (assigned at or before that moment;
  ones a supervisor gives them while they are offline stay) that await a reply. Each goes back
  to its team's queue with `queued_at = waiting_since`, so it keeps its place by how long the
  visitor has waited, and the team's queue is drained. Answered ones stay theirs. The operator
  gets a `reassigned` notification for each. Triggered by a task scheduled, with that
  countdown, at every transition to offline, and by the beat sweep `ownership_sweep`.
- `unanswered_reassign`: in an inbox with `reassign_unanswered_after` (seconds), a conversation
  that awaits a reply and whose assignee has written no public message since `assigned_at`,
  that long after `assigned_at`, goes to another free operator by the routing rules (account
  manager, last operator, strategy): never back to the same one, nor to any operator who holds
  a conversation due for reassignment in the same pass. If nobody else is free it stays
  with its assignee (a queue with nobody free would serve the visitor no sooner) and is tried
  again at the next pass. The operator it is taken from gets a `reassigned`
  notification. Inboxes routed by hand (`manual`) are left alone.

- `deactivated_release`: a deactivated operator's open and pending conversations go back to
  their teams' queues at once (the sweep catches any a failed call left).

All are idempotent and safe to run concurrently: they re-check every condition on rows they
hold locked (the team's row as the drain does, the operators' rows, then the conversations').
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from chats.assignment.candidates import choose_operator, last_operators, team_candidates
from chats.audience import Audience
from chats.business_hours import closed_inbox_ids
from chats.events.dispatch import record
from chats.events.domain import (
    AssignCause,
    ConversationAssigned,
    DomainEvent,
    KeyAccountWaiting,
    audience_of,
)
from chats.models import AuthorKind, Conversation, ConversationStatus, Inbox, Message
from chats.models import RoutingStrategy as Routing
from operators.models import Operator, Status, Team

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PERSON_KINDS = (AuthorKind.VISITOR, AuthorKind.OPERATOR)


class Waiting(TypedDict):
    waiting_since: datetime | None


if TYPE_CHECKING:
    AwaitingReply = WithAnnotations[Conversation, Waiting]


def awaiting_reply(queryset: QuerySet[Conversation]) -> QuerySet[AwaitingReply]:
    """The conversations that await a reply, annotated with `waiting_since`: when the visitor
    began to wait (their first public message after the last public operator reply)."""
    last_reply_seq = (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            private=False,
            author_kind=AuthorKind.OPERATOR,
        )
        .order_by("-seq")
        .values("seq")[:1]
    )
    first_unanswered = (
        Message.objects.filter(conversation_id=OuterRef("pk"), private=False)
        .filter(author_kind=AuthorKind.VISITOR)
        .filter(seq__gt=Coalesce(Subquery(last_reply_seq), 0))
        .order_by("seq")
        .values("created_at")[:1]
    )
    return queryset.annotate(waiting_since=Subquery(first_unanswered)).filter(
        status=ConversationStatus.OPEN, waiting_since__isnull=False
    )


def _requeue(conversation: Conversation, *, since: datetime) -> None:
    """Back to its team's queue, where it waits from `since`."""
    conversation.assignee = None
    conversation.assigned_at = None
    conversation.team_id = conversation.team_id or conversation.inbox.team_id
    conversation.queued_at = since
    conversation.save(update_fields=["assignee", "assigned_at", "team", "queued_at"])


def _moved(
    conversation: Conversation, previous: Audience, cause: AssignCause, at: datetime
) -> ConversationAssigned:
    return ConversationAssigned(
        conversation_id=conversation.pk,
        previous=previous,
        current=audience_of(conversation),
        cause=cause,
        at=at,
    )


# --- (a) an offline operator's unanswered conversations go back to the queue ----------------


def ownership_return(*, operator_id: int, now: datetime | None = None) -> list[int]:
    """Return the operator's unanswered conversations to their teams' queues, if they have
    been offline for the grace period. Answers the ids of the conversations returned."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.OWNERSHIP_RETURN_GRACE_SECONDS)
    with transaction.atomic():
        # The operator's row first, then the conversations: the order a hand assignment takes.
        operator = Operator.objects.select_for_update().filter(pk=operator_id).first()
        if operator is None or operator.status != Status.OFFLINE:
            return []
        offline_since = operator.status_changed_at
        if offline_since is None or now - offline_since < grace:
            return []
        held = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("inbox")
            .filter(assignee_id=operator_id, status=ConversationStatus.OPEN)
            .filter(Q(assigned_at__isnull=True) | Q(assigned_at__lte=offline_since))
        )
        waiting = list(awaiting_reply(held).order_by("pk"))
        moves: list[ConversationAssigned] = []
        for conversation in waiting:
            previous = audience_of(conversation)
            _requeue(conversation, since=conversation.waiting_since or now)
            moves.append(_moved(conversation, previous, AssignCause.RETURNED, now))
        record(*moves)
        return [move.conversation_id for move in moves]


def ownership_sweep(*, now: datetime | None = None) -> list[int]:
    """The safety net of the scheduled returns: every operator offline for the grace period
    who still holds a conversation awaiting a reply. Answers the ids returned."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OWNERSHIP_RETURN_GRACE_SECONDS)
    held = awaiting_reply(
        Conversation.objects.filter(assignee_id=OuterRef("pk")).filter(
            Q(assigned_at__isnull=True) | Q(assigned_at__lte=OuterRef("status_changed_at"))
        )
    )
    operator_ids = (
        Operator.objects.filter(status=Status.OFFLINE, status_changed_at__lte=cutoff)
        .filter(Exists(held))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    returned: list[int] = []
    for operator_id in operator_ids:
        returned += ownership_return(operator_id=operator_id, now=now)
    deactivated = (
        Operator.objects.filter(is_active=False)
        .filter(
            Exists(
                Conversation.objects.filter(assignee_id=OuterRef("pk")).exclude(
                    status=ConversationStatus.RESOLVED
                )
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for operator_id in deactivated:
        returned += deactivated_release(operator_id=operator_id)
    return returned


# --- a deactivated operator keeps nothing -------------------------------------------------------


def deactivated_release(*, operator_id: int) -> list[int]:
    """Every open or pending conversation of a deactivated operator goes back to its team's
    queue, at once (no grace: they will not come back to it) and is routed again. Those awaiting
    a reply keep their place by how long the visitor has waited; the others join at the back.
    Answers the ids of the conversations released."""
    now = timezone.now()
    with transaction.atomic():
        operator = Operator.objects.select_for_update().filter(pk=operator_id).first()
        if operator is None or operator.is_active:
            return []
        held = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("inbox")
            .filter(assignee_id=operator_id)
            .exclude(status=ConversationStatus.RESOLVED)
        )
        waited_since = {c.pk: c.waiting_since for c in awaiting_reply(held)}
        moves: list[ConversationAssigned] = []
        for conversation in held.order_by("pk"):
            previous = audience_of(conversation)
            _requeue(conversation, since=waited_since.get(conversation.pk) or now)
            moves.append(_moved(conversation, previous, AssignCause.RELEASED, now))
        record(*moves)
        return [move.conversation_id for move in moves]


# --- (b) a conversation its assignee does not answer goes to someone else --------------------


def _unanswered_by_assignee(queryset: QuerySet[Conversation]) -> QuerySet[AwaitingReply]:
    """Assigned, awaiting a reply, and no public message by the assignee since they got it."""
    replied = Message.objects.filter(
        conversation_id=OuterRef("pk"),
        private=False,
        author_operator_id=OuterRef("assignee_id"),
        created_at__gte=OuterRef("assigned_at"),
    )
    return awaiting_reply(
        queryset.filter(assignee__isnull=False, assigned_at__isnull=False).filter(~Exists(replied))
    )


def unanswered_reassign(*, now: datetime | None = None) -> list[int]:
    """One pass over the inboxes with `reassign_unanswered_after`. Answers the ids moved."""
    now = now or timezone.now()
    due_by_team: dict[int, list[int]] = defaultdict(list)
    inboxes = (
        Inbox.objects.filter(reassign_unanswered_after__isnull=False)
        .exclude(routing=Routing.MANUAL)
        .values_list("pk", "reassign_unanswered_after")
    )
    for inbox_id, after in inboxes:
        assert after is not None
        due = _unanswered_by_assignee(
            Conversation.objects.filter(
                inbox_id=inbox_id,
                team__isnull=False,
                assigned_at__lte=now - timedelta(seconds=after),
            )
        ).values_list("team_id", "pk")
        for team_id, pk in due:
            due_by_team[team_id].append(pk)
    moved: list[int] = []
    for team_id in sorted(due_by_team):
        moved += _reassign_in_team(team_id=team_id, conversation_ids=due_by_team[team_id], now=now)
    return moved


def _reassign_in_team(*, team_id: int, conversation_ids: list[int], now: datetime) -> list[int]:
    with transaction.atomic():
        # The team's row (one pass or drain per team at a time), then the operators' rows, then
        # the conversations': operators before conversations, as a hand assignment locks them.
        if Team.objects.select_for_update().filter(pk=team_id).first() is None:
            return []
        involved = list(
            Conversation.objects.filter(pk__in=conversation_ids).values_list(
                "assignee_id", "contact__account_manager_id"
            )
        )
        others = {pk for pair in involved for pk in pair if pk is not None}
        candidates = team_candidates(team_id=team_id, others=others)
        holders = {assignee for assignee, _manager in involved}
        if not any(c.free for pk, c in candidates.items() if pk not in holders):
            return []  # nobody to move anything to: lock no conversation
        locked = [
            conversation
            for conversation in _unanswered_by_assignee(
                Conversation.objects.select_for_update(of=("self",))
                .select_related("inbox", "contact")
                .filter(pk__in=conversation_ids, team_id=team_id)
                .exclude(inbox__routing=Routing.MANUAL)
                .filter(inbox__reassign_unanswered_after__isnull=False)
            ).order_by("assigned_at", "pk")
            if conversation.assigned_at is not None
            and conversation.inbox.reassign_unanswered_after is not None
            and now - conversation.assigned_at
            >= timedelta(seconds=conversation.inbox.reassign_unanswered_after)
        ]
        if not locked:
            return []
        last = last_operators(locked)
        closed = closed_inbox_ids((c.inbox for c in locked), now)
        # Whoever holds a conversation due in this pass takes none from it: the pass would
        # otherwise shuffle unanswered conversations among unresponsive operators.
        unresponsive = {c.assignee_id for c in locked if c.assignee_id is not None}
        moves: list[DomainEvent] = []
        passed_over: dict[int, int] = {}
        moment = now
        for conversation in locked:
            chosen, manager = choose_operator(
                conversation,
                candidates,
                last_operator_id=last.get(conversation.pk),
                exclude=unresponsive,
                held=conversation.inbox_id in closed,
            )
            if manager is not None:
                passed_over[conversation.pk] = manager
            if chosen is None:
                continue  # nobody else is free: it stays, and is tried again at the next pass
            previous = audience_of(conversation)
            chosen.load += 1
            chosen.last_assigned_at = moment
            conversation.assignee_id = chosen.operator_id
            conversation.assigned_at = moment
            conversation.queued_at = None
            conversation.save(update_fields=["assignee", "assigned_at", "queued_at"])
            Operator.objects.filter(pk=chosen.operator_id).update(last_assigned_at=moment)
            moves.append(_moved(conversation, previous, AssignCause.REASSIGNED, moment))
            moment = moment + timedelta(microseconds=1)  # keeps the turn order strict
        if passed_over:
            moves.append(KeyAccountWaiting(manager_ids_by_conversation=passed_over))
        record(*moves)
        return [move.conversation_id for move in moves if isinstance(move, ConversationAssigned)]
