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
from dataclasses import dataclass
from datetime import timedelta

from celery import current_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chats.assignment.candidates import choose_operator, last_operators, team_candidates
from chats.business_hours import closed_inbox_ids
from chats.events.dispatch import record
from chats.events.domain import (
    AssignCause,
    ConversationAssigned,
    DomainEvent,
    KeyAccountWaiting,
    audience_of,
)
from chats.models import Conversation, ConversationStatus
from operators.models import Operator, Team

DRAIN_BATCH = 500

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DrainResult:
    assigned: list[int]
    still_queued: list[int]


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
        moves: list[DomainEvent] = []
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
            previous = audience_of(conversation)
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
            moves.append(
                ConversationAssigned(
                    conversation_id=conversation.pk,
                    previous=previous,
                    current=audience_of(conversation),
                    cause=AssignCause.ROUTING,
                    at=chosen.last_assigned_at,
                    left_queue_of=team_id,
                )
            )
        if passed_over:
            moves.append(KeyAccountWaiting(manager_ids_by_conversation=passed_over))
        record(*moves)
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
    task_id = current_task.request.id if current_task else ""
    os.write(descriptor, f"{os.getpid()} {task_id} {team_id} {assigned}\n".encode())
    os.close(descriptor)
    logger.warning("routing of team %s paused before its commit (test fault injection)", team_id)
    time.sleep(settings.ROUTING_TEST_PAUSE_SECONDS)
