"""Who may see a conversation: the one rule, in three forms that must agree.

An agent sees the conversations of its teams' inboxes and those assigned to one of its teams or
to itself; a supervisor and an admin see all.

- `visible_to(operator)`: in SQL, the conversations an operator may see. Every list, preview,
  count, search and related object (a contact's conversations, a label, a notification) that
  carries conversations filters with it, through `prefix` when the conversation is a relation.
- `operators_who_may_see(audience)`: in SQL, the operators who may see one conversation
  (who a mention or a notification may go to).
- `Scope.may_see(audience)`: in memory, what a console socket checks on every event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from operators.models import Operator, Role, Team


@dataclass(frozen=True, slots=True)
class Audience:
    """The facts of a conversation that decide who sees it."""

    inbox: int
    team: int | None
    assignee: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"inbox": self.inbox, "team": self.team, "assignee": self.assignee}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Audience:
        return cls(inbox=data["inbox"], team=data["team"], assignee=data["assignee"])


@dataclass(frozen=True, slots=True)
class Scope:
    """What one operator may see, held by their console sockets."""

    operator_id: int
    sees_everything: bool
    inbox_ids: frozenset[int]
    team_ids: frozenset[int]

    def may_see(self, audience: Audience) -> bool:
        return (
            self.sees_everything
            or audience.inbox in self.inbox_ids
            or audience.team in self.team_ids
            or audience.assignee == self.operator_id
        )

    def may_see_any(self, audiences: list[Audience]) -> bool:
        return any(self.may_see(audience) for audience in audiences)

    @property
    def has_any_access(self) -> bool:
        return self.sees_everything or bool(self.inbox_ids) or bool(self.team_ids)

    def as_dict(self) -> dict[str, Any]:
        return {
            "operator_id": self.operator_id,
            "sees_everything": self.sees_everything,
            "inbox_ids": sorted(self.inbox_ids),
            "team_ids": sorted(self.team_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scope:
        return cls(
            operator_id=data["operator_id"],
            sees_everything=data["sees_everything"],
            inbox_ids=frozenset(data["inbox_ids"]),
            team_ids=frozenset(data["team_ids"]),
        )


def visible_to(operator: Operator, *, prefix: str = "") -> Q:
    """The conversations `operator` may see, as a filter on conversations, or, with `prefix`
    (`"conversation__"`, `"conversations__"`), on a model that points at them."""
    if operator.sees_everything:
        return Q()
    team_ids = list(operator.teams.values_list("id", flat=True))
    return (
        Q(**{f"{prefix}inbox__team_id__in": team_ids})
        | Q(**{f"{prefix}team_id__in": team_ids})
        | Q(**{f"{prefix}assignee_id": operator.pk})
    )


def operators_who_may_see(audience: Audience) -> Q:
    """`Scope.may_see` in SQL, on operators: who may see a conversation with `audience`."""
    team_rule = Q(inboxes__id=audience.inbox)
    if audience.team is not None:
        team_rule |= Q(id=audience.team)
    teams = Team.objects.filter(team_rule, operators=OuterRef("pk"))
    rule = Q(role__in=[Role.SUPERVISOR, Role.ADMIN]) | Q(Exists(teams))
    if audience.assignee is not None:
        rule |= Q(pk=audience.assignee)
    return rule
