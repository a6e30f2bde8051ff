"""Routing's background work. Tasks take ids, are idempotent and safe to run twice."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from chats import selectors
from chats.assignment import presence, watchdog
from chats.assignment.drain import team_queue_drain
from chats.models import Conversation, ConversationStatus

# A task whose work must not be lost: retried with back-off on any error, acked only when done.
RETRIED: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def drain_team_queue(team_id: int) -> list[int]:
    """Route the team's waiting conversations to free operators (the drain records its moves;
    the live listener announces them after the commit)."""
    return team_queue_drain(team_id=team_id).assigned


@shared_task(acks_late=True)
def drain_waiting_queues() -> list[int]:
    """Route every team that has waiting conversations (the worker asks for this whenever it
    connects to the broker: requests sent while it was unreachable, or queued in a Redis that
    restarted, are lost; the waiting conversations are in the database)."""
    team_ids = sorted(
        set(
            Conversation.objects.filter(queued_at__isnull=False, assignee__isnull=True)
            .exclude(status=ConversationStatus.RESOLVED)
            .exclude(team_id__isnull=True)
            .values_list("team_id", flat=True)
        )
    )
    for team_id in team_ids:
        drain_team_queue.delay(team_id)
    return team_ids


@shared_task(acks_late=True, ignore_result=True)
def drain_opened_inboxes() -> list[int]:
    """Beat, every minute: route the queues that business hours held, once their inbox is
    open (idempotent: a drain with nothing to move moves nothing)."""
    team_ids = selectors.team_ids_waiting_on_opened_inboxes(now=timezone.now())
    for team_id in team_ids:
        drain_team_queue.delay(team_id)
    return team_ids


@shared_task(acks_late=True, ignore_result=True)
def presence_sweep() -> list[int]:
    """Beat, every 15 s: operators whose consoles are all gone become away, then offline."""
    return presence.presence_sweep()


@shared_task(**RETRIED)
def ownership_return(operator_id: int) -> list[int]:
    """Scheduled, with the grace period as countdown, when an operator goes offline: their
    conversations awaiting a reply go back to the queue if they are still offline."""
    return watchdog.ownership_return(operator_id=operator_id)


@shared_task(acks_late=True, ignore_result=True)
def ownership_sweep() -> list[int]:
    """Beat, every 30 s: the same for every offline operator whose return is overdue, and
    the release of any conversation a deactivated operator still holds."""
    return watchdog.ownership_sweep()


@shared_task(acks_late=True, ignore_result=True)
def unanswered_reassign() -> list[int]:
    """Beat, every 10 s: conversations their assignee left unanswered for the inbox's
    `reassign_unanswered_after` go to another free operator."""
    return watchdog.unanswered_reassign()


@shared_task(**RETRIED)
def release_deactivated(operator_id: int) -> list[int]:
    """A deactivated operator's open conversations go back to their teams' queues (the beat
    sweep `ownership_sweep` catches a request the broker lost)."""
    return watchdog.deactivated_release(operator_id=operator_id)
