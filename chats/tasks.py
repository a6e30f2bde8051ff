"""Background work of the chats domain. Tasks take ids and are safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from chats import events, selectors


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
