"""The nightly rollups (Celery beat). Safe to run twice, or to stop halfway and run again."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.utils import timezone

from reports.daily_summary import daily_summary_send, summary_day_due
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


@shared_task(acks_late=True, ignore_result=True)
def send_daily_summaries() -> list[int]:
    """Beat, every 15 minutes: yesterday's summary to the supervisors, once the reports' day
    reaches DAILY_SUMMARY_HOUR; each gets it once (`reports.daily_summary`)."""
    day = summary_day_due(timezone.now())
    return [] if day is None else daily_summary_send(day)
