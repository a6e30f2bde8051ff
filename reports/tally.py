"""The figures of contract section 5, as a partial sum that merges exactly.

A `Tally` is what a set of report events adds up to: counts, the conversations that entered a
team or an operator's hands (ids, so a conversation that came back counts once), every
first-response and resolution time (so medians and p90s are computed over the values, never
averaged from parts), ratings by score, outcomes and sales. One day's events of one cell are
what the nightly rollup stores; a report merges the cells of its days, or the events
themselves for today, and the merge is the same either way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chats.models import Outcome

OUTCOME_KEYS = (*Outcome.values, "none")


class Scope:
    """Whose `conversations` a figure counts (contract section 5): an operator's are those
    assigned to them, a team's those created in it or transferred to it, anything else's those
    created."""

    CREATED = "created"
    TEAM = "team"
    OPERATOR = "operator"


@dataclass(slots=True)
class Tally:
    opened: int = 0
    entered_team: set[int] = field(default_factory=set)
    assigned: set[int] = field(default_factory=set)
    replies: int = 0
    resolved: int = 0
    first_response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)
    ratings: list[int] = field(default_factory=lambda: [0] * 5)  # count of 1 .. 5
    outcomes: dict[str, int] = field(default_factory=dict)
    sales: int = 0
    sales_amount: Decimal = Decimal("0.00")
    opened_by_hour: list[int] = field(default_factory=lambda: [0] * 24)

    def merge(self, other: Tally) -> None:
        self.opened += other.opened
        self.entered_team |= other.entered_team
        self.assigned |= other.assigned
        self.replies += other.replies
        self.resolved += other.resolved
        self.first_response += other.first_response
        self.resolution += other.resolution
        self.ratings = [a + b for a, b in zip(self.ratings, other.ratings, strict=True)]
        for key, count in other.outcomes.items():
            self.outcomes[key] = self.outcomes.get(key, 0) + count
        self.sales += other.sales
        self.sales_amount += other.sales_amount
        self.opened_by_hour = [
            a + b for a, b in zip(self.opened_by_hour, other.opened_by_hour, strict=True)
        ]

    # The columns of a `ReportCell` (and of the cells a report passes to PostgreSQL as JSON).
    def as_columns(self) -> dict[str, Any]:
        return {
            "opened": self.opened,
            "replies": self.replies,
            "resolved": self.resolved,
            "sales": self.sales,
            "sales_amount": self.sales_amount,
            "ratings": list(self.ratings),
            "outcomes": [self.outcomes.get(key, 0) for key in OUTCOME_KEYS],
            "opened_by_hour": list(self.opened_by_hour),
            "first_response": list(self.first_response),
            "resolution": list(self.resolution),
            "assigned": sorted(self.assigned),
            "entered_team": sorted(self.entered_team),
        }

    @classmethod
    def from_columns(cls, data: dict[str, Any]) -> Tally:
        return cls(
            opened=data["opened"],
            entered_team=set(data["entered_team"]),
            assigned=set(data["assigned"]),
            replies=data["replies"],
            resolved=data["resolved"],
            first_response=list(data["first_response"]),
            resolution=list(data["resolution"]),
            ratings=list(data["ratings"]),
            outcomes={key: n for key, n in zip(OUTCOME_KEYS, data["outcomes"], strict=True) if n},
            sales=data["sales"],
            sales_amount=Decimal(data["sales_amount"]),
            opened_by_hour=list(data["opened_by_hour"]),
        )


COLUMNS = tuple(Tally().as_columns())


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's `percentile_cont`: linear interpolation between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    value = ordered[lower] + (position - lower) * (ordered[upper] - ordered[lower])
    return round(value, 3)
