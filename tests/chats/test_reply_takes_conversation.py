"""An operator who answers a conversation nobody holds takes it: it leaves the queue, and the
visitor sees who answers instead of a place in the queue."""

from __future__ import annotations

import json

import pytest

from chats import groups
from chats.models import Conversation, ConversationStatus, Message
from chats.services.assigning import conversation_assign
from chats.services.conversations import conversation_open, conversation_status_set
from operators.models import Role, Status
from tests.factories import ContactFactory, InboxFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inbox(team):
    """An inbox that routes: its conversations wait in the team's queue (nobody is online)."""
    return InboxFactory(team=team, routing="least_busy")


def reply(client, conversation: Conversation, body: str = "Hello! How can I help?", **fields):
    return client.post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": body, **fields},
        format="json",
    )


def test_a_public_reply_to_a_queued_conversation_assigns_it_to_the_writer(
    client_for, agent, conversation
):
    assert conversation.queued_at is not None and conversation.assignee_id is None

    response = reply(client_for(agent), conversation)

    assert response.status_code == 201, response.content
    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk
    assert conversation.queued_at is None
    assert conversation.assigned_at is not None


def test_the_visitor_learns_who_answers_before_the_answer(
    client_for, agent, conversation, published
):
    reply(client_for(agent), conversation)

    group = groups.visitor(conversation.contact_id, conversation.inbox_id)
    frames = [json.loads(event["frame"]) for event in published.to(group)]
    assert [frame["type"] for frame in frames] == ["conversation", "message"]
    shown = frames[0]["conversation"]
    assert shown["assignee"]["name"] == agent.display_name
    assert shown.get("queue_position") is None


def test_a_private_note_takes_nothing(client_for, agent, conversation):
    response = reply(client_for(agent), conversation, "Looks like a refund case", private=True)

    assert response.status_code == 201
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert conversation.queued_at is not None


def test_a_reply_leaves_a_colleagues_conversation_with_the_colleague(
    client_for, make_operator, team, conversation
):
    holder = make_operator(Role.AGENT, [team], status=Status.ONLINE)
    helper = make_operator(Role.AGENT, [team])
    conversation_assign(conversation=conversation, actor=holder, operator=holder)

    assert reply(client_for(helper), conversation).status_code == 201

    conversation.refresh_from_db()
    assert conversation.assignee_id == holder.pk


def test_an_agent_at_capacity_is_refused_and_nothing_is_stored(
    client_for, make_operator, team, inbox, conversation
):
    busy = make_operator(Role.AGENT, [team], max_chats=1)
    held = conversation_open(inbox=inbox, contact=ContactFactory())
    conversation_assign(conversation=held, actor=busy, operator=busy)

    response = reply(client_for(busy), conversation, client_id="draft-1")

    assert_error(response, 409, "over_capacity")
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert conversation.queued_at is not None
    assert not Message.objects.filter(conversation=conversation).exists()


def test_a_supervisor_takes_it_past_capacity(client_for, supervisor, inbox, conversation):
    supervisor.max_chats = 0
    supervisor.save(update_fields=["max_chats"])

    assert reply(client_for(supervisor), conversation).status_code == 201

    conversation.refresh_from_db()
    assert conversation.assignee_id == supervisor.pk


def test_a_bad_reply_takes_nothing(client_for, agent, conversation):
    assert_error(reply(client_for(agent), conversation, "   "), 400, "empty_body")

    conversation.refresh_from_db()
    assert conversation.assignee_id is None


def test_a_resent_reply_is_stored_once_and_assigns_once(client_for, agent, conversation):
    client = client_for(agent)
    first = reply(client, conversation, client_id="c-1")
    again = reply(client, conversation, client_id="c-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk


def test_a_reply_to_a_resolved_conversation_does_not_assign_it(client_for, agent, conversation):
    conversation_status_set(conversation=conversation, actor=agent, status="resolved")

    assert reply(client_for(agent), conversation).status_code == 201

    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert conversation.status == ConversationStatus.RESOLVED


def test_the_visitors_behind_move_up_when_a_reply_takes_the_first_in_the_queue(
    client_for, agent, inbox, conversation, published
):
    behind = conversation_open(inbox=inbox, contact=ContactFactory())
    assert Conversation.objects.get(pk=behind.pk).queued_at is not None
    published.clear()

    reply(client_for(agent), conversation)

    group = groups.visitor(behind.contact_id, behind.inbox_id)
    frames = [json.loads(event["frame"]) for event in published.to(group)]
    assert [frame["conversation"]["queue_position"] for frame in frames] == [1]


def test_the_queue_closes_up_when_a_waiting_conversation_is_sent_to_another_team(
    supervisor, other_team, inbox, conversation, published
):
    behind = conversation_open(inbox=inbox, contact=ContactFactory())
    published.clear()

    conversation_assign(conversation=conversation, actor=supervisor, team=other_team)

    group = groups.visitor(behind.contact_id, behind.inbox_id)
    frames = [json.loads(event["frame"]) for event in published.to(group)]
    assert [frame["conversation"]["queue_position"] for frame in frames] == [1]
