from __future__ import annotations

from celery import shared_task

from operators import presence


@shared_task(acks_late=True, ignore_result=True)
def presence_sweep() -> list[int]:
    """Beat, every 15 s: operators whose consoles are all gone become away, then offline."""
    return presence.presence_sweep()
