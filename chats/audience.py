"""Who may see a conversation: the one rule, used by selectors (in SQL) and by console sockets
(in memory, on every event) alike.

An agent sees the conversations of its teams' inboxes and those assigned to one of its teams or
to itself; a supervisor and an admin see all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
