"""The figures of a group of cells, summed: what a report shows of one period, day, operator,
team, inbox, channel or label. Two ways compute them from the same cells and give the same
answer (tests/reports/test_figures.py asks both): `python_totals` merges `Tally`s in Python
(any database; hours; another time zone), `postgres_totals` lets PostgreSQL add the stored cells
up, with the cells of the days that are not rolled up passed along as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from reports import selectors
from reports.cells import CellKey, Filters
from reports.periods import Period
from reports.tally import OUTCOME_KEYS, Scope, Tally, percentile_cont

TWO_PLACES = Decimal("0.01")

# How cells are grouped (`keys_of`, `_KEY_SQL`): a key per cell (one or more, for labels), as
# text: all, day, week, weekday, operator, team, inbox, channel, label.


@dataclass
class Totals:
    opened: int = 0
    conversations_in_scope: int = 0  # distinct conversations assigned or entering the team
    replies: int = 0
    resolved: int = 0
    first_response: tuple[float | None, float | None] = (None, None)  # median, p90
    resolution: tuple[float | None, float | None] = (None, None)
    ratings: list[int] = field(default_factory=lambda: [0] * 5)
    outcomes: dict[str, int] = field(default_factory=dict)
    sales: int = 0
    sales_amount: Decimal = Decimal("0.00")
    opened_by_hour: list[int] = field(default_factory=lambda: [0] * 24)

    @property
    def active(self) -> bool:
        return bool(
            self.opened
            or self.conversations_in_scope
            or self.replies
            or self.resolved
            or self.first_response[0] is not None
            or any(self.ratings)
        )

    def figures(self, scope: str) -> dict[str, Any]:
        """The summary's figures (contract section 5)."""
        responses = sum(self.ratings)
        score = sum(rating * count for rating, count in enumerate(self.ratings, start=1))
        return {
            "conversations": self.opened if scope == Scope.CREATED else self.conversations_in_scope,
            "resolved": self.resolved,
            "replies": self.replies,
            "first_response_seconds": _spread(self.first_response),
            "resolution_seconds": _spread(self.resolution),
            "csat": {
                "responses": responses,
                "average": _ratio(score, responses),
                "positive_share": _ratio(self.ratings[3] + self.ratings[4], responses),
            },
            "outcomes": {key: self.outcomes.get(key, 0) for key in OUTCOME_KEYS},
            "sales": {"count": self.sales, "amount": f"{self.sales_amount:.2f}"},
        }


def _spread(values: tuple[float | None, float | None]) -> dict[str, float | None]:
    median, p90 = values
    return {
        "median": None if median is None else round(median, 3),
        "p90": None if p90 is None else round(p90, 3),
    }


def _ratio(part: int, whole: int) -> float | None:
    if whole == 0:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


def of_tally(tally: Tally, scope: str) -> Totals:
    ids = tally.assigned if scope == Scope.OPERATOR else tally.entered_team
    return Totals(
        opened=tally.opened,
        conversations_in_scope=len(ids) if scope != Scope.CREATED else 0,
        replies=tally.replies,
        resolved=tally.resolved,
        first_response=(
            percentile_cont(tally.first_response, 0.5),
            percentile_cont(tally.first_response, 0.9),
        ),
        resolution=(
            percentile_cont(tally.resolution, 0.5),
            percentile_cont(tally.resolution, 0.9),
        ),
        ratings=list(tally.ratings),
        outcomes=dict(tally.outcomes),
        sales=tally.sales,
        sales_amount=tally.sales_amount,
        opened_by_hour=list(tally.opened_by_hour),
    )


# -- grouping ------------------------------------------------------------------------------


def week_of(day: date, period: Period) -> date:
    """The Monday of `day`'s week, or the period's first day if later."""
    return max(day - timedelta(days=day.weekday()), period.first)


