"""Routing holds a closed inbox's queue, and drains it at opening time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from chats import selectors
from chats.assignment import tasks
from chats.assignment.drain import team_queue_drain
from chats.models import Conversation
from chats.services.assigning import conversation_assign
from chats.services.conversations import conversation_open
from operators.models import Role, Status
from tests.factories import ContactFactory, InboxFactory

pytestmark = pytest.mark.django_db

MOSCOW_WEEKDAYS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
# Monday 7 December 2026 in Moscow (UTC+3)
BEFORE_OPENING = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)  # 08:00
AFTER_OPENING = datetime(2026, 12, 7, 6, 0, 30, tzinfo=UTC)  # 09:00:30


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, start: datetime) -> None:
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch, BEFORE_OPENING)


@pytest.fixture
def shop(team):
    return InboxFactory(
        team=team, routing="least_busy", timezone="Europe/Moscow", business_hours=MOSCOW_WEEKDAYS
    )


def waiting(inbox, n: int) -> list[Conversation]:
    return [conversation_open(inbox=inbox, contact=ContactFactory()) for _ in range(n)]


def positions(conversations: list[Conversation]) -> list[int | None]:
    return [
        selectors.conversation_with_position(conversation_id=c.pk).queue_position_value  # type: ignore[attr-defined]
        for c in conversations
    ]


def test_nobody_gets_a_conversation_of_a_closed_inbox(clock, shop, agent):
    first, second = waiting(shop, 2)

    result = team_queue_drain(team_id=shop.team_id)

    assert result.assigned == []
    assert result.still_queued == [first.pk, second.pk]
    assert positions([first, second]) == [1, 2]
    assert not Conversation.objects.filter(assignee=agent).exists()


def test_draining_a_closed_inbox_again_changes_nothing(clock, shop, agent):
    conversations = waiting(shop, 3)

    team_queue_drain(team_id=shop.team_id)
    team_queue_drain(team_id=shop.team_id)

    assert positions(conversations) == [1, 2, 3]


def test_an_open_inbox_of_the_same_team_keeps_routing_past_the_held_ones(clock, shop, agent):
    always = InboxFactory(team=shop.team, routing="least_busy")
    held = waiting(shop, 1)[0]
    served = waiting(always, 1)[0]

    result = team_queue_drain(team_id=shop.team_id)

    assert result.assigned == [served.pk]
    assert positions([held]) == [1]
    served.refresh_from_db()
    assert served.assignee_id == agent.pk


def test_a_holiday_holds_the_queue_all_day(clock, team, agent):
    inbox = InboxFactory(team=team, routing="least_busy", holidays=["2026-12-07"])
    conversation = waiting(inbox, 1)[0]

    assert team_queue_drain(team_id=team.pk).assigned == []
    assert positions([conversation]) == [1]


def test_the_queue_drains_in_arrival_order_at_opening_time(clock, shop, make_operator, monkeypatch):
    operator = make_operator(Role.AGENT, [shop.team], max_chats=2)
    first, second, third = waiting(shop, 3)
    team_queue_drain(team_id=shop.team_id)
    drained: list[int] = []

    def drain_now(team_id: int) -> None:
        drained.append(team_id)
        tasks.drain_team_queue(team_id)

    monkeypatch.setattr(tasks.drain_team_queue, "delay", drain_now)

    assert tasks.drain_opened_inboxes() == []  # 08:00: still closed
    clock.now = AFTER_OPENING
    assert tasks.drain_opened_inboxes() == [shop.team_id]

    assert drained == [shop.team_id]
    assert [c.assignee_id for c in Conversation.objects.filter(pk__in=[first.pk, second.pk])] == [
        operator.pk,
        operator.pk,
    ]
    assert positions([first, second, third]) == [None, None, 1]


def test_the_opening_drain_leaves_inboxes_without_hours_to_the_usual_triggers(
    clock, team, monkeypatch
):
    inbox = InboxFactory(team=team, routing="least_busy")
    waiting(inbox, 1)
    monkeypatch.setattr(tasks.drain_team_queue, "delay", lambda team_id: None)

    assert tasks.drain_opened_inboxes() == []


def test_an_online_account_manager_still_gets_a_key_account_outside_hours(
    clock, shop, agent, make_operator
):
    manager = make_operator(Role.AGENT, [], status=Status.ONLINE)
    key_account = ContactFactory(account_manager=manager)
    conversation = conversation_open(inbox=shop, contact=key_account)
    other = waiting(shop, 1)[0]

    result = team_queue_drain(team_id=shop.team_id)

    assert result.assigned == [conversation.pk]
    conversation.refresh_from_db()
    assert conversation.assignee_id == manager.pk
    assert positions([other]) == [1]  # the rest of the team's agents get nothing


def test_a_key_account_waits_for_opening_time_when_its_manager_is_away(
    clock, shop, agent, make_operator
):
    manager = make_operator(Role.AGENT, [], status=Status.AWAY)
    conversation = conversation_open(inbox=shop, contact=ContactFactory(account_manager=manager))

    assert team_queue_drain(team_id=shop.team_id).assigned == []
    assert positions([conversation]) == [1]

    clock.now = AFTER_OPENING
    assert team_queue_drain(team_id=shop.team_id).assigned == [conversation.pk]
    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk


def test_a_supervisor_assigns_by_hand_outside_hours(clock, shop, agent, supervisor):
    conversation = waiting(shop, 1)[0]

    conversation_assign(conversation=conversation, actor=supervisor, operator=agent)

    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk
    assert conversation.queued_at is None


def test_an_agent_takes_a_held_conversation_by_hand(clock, shop, agent):
    conversation = waiting(shop, 1)[0]

    conversation_assign(conversation=conversation, actor=agent, operator=agent)

    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk
