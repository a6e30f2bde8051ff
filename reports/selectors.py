"""What the reports read: the cells of a period (rolled-up days from their cells, every other
day from its events), and the live view of who waits and who works now."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from chats.models import Conversation, ConversationStatus
from operators.models import Operator
from reports.cells import CellKey, Filters, events_between, stored_cells, sum_events
from reports.models import ReportCell
from reports.periods import Period, day_start, reports_zone, today
from reports.rollup import fresh_days
from reports.tally import Tally


def period_sources(
    period: Period, filters: Filters, *, hourly: bool = False
) -> tuple[set[date], list[tuple[CellKey, Tally]]]:
    """Where `period`'s figures come from: the days whose rollup is current (days before today,
    in the reports' own zone, not changed since), and the cells of every other day (today, a
    day not rolled up or changed since, another zone, hours) summed from its report events,
    those `filters` take."""
    rolled: set[date] = set()
    zone = period.zone
    if not hourly and zone.key == reports_zone().key:
        last_closed = min(period.last, today(zone) - timedelta(days=1))
        if last_closed >= period.first:
            rolled = fresh_days(period.first, last_closed)
    live: list[tuple[CellKey, Tally]] = []
    for first, last in _runs([day for day in period.days() if day not in rolled]):
        events = events_between(
            day_start(first, zone), day_start(last + timedelta(days=1), zone)
        ).filter(filters.as_q())
        cells = sum_events(events, zone, hourly=hourly)
        live += [(key, tally) for key, tally in cells.items() if filters.takes_labels(key.labels)]
    return rolled, live


def period_cells(
    period: Period, filters: Filters, *, hourly: bool = False
) -> Iterator[tuple[CellKey, Tally]]:
    """Every cell of `period` that `filters` take: the stored cells of its rolled-up days, then
    the cells of the others (`period_sources`)."""
    rolled, live = period_sources(period, filters, hourly=hourly)
    if rolled:
        stored = ReportCell.objects.filter(
            filters.as_q(), time_zone=period.zone.key, day__in=rolled
        )
        for key, tally in stored_cells(stored):
            if filters.takes_labels(key.labels):
                yield key, tally
    yield from live


def _runs(days: list[date]) -> Iterator[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    start = previous = None
    for day in days:
        if start is None or previous is None:
            start = previous = day
        elif day == previous + timedelta(days=1):
            previous = day
        else:
            yield start, previous
            start = previous = day
    if start is not None and previous is not None:
        yield start, previous


@dataclass(frozen=True, slots=True)
class Waiting:
    conversation: int
    team: int | None
    queue_position: int
    waiting_seconds: float


def waiting_now(filters: Filters, now: datetime) -> list[Waiting]:
    """The conversations in a team's queue, longest waiting first, each with its place in its
    team's queue (counted over the whole queue, whatever the filters). A waiting conversation
    has no operator: filtered by operator, none waits."""
    if filters.operators:
        return []
    labelled = (
        set(
            Conversation.labels.through.objects.filter(label_id__in=filters.labels).values_list(
                "conversation_id", flat=True
            )
        )
        if filters.labels
        else None
    )
    rows = (
        Conversation.objects.filter(queued_at__isnull=False)
        .order_by("queued_at", "id")
        .values_list("id", "team_id", "inbox_id", "inbox__channel", "queued_at")
    )
    positions: dict[int | None, int] = {}
    waiting = []
    for pk, team, inbox, channel, queued_at in rows:
        assert queued_at is not None  # filtered above
        positions[team] = positions.get(team, 0) + 1
        if (
            (filters.teams and team not in filters.teams)
            or (filters.inboxes and inbox not in filters.inboxes)
            or (filters.channels and channel not in filters.channels)
            or (labelled is not None and pk not in labelled)
        ):
            continue
        waiting.append(
            Waiting(
                conversation=pk,
                team=team,
                queue_position=positions[team],
                waiting_seconds=round((now - queued_at).total_seconds(), 3),
            )
        )
    return waiting


UNRESOLVED = (ConversationStatus.OPEN, ConversationStatus.PENDING)


def _unresolved(filters: Filters) -> Q:
    q = Q(status__in=UNRESOLVED) & filters.as_q(channel="inbox__channel", operator="assignee_id")
    if filters.labels:
        labelled = Conversation.labels.through.objects.filter(label_id__in=filters.labels)
        q &= Q(pk__in=labelled.values("conversation_id"))
    return q


def unresolved_counts(filters: Filters) -> dict[str, int]:
    """Open and pending conversations (the partial index `conv_unresolved_idx` holds them)."""
    counts = Conversation.objects.filter(_unresolved(filters)).aggregate(
        open=Count("id"), unassigned=Count("id", filter=Q(assignee__isnull=True))
    )
    return {"open": counts["open"] or 0, "unassigned": counts["unassigned"] or 0}


def operators_now(filters: Filters) -> list[Operator]:
    """Active operators (of the filtered teams), each with `open_value`: their unresolved
    conversations, counted on the (assignee, status) index."""
    operators = Operator.objects.filter(is_active=True)
    if filters.teams:
        members = Operator.teams.through.objects.filter(team_id__in=filters.teams)
        operators = operators.filter(pk__in=members.values("operator_id"))
    if filters.operators:
        operators = operators.filter(pk__in=filters.operators)
    load = (
        Conversation.objects.filter(assignee_id=OuterRef("pk"), status__in=UNRESOLVED)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        operators.annotate(open_value=Coalesce(Subquery(load), 0)).order_by(
            "name", "username", "id"
        )
    )