def keys_of(key: CellKey, grouping: str, period: Period) -> Iterable[str]:
    match grouping:
        case "all":
            return ("",)
        case "day":
            return (key.day.isoformat(),)
        case "week":
            return (week_of(key.day, period).isoformat(),)
        case "weekday":
            return (str(key.day.isoweekday()),)
        case "operator":
            return ("" if key.operator is None else str(key.operator),)
        case "team":
            return ("" if key.team is None else str(key.team),)
        case "inbox":
            return (str(key.inbox),)
        case "channel":
            return (key.channel,)
        case "label":
            return tuple(str(label) for label in key.labels)
    raise ValueError(grouping)


def python_totals(
    period: Period, filters: Filters, grouping: str, scope: str, *, hourly: bool = False
) -> dict[str, Totals]:
    """Merged in Python: any database, any zone, hours (`key.hour` as the key)."""
    groups: dict[str, Tally] = {}
    for cell_key, tally in selectors.period_cells(period, filters, hourly=hourly):
        keys = (cell_key.hour.isoformat(),) if hourly and cell_key.hour else None
        for key in keys or keys_of(cell_key, grouping, period):
            groups.setdefault(key, Tally()).merge(tally)
    return {key: of_tally(tally, scope) for key, tally in groups.items()}


# -- PostgreSQL ------------------------------------------------------------------------------

_KEY_SQL = {
    "all": "''",
    "day": "c.day::text",
    "week": "greatest(date_trunc('week', c.day)::date, %(first)s::date)::text",
    "weekday": "extract(isodow from c.day)::int::text",
    "operator": "coalesce(c.operator_id::text, '')",
    "team": "coalesce(c.team_id::text, '')",
    "inbox": "c.inbox_id::text",
    "channel": "c.channel",
    "label": "label.id",
}
_SUMS = ", ".join(
    [
        "sum(opened) AS opened",
        "sum(replies) AS replies",
        "sum(resolved) AS resolved",
        *(f"sum(ratings[{n + 1}]) AS r{n}" for n in range(5)),
        *(f"sum(outcomes[{n + 1}]) AS oc{n}" for n in range(len(OUTCOME_KEYS))),
        "sum(sales) AS sales",
        "sum(sales_amount) AS sales_amount",
    ]
)
# The heat map's hours, summed only where they are asked for.
_HOURS = ", ".join(f"sum(opened_by_hour[{n + 1}]) AS h{n}" for n in range(24))
_NO_HOURS = ", ".join(f"0 AS h{n}" for n in range(24))
_CELL_COLUMNS = (
    "day, inbox_id, channel, team_id, operator_id, labels, opened, replies, resolved, sales, "
    "sales_amount, ratings, outcomes, opened_by_hour, first_response, resolution, assigned, "
    "entered_team"
)
_LIVE_COLUMNS = (
    "day date, inbox_id bigint, channel text, team_id bigint, operator_id bigint, labels jsonb, "
    "opened integer, replies integer, resolved integer, sales integer, sales_amount numeric, "
    "ratings integer[], outcomes integer[], opened_by_hour integer[], "
    "first_response double precision[], resolution double precision[], assigned bigint[], "
    "entered_team bigint[]"
)


def _stored_filter(filters: Filters) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    for column, values in (
        ("team_id", filters.teams),
        ("inbox_id", filters.inboxes),
        ("channel", filters.channels),
        ("operator_id", filters.operators),
    ):
        if values:
            clauses.append(f"c.{column} = ANY(%({column})s)")
            params[column] = list(values)
    if filters.labels:
        clauses.append(
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(c.labels) AS l(id)"
            " WHERE l.id::bigint = ANY(%(labels)s))"
        )
        params["labels"] = list(filters.labels)
    return "".join(f" AND {clause}" for clause in clauses), params


def _live_json(cells: Iterable[tuple[CellKey, Tally]]) -> str:
    return json.dumps(
        default=str,  # the sales amount, a Decimal
        obj=[
            {
                "day": key.day.isoformat(),
                "inbox_id": key.inbox,
                "channel": key.channel,
                "team_id": key.team,
                "operator_id": key.operator,
                "labels": list(key.labels),
                **tally.as_columns(),
            }
            for key, tally in cells
        ],
    )


