"""The reports of contract section 5: summary, time series, breakdowns, heat map, live view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from chats.models import Channel, Inbox, Label
from operators.models import Operator, Team
from reports import selectors, totals
from reports.cells import Filters
from reports.periods import Period, day_start
from reports.tally import OUTCOME_KEYS, Scope
from reports.totals import Totals

BREAKDOWNS = ("operator", "team", "inbox", "channel", "label")
INTERVALS = ("day", "week", "hour")


def scope_of(filters: Filters, by: str | None = None) -> str:
    if filters.operators or by == "operator":
        return Scope.OPERATOR
    if filters.teams or by == "team":
        return Scope.TEAM
    return Scope.CREATED


def _totals(period: Period, filters: Filters, grouping: str, scope: str) -> dict[str, Totals]:
    return totals.engine()(period, filters, grouping, scope)


def summary(period: Period, filters: Filters) -> dict[str, Any]:
    scope = scope_of(filters)
    previous = period.previous()
    current = _totals(period, filters, "all", scope).get("", Totals())
    before = _totals(previous, filters, "all", scope).get("", Totals())
    return {
        "period": period.as_dict(),
        **current.figures(scope),
        "previous": {"period": previous.as_dict(), **before.figures(scope)},
    }


# -- time series ---------------------------------------------------------------------------


def _metric(path: tuple[str, ...], number: Callable[[Any], float | None] = lambda v: v) -> Any:
    def read(figures: dict[str, Any]) -> float | None:
        value: Any = figures
        for part in path:
            value = value[part]
        return None if value is None else number(value)

    return read


METRICS: dict[str, Callable[[dict[str, Any]], float | None]] = {
    "conversations": _metric(("conversations",)),
    "resolved": _metric(("resolved",)),
    "replies": _metric(("replies",)),
    "first_response_median": _metric(("first_response_seconds", "median")),
    "first_response_p90": _metric(("first_response_seconds", "p90")),
    "resolution_median": _metric(("resolution_seconds", "median")),
    "resolution_p90": _metric(("resolution_seconds", "p90")),
    "csat_responses": _metric(("csat", "responses")),
    "csat_average": _metric(("csat", "average")),
    "csat_positive_share": _metric(("csat", "positive_share")),
    "sales_count": _metric(("sales", "count")),
    "sales_amount": _metric(("sales", "amount"), float),
    **{f"outcomes_{key}": _metric(("outcomes", key)) for key in OUTCOME_KEYS},
}


def _interval_starts(period: Period, interval: str) -> list[datetime]:
    if interval == "hour":
        starts, at = [], period.start.astimezone(UTC)
        while at < period.end:
            starts.append(at)
            at += timedelta(hours=1)
        return starts
    if interval == "week":
        return [
            day_start(day, period.zone)
            for day in period.days()
            if day == period.first or day.weekday() == 0
        ]
    return [day_start(day, period.zone) for day in period.days()]


def timeseries(
    period: Period, filters: Filters, *, metric: str, interval: str
) -> list[dict[str, Any]]:
    """One row per interval of the period, in order; an interval with nothing counts zero
    (and a median of nothing is null)."""
    scope, read = scope_of(filters), METRICS[metric]
    if interval == "hour":
        groups = totals.python_totals(period, filters, "all", scope, hourly=True)
    else:
        groups = _totals(period, filters, interval, scope)
    rows = []
    for start in _interval_starts(period, interval):
        key = start.isoformat() if interval == "hour" else start.date().isoformat()
        rows.append({"start": start, "value": read(groups.get(key, Totals()).figures(scope))})
    return rows


# -- breakdowns ----------------------------------------------------------------------------


def _names(by: str, ids: list[Any]) -> dict[Any, str]:
    match by:
        case "operator":
            return {op.pk: op.display_name for op in Operator.objects.filter(pk__in=ids)}
        case "team":
            return dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
        case "inbox":
            return dict(Inbox.objects.filter(pk__in=ids).values_list("pk", "name"))
        case "channel":
            return {value: str(label) for value, label in Channel.choices}
    return dict(Label.objects.filter(pk__in=ids).values_list("pk", "name"))


def breakdown(period: Period, filters: Filters, *, by: str) -> list[dict[str, Any]]:
    """One row per operator (team, inbox, channel, label) with activity in the period, by the
    operator (team) the conversation had at the moment counted. Events of no operator (a
    conversation opened, waiting) or no team are not an operator's (team's) row."""
    scope = scope_of(filters, by)
    groups = {key: row for key, row in _totals(period, filters, by, scope).items() if key}
    ids = [key if by == "channel" else int(key) for key in groups]
    names = _names(by, ids)
    rows = sorted(
        ((pk, groups[str(pk)]) for pk in ids if groups[str(pk)].active),
        key=lambda item: (names.get(item[0], ""), str(item[0])),
    )
    return [
        {"key": {"id": pk, "name": names.get(pk, f"#{pk}")}, **row.figures(scope)}
        for pk, row in rows
    ]


# -- heat map ------------------------------------------------------------------------------


def heatmap(period: Period, filters: Filters) -> list[list[int]]:
    """Conversations created, by weekday (Monday first) and hour, in the period's zone."""
    grid = [[0] * 24 for _ in range(7)]
    for weekday, row in _totals(period, filters, "weekday", scope_of(filters)).items():
        grid[int(weekday) - 1] = list(row.opened_by_hour)
    return grid


# -- live ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LiveView:
    waiting: list[selectors.Waiting]
    operators: list[Operator]
    open: int
    unassigned: int

    @property
    def longest_wait_seconds(self) -> float | None:
        return max((row.waiting_seconds for row in self.waiting), default=None)


def live(filters: Filters) -> LiveView:
    counts = selectors.unresolved_counts(filters)
    return LiveView(
        waiting=selectors.waiting_now(filters, timezone.now()),
        operators=selectors.operators_now(filters),
        open=counts["open"],
        unassigned=counts["unassigned"],
    )
