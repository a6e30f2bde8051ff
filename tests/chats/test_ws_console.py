"""The console websocket (`/ws/console/v1/`), end to end through the real ASGI application and
the Redis channel layer: login, what streams to whom, sends, and forced closes."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from chats.models import Conversation, Message
from chats.services import authors, conversations, messages
from operators.models import Operator, Role, Status
from operators.services import operator_status_set, operator_update, token_issue
from tests.factories import InboxFactory, visitor_for
from tests.ws_helpers import (
    assert_no_frame,
    expect_close,
    on_db,
    ping_pong,
    receive_error,
    receive_json,
    receive_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

CLOSE_UNAUTHORIZED = 4401


def _operator_writes(conversation_id: int, operator: Any, body: str, private: bool = False):
    message, _created = messages.message_create(
        conversation_id=conversation_id,
        author=authors.Author.of_operator(operator),
        body=body,
        private=private,
    )
    return message


async def operator_writes(conversation_id: int, operator: Any, body: str, private: bool = False):
    return await on_db(_operator_writes, conversation_id, operator, body, private)


def _visitor_writes(visitor: Any, body: str) -> Any:
    return messages.visitor_message_send(visitor=visitor, body=body, client_id=None)[0]


def _conversation_in_new_inbox(team: Any) -> Conversation:
    """A conversation of a visitor in another inbox, of `team`."""
    inbox = InboxFactory(team=team)
    visitor, _token = visitor_for(inbox)
    return conversations.conversation_open(inbox=inbox, contact=visitor.contact)


def _session_cookie(operator: Any) -> str:
    client = Client()
    client.force_login(operator)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def new_token(operator: Any) -> str:
    return (await on_db(token_issue, operator=operator))[1]


# --- hello ------------------------------------------------------------------------------------


async def test_hello_with_a_token_is_welcomed(ws, agent, agent_token):
    console = await ws.connect_console(agent_token)

    assert console.welcome["operator"]["id"] == agent.pk
    assert console.welcome["operator"]["role"] == "agent"
    await ping_pong(console)


async def test_hello_with_the_session_cookie_of_the_console_login_is_welcomed(ws, agent):
    cookie = await on_db(_session_cookie, agent)

    console = await ws.connect_console(cookie=cookie)

    assert console.welcome["operator"]["id"] == agent.pk
    await ping_pong(console)


@pytest.mark.parametrize(
    "hello",
    [
        {"type": "hello", "token": "not-a-real-token"},
        {"type": "hello", "token": ""},
        {"type": "hello"},
        {"type": "hello", "token": None},
    ],
    ids=["bad", "empty", "missing", "null"],
)
async def test_hello_with_a_bad_or_missing_token_is_closed_4401(ws, agent, hello):
    console = await ws.open_console()

    await console.send_json_to(hello)

    frames = await expect_close(console, CLOSE_UNAUTHORIZED)
    assert [frame["type"] for frame in frames] == ["error"]


async def test_hello_with_a_revoked_token_or_of_a_deactivated_operator_is_closed_4401(
    ws, agent, client_for
):
    revoked = await on_db(client_for, agent)
    response = await on_db(revoked.delete, "/api/v1/auth/token")
    assert response.status_code == 204
    console = await ws.open_console()
    await console.send_json_to({"type": "hello", "token": revoked.token})
    await expect_close(console, CLOSE_UNAUTHORIZED)

    token = await new_token(agent)
    await on_db(operator_update, operator=agent, changes={"is_active": False})
    console = await ws.open_console()
    await console.send_json_to({"type": "hello", "token": token})
    await expect_close(console, CLOSE_UNAUTHORIZED)


# --- what streams to whom ---------------------------------------------------------------------


async def test_messages_of_visible_conversations_stream_live_private_notes_included(
    ws, visitor, conversation, agent, agent_token, make_operator, team
):
    colleague = await on_db(make_operator, Role.AGENT, [team])
    console = await ws.connect_console(agent_token)

    from_visitor = await on_db(_visitor_writes, visitor[0], "where is my order?")
    note = await operator_writes(conversation.pk, colleague, "checking the warehouse", True)
    reply = await operator_writes(conversation.pk, colleague, "it ships today")

    frames = [await receive_until(console, "message") for _ in range(3)]
    assert [frame["message"]["id"] for frame in frames] == [from_visitor.pk, note.pk, reply.pk]
    assert [frame["message"]["private"] for frame in frames] == [False, True, False]
    assert frames[1]["message"]["body"] == "checking the warehouse"
    assert all(frame["message"]["conversation"] == conversation.pk for frame in frames)


async def test_an_agent_of_another_team_receives_nothing_of_a_conversation_it_may_not_see(
    ws, inbox, visitor, conversation, agent, agent_token, make_operator, other_team
):
    theirs = await on_db(_conversation_in_new_inbox, other_team)
    outsider = await on_db(make_operator, Role.AGENT, [other_team])
    outsider_console = await ws.connect_console(await new_token(outsider))
    widget = await ws.connect_widget(inbox, visitor[1])
    console = await ws.connect_console(agent_token)

    # everything that happens in a conversation the outsider may not see
    await on_db(_visitor_writes, visitor[0], "hello")
    await operator_writes(conversation.pk, agent, "internal", private=True)
    await operator_writes(conversation.pk, agent, "hi!")
    await widget.send_json_to({"type": "typing", "active": True})
    await widget.send_json_to({"type": "read", "seq": 3})
    await console.send_json_to({"type": "typing", "conversation": conversation.pk, "active": True})
    await on_db(
        lambda: conversations.conversation_labels_set(conversation=conversation, labels=["refund"])
    )
    await on_db(
        lambda: conversations.conversation_status_set(
            conversation=conversation, actor=agent, status="resolved"
        )
    )
    await receive_until(console, "read")  # the visible side did see it all happen
    await receive_until(widget, "conversation")

    # then something the outsider may see: it is the first frame they get
    mine = await operator_writes(theirs.pk, outsider, "for the other team")
    frame = await receive_json(outsider_console)
    assert frame["type"] == "message" and frame["message"]["id"] == mine.pk
    await assert_no_frame(outsider_console)

    # and the outsider cannot reach in either
    await outsider_console.send_json_to(
        {"type": "message", "conversation": conversation.pk, "client_id": "x-1", "body": "hi"}
    )
    error = await receive_error(outsider_console, "not_found")
    assert error["client_id"] == "x-1"
    assert await on_db(lambda: Message.objects.filter(client_id="x-1").exists()) is False


# --- sending ----------------------------------------------------------------------------------


async def test_console_message_is_acked_and_a_repeated_client_id_gets_the_same_message(
    ws, inbox, visitor, conversation, agent, agent_token
):
    widget = await ws.connect_widget(inbox, visitor[1])
    console = await ws.connect_console(agent_token)
    other_tab = await ws.connect_console(agent_token)

    await console.send_json_to(
        {
            "type": "message",
            "conversation": conversation.pk,
            "client_id": "op-1",
            "body": "On it!",
            "private": False,
        }
    )
    ack = await receive_until(console, "ack")
    stored = await on_db(lambda: Message.objects.filter(pk=ack["message"]["id"]).values().first())
    assert stored is not None and stored["body"] == "On it!" and stored["seq"] == 1
    assert ack["client_id"] == "op-1"
    assert ack["message"]["body"] == "On it!" and ack["message"]["private"] is False
    assert ack["message"]["author"] == {
        "kind": "operator",
        "id": agent.pk,
        "name": agent.display_name,
    }

    await console.send_json_to(
        {
            "type": "message",
            "conversation": conversation.pk,
            "client_id": "op-1",
            "body": "something else",
            "private": False,
        }
    )
    again = await receive_until(console, "ack")
    assert again["client_id"] == "op-1" and again["message"] == ack["message"]
    assert await on_db(lambda: Message.objects.filter(conversation=conversation).count()) == 1

    # the reply took the conversation: the visitor learns who answers, then gets it once, as
    # does the operator's other tab
    taken = await receive_json(widget)
    assert taken["type"] == "conversation"
    assert taken["conversation"]["assignee"]["name"] == agent.display_name
    assert await receive_json(widget) == {"type": "message", "message": ack["message"]}
    await assert_no_frame(widget)
    assert (await receive_until(other_tab, "message"))["message"] == ack["message"]


# --- forced closes ----------------------------------------------------------------------------


async def test_revoking_a_token_closes_every_socket_opened_with_it_within_5_seconds(
    ws, agent, client_for
):
    client: APIClient = await on_db(client_for, agent)
    first = await ws.connect_console(client.token)
    second = await ws.connect_console(client.token)
    other_token = await ws.connect_console(await new_token(agent))

    response = await on_db(client.delete, "/api/v1/auth/token")
    assert response.status_code == 204

    await expect_close(first, CLOSE_UNAUTHORIZED, timeout=5)
    await expect_close(second, CLOSE_UNAUTHORIZED, timeout=5)
    await ping_pong(other_token)  # a socket of another token stays
    assert (await on_db(client.get, "/api/v1/me")).status_code == 401


@pytest.mark.parametrize(
    "changes",
    [{"is_active": False}, {"password": "a-brand-new-passphrase-77"}],
    ids=["deactivated", "password_changed"],
)
async def test_deactivating_an_operator_or_changing_their_password_closes_all_their_sockets(
    ws, agent, agent_token, changes, make_operator, team
):
    colleague = await on_db(make_operator, Role.AGENT, [team])
    by_token = await ws.connect_console(agent_token)
    by_cookie = await ws.connect_console(cookie=await on_db(_session_cookie, agent))
    colleagues = await ws.connect_console(await new_token(colleague))

    await on_db(operator_update, operator=agent, changes=dict(changes))

    await expect_close(by_token, CLOSE_UNAUTHORIZED, timeout=5)
    await expect_close(by_cookie, CLOSE_UNAUTHORIZED, timeout=5)
    await ping_pong(colleagues)


async def test_removing_an_operator_from_a_team_stops_its_inboxes_frames_at_once(
    ws, conversation, agent, agent_token, other_team, team, make_operator
):
    theirs = await on_db(_conversation_in_new_inbox, other_team)
    await on_db(lambda: agent.teams.add(other_team))
    writer = await on_db(make_operator, Role.ADMIN)
    console = await ws.connect_console(agent_token)
    await operator_writes(conversation.pk, writer, "before")
    assert (await receive_until(console, "message"))["message"]["body"] == "before"

    await on_db(operator_update, operator=agent, changes={"teams": [other_team]})
    await operator_writes(conversation.pk, writer, "after: not for you any more")
    await operator_writes(theirs.pk, writer, "still yours")

    frame = await receive_json(console)
    assert frame["type"] == "message" and frame["message"]["body"] == "still yours"
    await assert_no_frame(console)

    # with no inbox left, the socket closes
    await on_db(operator_update, operator=agent, changes={"teams": []})
    await expect_close(console, CLOSE_UNAUTHORIZED, timeout=5)


async def test_a_revalidation_that_read_before_a_team_change_does_not_restore_the_old_access(
    ws, conversation, agent, agent_token, other_team, make_operator, monkeypatch, settings
):
    """The periodic check re-reads the operator's access; one that read just before the team
    change must not put the old access back after the change has been applied."""
    from chats.consumers import revalidation

    theirs = await on_db(_conversation_in_new_inbox, other_team)
    await on_db(lambda: agent.teams.add(other_team))
    writer = await on_db(make_operator, Role.ADMIN)
    read_done, go = threading.Event(), threading.Event()
    real_still_valid = revalidation.still_valid_many

    def slow_still_valid(credentials: Any) -> Any:
        scopes = real_still_valid(credentials)
        if not read_done.is_set():  # the first check reads now, answers after the change
            read_done.set()
            go.wait(timeout=10)
        return scopes

    monkeypatch.setattr(revalidation, "still_valid_many", slow_still_valid)
    settings.WS_REVALIDATE_SECONDS = 0.05
    console = await ws.connect_console(agent_token)
    try:
        assert await asyncio.to_thread(read_done.wait, 5)
        settings.WS_REVALIDATE_SECONDS = 60  # no further checks during the test
        await on_db(operator_update, operator=agent, changes={"teams": [other_team]})
        marker = await operator_writes(theirs.pk, writer, "the change has been applied")
        assert (await receive_json(console))["message"]["id"] == marker.pk
    finally:
        go.set()
    await asyncio.sleep(0.3)  # the stale check has answered

    await operator_writes(conversation.pk, writer, "not for you any more")
    last = await operator_writes(theirs.pk, writer, "still yours")
    assert (await receive_json(console))["message"]["id"] == last.pk


async def test_opening_the_console_makes_an_offline_operator_online_and_tells_colleagues(
    ws, agent, agent_token, make_operator, team
):
    colleague = await on_db(make_operator, Role.AGENT, [team], status=Status.ONLINE)
    watching = await ws.connect_console(await new_token(colleague))
    await on_db(Operator.objects.filter(pk=agent.pk).update, status=Status.OFFLINE)

    console = await ws.connect_console(agent_token)

    assert console.welcome["operator"]["status"] == "online"
    frame = await receive_until(watching, "operator")
    assert frame["operator"]["id"] == agent.pk and frame["operator"]["status"] == "online"


async def test_an_idle_console_makes_its_operator_away_and_activity_online(ws, agent, agent_token):
    console = await ws.connect_console(agent_token)

    await console.send_json_to({"type": "idle", "idle": True})
    assert (await receive_until(console, "operator"))["operator"]["status"] == "away"
    await console.send_json_to({"type": "idle", "idle": False})
    assert (await receive_until(console, "operator"))["operator"]["status"] == "online"


async def test_an_idle_frame_needs_a_boolean(ws, agent_token):
    console = await ws.connect_console(agent_token)

    await console.send_json_to({"type": "idle", "idle": "yes"})
    await receive_error(console, "invalid_frame")


async def test_operator_status_change_streams_an_operator_frame(
    ws, agent_token, make_operator, team
):
    colleague = await on_db(make_operator, Role.AGENT, [team], status=Status.ONLINE)
    console = await ws.connect_console(agent_token)

    await on_db(operator_status_set, operator=colleague, status=Status.AWAY)

    frame = await receive_until(console, "operator")
    assert frame["operator"] == {
        "id": colleague.pk,
        "name": colleague.display_name,
        "status": "away",
        "role": "agent",
    }