def postgres_totals(
    period: Period, filters: Filters, grouping: str, scope: str
) -> dict[str, Totals]:
    """Summed by PostgreSQL: the rolled-up days' cells where they are, the other days' cells
    (summed from their events here) passed in as JSON; one statement."""
    stored_days, live = selectors.period_sources(period, filters)
    where, params = _stored_filter(filters)
    label_join = (
        " CROSS JOIN LATERAL jsonb_array_elements_text(c.labels) AS label(id)"
        if grouping == "label"
        else ""
    )
    # Only names from this module go into the text; every value is a parameter.
    sql = f"""
        WITH cells AS (
            SELECT {_CELL_COLUMNS} FROM reports_reportcell c
             WHERE c.time_zone = %(tz)s AND c.day = ANY(%(days)s){where}
            UNION ALL
            SELECT {_CELL_COLUMNS} FROM jsonb_to_recordset(%(live)s::jsonb) AS x({_LIVE_COLUMNS})
        ), keyed AS NOT MATERIALIZED (
            SELECT {_KEY_SQL[grouping]} AS k, c.* FROM cells c{label_join}
        ), sums AS (
            SELECT k, {_SUMS}, {_HOURS if grouping == "weekday" else _NO_HOURS}
              FROM keyed GROUP BY k
        ), first_response AS (
            SELECT k, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v) AS p
              FROM keyed, unnest(first_response) AS v GROUP BY k
        ), resolution AS (
            SELECT k, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v) AS p
              FROM keyed, unnest(resolution) AS v GROUP BY k
        ), members AS (
            SELECT k, count(DISTINCT id) AS n
              FROM keyed, unnest({"assigned" if scope == Scope.OPERATOR else "entered_team"}) AS id
             WHERE %(scoped)s
             GROUP BY k
        )
        SELECT s.*, f.p[1], f.p[2], r.p[1], r.p[2], coalesce(m.n, 0)
          FROM sums s
          LEFT JOIN first_response f ON f.k = s.k
          LEFT JOIN resolution r ON r.k = s.k
          LEFT JOIN members m ON m.k = s.k
    """  # noqa: S608
    params.update(
        {
            "tz": period.zone.key,
            "days": sorted(stored_days),
            "live": _live_json(live),
            "first": period.first,
            "scoped": scope != Scope.CREATED,
        }
    )
    totals: dict[str, Totals] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # the values of 90 days sort in memory (the default 4 MB sorts them on disk)
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            totals[row[0]] = _totals_of_row(row)
    return totals


def _totals_of_row(row: tuple[Any, ...]) -> Totals:
    n = 1
    opened, replies, resolved = (int(row[n + i] or 0) for i in range(3))
    n += 3
    ratings = [int(row[n + i] or 0) for i in range(5)]
    n += 5
    outcomes = {key: int(row[n + i] or 0) for i, key in enumerate(OUTCOME_KEYS)}
    n += len(OUTCOME_KEYS)
    sales, amount = int(row[n] or 0), Decimal(row[n + 1] or 0).quantize(TWO_PLACES)
    n += 2
    hours = [int(row[n + i] or 0) for i in range(24)]
    n += 24
    return Totals(
        opened=opened,
        replies=replies,
        resolved=resolved,
        ratings=ratings,
        outcomes={key: count for key, count in outcomes.items() if count},
        sales=sales,
        sales_amount=amount,
        opened_by_hour=hours,
        first_response=(row[n], row[n + 1]),
        resolution=(row[n + 2], row[n + 3]),
        conversations_in_scope=int(row[n + 4] or 0),
    )


Engine = Callable[[Period, Filters, str, str], dict[str, Totals]]


def engine() -> Engine:
    return postgres_totals if settings.USES_POSTGRES else python_totals
