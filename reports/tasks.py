"""The nightly rollups (Celery beat). Safe to run twice, or to stop halfway and run again."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task

from reports.rollup import days_to_roll, rollup_day

logger = logging.getLogger(__name__)

# A run catches up this many days at most (after an install with history, or a long outage);
# the next run goes on from there.
DAYS_PER_RUN = 31


@shared_task(acks_late=True, ignore_result=True)
def rollup_closed_days() -> list[str]:
    """Beat, every 10 minutes: roll up the closed days whose cells are missing or out of date
    (yesterday, shortly after midnight; a day a late first response or rating changed)."""
    rolled: list[date] = []
    for day in days_to_roll(limit=DAYS_PER_RUN):
        try:
            rollup_day(day)
            rolled.append(day)
        except Exception:
            logger.exception("rollup of %s failed", day)
    return [day.isoformat() for day in rolled]
