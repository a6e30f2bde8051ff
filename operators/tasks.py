from __future__ import annotations

from celery import shared_task

from operators import presence, watchdog


@shared_task(acks_late=True, ignore_result=True)
def presence_sweep() -> list[int]:
    """Beat, every 15 s: operators whose consoles are all gone become away, then offline."""
    return presence.presence_sweep()


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
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
