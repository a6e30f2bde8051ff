"""The one place that names channel-layer groups.

A conversation event goes to the groups of its audience (`chats.audience`): its inbox, its
team, its assignee, and the supervisors. A console socket joins the groups of its operator's
scope, so it receives only what may concern it; where groups overlap (an agent of the inbox's
team who is also the assignee) the consumer drops the second copy by the event's id.

- `inbox.<id>`, `team.<id>`: agents whose teams own the inbox / the conversation's team.
- `supervisors`: supervisors and admins, who see everything.
- `operator.<id>`: one operator's sockets: their assigned conversations, access changes,
  forced closes and their own notifications (mentions).
- `console`: every console socket, for what all operators see (operators' status).
- `visitor.<contact>.<inbox>`: every widget socket of one contact in one inbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chats.audience import Audience, Scope

CONSOLE = "console"
SUPERVISORS = "supervisors"


def visitor(contact_id: int, inbox_id: int) -> str:
    return f"visitor.{contact_id}.{inbox_id}"


def operator(operator_id: int) -> str:
    return f"operator.{operator_id}"


def inbox(inbox_id: int) -> str:
    return f"inbox.{inbox_id}"


def team(team_id: int) -> str:
    return f"team.{team_id}"


def of_audiences(audiences: Iterable[Audience]) -> list[str]:
    """The groups a conversation event is published to."""
    names = [SUPERVISORS]
    for audience in audiences:
        names.append(inbox(audience.inbox))
        if audience.team is not None:
            names.append(team(audience.team))
        if audience.assignee is not None:
            names.append(operator(audience.assignee))
    return list(dict.fromkeys(names))


def of_scope(scope: Scope) -> set[str]:
    """The groups a console socket joins for what its operator may see."""
    names = {CONSOLE, operator(scope.operator_id)}
    if scope.sees_everything:
        names.add(SUPERVISORS)
        return names
    names.update(inbox(inbox_id) for inbox_id in scope.inbox_ids)
    names.update(team(team_id) for team_id in scope.team_ids)
    return names
