"""The widget websocket (`/ws/widget/v1/`), end to end through the real ASGI application and
the Redis channel layer: hello and replay, sends and acks, live frames in both directions."""

from __future__ import annotations

from typing import Any

import pytest

from chats import selectors
from chats.consumers import widget as widget_consumer
from chats.models import Conversation, Message
from chats.services import assigning, authors, conversations, messages
from tests.helpers import MESSAGE_FIELDS
from tests.ws_helpers import (
    assert_no_frame,
    frames_within,
    on_db,
    ping_pong,
    receive_json,
    receive_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

SESSIONS = "/api/widget/v1/sessions"
# A visitor's view of a conversation: what the widget shows, nothing of the team's work on it.
CONVERSATION_KEYS = {"id", "status", "assignee", "queue_position"}
MESSAGE_KEYS = MESSAGE_FIELDS


def _operator_writes(conversation: Conversation, operator: Any, body: str, **extra: Any) -> Any:
    message, _created = messages.message_create(
        conversation_id=conversation.pk,
        author=authors.Author.of_operator(operator),
        body=body,
        **extra,
    )
    return message


def _visitor_writes(visitor: Any, body: str, client_id: str | None = None) -> Any:
    message, _created = messages.visitor_message_send(
        visitor=visitor, body=body, client_id=client_id
    )
    return message


async def operator_writes(conversation: Conversation, operator: Any, body: str, **extra: Any):
    return await on_db(_operator_writes, conversation, operator, body, **extra)


async def visitor_writes(visitor: Any, body: str, client_id: str | None = None):
    return await on_db(_visitor_writes, visitor, body, client_id)


def _stored(conversation_id: int) -> list[tuple[int, str, bool]]:
    return list(
        Message.objects.filter(conversation_id=conversation_id)
        .order_by("seq")
        .values_list("seq", "body", "private")
    )


async def replayed(communicator: Any) -> list[dict[str, Any]]:
    """The replay after `welcome`: message frames, then silence."""
    frames = await frames_within(communicator, 0.7)
    assert all(frame["type"] == "message" for frame in frames), frames
    return [frame["message"] for frame in frames]


# --- hello, welcome, replay -------------------------------------------------------------------


async def test_hello_of_a_new_visitor_is_welcomed_with_no_conversation_and_no_replay(
    ws, inbox, visitor
):
    widget = await ws.connect_widget(inbox, visitor[1])

    assert widget.welcome == {"type": "welcome", "conversation": None}
    await assert_no_frame(widget)


async def test_hello_replays_every_visible_message_after_last_seq_in_order(
    ws, inbox, visitor, conversation, agent
):
    await visitor_writes(visitor[0], "my parcel is late")  # seq 1
    await operator_writes(conversation, agent, "let me check")  # seq 2
    await operator_writes(conversation, agent, "courier is slow", private=True)  # seq 3
    await operator_writes(conversation, agent, "it arrives tomorrow")  # seq 4

    widget = await ws.connect_widget(inbox, visitor[1], last_seq=0)

    welcomed = widget.welcome["conversation"]
    assert set(welcomed) == CONVERSATION_KEYS
    assert welcomed["id"] == conversation.pk and welcomed["status"] == "open"
    messages = await replayed(widget)
    assert [(m["seq"], m["body"]) for m in messages] == [
        (1, "my parcel is late"),
        (2, "let me check"),
        (4, "it arrives tomorrow"),
    ]
    assert all(set(m) >= MESSAGE_KEYS and m["private"] is False for m in messages)
    assert [m["author"]["kind"] for m in messages] == ["visitor", "operator", "operator"]

    later = await ws.connect_widget(inbox, visitor[1], last_seq=2)
    assert [m["seq"] for m in await replayed(later)] == [4]

    up_to_date = await ws.connect_widget(inbox, visitor[1], last_seq=4)
    assert up_to_date.welcome["conversation"]["id"] == conversation.pk
    await assert_no_frame(up_to_date)


async def test_a_long_history_is_replayed_a_page_at_a_time_in_order_and_exactly_once(
    ws, inbox, visitor, conversation, agent, monkeypatch
):
    monkeypatch.setattr(widget_consumer, "REPLAY_PAGE", 3)
    for n in range(1, 9):  # seq 1 to 8, the fifth a private note
        await operator_writes(conversation, agent, f"reply {n}", private=n == 5)
    log: list[tuple[Any, ...]] = []
    list_after = selectors.message_list_after

    def spied_list_after(**query: Any) -> list[Message]:
        log.append(("query", query["after_seq"], query["limit"]))
        return list_after(**query)

    send_frame = widget_consumer.WidgetConsumer.send_frame

    async def spied_send_frame(self: Any, frame: dict[str, Any]) -> None:
        if frame["type"] == "message":
            log.append(("sent", frame["message"]["seq"]))
        await send_frame(self, frame)

    monkeypatch.setattr(selectors, "message_list_after", spied_list_after)
    monkeypatch.setattr(widget_consumer.WidgetConsumer, "send_frame", spied_send_frame)

    widget = await ws.connect_widget(inbox, visitor[1], last_seq=0)

    assert [m["seq"] for m in await replayed(widget)] == [1, 2, 3, 4, 6, 7, 8]
    # one page in memory at a time: each is written before the next is read
    assert log == [
        ("query", 0, 3),
        *[("sent", seq) for seq in (1, 2, 3)],
        ("query", 3, 3),
        *[("sent", seq) for seq in (4, 6, 7)],
        ("query", 7, 3),
        ("sent", 8),
    ]
    await operator_writes(conversation, agent, "and live from there")
    live = await receive_json(widget)
    assert (live["type"], live["message"]["seq"]) == ("message", 9)
    await assert_no_frame(widget)


async def test_reconnecting_with_last_seq_replays_exactly_what_was_missed(
    ws, inbox, visitor, conversation, agent
):
    widget = await ws.connect_widget(inbox, visitor[1])
    await widget.send_json_to({"type": "message", "client_id": "m-1", "body": "hello?"})
    ack = await receive_json(widget)
    assert ack["type"] == "ack" and ack["message"]["seq"] == 1
    await widget.disconnect()

    # while the visitor is away
    await operator_writes(conversation, agent, "hi, how can I help?")
    await operator_writes(conversation, agent, "visitor went quiet", private=True)
    await operator_writes(conversation, agent, "are you still there?")

    back = await ws.connect_widget(inbox, visitor[1], last_seq=1)
    assert [(m["seq"], m["body"]) for m in await replayed(back)] == [
        (2, "hi, how can I help?"),
        (4, "are you still there?"),
    ]

    # and live again from there, without repeats
    await operator_writes(conversation, agent, "great, you're back")
    frame = await receive_json(back)
    assert frame["type"] == "message" and frame["message"]["seq"] == 5
    await assert_no_frame(back)


# --- sending ----------------------------------------------------------------------------------


async def test_message_is_acked_with_the_committed_message(ws, inbox, visitor):
    widget = await ws.connect_widget(inbox, visitor[1])

    await widget.send_json_to({"type": "message", "client_id": "c-1", "body": "Hi there"})
    ack = await receive_json(widget)

    # the ack comes only after the commit: the message is already in the database
    stored = await on_db(lambda: Message.objects.filter(pk=ack["message"]["id"]).values().first())
    assert stored is not None
    assert stored["body"] == "Hi there" and stored["client_id"] == "c-1" and stored["seq"] == 1
    assert ack["type"] == "ack" and ack["client_id"] == "c-1"
    message = ack["message"]
    assert set(message) >= MESSAGE_KEYS
    assert message["body"] == "Hi there" and message["seq"] == 1
    assert message["private"] is False and message["client_id"] == "c-1"
    assert message["author"]["kind"] == "visitor"
    assert message["author"]["id"] == visitor[0].contact_id
    owner = await on_db(
        lambda: Conversation.objects.values_list("contact_id", "inbox_id").get(
            pk=message["conversation"]
        )
    )
    assert owner == (visitor[0].contact_id, inbox.pk)


async def test_resending_a_client_id_returns_the_same_message_and_stores_nothing_new(
    ws, inbox, visitor
):
    widget = await ws.connect_widget(inbox, visitor[1])
    await widget.send_json_to({"type": "message", "client_id": "retry-1", "body": "first"})
    first = await receive_until(widget, "ack")

    await widget.send_json_to({"type": "message", "client_id": "retry-1", "body": "second"})
    again = await receive_until(widget, "ack")

    assert again["client_id"] == "retry-1"
    assert again["message"] == first["message"]
    assert again["message"]["body"] == "first"
    conversation_id = first["message"]["conversation"]
    assert await on_db(_stored, conversation_id) == [(1, "first", False)]
    last_seq = await on_db(
        lambda: Conversation.objects.values_list("last_seq", flat=True).get(pk=conversation_id)
    )
    assert last_seq == 1


async def test_own_message_sent_from_another_tab_arrives_as_a_message_frame(
    ws, inbox, visitor, conversation
):
    tab_one = await ws.connect_widget(inbox, visitor[1])
    tab_two = await ws.connect_widget(inbox, visitor[1])

    await tab_one.send_json_to({"type": "message", "client_id": "t-1", "body": "from tab one"})
    ack = await receive_json(tab_one)
    assert ack["type"] == "ack"

    frame = await receive_json(tab_two)
    assert frame == {"type": "message", "message": ack["message"]}
    await assert_no_frame(tab_one)  # the sender has it in its ack, not twice
    await assert_no_frame(tab_two)


async def test_first_message_of_a_visitor_in_two_tabs_reaches_the_other_tab(ws, inbox, visitor):
    tab_one = await ws.connect_widget(inbox, visitor[1])
    tab_two = await ws.connect_widget(inbox, visitor[1])
    assert tab_two.welcome["conversation"] is None

    await tab_one.send_json_to({"type": "message", "client_id": "t-1", "body": "anyone?"})
    ack = await receive_until(tab_one, "ack")

    frame = await receive_until(tab_two, "message")
    assert frame["message"] == ack["message"]


async def test_operator_reply_reaches_the_widget_live(ws, inbox, visitor, conversation, agent):
    widget = await ws.connect_widget(inbox, visitor[1])

    reply = await operator_writes(conversation, agent, "Hello! How can I help?")

    frame = await receive_json(widget)
    assert frame["type"] == "message"
    assert frame["message"]["id"] == reply.pk
    assert frame["message"]["body"] == "Hello! How can I help?"
    assert frame["message"]["author"] == {
        "kind": "operator",
        "id": agent.pk,
        "name": agent.display_name,
    }
    await assert_no_frame(widget)


async def test_a_private_note_changes_nothing_the_visitor_receives(
    ws, inbox, visitor, conversation, agent, widget_client_for
):
    await on_db(lambda: Conversation.objects.filter(pk=conversation.pk).update(assignee=agent))
    await visitor_writes(visitor[0], "where is my parcel?")
    session = {"inbox_key": inbox.inbox_key, "visitor_token": visitor[1]}
    widget_rest = widget_client_for(visitor[1])
    before_session = (await on_db(widget_rest.post, SESSIONS, session, format="json")).json()
    before = await ws.connect_widget(inbox, visitor[1], last_seq=1)
    widget = await ws.connect_widget(inbox, visitor[1], last_seq=1)

    await operator_writes(conversation, agent, "they complain a lot", private=True)

    await assert_no_frame(widget, timeout=1.0)
    after = await ws.connect_widget(inbox, visitor[1], last_seq=1)
    assert after.welcome == before.welcome
    assert set(after.welcome["conversation"]) == CONVERSATION_KEYS
    after_session = (await on_db(widget_rest.post, SESSIONS, session, format="json")).json()
    assert after_session["conversation"] == before_session["conversation"]


async def test_private_note_never_reaches_the_widget(
    ws, inbox, visitor, conversation, agent, agent_token, widget_client_for
):
    widget = await ws.connect_widget(inbox, visitor[1])
    console = await ws.connect_console(agent_token)

    # a note written through the service, and one through the console socket
    await operator_writes(conversation, agent, "SECRET-1: refund approved", private=True)
    await console.send_json_to(
        {
            "type": "message",
            "conversation": conversation.pk,
            "client_id": "note-2",
            "body": "SECRET-2: VIP customer",
            "private": True,
        }
    )
    assert (await receive_until(console, "ack"))["message"]["private"] is True
    # typing while writing a note is not shown to the visitor either
    await console.send_json_to(
        {"type": "typing", "conversation": conversation.pk, "active": True, "private": True}
    )
    # a conversation frame after the notes (its previews must not show them either)
    await on_db(
        lambda: conversations.conversation_status_set(
            conversation=conversation, actor=agent, status="pending"
        )
    )
    await operator_writes(conversation, agent, "Your refund is on its way")
    await operator_writes(conversation, agent, "SECRET-3: fraud check passed", private=True)

    # live: the public reply and the conversation change, and nothing of the notes
    frames = await frames_within(widget, 1.0)
    messages = [frame["message"] for frame in frames if frame["type"] == "message"]
    assert [(m["seq"], m["body"]) for m in messages] == [(3, "Your refund is on its way")]
    assert {frame["type"] for frame in frames} == {"message", "conversation"}, frames
    assert "SECRET" not in repr(frames)

    # replay on hello (the welcome's conversation included)
    again = await ws.connect_widget(inbox, visitor[1], last_seq=0)
    assert [m["body"] for m in await replayed(again)] == ["Your refund is on its way"]
    assert "SECRET" not in repr(again.welcome)

    # REST: the messages, and the session's conversation
    client = widget_client_for(visitor[1])
    response = await on_db(client.get, "/api/widget/v1/messages?after_seq=0")
    assert response.status_code == 200
    assert [m["body"] for m in response.json()["results"]] == ["Your refund is on its way"]
    assert b"SECRET" not in response.content
    session = await on_db(
        client.post,
        "/api/widget/v1/sessions",
        {"inbox_key": inbox.inbox_key, "visitor_token": visitor[1]},
        format="json",
    )
    assert session.status_code == 200
    assert session.json()["conversation"]["id"] == conversation.pk
    assert b"SECRET" not in session.content

    # the notes exist: they took seqs 1 and 2
    assert await on_db(_stored, conversation.pk) == [
        (1, "SECRET-1: refund approved", True),
        (2, "SECRET-2: VIP customer", True),
        (3, "Your refund is on its way", False),
        (4, "SECRET-3: fraud check passed", True),
    ]


# --- typing, read, ping -----------------------------------------------------------------------


async def test_visitor_typing_reaches_the_console(ws, inbox, visitor, conversation, agent_token):
    console = await ws.connect_console(agent_token)
    widget = await ws.connect_widget(inbox, visitor[1])

    await widget.send_json_to({"type": "typing", "active": True})
    assert await receive_until(console, "typing") == {
        "type": "typing",
        "conversation": conversation.pk,
        "author": {"kind": "visitor", "name": visitor[0].contact.name or "Visitor"},
        "active": True,
    }
    await widget.send_json_to({"type": "typing", "active": False})
    stopped = await receive_until(console, "typing")
    assert stopped["active"] is False and stopped["conversation"] == conversation.pk
    await assert_no_frame(widget)  # a visitor does not see their own typing


async def test_operator_typing_reaches_the_widget(
    ws, inbox, visitor, conversation, agent, agent_token
):
    widget = await ws.connect_widget(inbox, visitor[1])
    console = await ws.connect_console(agent_token)

    await console.send_json_to({"type": "typing", "conversation": conversation.pk, "active": True})

    assert await receive_json(widget) == {
        "type": "typing",
        "author": {"kind": "operator", "name": agent.display_name},
        "active": True,
    }


async def test_visitor_read_reaches_the_console_and_operator_read_reaches_the_widget(
    ws, inbox, visitor, conversation, agent, agent_token
):
    await operator_writes(conversation, agent, "one")
    await operator_writes(conversation, agent, "two")
    console = await ws.connect_console(agent_token)
    widget = await ws.connect_widget(inbox, visitor[1], last_seq=2)

    await widget.send_json_to({"type": "read", "seq": 2})
    read = await receive_until(console, "read")
    assert read["conversation"] == conversation.pk and read["seq"] == 2
    assert read["author"]["kind"] == "visitor"

    await visitor_writes(visitor[0], "thanks")  # seq 3
    assert (await receive_until(console, "message"))["message"]["seq"] == 3
    await console.send_json_to({"type": "read", "conversation": conversation.pk, "seq": 3})
    assert await receive_until(widget, "read") == {"type": "read", "seq": 3}

    marks = await on_db(
        lambda: Conversation.objects.values_list(
            "visitor_last_read_seq", "operator_last_read_seq"
        ).get(pk=conversation.pk)
    )
    assert marks == (2, 3)


async def test_ping_is_answered_with_pong(ws, inbox, visitor):
    widget = await ws.connect_widget(inbox, visitor[1])
    await ping_pong(widget)
    await ping_pong(widget)


# --- conversation changes ---------------------------------------------------------------------


async def test_status_and_assignee_changes_reach_the_widget_as_conversation_frames(
    ws, inbox, visitor, conversation, agent, admin
):
    widget = await ws.connect_widget(inbox, visitor[1])

    await on_db(
        lambda: assigning.conversation_assign(
            conversation=conversation, actor=admin, operator=agent
        )
    )
    assigned = await receive_until(widget, "conversation")
    assert set(assigned["conversation"]) == CONVERSATION_KEYS
    assert assigned["conversation"]["id"] == conversation.pk
    assert assigned["conversation"]["assignee"] == {"name": agent.display_name}

    await on_db(
        lambda: conversations.conversation_status_set(
            conversation=conversation, actor=agent, status="resolved"
        )
    )
    resolved = await receive_until(widget, "conversation")
    assert resolved["conversation"]["status"] == "resolved"


async def test_the_teams_labels_and_priority_send_the_visitor_nothing(
    ws, inbox, visitor, conversation
):
    widget = await ws.connect_widget(inbox, visitor[1])

    await on_db(
        lambda: conversations.conversation_labels_set(
            conversation=conversation, labels=["difficult-customer"]
        )
    )
    await on_db(
        lambda: conversations.conversation_priority_set(
            conversation=conversation, priority="urgent"
        )
    )

    await assert_no_frame(widget, timeout=1.0)
