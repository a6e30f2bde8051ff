"""Business hours of an inbox: is it open at an instant, and when does it next open.

Pure: no database, no clock. An inbox's hours are its IANA time zone, a weekly table of opening
intervals in that zone's wall-clock time, and holidays (dates in that zone, closed all day):

    timezone        "Europe/Moscow"
    business_hours  {"mon": [["09:00", "13:00"], ["14:00", "18:00"]], "sat": [["10:00", "24:00"]]}
    holidays        ["2026-01-01", "2026-01-07"]

An empty table means open all day every day (holidays still close it); a table with days but
no intervals at all means never open. A day missing from a non-empty table is closed.

The inbox is open at an instant when that instant's wall-clock time in the zone falls inside
one of its weekday's intervals `[start, end)` and its date is no holiday; "24:00" ends a day.
Everything follows from that one rule, daylight saving included: on a spring-forward day an
interval starting inside the skipped hour opens when the clocks jump past its start; on a
fall-back day the repeated hour is open or closed as its wall-clock time says, both times.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any, Protocol
from zoneinfo import ZoneInfo, available_timezones

from django.utils.translation import gettext as _

from helpdesk.errors import ServiceError

logger = logging.getLogger(__name__)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday() order
MAX_INTERVALS_PER_DAY = 12
MAX_HOLIDAYS = 1000
MAX_TIMEZONE_CHARS = 64
DAY_SECONDS = 24 * 3600
# Past the last holiday, two weeks hold every weekday twice (once may fall in a clock change):
# no search needs to go further than this.
_SEARCH_DAYS_AFTER_HOLIDAYS = 15

_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d\Z|24:00\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class ScheduleError(ServiceError):
    """Bad business-hours input; `code` names the field."""


@dataclass(frozen=True, slots=True)
class Interval:
    start: int  # seconds after local midnight
    end: int  # exclusive; DAY_SECONDS for "24:00"

    def contains(self, second: int) -> bool:
        return self.start <= second < self.end


@dataclass(frozen=True, slots=True)
class Schedule:
    zone: ZoneInfo
    week: tuple[tuple[Interval, ...], ...]  # seven entries, Monday first
    holidays: frozenset[date]

    @property
    def never_opens(self) -> bool:
        return not any(self.week)

    def is_open(self, at: datetime) -> bool:
        local = _aware(at).astimezone(self.zone)
        if local.date() in self.holidays:
            return False
        second = local.hour * 3600 + local.minute * 60 + local.second
        return any(i.contains(second) for i in self.week[local.weekday()])

    def next_open(self, at: datetime) -> datetime | None:
        """`at` itself (in UTC) when open then, else the first later instant the inbox opens;
        None when it never opens again."""
        at = _aware(at).astimezone(UTC)
        if self.is_open(at):
            return at
        if self.never_opens:
            return None
        day = at.astimezone(self.zone).date() - timedelta(days=1)
        last = max(self.holidays, default=day)
        limit = max(day, last) + timedelta(days=_SEARCH_DAYS_AFTER_HOLIDAYS)
        while day <= limit:
            if day not in self.holidays and self.week[day.weekday()]:
                for moment in self._openings(day):
                    if moment > at and self.is_open(moment):
                        return moment
            day += timedelta(days=1)
        return None

    def _openings(self, day: date) -> list[datetime]:
        """Every instant of local `day` at which the inbox can go from closed to open, sorted:
        an interval's start as the clock reaches it, and any clock change that day (a jump
        forward past a start, or back into an interval)."""
        moments: set[datetime] = set(_transitions(self.zone, day))
        for interval in self.week[day.weekday()]:
            moments.update(_instants_of(self.zone, day, interval.start))
        return sorted(moments)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("business hours need an aware datetime")
    return at


def _instants_of(zone: ZoneInfo, day: date, second: int) -> list[datetime]:
    """The UTC instants at which the wall clock of `day` reads `second` (two in a repeated
    hour); if the clock skips it, the instant it jumps past it."""
    wall = datetime.combine(day, time(), tzinfo=zone) + timedelta(seconds=second)
    found = []
    for fold in (0, 1):
        candidate = wall.replace(fold=fold).astimezone(UTC)
        if candidate.astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
            found.append(candidate)
    return found or [_first_instant_at_or_after(zone, wall)]


def _first_instant_at_or_after(zone: ZoneInfo, wall: datetime) -> datetime:
    """For a wall time the clocks skip: the moment they jump past it. Its two readings (with
    the offsets before and after the jump) bracket that moment, and the clock only runs
    forward between them."""
    naive = wall.replace(tzinfo=None)
    lo, hi = sorted((wall.replace(fold=1).astimezone(UTC), wall.replace(fold=0).astimezone(UTC)))
    while (hi - lo) > timedelta(seconds=1):
        mid = (lo + (hi - lo) / 2).replace(microsecond=0)
        if mid.astimezone(zone).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi


def _transitions(zone: ZoneInfo, day: date) -> list[datetime]:
    """The UTC instants within local `day` at which the zone's offset changes."""
    start = datetime.combine(day, time(), tzinfo=zone).replace(fold=0).astimezone(UTC)
    found = []
    step = timedelta(hours=1)
    previous = start - step
    moment = start
    for _hour in range(27):  # a local day is at most 25 hours; a little slack either side
        if moment.astimezone(zone).utcoffset() != previous.astimezone(zone).utcoffset():
            found.append(_offset_change(zone, previous, moment))
        previous, moment = moment, moment + step
    return [m for m in found if m.astimezone(zone).date() == day]


