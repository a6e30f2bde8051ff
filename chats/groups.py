"""The one place that names channel-layer groups.

A conversation event goes to the groups of its audience (`chats.audience`): its inbox, its
team, its assignee, and the supervisors. Console sockets do not join these groups themselves:
each server process's console feed (`chats.consumers.feed`) subscribes once to the union of
what its sockets want and writes each event to the sockets whose operator may see it, once
each, even where an operator's groups overlap (an agent of the inbox's team who is also the
assignee).

Conversation feed groups (`of_audiences`, `of_scope`):
- `inbox.<id>`, `team.<id>`: agents whose teams own the inbox / the conversation's team.
- `assigned.<id>`: the operator a conversation is assigned to.
- `supervisors`: supervisors and admins, who see everything.

Socket groups, joined by each socket on its own channel (`of_console_socket`):
- `operator.<id>`: one operator's sockets: access changes, forced closes and their own
  notifications (mentions).
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


def assigned(operator_id: int) -> str:
    return f"assigned.{operator_id}"


def of_audiences(audiences: Iterable[Audience]) -> list[str]:
    """The groups a conversation event is published to."""
    names = [SUPERVISORS]
    for audience in audiences:
        names.append(inbox(audience.inbox))
        if audience.team is not None:
            names.append(team(audience.team))
        if audience.assignee is not None:
            names.append(assigned(audience.assignee))
    return list(dict.fromkeys(names))


def of_scope(scope: Scope) -> set[str]:
    """The conversation feed groups of what an operator may see."""
    if scope.sees_everything:
        return {SUPERVISORS}
    names = {assigned(scope.operator_id)}
    names.update(inbox(inbox_id) for inbox_id in scope.inbox_ids)
    names.update(team(team_id) for team_id in scope.team_ids)
    return names


def of_console_socket(operator_id: int) -> set[str]:
    """The groups a console socket joins on its own channel."""
    return {CONSOLE, operator(operator_id)}
