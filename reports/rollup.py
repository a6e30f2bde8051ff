"""The nightly rollups: each closed day's report events summed into cells, in
`REPORTS_TIME_ZONE`.

A day is rolled up in one transaction (its cells replaced and its `RollupDay` marked with the
version read before the events were), so a rollup that is stopped halfway leaves the day as it
was, and one run again writes the same cells. Something that lands in a day already rolled up
(`days_changed`) gives the day a new version: until it is rolled up again, its figures come
from the events.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from reports.cells import events_between, sum_events
from reports.models import ReportCell, ReportEvent, RollupDay
from reports.periods import day_of, day_start, days, reports_zone, today

# A day is rolled up this long after it ends at the earliest: an event stamped just before
# midnight whose transaction commits a moment later is in its day's events by then.
GRACE = timedelta(minutes=5)


def last_rollable_day() -> date:
    zone = reports_zone()
    return day_of(timezone.now() - GRACE, zone) - timedelta(days=1)


def _new_version() -> int:
    return secrets.randbits(62)


def days_changed(instants: Iterable[datetime | None]) -> None:
    """Figures of the days of `instants` (in the reports' zone) changed after the fact: the
    days before today that may be rolled up take a new version (within the caller's
    transaction)."""
    zone = reports_zone()
    current = today(zone)
    closed = {day_of(at, zone) for at in instants if at is not None}
    closed = {day for day in closed if day < current}
    if not closed:
        return
    RollupDay.objects.bulk_create(
        [RollupDay(time_zone=zone.key, day=day, version=_new_version()) for day in sorted(closed)],
        update_conflicts=True,
        unique_fields=["time_zone", "day"],
        update_fields=["version"],
    )


def rollup_day(day: date) -> int:
    """Sum `day`'s report events into its cells; the number of cells written."""
    zone = reports_zone()
    if day > last_rollable_day():
        raise ValueError(f"{day} is not closed yet in {zone.key} (or ended under {GRACE} ago)")
    RollupDay.objects.bulk_create(
        [RollupDay(time_zone=zone.key, day=day, version=_new_version())], ignore_conflicts=True
    )
    version = RollupDay.objects.values_list("version", flat=True).get(time_zone=zone.key, day=day)
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    cells = sum_events(events_between(start, end), zone)
    with transaction.atomic():
        # One writer of a day at a time: a second rollup of the day waits here, then replaces.
        RollupDay.objects.select_for_update().filter(time_zone=zone.key, day=day).exists()
        ReportCell.objects.filter(time_zone=zone.key, day=day).delete()
        ReportCell.objects.bulk_create(
            [
                ReportCell(
                    time_zone=zone.key,
                    day=key.day,
                    inbox_id=key.inbox,
                    channel=key.channel,
                    team_id=key.team,
                    operator_id=key.operator,
                    labels=list(key.labels),
                    **tally.as_columns(),
                )
                for key, tally in cells.items()
            ],
            batch_size=500,
        )
        RollupDay.objects.filter(time_zone=zone.key, day=day).update(
            rolled_version=version, rolled_at=timezone.now()
        )
    return len(cells)


def fresh_days(first: date, last: date) -> set[date]:
    """The days in [first, last] whose cells are current, in the reports' zone."""
    rows = RollupDay.objects.filter(
        time_zone=reports_zone().key, day__gte=first, day__lte=last, rolled_version=F("version")
    )
    return set(rows.values_list("day", flat=True))


def days_to_roll(*, limit: int) -> list[date]:
    """Closed days with report events whose cells are missing or out of date, oldest first."""
    zone = reports_zone()
    first_event = ReportEvent.objects.aggregate(first=Min("occurred_at"))["first"]
    if first_event is None:
        return []
    last = last_rollable_day()
    first = day_of(first_event, zone)
    current = fresh_days(first, last)
    return [day for day in days(first, last) if day not in current][:limit]