def _offset_change(zone: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The first instant in `(lo, hi]` with `hi`'s offset (one change between them)."""
    target = hi.astimezone(zone).utcoffset()
    while (hi - lo) > timedelta(seconds=1):
        mid = (lo + (hi - lo) / 2).replace(microsecond=0)
        if mid.astimezone(zone).utcoffset() == target:
            hi = mid
        else:
            lo = mid
    return hi


# --- validation -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_timezone(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TIMEZONE_CHARS:
        raise ScheduleError(
            "invalid_timezone", _("The time zone must be an IANA name such as Europe/Moscow.")
        )
    if value not in _known_zones():
        raise ScheduleError(
            "invalid_timezone", _("Unknown time zone: %(zone)s.") % {"zone": value[:64]}
        )
    return value


def _seconds(text: Any, *, day: str, end: bool) -> int:
    if not isinstance(text, str) or not _TIME.match(text) or (text == "24:00" and not end):
        raise ScheduleError(
            "invalid_business_hours",
            _('%(day)s: a time is "HH:MM", from 00:00 to 23:59 ("24:00" may end a day).')
            % {"day": day},
        )
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def clean_business_hours(value: Any) -> dict[str, list[list[str]]]:
    """The weekly table, checked: known day keys, a list of `["HH:MM", "HH:MM"]` per day,
    each ending after it starts, none overlapping. Answers it with each day's intervals
    sorted by start."""
    if not isinstance(value, dict):
        raise ScheduleError(
            "invalid_business_hours",
            _('Business hours must be an object such as {"mon": [["09:00", "18:00"]]}.'),
        )
    cleaned: dict[str, list[list[str]]] = {}
    for day, intervals in value.items():
        if day not in DAYS:
            raise ScheduleError(
                "invalid_business_hours",
                _("Unknown day %(day)s: use mon, tue, wed, thu, fri, sat, sun.")
                % {"day": str(day)[:20]},
            )
        if not isinstance(intervals, list):
            raise ScheduleError(
                "invalid_business_hours",
                _("%(day)s: give a list of [start, end] intervals.") % {"day": day},
            )
        if len(intervals) > MAX_INTERVALS_PER_DAY:
            raise ScheduleError(
                "invalid_business_hours",
                _("%(day)s: at most %(n)s intervals a day.")
                % {"day": day, "n": MAX_INTERVALS_PER_DAY},
            )
        pairs = []
        for interval in intervals:
            if not (isinstance(interval, list) and len(interval) == 2):
                raise ScheduleError(
                    "invalid_business_hours",
                    _('%(day)s: an interval is a pair such as ["09:00", "18:00"].') % {"day": day},
                )
            start = _seconds(interval[0], day=day, end=False)
            stop = _seconds(interval[1], day=day, end=True)
            if stop <= start:
                raise ScheduleError(
                    "invalid_business_hours",
                    _("%(day)s: the interval %(start)s-%(end)s ends before it starts.")
                    % {"day": day, "start": interval[0], "end": interval[1]},
                )
            pairs.append((start, stop, interval))
        pairs.sort(key=lambda pair: pair[0])
        for before, after in pairwise(pairs):
            if after[0] < before[1]:
                raise ScheduleError(
                    "invalid_business_hours",
                    _("%(day)s: the intervals %(first)s and %(second)s overlap.")
                    % {
                        "day": day,
                        "first": "-".join(before[2]),
                        "second": "-".join(after[2]),
                    },
                )
        cleaned[day] = [list(pair[2]) for pair in pairs]
    return cleaned


def clean_holidays(value: Any) -> list[str]:
    """Dates `YYYY-MM-DD`, each once; answers them sorted."""
    if not isinstance(value, list):
        raise ScheduleError(
            "invalid_holidays", _('Holidays must be a list of dates such as "2026-01-01".')
        )
    if len(value) > MAX_HOLIDAYS:
        raise ScheduleError("invalid_holidays", _("At most %(n)s holidays.") % {"n": MAX_HOLIDAYS})
    seen: set[date] = set()
    for item in value:
        parsed = None
        if isinstance(item, str) and _DATE.match(item):
            try:
                parsed = date.fromisoformat(item)
            except ValueError:
                parsed = None
        if parsed is None:
            raise ScheduleError(
                "invalid_holidays",
                _('Not a date: %(value)s (write "YYYY-MM-DD").') % {"value": str(item)[:40]},
            )
        if parsed in seen:
            raise ScheduleError("invalid_holidays", _("%(date)s is listed twice.") % {"date": item})
        seen.add(parsed)
    return sorted(value)


def schedule_from(*, timezone: Any, business_hours: Any, holidays: Any) -> Schedule:
    """The schedule of these settings; raises `ScheduleError` on any bad part."""
    zone = ZoneInfo(clean_timezone(timezone))
    table = clean_business_hours(business_hours)
    days = clean_holidays(holidays)
    if table:
        week = tuple(
            tuple(
                Interval(_seconds(s, day=day, end=False), _seconds(e, day=day, end=True))
                for s, e in table.get(day, [])
            )
            for day in DAYS
        )
    else:
        week = tuple((Interval(0, DAY_SECONDS),) for _day in DAYS)
    return Schedule(zone=zone, week=week, holidays=frozenset(date.fromisoformat(d) for d in days))


# --- an inbox's hours -------------------------------------------------------------------------


class HasHours(Protocol):
    pk: Any
    timezone: str
    business_hours: Any
    holidays: Any


ALWAYS_OPEN = Schedule(
    zone=ZoneInfo("UTC"),
    week=tuple((Interval(0, DAY_SECONDS),) for _day in DAYS),
    holidays=frozenset(),
)


def has_hours(inbox: HasHours) -> bool:
    """Whether the inbox ever closes (a table of hours, or holidays)."""
    return bool(inbox.business_hours) or bool(inbox.holidays)


def schedule_of(inbox: HasHours) -> Schedule:
    """The inbox's schedule. Its settings are checked when written; should a stored one be
    broken anyway, the inbox counts as always open (routing never holds a queue forever on a
    typo) and the problem is logged."""
    if not has_hours(inbox):
        return ALWAYS_OPEN
    try:
        return schedule_from(
            timezone=inbox.timezone, business_hours=inbox.business_hours, holidays=inbox.holidays
        )
    except ScheduleError as error:
        logger.warning("inbox %s: broken business hours, taken as always open: %s", inbox.pk, error)
        return ALWAYS_OPEN


@dataclass(frozen=True, slots=True)
class OpenState:
    open: bool
    next_open_at: datetime | None  # None while open, or when it never opens again


def open_state(inbox: HasHours, at: datetime) -> OpenState:
    schedule = schedule_of(inbox)
    if schedule.is_open(at):
        return OpenState(open=True, next_open_at=None)
    return OpenState(open=False, next_open_at=schedule.next_open(at))


def closed_inbox_ids(inboxes: Iterable[HasHours], at: datetime) -> set[int]:
    """Those of `inboxes` outside their business hours at `at`: routing holds their queue."""
    return {
        inbox.pk
        for inbox in {i.pk: i for i in inboxes}.values()
        if not schedule_of(inbox).is_open(at)
    }
