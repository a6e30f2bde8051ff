"""The personal routing rules of `team_queue_drain`: a key account's manager first (and told
when passed over), then, with `route_to_last_operator`, the operator who served the contact
last, then the inbox's strategy."""

from __future__ import annotations

import json

import pytest

from chats.assignment.drain import team_queue_drain
from chats.models import Contact, Conversation, ConversationStatus, Inbox
from chats.services import conversations
from operators.models import Notification, Operator, Role, Status, Team
from tests.factories import ContactFactory, InboxFactory, operator_says

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(team: Team) -> Inbox:
    return InboxFactory(team=team, routing="least_busy")


def open_for(inbox: Inbox, contact: Contact) -> Conversation:
    return conversations.conversation_open(inbox=inbox, contact=contact)


def drained(conversation: Conversation) -> Conversation:
    assert conversation.team_id is not None
    team_queue_drain(team_id=conversation.team_id)
    return Conversation.objects.get(pk=conversation.pk)


def fill(inbox: Inbox, operator: Operator, count: int) -> None:
    for _ in range(count):
        Conversation.objects.create(
            inbox=inbox, contact=ContactFactory(), team=inbox.team, assignee=operator
        )


def key_account_notes(manager: Operator) -> list[Notification]:
    return list(Notification.objects.filter(operator=manager, kind="key_account"))


# --- key accounts --------------------------------------------------------------------------------


def test_a_free_online_manager_gets_their_key_account_and_no_notification(
    make_operator, team, routed
):
    make_operator(Role.AGENT, [team])  # a less busy colleague
    manager = make_operator(Role.AGENT, [team])
    fill(routed, manager, 2)
    conversation = open_for(routed, ContactFactory(account_manager=manager))

    assert drained(conversation).assignee_id == manager.pk
    assert not key_account_notes(manager)


@pytest.mark.parametrize("status", [Status.OFFLINE, Status.AWAY])
def test_an_absent_manager_is_told_once_and_the_team_serves_the_key_account(
    make_operator, team, routed, status, published, django_capture_on_commit_callbacks
):
    colleague = make_operator(Role.AGENT, [team])
    manager = make_operator(Role.AGENT, [team], status=status)
    conversation = open_for(routed, ContactFactory(account_manager=manager))

    with django_capture_on_commit_callbacks(execute=True):
        assert drained(conversation).assignee_id == colleague.pk

    (notification,) = key_account_notes(manager)
    assert (notification.conversation_id, notification.by_id) == (conversation.pk, None)
    frames = [json.loads(e["frame"]) for e in published.to(f"operator.{manager.pk}")]
    assert [f["notification"]["kind"] for f in frames if f["type"] == "notification"] == [
        "key_account"
    ]


def test_a_manager_at_capacity_is_told_once_however_often_the_queue_drains(
    make_operator, team, routed
):
    manager = make_operator(Role.AGENT, [team], max_chats=1)
    fill(routed, manager, 1)
    conversation = open_for(routed, ContactFactory(account_manager=manager))

    for _ in range(3):  # nobody is free: it waits, and every drain passes the manager over
        assert drained(conversation).assignee_id is None

    assert len(key_account_notes(manager)) == 1
    make_operator(Role.AGENT, [team])  # someone frees up: the team takes it, no new notice
    assert drained(conversation).assignee_id is not None
    assert len(key_account_notes(manager)) == 1


def test_each_key_account_conversation_is_told_once(make_operator, team, routed):
    manager = make_operator(Role.AGENT, [team], status=Status.OFFLINE)
    make_operator(Role.AGENT, [team])
    contact = ContactFactory(account_manager=manager)
    first = open_for(routed, contact)
    drained(first)
    conversations.conversation_status_set(
        conversation=first, actor=None, status=ConversationStatus.RESOLVED
    )
    second = open_for(routed, contact)
    drained(second)

    assert sorted(n.conversation_id for n in key_account_notes(manager)) == [first.pk, second.pk]


def test_a_deactivated_manager_or_one_who_may_not_see_it_is_not_told(
    make_operator, team, other_team, routed
):
    make_operator(Role.AGENT, [team])
    gone = make_operator(Role.AGENT, [team], status=Status.OFFLINE, is_active=False)
    elsewhere = make_operator(Role.AGENT, [other_team], status=Status.OFFLINE)
    drained(open_for(routed, ContactFactory(account_manager=gone)))
    drained(open_for(routed, ContactFactory(account_manager=elsewhere)))

    assert not Notification.objects.exists()


# --- returning visitors --------------------------------------------------------------------------


@pytest.fixture
def returning(make_operator, team, routed):
    """A contact whose last conversation `last` served, two free colleagues, and a new one."""
    last = make_operator(Role.AGENT, [team], name="Last")
    contact = ContactFactory()
    earlier = Conversation.objects.create(
        inbox=routed,
        contact=contact,
        team=team,
        assignee=last,
        status=ConversationStatus.RESOLVED,
    )
    fill(routed, last, 2)  # busier than the colleagues: least_busy alone would not pick them
    make_operator(Role.AGENT, [team])
    make_operator(Role.AGENT, [team])
    return {"last": last, "contact": contact, "earlier": earlier}


