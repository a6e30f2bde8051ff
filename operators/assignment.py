"""Who gets a conversation: drains a team's queue, in arrival order, onto free operators.

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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from chats.business_hours import closed_inbox_ids
from chats.models import Conversation, ConversationStatus, RoutingStrategy
from operators.models import Operator, Status, Team

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


def _candidates(operator_ids: set[int]) -> dict[int, Candidate]:
    if not operator_ids:
        return {}
    locked = list(
        Operator.objects.select_for_update()
        .filter(pk__in=operator_ids, is_active=True, status=Status.ONLINE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    open_filter = Q(assigned_conversations__isnull=False) & ~Q(
        assigned_conversations__status=ConversationStatus.RESOLVED
    )
    rows = (
        Operator.objects.filter(pk__in=locked)
        .annotate(load=Count("assigned_conversations", filter=open_filter))
        .values_list("pk", "max_chats", "load", "last_assigned_at")
    )
    return {
        pk: Candidate(operator_id=pk, max_chats=max_chats, load=load, last_assigned_at=last)
        for pk, max_chats, load, last in rows
    }


def _pick(candidates: list[Candidate], strategy: str) -> Candidate | None:
    free = [c for c in candidates if c.team_member and c.free]
    if not free:
        return None
    if strategy == RoutingStrategy.ROUND_ROBIN:
        return min(free, key=lambda c: (c.least_recent_key(), c.operator_id))
    return min(free, key=lambda c: (c.load, c.least_recent_key(), c.operator_id))


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
        members = set(Operator.objects.filter(teams=team_id).values_list("pk", flat=True))
        managers = {c.contact.account_manager_id for c in queued} - {None}
        candidates = _candidates(members | {m for m in managers if m is not None})
        for candidate in candidates.values():
            candidate.team_member = candidate.operator_id in members

        now = timezone.now()
        closed = closed_inbox_ids((c.inbox for c in queued), now)
        assigned: list[int] = []
        still_queued: list[int] = []
        for conversation in queued:
            manager = candidates.get(conversation.contact.account_manager_id or -1)
            chosen = manager if manager is not None and manager.free else None
            held = conversation.inbox_id in closed
            if chosen is None and not held and conversation.inbox.routing != RoutingStrategy.MANUAL:
                chosen = _pick(list(candidates.values()), conversation.inbox.routing)
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
