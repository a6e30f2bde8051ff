"""Report events summed into cells: one `Tally` per day (or hour), inbox, channel, team,
operator and set of labels.

The same function sums today's events for a live report and a closed day's events for the
nightly rollup, so a day's figures are the same whichever answers. A `first_response` counts in
the day its conversation was opened (contract section 5: "each conversation created in the
period"); every other event in the day it happened. Labels are the conversation's labels now:
changing them marks its rolled-up days for a new rollup (`reports.rollup.days_changed`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from chats.models import Conversation
from reports.models import ReportCell, ReportEvent, ReportEventKind
from reports.tally import COLUMNS, Tally

EVENT_FIELDS = (
    "kind",
    "occurred_at",
    "opened_at",
    "conversation_id",
    "inbox_id",
    "channel",
    "team_id",
    "operator_id",
    "value",
    "outcome",
    "sale_amount",
)
Row = tuple[
    str,
    datetime,
    datetime | None,
    int,
    int,
    str,
    int | None,
    int | None,
    float | None,
    str,
    Decimal | None,
]


@dataclass(frozen=True, slots=True)
class Filters:
    """The reports' filters (each repeatable; empty: all)."""

    teams: tuple[int, ...] = ()
    inboxes: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    operators: tuple[int, ...] = ()
    labels: tuple[int, ...] = ()

    def as_q(self, *, channel: str = "channel", operator: str = "operator_id") -> Q:
        """On the columns report events and cells share (a conversation names its channel
        and operator otherwise: `inbox__channel`, `assignee_id`); labels are not in it."""
        q = Q()
        for column, values in (
            ("team_id", self.teams),
            ("inbox_id", self.inboxes),
            (channel, self.channels),
            (operator, self.operators),
        ):
            if values:
                q &= Q(**{f"{column}__in": values})
        return q

    def takes_labels(self, labels: tuple[int, ...]) -> bool:
        return not self.labels or any(label in self.labels for label in labels)


@dataclass(frozen=True, slots=True)
class CellKey:
    day: date
    inbox: int
    channel: str
    team: int | None
    operator: int | None
    labels: tuple[int, ...]
    hour: datetime | None = None  # the hour's first instant, when summed by the hour


def events_between(start: datetime, end: datetime) -> QuerySet[ReportEvent]:
    """The report events that count in [start, end)."""
    first_responses = Q(
        kind=ReportEventKind.FIRST_RESPONSE, opened_at__gte=start, opened_at__lt=end
    )
    others = Q(occurred_at__gte=start, occurred_at__lt=end) & ~Q(
        kind=ReportEventKind.FIRST_RESPONSE
    )
    return ReportEvent.objects.filter(first_responses | others)


def conversation_labels(conversation_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    through = Conversation.labels.through
    labels: defaultdict[int, list[int]] = defaultdict(list)
    rows = through.objects.filter(conversation_id__in=list(set(conversation_ids)))
    for conversation_id, label_id in rows.values_list("conversation_id", "label_id"):
        labels[conversation_id].append(label_id)
    return {pk: tuple(sorted(ids)) for pk, ids in labels.items()}


def sum_events(
    events: QuerySet[ReportEvent], zone: ZoneInfo, *, hourly: bool = False
) -> dict[CellKey, Tally]:
    rows: list[Row] = list(events.values_list(*EVENT_FIELDS))
    labels = conversation_labels(row[3] for row in rows)
    cells: dict[CellKey, Tally] = {}
    for row in rows:
        kind, occurred_at, opened_at = row[0], row[1], row[2]
        at = opened_at if kind == ReportEventKind.FIRST_RESPONSE and opened_at else occurred_at
        local = at.astimezone(zone)
        key = CellKey(
            day=local.date(),
            inbox=row[4],
            channel=row[5],
            team=row[6],
            operator=row[7],
            labels=labels.get(row[3], ()),
            hour=_hour_of(local) if hourly else None,
        )
        tally = cells.get(key)
        if tally is None:
            tally = cells[key] = Tally()
        _count(tally, row, local.hour)
    return cells


def _hour_of(local: datetime) -> datetime:
    """The first instant of `local`'s hour on its zone's clock, in UTC."""
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def _count(tally: Tally, row: Row, local_hour: int) -> None:
    kind, conversation_id = row[0], row[3]
    value = None if row[8] is None else round(row[8], 3)  # seconds to the millisecond
    match kind:
        case ReportEventKind.OPENED:
            tally.opened += 1
            tally.entered_team.add(conversation_id)
            tally.opened_by_hour[local_hour] += 1
        case ReportEventKind.TRANSFERRED:
            tally.entered_team.add(conversation_id)
        case ReportEventKind.ASSIGNED:
            tally.assigned.add(conversation_id)
        case ReportEventKind.REPLY:
            tally.replies += 1
        case ReportEventKind.FIRST_RESPONSE if value is not None:
            tally.first_response.append(value)
        case ReportEventKind.RESOLVED:
            outcome, amount = row[9] or "none", row[10]
            tally.resolved += 1
            if value is not None:
                tally.resolution.append(value)
            tally.outcomes[outcome] = tally.outcomes.get(outcome, 0) + 1
            if outcome == "sale":
                tally.sales += 1
                tally.sales_amount += amount or Decimal("0.00")
        case ReportEventKind.RATED if value is not None and 1 <= value <= 5:
            tally.ratings[int(value) - 1] += 1


def stored_cells(cells: QuerySet[ReportCell]) -> Iterator[tuple[CellKey, Tally]]:
    keys = ("day", "inbox_id", "channel", "team_id", "operator_id", "labels")
    for row in cells.values(*keys, *COLUMNS):
        key = CellKey(
            day=row["day"],
            inbox=row["inbox_id"],
            channel=row["channel"],
            team=row["team_id"],
            operator=row["operator_id"],
            labels=tuple(row["labels"]),
        )
        yield key, Tally.from_columns(row)
