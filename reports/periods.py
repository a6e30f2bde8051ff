"""Periods of the reports: calendar days in a time zone (contract section 5)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.utils import timezone


@functools.cache
def known_zones() -> frozenset[str]:
    """The IANA zones this machine knows (not the folders of its zone database)."""
    return frozenset(available_timezones())


def reports_zone() -> ZoneInfo:
    """`REPORTS_TIME_ZONE`: the default `tz` and the zone the nightly rollups are computed in."""
    return ZoneInfo(settings.REPORTS_TIME_ZONE)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of `day` in `zone` (midnight, or the first instant after a gap)."""
    return datetime.combine(day, time(), tzinfo=zone)


def day_of(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def today(zone: ZoneInfo) -> date:
    return day_of(timezone.now(), zone)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """From `first` to `last`, both included, in `zone`."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return day_start(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return day_start(self.last + timedelta(days=1), self.zone)

    def previous(self) -> Period:
        """The period of equal length just before."""
        return Period(
            first=self.first - timedelta(days=self.length),
            last=self.first - timedelta(days=1),
            zone=self.zone,
        )

    def days(self) -> Iterator[date]:
        return days(self.first, self.last)

    def as_dict(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "tz": self.zone.key}
