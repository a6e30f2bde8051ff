"""Routing hears the facts that may move a queue and asks the worker to route
(`chats.assignment.requests`): it never routes in the caller's process."""

from __future__ import annotations

from collections.abc import Sequence

from chats.assignment import requests
from chats.events.domain import (
    AssignCause,
    ConversationAssigned,
    ConversationOpened,
    ConversationStatusChanged,
    DomainEvent,
    InboxUpdated,
    OperatorStatusChanged,
    OperatorUpdated,
)
from operators.models import Status

EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    ConversationOpened,
    ConversationStatusChanged,
    ConversationAssigned,
    InboxUpdated,
    OperatorStatusChanged,
    OperatorUpdated,
)

# Causes after which the conversation waits in its team's queue with nobody on it.
QUEUED_BY = (AssignCause.HAND, AssignCause.RETURNED, AssignCause.RELEASED)
# Causes after which the operator who had it has room for the next one.
FREED_BY = (AssignCause.HAND, AssignCause.REPLY, AssignCause.REASSIGNED)


class Requests:
    """What one batch of events asks for, each team and operator once, in order."""

    def __init__(self) -> None:
        self.teams: dict[int, None] = {}
        self.operators: dict[int, None] = {}
        self.returns: dict[int, None] = {}
        self.releases: dict[int, None] = {}

    def send(self) -> None:
        for team_id in self.teams:
            requests.request_team_drain(team_id)
        for operator_id in self.operators:
            requests.request_operator_drain(operator_id)
        for operator_id in self.returns:
            requests.request_ownership_return(operator_id)
        for operator_id in self.releases:
            requests.request_release(operator_id)


def _hear(event: DomainEvent, asked: Requests) -> None:
    match event:
        case ConversationOpened(queued=True, audience=audience) if audience.team is not None:
            asked.teams[audience.team] = None
        case ConversationStatusChanged(audience=audience):
            if event.resolved and audience.assignee is not None:
                asked.operators[audience.assignee] = None
            if event.queued and audience.team is not None:
                asked.teams[audience.team] = None
        case ConversationAssigned(current=current, cause=cause):
            if cause in QUEUED_BY and current.assignee is None and current.team is not None:
                asked.teams[current.team] = None
            elif cause == AssignCause.HAND and current.team is not None and event.released_operator:
                asked.teams[current.team] = None  # handed from one operator to another
            released = event.released_operator
            if cause in FREED_BY and released is not None:
                asked.operators[released] = None
        case InboxUpdated() if event.may_release_queue:
            asked.teams[event.team_id] = None
        case OperatorStatusChanged(status=Status.ONLINE):
            asked.operators[event.operator_id] = None
        case OperatorStatusChanged(status=Status.OFFLINE):
            asked.returns[event.operator_id] = None
        case OperatorUpdated():
            if event.deactivated:
                asked.releases[event.operator_id] = None
            elif event.may_take_more:
                asked.operators[event.operator_id] = None


def on_events(events: Sequence[DomainEvent]) -> None:
    asked = Requests()
    for event in events:
        _hear(event, asked)
    asked.send()
