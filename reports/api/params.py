"""The reports' query: period, time zone and filters (contract section 5), checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.request import Request

from chats.models import Channel
from helpdesk.api_errors import ApiError
from reports.cells import Filters
from reports.periods import Period, known_zones, today

MAX_DAYS = 366
MAX_HOURLY_DAYS = 31
MAX_FILTER_VALUES = 100
MAX_ID = 2**63 - 1
DEFAULT_DAYS = 7
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


@dataclass(frozen=True, slots=True)
class ReportQuery:
    period: Period
    filters: Filters
    csv: bool


def _zone(raw: str | None) -> ZoneInfo:
    name = raw or settings.REPORTS_TIME_ZONE
    if name not in known_zones():  # also a folder of the zone database ("Europe"): no zone
        raise ApiError("invalid_tz", _("tz is an IANA time zone, such as Europe/Moscow."))
    return ZoneInfo(name)


def _date(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not DAY.match(raw):
        return _bad_date(name)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return _bad_date(name)
    return day if EARLIEST <= day <= LATEST else _bad_date(name)


def _bad_date(name: str) -> date:
    raise ApiError("invalid", _("%(name)s is a date, YYYY-MM-DD.") % {"name": name})


def _values(request: Request, name: str) -> list[str]:
    """A repeatable parameter's values; an empty one is one not sent."""
    return [value for value in request.query_params.getlist(name) if value]


def _ids(request: Request, name: str) -> tuple[int, ...]:
    values = _values(request, name)
    if len(values) > MAX_FILTER_VALUES:
        raise ApiError("invalid", _("Too many values of %(name)s.") % {"name": name})
    if not all(value.isascii() and value.isdigit() and len(value) <= 19 for value in values):
        raise ApiError("invalid", _("%(name)s is an id (a whole number).") % {"name": name})
    ids = {int(value) for value in values}
    if any(pk > MAX_ID for pk in ids):
        raise ApiError("invalid", _("%(name)s is an id (a whole number).") % {"name": name})
    return tuple(sorted(ids))


def _channels(request: Request) -> tuple[str, ...]:
    values = _values(request, "channel")
    if any(value not in Channel.values for value in values):
        raise ApiError(
            "invalid",
            _("channel is one of %(names)s.") % {"names": ", ".join(Channel.values)},
        )
    return tuple(sorted(set(values)))


def report_query(request: Request, *, max_days: int = MAX_DAYS) -> ReportQuery:
    zone = _zone(request.query_params.get("tz"))
    last = _date(request, "to") or today(zone)
    first = _date(request, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ApiError("invalid_period", _("from is on or before to."))
    if (last - first).days + 1 > max_days:
        raise ApiError(
            "period_too_long",
            _("A report covers at most %(days)s days.") % {"days": max_days},
        )
    fmt = choice(request, "format", ("json", "csv"), "json")
    filters = Filters(
        teams=_ids(request, "team"),
        inboxes=_ids(request, "inbox"),
        channels=_channels(request),
        operators=_ids(request, "operator"),
        labels=_ids(request, "label"),
    )
    return ReportQuery(
        period=Period(first=first, last=last, zone=zone), filters=filters, csv=fmt == "csv"
    )


def choice(request: Request, name: str, choices: tuple[str, ...] | list[str], default: str) -> str:
    value = request.query_params.get(name) or default
    if value not in choices:
        raise ApiError(
            "invalid",
            _("%(name)s is one of %(names)s.") % {"name": name, "names": ", ".join(choices)},
        )
    return value
