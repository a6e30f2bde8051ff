"""Who gets a conversation: drains a team's queue, in arrival order, onto free operators.

For each conversation, in this order: the contact's `account_manager` (when online and under
capacity; otherwise they hear of it: a `key_account` notification, once per conversation),
then, in an inbox with `route_to_last_operator`, the operator who served the contact last
(`last_operators`), then the inbox's strategy (`least_busy` or `round_robin`).

One drain runs per team at a time (the team row lock); operators' rows are locked before their
loads are counted, so no two drains (of two teams sharing an operator) nor a hand assignment can
push anyone past `max_chats`. Draining is idempotent: running it twice assigns nothing twice.

Outside an inbox's business hours its conversations stay queued, in arrival order and with
their positions, and nobody of the team gets them; the beat task `drain_opened_inboxes`
drains them at opening time. One exception: a key account's conversation still goes to its
account manager when they are online and under capacity (they chose to be reachable, and a
key account should not wait for Monday while its manager is there); never to anyone else.
Supervisors and admins may still assign by hand at any hour.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from chats.business_hours import closed_inbox_ids
from chats.models import AuthorKind, Conversation, ConversationStatus, Message, RoutingStrategy
from operators.models import Operator, Status, Team
from operators.notifications import key_account_notify

DRAIN_BATCH = 500

logger = logging.getLogger(__name__)


@dataclass
class Candidate:
    operator_id: int
    max_chats: int
    load: int
    last_assigned_at: datetime | None
    team_member: bool = field(default=True)

    @property
    def free(self) -> bool:
        return self.load < self.max_chats

    def least_recent_key(self) -> tuple[int, datetime]:
        moment = self.last_assigned_at
        return (0, datetime.min.replace(tzinfo=UTC)) if moment is None else (1, moment)


@dataclass(frozen=True)
class DrainResult:
    assigned: list[int]
    still_queued: list[int]


def team_candidates(*, team_id: int, others: set[int]) -> dict[int, Candidate]:
    """Lock and load the team's online members and the `others` (account managers, ...) who
    are online, each marked as a member of the team or not."""
    membership = Operator.teams.through.objects.filter(operator_id=OuterRef("pk"), team_id=team_id)
    locked = dict(
        Operator.objects.select_for_update()
        .annotate(team_member=Exists(membership))
        .filter(Q(team_member=True) | Q(pk__in=others), is_active=True, status=Status.ONLINE)
        .order_by("pk")
        .values_list("pk", "team_member")
    )
    if not locked:
        return {}
    # Counted only now that the rows are locked: a statement that waited for a lock still reads
    # what was committed before it began, so the locking one cannot count the loads itself.
    open_filter = Q(assigned_conversations__isnull=False) & ~Q(
        assigned_conversations__status=ConversationStatus.RESOLVED
    )
    rows = (
        Operator.objects.filter(pk__in=locked)
        .annotate(load=Count("assigned_conversations", filter=open_filter))
        .values_list("pk", "max_chats", "load", "last_assigned_at")
    )
    return {
        pk: Candidate(
            operator_id=pk,
            max_chats=max_chats,
            load=load,
            last_assigned_at=last,
            team_member=locked[pk],
        )
        for pk, max_chats, load, last in rows
    }


def _pick(candidates: list[Candidate], strategy: str) -> Candidate | None:
    free = [c for c in candidates if c.team_member and c.free]
    if not free:
        return None
    if strategy == RoutingStrategy.ROUND_ROBIN:
        return min(free, key=lambda c: (c.least_recent_key(), c.operator_id))
    return min(free, key=lambda c: (c.load, c.least_recent_key(), c.operator_id))


def last_operators(conversations: Sequence[Conversation]) -> dict[int, int]:
    """For the conversations of inboxes that `route_to_last_operator`: who served each one's
    contact last, by conversation id. That is the assignee of the contact's latest other
    conversation (in any inbox), or, if it has none, the last operator who wrote a public reply
    in it. At most two queries for the whole batch."""
    wanted = [c for c in conversations if c.inbox.route_to_last_operator]
    if not wanted:
        return {}
    latest = (
        Conversation.objects.filter(contact_id__in={c.contact_id for c in wanted})
        .exclude(pk__in=[c.pk for c in wanted])
        .values("contact_id")
        .annotate(latest=Max("pk"))
        .values("latest")
    )
    previous = {
        contact: (pk, assignee)
        for contact, pk, assignee in Conversation.objects.filter(pk__in=latest).values_list(
            "contact_id", "pk", "assignee_id"
        )
    }
    unassigned = [pk for pk, assignee in previous.values() if assignee is None]
    repliers: dict[int, int] = {}
    if unassigned:
        last_reply = (
            Message.objects.filter(
                conversation=OuterRef("pk"),
                author_kind=AuthorKind.OPERATOR,
                private=False,
                author_operator__isnull=False,
            )
            .order_by("-seq")
            .values("author_operator_id")[:1]
        )
        repliers = {
            pk: replier
            for pk, replier in Conversation.objects.filter(pk__in=unassigned)
            .annotate(replier=Subquery(last_reply))
            .values_list("pk", "replier")
            if replier is not None
        }
    chosen: dict[int, int] = {}
    for conversation in wanted:
        if conversation.contact_id not in previous:
            continue
        pk, assignee = previous[conversation.contact_id]
        operator_id = assignee if assignee is not None else repliers.get(pk)
        if operator_id is not None:
            chosen[conversation.pk] = operator_id
    return chosen


def choose_operator(
    conversation: Conversation,
    candidates: dict[int, Candidate],
    *,
    last_operator_id: int | None = None,
    exclude: Collection[int] = (),
    held: bool = False,
) -> tuple[Candidate | None, int | None]:
    """Who gets `conversation`: its account manager, its last operator (a member of the team),
    then the inbox's strategy; never one of `exclude`. A `held` conversation (its inbox is
    closed) goes to its account manager or to nobody. Answers the choice and the account
    manager it passed over, if any (one who is not excluded)."""
    usable = {pk: c for pk, c in candidates.items() if pk not in exclude}
    manager_id = conversation.contact.account_manager_id
    manager = usable.get(manager_id or -1)
    if manager is not None and manager.free:
        return manager, None
    passed_over = manager_id if manager_id not in exclude else None
    if held:
        return None, passed_over
    last = usable.get(last_operator_id or -1)
    if last is not None and last.team_member and last.free:
        return last, passed_over
    if conversation.inbox.routing == RoutingStrategy.MANUAL:
        return None, passed_over
    return _pick(list(usable.values()), conversation.inbox.routing), passed_over


def team_queue_drain(*, team_id: int) -> DrainResult:
    """Assign the team's queued conversations, oldest first, while anyone is free."""
    with transaction.atomic():
        if Team.objects.select_for_update().filter(pk=team_id).first() is None:
            return DrainResult(assigned=[], still_queued=[])
        queued = list(
            Conversation.objects.select_for_update(of=("self",))
            .select_related("inbox", "contact")
            .filter(team_id=team_id, queued_at__isnull=False, assignee__isnull=True)
            .exclude(status=ConversationStatus.RESOLVED)
            .order_by("queued_at", "id")[:DRAIN_BATCH]
        )
        if not queued:
            return DrainResult(assigned=[], still_queued=[])
        managers = {c.contact.account_manager_id for c in queued}
        candidates = team_candidates(team_id=team_id, others={pk for pk in managers if pk})

        last = last_operators(queued)
        now = timezone.now()
        closed = closed_inbox_ids((c.inbox for c in queued), now)
        assigned: list[int] = []
        still_queued: list[int] = []
        passed_over: dict[int, int] = {}
        for conversation in queued:
            chosen, manager = choose_operator(
                conversation,
                candidates,
                last_operator_id=last.get(conversation.pk),
                held=conversation.inbox_id in closed,
            )
            if manager is not None:
                passed_over[conversation.pk] = manager
            if chosen is None:
                still_queued.append(conversation.pk)
                continue
            chosen.load += 1
            chosen.last_assigned_at = now
            now = now + timedelta(microseconds=1)  # keeps the turn order strict
            conversation.assignee_id = chosen.operator_id
            conversation.queued_at = None
            conversation.assigned_at = chosen.last_assigned_at
            conversation.save(update_fields=["assignee", "queued_at", "assigned_at"])
            Operator.objects.filter(pk=chosen.operator_id).update(
                last_assigned_at=chosen.last_assigned_at
            )
            assigned.append(conversation.pk)
        key_account_notify(manager_ids_by_conversation=passed_over)
        if assigned and settings.ROUTING_TEST_PAUSE_FILE:
            _test_pause_before_commit(team_id, len(assigned))
        return DrainResult(assigned=assigned, still_queued=still_queued)


def _test_pause_before_commit(team_id: int, assigned: int) -> None:
    """Fault injection, for tests only (`ROUTING_TEST_PAUSE_FILE`, off unless set): the first
    drain to get here creates the file (with its process id, task id, team and how many it
    assigned), which tells the test that the drain's changes are made and not committed, and
    waits, so the test can kill the worker at exactly that moment
    (tests/e2e/test_routing_worker_killed.py)."""
    try:
        descriptor = os.open(settings.ROUTING_TEST_PAUSE_FILE, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # paused once already: the redelivered task runs through
    from celery import current_task

    task_id = current_task.request.id if current_task else ""
    os.write(descriptor, f"{os.getpid()} {task_id} {team_id} {assigned}\n".encode())
    os.close(descriptor)
    logger.warning("routing of team %s paused before its commit (test fault injection)", team_id)
    time.sleep(settings.ROUTING_TEST_PAUSE_SECONDS)
