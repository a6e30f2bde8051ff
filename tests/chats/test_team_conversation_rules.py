"""Rules a team shares over one conversation: the read mark is everyone's (and every console
learns of it at once), a transfer to another team joins that team's queue at the back, and a
conversation reopened by hand stays with whoever held it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from chats import groups
from chats.models import Conversation
from chats.services.assigning import conversation_assign
from chats.services.conversations import conversation_open, conversation_status_set
from chats.services.reading import conversation_read_by_operator
from operators.models import Role, Status
from tests.factories import ContactFactory, InboxFactory, visitor_says

pytestmark = pytest.mark.django_db


def console_frames(published, group: str) -> list[dict]:
    return [json.loads(event["frame"]) for event in published.to(group)]


# --- the shared read mark -----------------------------------------------------------------------


def test_a_colleagues_read_mark_reaches_the_other_consoles_of_the_team(
    agent, inbox, conversation, published, django_capture_on_commit_callbacks
):
    visitor_says(conversation, "Where is my parcel?")
    visitor_says(conversation, "Order 1234")
    conversation.refresh_from_db()
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        conversation_read_by_operator(conversation=conversation, seq=conversation.last_seq)

    frames = console_frames(published, groups.inbox(inbox.pk))
    assert [frame["type"] for frame in frames] == ["conversation"]
    shown = frames[0]["conversation"]
    assert shown["id"] == conversation.pk
    assert shown["agent_read_seq"] == conversation.last_seq == 2


def test_a_read_mark_that_does_not_move_announces_nothing(
    agent, conversation, published, django_capture_on_commit_callbacks
):
    visitor_says(conversation, "Hello")
    conversation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        conversation_read_by_operator(conversation=conversation, seq=1)
    published.clear()

    with django_capture_on_commit_callbacks(execute=True):
        conversation_read_by_operator(conversation=conversation, seq=1)

    assert published == []


def test_an_agent_of_another_team_learns_nothing_of_the_read_mark(
    other_team, conversation, published, django_capture_on_commit_callbacks
):
    visitor_says(conversation, "Hello")
    conversation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        conversation_read_by_operator(conversation=conversation, seq=1)

    reached = {group for group, _event in published}
    assert reached == {
        groups.SUPERVISORS,
        groups.inbox(conversation.inbox_id),
        groups.team(conversation.team_id),
        groups.visitor(conversation.contact_id, conversation.inbox_id),
    }
    assert groups.team(other_team.pk) not in reached


# --- a transfer to another team ------------------------------------------------------------------


@pytest.fixture
def waiting_in_other_team(other_team) -> Conversation:
    """A conversation that has waited in the other team's queue for five minutes."""
    other_inbox = InboxFactory(team=other_team, routing="least_busy")
    waiting = conversation_open(inbox=other_inbox, contact=ContactFactory())
    Conversation.objects.filter(pk=waiting.pk).update(
        queued_at=timezone.now() - timedelta(minutes=5)
    )
    return waiting


def test_a_conversation_sent_to_another_team_joins_its_queue_behind_those_waiting(
    supervisor, team, waiting_in_other_team
):
    waited_since = Conversation.objects.get(pk=waiting_in_other_team.pk).queued_at
    before = timezone.now()

    conversation_assign(conversation=waiting_in_other_team, actor=supervisor, team=team)

    moved = Conversation.objects.get(pk=waiting_in_other_team.pk)
    assert moved.team_id == team.pk
    assert moved.queued_at >= before > waited_since


def test_a_conversation_handed_back_to_its_own_team_keeps_its_place(
    supervisor, other_team, waiting_in_other_team
):
    waited_since = Conversation.objects.get(pk=waiting_in_other_team.pk).queued_at

    conversation_assign(conversation=waiting_in_other_team, actor=supervisor, team=other_team)

    assert Conversation.objects.get(pk=waiting_in_other_team.pk).queued_at == waited_since


def test_an_assigned_conversation_handed_to_a_team_joins_its_queue_now(
    make_operator, team, conversation
):
    holder = make_operator(Role.AGENT, [team], status=Status.ONLINE)
    conversation_assign(conversation=conversation, actor=holder, operator=holder)
    before = timezone.now()

    conversation_assign(conversation=conversation, actor=holder, team=team)

    moved = Conversation.objects.get(pk=conversation.pk)
    assert moved.assignee_id is None
    assert moved.queued_at >= before


# --- reopening by hand ---------------------------------------------------------------------------


def test_a_conversation_reopened_by_hand_stays_with_its_assignee(make_operator, team, conversation):
    holder = make_operator(Role.AGENT, [team], status=Status.ONLINE)
    conversation_assign(conversation=conversation, actor=holder, operator=holder)
    conversation_status_set(conversation=conversation, actor=holder, status="resolved")

    reopened = conversation_status_set(conversation=conversation, actor=holder, status="open")

    assert reopened.assignee_id == holder.pk
    assert reopened.queued_at is None


def test_an_unassigned_conversation_reopened_by_hand_joins_the_queue(supervisor, team):
    routed = InboxFactory(team=team, routing="least_busy")
    conversation = conversation_open(inbox=routed, contact=ContactFactory())
    conversation_status_set(conversation=conversation, actor=supervisor, status="resolved")

    reopened = conversation_status_set(conversation=conversation, actor=supervisor, status="open")

    assert reopened.assignee_id is None
    assert reopened.queued_at is not None
