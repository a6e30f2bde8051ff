"""The conversation object's extensions: `last_message`, `last_seq` and `agent_read_seq`; an
operator who writes has read the conversation; and a visitor's view of a conversation, which
has none of them."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats import selectors
from chats.models import Conversation
from chats.serializers import conversation_data, visitor_conversation_data
from chats.services.authors import Author
from chats.services.conversations import conversation_open, conversation_status_set
from chats.services.messages import message_create
from chats.services.reading import conversation_read_by_operator
from operators.models import Role
from tests.factories import ContactFactory, InboxFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def say(conversation, author, body: str, **kwargs):
    message, _created = message_create(
        conversation_id=conversation.pk, author=author, body=body, **kwargs
    )
    return message


def fetch(conversation: Conversation) -> Conversation:
    return selectors.conversation_with_position(conversation_id=conversation.pk)


def test_a_new_conversation_has_no_last_message(client_for, agent, conversation):
    body = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()

    assert body["last_message"] is None
    assert body["last_seq"] == 0
    assert body["agent_read_seq"] == 0


def test_the_last_message_is_previewed_in_140_characters(client_for, agent, conversation):
    visitor = Author.of_contact(conversation.contact)
    say(conversation, visitor, "first")
    text = "Ж" * 139 + "🙂" + "tail that is cut off"
    message = say(conversation, visitor, text)

    body = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()

    assert body["last_message"] == {
        "body": text[:140],
        "author_kind": "visitor",
        "private": False,
        "created_at": body["last_message"]["created_at"],
    }
    assert len(body["last_message"]["body"]) == 140
    assert body["last_message"]["created_at"].endswith("Z")
    assert body["last_message"]["created_at"][:19] == message.created_at.strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    assert body["last_seq"] == 2


def test_the_console_sees_a_private_note_as_the_last_message(client_for, agent, conversation):
    say(conversation, Author.of_contact(conversation.contact), "hello")
    say(conversation, Author.of_operator(agent), "VIP, be quick", private=True)

    row = client_for(agent).get("/api/v1/conversations").json()["results"][0]

    assert row["last_message"]["body"] == "VIP, be quick"
    assert row["last_message"]["private"] is True
    assert row["last_message"]["author_kind"] == "operator"
    assert row["last_seq"] == 2


VISITOR_VIEW_FIELDS = {"id", "status", "assignee", "queue_position"}


def test_the_visitors_view_of_a_conversation_holds_only_what_the_widget_shows(
    agent, conversation, visitor, widget_client_for
):
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent, priority="urgent")
    say(conversation, Author.of_contact(conversation.contact), "hello")
    say(conversation, Author.of_operator(agent), "public reply")
    say(conversation, Author.of_operator(agent), "secret note", private=True)

    view = visitor_conversation_data(fetch(conversation))
    resumed = widget_client_for(visitor[1]).post(
        "/api/widget/v1/sessions",
        {"inbox_key": conversation.inbox.inbox_key, "visitor_token": visitor[1]},
        format="json",
    )

    assert view == {
        "id": conversation.pk,
        "status": "open",
        "assignee": {"name": agent.display_name},  # not the operator's id
        "queue_position": None,
    }
    assert resumed.status_code == 200, resumed.content
    assert resumed.json()["conversation"] == view
    assert "secret" not in resumed.content.decode()


def test_a_private_note_changes_nothing_in_the_visitors_view(agent, conversation):
    say(conversation, Author.of_contact(conversation.contact), "hello")
    before = visitor_conversation_data(fetch(conversation))

    say(conversation, Author.of_operator(agent), "note", private=True)

    assert visitor_conversation_data(fetch(conversation)) == before


def test_the_visitors_conversation_frame_never_previews_a_note(
    agent, conversation, published, django_capture_on_commit_callbacks
):
    say(conversation, Author.of_contact(conversation.contact), "question")
    say(conversation, Author.of_operator(agent), "internal", private=True)

    with django_capture_on_commit_callbacks(execute=True):
        conversation_status_set(conversation=conversation, actor=agent, status="pending")

    visitor_frames = [
        json.loads(event["frame"])
        for event in published.to(f"visitor.{conversation.contact_id}.{conversation.inbox_id}")
    ]
    console_frames = [json.loads(event["frame"]) for event in published.to("supervisors")]
    assert set(visitor_frames[-1]["conversation"]) == VISITOR_VIEW_FIELDS
    assert visitor_frames[-1]["conversation"]["status"] == "pending"
    assert "internal" not in json.dumps(visitor_frames)
    assert console_frames[-1]["conversation"]["last_message"]["body"] == "internal"


def test_an_operators_message_advances_agent_read_seq_and_a_visitors_does_not(
    client_for, agent, conversation
):
    visitor = Author.of_contact(conversation.contact)
    say(conversation, visitor, "one")
    say(conversation, visitor, "two")
    client = client_for(agent)
    url = f"/api/v1/conversations/{conversation.pk}"
    assert client.get(url).json()["agent_read_seq"] == 0

    reply = client.post(f"{url}/messages", {"body": "answer"}, format="json").json()
    assert reply["seq"] == 3
    assert client.get(url).json()["agent_read_seq"] == 3

    say(conversation, visitor, "three")
    body = client.get(url).json()
    assert (body["agent_read_seq"], body["last_seq"]) == (3, 4)

    say(conversation, Author.of_operator(agent), "note", private=True)
    assert client.get(url).json()["agent_read_seq"] == 5


def test_agent_read_seq_follows_the_operators_read_mark(client_for, agent, conversation):
    visitor = Author.of_contact(conversation.contact)
    for body in ("a", "b", "c"):
        say(conversation, visitor, body)

    conversation_read_by_operator(conversation=Conversation.objects.get(pk=conversation.pk), seq=2)

    assert (
        client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()["agent_read_seq"]
        == (Conversation.objects.get(pk=conversation.pk).operator_last_read_seq)
        == 2
    )


def test_a_resent_operator_message_changes_nothing(client_for, agent, conversation):
    client = client_for(agent)
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    first = client.post(url, {"body": "hi", "client_id": "c1"}, format="json")
    again = client.post(url, {"body": "hi", "client_id": "c1"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    body = client.get(f"/api/v1/conversations/{conversation.pk}").json()
    assert (body["last_seq"], body["agent_read_seq"]) == (1, 1)


def test_another_teams_conversation_still_answers_404(client_for, agent, other_team):
    foreign = conversation_open(inbox=InboxFactory(team=other_team), contact=ContactFactory())

    assert_error(client_for(agent).get(f"/api/v1/conversations/{foreign.pk}"), 404, "not_found")


def test_the_list_with_last_messages_costs_the_same_queries_for_many_rows(
    client_for, agent, make_operator, team, inbox, django_assert_max_num_queries
):
    client = client_for(agent)
    colleague = make_operator(Role.AGENT, [team])

    def make_rows(count: int) -> None:
        for index in range(count):
            conversation = conversation_open(inbox=inbox, contact=ContactFactory())
            say(conversation, Author.of_contact(conversation.contact), f"question {index}")
            say(conversation, Author.of_operator(colleague), f"note {index}", private=True)

    make_rows(2)
    with CaptureQueriesContext(connection) as few:
        rows = client.get("/api/v1/conversations", {"limit": 100}).json()["results"]
        assert len(rows) == 2
    make_rows(40)

    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get("/api/v1/conversations", {"limit": 100}).json()["results"]
    assert len(rows) == 42
    assert all(row["last_message"]["private"] is True for row in rows)
    assert all(row["last_seq"] == row["agent_read_seq"] == 2 for row in rows)
    assert len(few.captured_queries) <= 8


def test_the_fast_conversation_data_matches_the_documented_serializer(
    agent, inbox, make_operator, team
):
    from chats.serializers import ConversationSerializer, VisitorConversationSerializer
    from chats.services.conversations import conversation_labels_set

    empty = conversation_open(inbox=inbox, contact=ContactFactory(vip=True))
    Conversation.objects.filter(pk=empty.pk).update(queued_at=empty.created_at)
    busy = conversation_open(inbox=inbox, contact=ContactFactory(name="", email=""))
    Conversation.objects.filter(pk=busy.pk).update(assignee=agent)
    conversation_labels_set(conversation=busy, labels=["b", "a"])
    say(busy, Author.of_contact(busy.contact), "x" * 300)
    say(busy, Author.of_operator(agent), "note", private=True)

    for conversation in (fetch(empty), fetch(busy)):
        for fast, documented in (
            (conversation_data, ConversationSerializer),
            (visitor_conversation_data, VisitorConversationSerializer),
        ):
            expected = dict(documented(conversation).data)
            assert fast(conversation) == expected
            # the same keys in the same order
            assert json.dumps(fast(conversation)) == json.dumps(expected)


def test_the_console_sees_the_page_the_visitor_opened_the_chat_on(client_for, agent, inbox):
    from chats.services import messages, visitors

    session = visitors.visitor_session_start(
        inbox=inbox,
        visitor_token=None,
        locale="en",
        page={"url": "https://shop.example/cart?step=2", "title": "Cart"},
        identity=None,
    )
    message, _ = messages.visitor_message_send(visitor=session.visitor, body="help", client_id="p1")
    body = client_for(agent).get(f"/api/v1/conversations/{message.conversation_id}").json()
    assert body["page_url"] == "https://shop.example/cart?step=2"


def test_a_queued_conversation_joins_the_queue_at_the_moment_it_was_created():
    """Two conversations opened on two processes line up in the queue as they do by
    created_at: the three timestamps of one opening are one moment."""
    inbox = InboxFactory(routing="least_busy")
    conversation = conversation_open(inbox=inbox, contact=ContactFactory())

    assert conversation.queued_at is not None
    assert conversation.queued_at == conversation.created_at == conversation.last_activity_at
    stored = Conversation.objects.get(pk=conversation.pk)
    assert stored.queued_at == stored.created_at == stored.last_activity_at