def test_a_returning_contact_goes_to_the_operator_who_served_them_last(routed, returning):
    routed.route_to_last_operator = True
    routed.save(update_fields=["route_to_last_operator"])

    conversation = drained(open_for(routed, returning["contact"]))

    assert conversation.assignee_id == returning["last"].pk


def test_without_the_setting_a_returning_contact_is_routed_as_anyone(routed, returning):
    conversation = drained(open_for(routed, returning["contact"]))

    assert conversation.assignee_id not in (None, returning["last"].pk)


@pytest.mark.parametrize("reason", ["offline", "away", "at_capacity", "left_the_team"])
def test_when_the_last_operator_cannot_take_it_routing_goes_on_as_usual(routed, returning, reason):
    routed.route_to_last_operator = True
    routed.save(update_fields=["route_to_last_operator"])
    last = returning["last"]
    if reason in ("offline", "away"):
        Operator.objects.filter(pk=last.pk).update(status=reason)
    elif reason == "at_capacity":
        Operator.objects.filter(pk=last.pk).update(max_chats=3)
        fill(routed, last, 1)
    else:
        last.teams.clear()

    conversation = drained(open_for(routed, returning["contact"]))

    assert conversation.assignee_id not in (None, last.pk)


def test_the_last_operator_who_answered_counts_when_the_earlier_conversation_was_unassigned(
    make_operator, team, routed, returning
):
    routed.route_to_last_operator = True
    routed.save(update_fields=["route_to_last_operator"])
    replier = make_operator(Role.AGENT, [team], name="Replier")
    fill(routed, replier, 2)
    earlier = returning["earlier"]
    for author in (returning["last"], replier):
        operator_says(earlier, author, "Hello")
    # a later private note does not count: it is no answer
    operator_says(earlier, returning["last"], "note", private=True)
    Conversation.objects.filter(pk=earlier.pk).update(assignee=None)

    conversation = drained(open_for(routed, returning["contact"]))

    assert conversation.assignee_id == replier.pk


def test_the_account_manager_comes_before_the_last_operator(make_operator, team, routed, returning):
    routed.route_to_last_operator = True
    routed.save(update_fields=["route_to_last_operator"])
    manager = make_operator(Role.AGENT, [team])
    fill(routed, manager, 3)
    Contact.objects.filter(pk=returning["contact"].pk).update(account_manager=manager)

    conversation = drained(open_for(routed, returning["contact"]))

    assert conversation.assignee_id == manager.pk


def test_a_busy_manager_is_told_and_the_last_operator_takes_it(
    make_operator, team, routed, returning
):
    routed.route_to_last_operator = True
    routed.save(update_fields=["route_to_last_operator"])
    manager = make_operator(Role.AGENT, [team], max_chats=1)
    fill(routed, manager, 1)
    Contact.objects.filter(pk=returning["contact"].pk).update(account_manager=manager)

    conversation = drained(open_for(routed, returning["contact"]))

    assert conversation.assignee_id == returning["last"].pk
    assert len(key_account_notes(manager)) == 1


def test_a_first_time_contact_is_routed_by_the_strategy(make_operator, team, routed):
    routed.route_to_last_operator = True
    routed.save(update_fields=["route_to_last_operator"])
    busy = make_operator(Role.AGENT, [team])
    fill(routed, busy, 1)
    idle = make_operator(Role.AGENT, [team])

    assert drained(open_for(routed, ContactFactory())).assignee_id == idle.pk


def test_the_last_operator_lookup_costs_the_same_queries_for_many_conversations(
    make_operator, team, routed
):
    routed.route_to_last_operator = True
    routed.save(update_fields=["route_to_last_operator"])
    make_operator(Role.AGENT, [team], max_chats=100)

    def queries_for(count: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for _ in range(count):
            contact = ContactFactory()
            Conversation.objects.create(
                inbox=routed, contact=contact, team=team, status=ConversationStatus.RESOLVED
            )
            open_for(routed, contact)
        with CaptureQueriesContext(connection) as captured:
            team_queue_drain(team_id=team.pk)
        return len(captured.captured_queries)

    few = queries_for(2)
    many = queries_for(8)
    # each assignment writes its conversation and its operator; the look-ups do not grow
    assert many - few <= 2 * (8 - 2)


def test_passed_over_managers_cost_no_query_per_conversation(
    make_operator, team, other_team, routed
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_operator(Role.AGENT, [team], max_chats=100)
    elsewhere = make_operator(Role.AGENT, [other_team], status=Status.OFFLINE)

    def queries_for(count: int) -> int:
        for _ in range(count):
            open_for(routed, ContactFactory(account_manager=elsewhere))
        with CaptureQueriesContext(connection) as captured:
            team_queue_drain(team_id=team.pk)
        return len(captured.captured_queries)

    few = queries_for(2)
    many = queries_for(8)
    assert many - few <= 2 * (8 - 2)  # the assignments' own writes only
    assert not Notification.objects.exists()  # a manager who may not see it is not told
