"""Routing's invariants over random sequences of what happens in a helpdesk (hypothesis).

Each example plays a random sequence of steps against the real services on PostgreSQL:
conversations opened, resolved, reopened, set pending, transferred to an operator or to a team
(by an agent or a supervisor), operators changing status and capacity, and drain runs. The
Celery worker is modelled exactly: every `_drain(team)` a service asks for (after its commit) is
recorded, and a `drain` step runs the requests waiting so far through the real task
(`chats.assignment.tasks.drain_team_queue`), as the worker would, in order. Every example runs in a
savepoint that is rolled back, so each starts from the same world.

What is checked:
- after every step: a conversation of a routed inbox that is not resolved is assigned or queued,
  never both; `queue_position` (as the API serialises it) is 1..n per team in arrival order
  (`queued_at`, then id) and a queued conversation keeps its `queued_at` while it waits; no
  operator's load rises past `max_chats` except by a supervisor's hand or a reopen by hand (the
  reopened conversation keeps its assignee: not routing); a refused step changes nothing;
- each drain run against an oracle written from the contract's words: conversations in arrival
  order, the contact's account manager first when online and under capacity, else (unless the
  inbox is `manual`) `least_busy`: the free online member with the fewest open conversations,
  a tie to whoever was assigned least recently (never assigned counts as longest ago), then the
  lowest id; `round_robin`: the free online member assigned least recently, whatever the load.
  This covers: never past `max_chats`, never an operator who is not online, arrival order;
- whenever no drain request is waiting (the worker has caught up): a conversation waits only when
  no eligible operator is free for it (no online team member under capacity for a routed inbox,
  and its account manager not online and under capacity). This is what proves that every event
  that frees capacity (resolve, transfer away, raised `max_chats`, coming online, reopen) asks
  for the right drain.

`HYPOTHESIS_PROFILE=routing-thorough` runs many more examples than the default profile.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count, Q
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chats import selectors
from chats.assignment.tasks import drain_team_queue
from chats.models import Contact, Conversation, ConversationStatus, Inbox, RoutingStrategy
from chats.serializers import conversation_data
from chats.services.assigning import conversation_assign
from chats.services.conversations import conversation_open, conversation_status_set
from helpdesk.errors import ServiceError
from operators.models import Operator, Role, Status, Team
from operators.services import operator_status_set, operator_update
from tests.factories import ContactFactory, InboxFactory, OperatorFactory, TeamFactory

pytestmark = pytest.mark.django_db

settings.register_profile(
    "routing",
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "routing-thorough",
    parent=settings.get_profile("routing"),
    max_examples=500,
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "routing")
if PROFILE not in ("routing", "routing-thorough"):
    PROFILE = "routing"

OPEN_LOAD = ~Q(assigned_conversations__status=ConversationStatus.RESOLVED) & Q(
    assigned_conversations__isnull=False
)


# --- the world ----------------------------------------------------------------------------------


@dataclass
class World:
    teams: list[Team]
    inboxes: list[Inbox]
    agents: list[Operator]
    supervisor: Operator
    contacts: list[Contact]


@pytest.fixture
def world() -> World:
    """Two teams; team 0 has a least-busy and a manual inbox, team 1 a round-robin one. Five
    agents, one in both teams; two contacts with an account manager (one of another team)."""
    sales, support = TeamFactory(name="Sales"), TeamFactory(name="Support")
    inboxes = [
        InboxFactory(team=sales, routing=RoutingStrategy.LEAST_BUSY),
        InboxFactory(team=sales, routing=RoutingStrategy.MANUAL),
        InboxFactory(team=support, routing=RoutingStrategy.ROUND_ROBIN),
    ]
    memberships = [[sales], [sales], [sales, support], [support], [support]]
    agents = [OperatorFactory(teams=teams) for teams in memberships]
    supervisor = OperatorFactory(role=Role.SUPERVISOR, teams=[])
    contacts = [
        ContactFactory(account_manager=agents[3]),  # a support agent manages a sales customer
        ContactFactory(account_manager=agents[0]),
        ContactFactory(),
        ContactFactory(),
    ]
    return World([sales, support], inboxes, agents, supervisor, contacts)


# --- the steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Open:
    inbox: int
    contact: int


@dataclass(frozen=True)
class SetStatus:
    conversation: int
    status: str
    by_agent: int | None  # None: the supervisor


@dataclass(frozen=True)
class ToOperator:
    conversation: int
    operator: int
    by_agent: int | None


@dataclass(frozen=True)
class ToTeam:
    conversation: int
    team: int
    by_agent: int | None


@dataclass(frozen=True)
class Presence:
    operator: int
    status: str


@dataclass(frozen=True)
class Capacity:
    operator: int
    max_chats: int


@dataclass(frozen=True)
class Drain:
    """The worker runs the first `count` waiting requests (all of them if fewer wait)."""

    count: int


@dataclass(frozen=True)
class UnaskedDrain:
    """A drain nobody asked for (a redelivered or duplicated task): must be harmless."""

    team: int


AGENTS = 5
actor = st.one_of(st.none(), st.integers(0, AGENTS - 1))
index = st.integers(0, 30)
opening = st.builds(Open, inbox=st.sampled_from([0, 0, 1, 2, 2]), contact=st.integers(0, 3))
draining = st.builds(Drain, count=st.integers(1, 4))
steps = st.one_of(  # a branch listed twice is drawn twice as often
    opening,
    opening,
    st.builds(
        SetStatus,
        conversation=index,
        status=st.sampled_from(ConversationStatus.values),
        by_agent=actor,
    ),
    st.builds(ToOperator, conversation=index, operator=st.integers(0, AGENTS - 1), by_agent=actor),
    st.builds(ToTeam, conversation=index, team=st.integers(0, 1), by_agent=actor),
    st.builds(Presence, operator=st.integers(0, AGENTS - 1), status=st.sampled_from(Status.values)),
    st.builds(Capacity, operator=st.integers(0, AGENTS - 1), max_chats=st.integers(0, 4)),
    draining,
    draining,
    st.builds(UnaskedDrain, team=st.integers(0, 1)),
)
initial_operators = st.lists(
    st.tuples(st.sampled_from(Status.values), st.integers(0, 3)),
    min_size=AGENTS,
    max_size=AGENTS,
)


# --- reading the state --------------------------------------------------------------------------


@dataclass(frozen=True)
class OperatorState:
    status: str
    is_active: bool
    max_chats: int
    load: int
    last_assigned_at: datetime | None
    teams: frozenset[int]


@dataclass(frozen=True)
class ConversationState:
    team: int | None
    inbox: int
    routing: str
    status: str
    assignee: int | None
    queued_at: datetime | None
    manager: int | None
    queue_position: int | None


@dataclass
class Snapshot:
    operators: dict[int, OperatorState]
    conversations: dict[int, ConversationState]

    def queue(self, team: int) -> list[int]:
        waiting = [
            (c.queued_at, pk)
            for pk, c in self.conversations.items()
            if c.team == team and c.queued_at is not None
        ]
        return [pk for _at, pk in sorted(waiting)]  # type: ignore[type-var]


def snapshot() -> Snapshot:
    operators = {}
    for operator in Operator.objects.annotate(
        load=Count("assigned_conversations", filter=OPEN_LOAD)
    ):
        operators[operator.pk] = OperatorState(
            status=operator.status,
            is_active=operator.is_active,
            max_chats=operator.max_chats,
            load=operator.load,
            last_assigned_at=operator.last_assigned_at,
            teams=frozenset(operator.teams.values_list("pk", flat=True)),
        )
    conversations = {}
    for conversation in selectors.conversation_base().select_related("inbox"):
        data = conversation_data(conversation)  # the API's own serialisation
        conversations[conversation.pk] = ConversationState(
            team=conversation.team_id,
            inbox=conversation.inbox_id,
            routing=conversation.inbox.routing,
            status=conversation.status,
            assignee=conversation.assignee_id,
            queued_at=conversation.queued_at,
            manager=conversation.contact.account_manager_id,
            queue_position=data["queue_position"],
        )
    return Snapshot(operators, conversations)


# --- the oracle ---------------------------------------------------------------------------------


def expected_drain(before: Snapshot, team: int) -> dict[int, int]:
    """What a drain of `team` must assign, conversation -> operator, from the contract."""
    load = {pk: o.load for pk, o in before.operators.items()}
    # never assigned is longest ago; later picks in this drain are the most recent of all
    turn: dict[int, tuple[int, Any]] = {
        pk: (0, 0) if o.last_assigned_at is None else (1, o.last_assigned_at)
        for pk, o in before.operators.items()
    }
    picks = 0

    def free(pk: int) -> bool:
        o = before.operators[pk]
        return o.is_active and o.status == Status.ONLINE and load[pk] < o.max_chats

    members = [pk for pk, o in before.operators.items() if team in o.teams]
    expected: dict[int, int] = {}
    for conversation_id in before.queue(team):
        conversation = before.conversations[conversation_id]
        if conversation.assignee is not None or conversation.status == ConversationStatus.RESOLVED:
            continue
        chosen = None
        if conversation.manager is not None and free(conversation.manager):
            chosen = conversation.manager
        elif conversation.routing != RoutingStrategy.MANUAL:
            eligible = [pk for pk in members if free(pk)]
            if eligible and conversation.routing == RoutingStrategy.ROUND_ROBIN:
                chosen = min(eligible, key=lambda pk: (turn[pk], pk))
            elif eligible:
                chosen = min(eligible, key=lambda pk: (load[pk], turn[pk], pk))
        if chosen is not None:
            expected[conversation_id] = chosen
            load[chosen] += 1
            picks += 1
            turn[chosen] = (2, picks)
    return expected


def assert_settled(state: Snapshot) -> None:
    """With no drain request waiting, a conversation waits only if nobody may take it."""
    for pk, conversation in state.conversations.items():
        if conversation.queued_at is None:
            continue
        for operator_id, operator in state.operators.items():
            free = (
                operator.is_active
                and operator.status == Status.ONLINE
                and operator.load < operator.max_chats
            )
            if not free:
                continue
            assert operator_id != conversation.manager, (
                f"conversation {pk} waits while its account manager {operator_id} is free"
            )
            if conversation.routing != RoutingStrategy.MANUAL:
                assert conversation.team not in operator.teams, (
                    f"conversation {pk} waits in team {conversation.team} "
                    f"while its member {operator_id} is free"
                )


def assert_always(before: Snapshot, after: Snapshot, *, may_exceed: bool) -> None:
    for pk, conversation in after.conversations.items():
        if conversation.status == ConversationStatus.RESOLVED:
            assert conversation.queued_at is None, f"resolved conversation {pk} is queued"
        else:
            routed = conversation.routing != RoutingStrategy.MANUAL
            assert not routed or (conversation.assignee is None) != (
                conversation.queued_at is None
            ), f"conversation {pk} is neither assigned nor queued (or both)"
        assert conversation.assignee is None or conversation.queued_at is None, (
            f"conversation {pk} is assigned and queued"
        )
        was = before.conversations.get(pk)
        if was is not None and was.queued_at is not None and conversation.queued_at is not None:
            if was.team == conversation.team:
                assert was.queued_at == conversation.queued_at, f"{pk} lost its place in the queue"
            else:  # sent to another team: it joins that queue at the back
                assert conversation.queued_at > was.queued_at, f"{pk} jumped the new team's queue"
    for team in {c.team for c in after.conversations.values() if c.team is not None}:
        positions = [after.conversations[pk].queue_position for pk in after.queue(team)]
        assert positions == list(range(1, len(positions) + 1)), f"team {team}: {positions}"
    for pk, conversation in after.conversations.items():
        if conversation.queued_at is None:
            assert conversation.queue_position is None, f"{pk} has a position but does not wait"
    if not may_exceed:
        for pk, operator in after.operators.items():
            if operator.load > before.operators[pk].load:
                assert operator.load <= operator.max_chats, (
                    f"operator {pk} was given a conversation past max_chats"
                )


# --- playing a sequence -------------------------------------------------------------------------


@dataclass
class Player:
    world: World
    capture: Callable[..., Any]
    requested: list[int]
    conversations: list[int] = field(default_factory=list)

    def operator(self, index: int) -> Operator:
        return Operator.objects.get(pk=self.world.agents[index].pk)

    def actor(self, by_agent: int | None) -> Operator:
        return self.operator(by_agent) if by_agent is not None else self.world.supervisor

    def conversation(self, index: int) -> Conversation | None:
        if not self.conversations:
            return None
        return Conversation.objects.get(pk=self.conversations[index % len(self.conversations)])

    def drain(self, team_id: int) -> None:
        before = snapshot()
        expected = expected_drain(before, team_id)
        with self.capture(execute=True):
            drain_team_queue(team_id)
        after = snapshot()
        assigned = {
            pk: c.assignee
            for pk, c in after.conversations.items()
            if c.assignee is not None and before.conversations[pk].assignee is None
        }
        assert assigned == expected, f"drain of team {team_id}"
        for operator_id in set(assigned.values()):
            operator = after.operators[operator_id]
            assert operator.status == Status.ONLINE and operator.load <= operator.max_chats
        assert_always(before, after, may_exceed=False)

    def play(self, step: Any) -> None:
        if isinstance(step, Drain):
            for _ in range(min(step.count, len(self.requested))):
                self.drain(self.requested.pop(0))
            return
        if isinstance(step, UnaskedDrain):
            self.drain(self.world.teams[step.team].pk)
            return
        before = snapshot()
        may_exceed = False
        action: Callable[[], Any]
        if isinstance(step, Open):
            inbox, contact = self.world.inboxes[step.inbox], self.world.contacts[step.contact]

            def action() -> None:
                self.conversations.append(conversation_open(inbox=inbox, contact=contact).pk)

        elif isinstance(step, SetStatus | ToOperator | ToTeam):
            conversation = self.conversation(step.conversation)
            if conversation is None:
                return
            actor = self.actor(step.by_agent)
            if isinstance(step, SetStatus):
                # a reopen by hand keeps its assignee, even one now at capacity: not routing
                may_exceed = conversation.status == ConversationStatus.RESOLVED

                def action() -> None:
                    conversation_status_set(
                        conversation=conversation, actor=actor, status=step.status
                    )

            elif isinstance(step, ToOperator):
                operator = self.operator(step.operator)
                may_exceed = actor.sees_everything

                def action() -> None:
                    conversation_assign(conversation=conversation, actor=actor, operator=operator)

            else:
                team = self.world.teams[step.team]

                def action() -> None:
                    conversation_assign(conversation=conversation, actor=actor, team=team)

        elif isinstance(step, Presence):
            operator = self.operator(step.operator)

            def action() -> None:
                operator_status_set(operator=operator, status=step.status)

        else:
            assert isinstance(step, Capacity)
            operator = self.operator(step.operator)

            def action() -> None:
                operator_update(operator=operator, changes={"max_chats": step.max_chats})

        refused = False
        with self.capture(execute=True):
            try:
                action()
            except ServiceError:
                refused = True
        after = snapshot()
        if refused:
            assert after == before, f"refused {step} changed something"
        assert_always(before, after, may_exceed=may_exceed)

    def settle(self) -> None:
        while self.requested:
            self.drain(self.requested.pop(0))
        assert_settled(snapshot())


@pytest.mark.usefixtures("published")  # the events, captured instead of sent
@settings(settings.get_profile(PROFILE))
@given(initial=initial_operators, sequence=st.lists(steps, min_size=5, max_size=30))
# A key account waiting in a team its manager is not in, when the manager frees up
# (test_routing_regressions.py has it on its own).
@example(
    initial=[(Status.OFFLINE, 2)] * AGENTS,
    sequence=[Open(0, 0), Drain(4), Presence(3, Status.ONLINE), Drain(4)],
)
def test_routing_keeps_its_invariants_whatever_happens(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
    initial: list[tuple[str, int]],
    sequence: list[Any],
) -> None:
    requested: list[int] = []
    monkeypatch.setattr("chats.assignment.requests.request_team_drain", requested.append)
    player = Player(world, django_capture_on_commit_callbacks, requested)
    with transaction.atomic():  # a savepoint per example, rolled back at its end
        for operator, (status, max_chats) in zip(world.agents, initial, strict=True):
            Operator.objects.filter(pk=operator.pk).update(status=status, max_chats=max_chats)
        for step in sequence:
            player.play(step)
            if not requested:
                assert_settled(snapshot())
        player.settle()
        transaction.set_rollback(True)
