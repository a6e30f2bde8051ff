"""Background work of the chats domain. Tasks take ids and are safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from chats import events, selectors

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def drain_team_queue(team_id: int) -> list[int]:
    """Route the team's waiting conversations to free operators and announce the changes."""
    from operators.assignment import team_queue_drain

    result = team_queue_drain(team_id=team_id)
    if result.assigned:

        def announce() -> None:
            changed = result.assigned + result.still_queued
            for conversation in selectors.conversation_base().filter(pk__in=changed):
                events.conversation_changed(conversation)

        transaction.on_commit(announce)
    return result.assigned


@shared_task(acks_late=True)
def drain_waiting_queues() -> list[int]:
    """Route every team that has waiting conversations (the worker asks for this whenever it
    connects to the broker: requests sent while it was unreachable, or queued in a Redis that
    restarted, are lost; the waiting conversations are in the database)."""
    from chats.models import Conversation, ConversationStatus

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


AUTO_RESOLVE_BATCH = 300


@shared_task(acks_late=True, ignore_result=True)
def auto_resolve_idle() -> list[int]:
    """Beat, every minute: resolve up to a batch of conversations idle past their inbox's
    `auto_resolve_after`, each in its own transaction (a failing one is logged and retried at
    the next run; the others go on). A full batch asks for another run at once."""
    from chats.services import conversation_auto_resolve

    candidates = selectors.conversation_ids_idle_past_auto_resolve(
        now=timezone.now(), limit=AUTO_RESOLVE_BATCH
    )
    resolved = []
    for conversation_id in candidates:
        try:
            if conversation_auto_resolve(conversation_id=conversation_id):
                resolved.append(conversation_id)
        except Exception:
            logger.exception("auto-resolve of conversation %s failed", conversation_id)
    if len(candidates) == AUTO_RESOLVE_BATCH and resolved:
        auto_resolve_idle.delay()
    return resolved
