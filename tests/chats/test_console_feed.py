"""The console feed (`chats.consumers.feed`): each process receives a conversation event once
and writes it to each console socket that may see it, once, and never to a visitor."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from chats.audience import Audience, Scope
from chats.consumers.feed import ConsoleFeed, Outbox, start_now
from chats.models import Conversation
from chats.services import assigning, authors, messages
from helpdesk.asgi import application
from operators.models import Role
from tests.ws_helpers import (
    CONSOLE_ORIGIN,
    CONSOLE_PATH,
    TIMEOUT,
    assert_no_frame,
    expect_close,
    headers,
    on_db,
    receive_json,
    receive_until,
)

AGENT_SCOPE = Scope(
    operator_id=4, sees_everything=False, inbox_ids=frozenset({3}), team_ids=frozenset()
)


def _assign(conversation: Conversation, operator: Any) -> None:
    assigning.conversation_assign(conversation=conversation, actor=operator, operator=operator)


def _write(conversation_id: int, operator: Any, body: str, private: bool = False) -> Any:
    return messages.message_create(
        conversation_id=conversation_id,
        author=authors.Author.of_operator(operator),
        body=body,
        private=private,
    )[0]


@pytest.mark.django_db(transaction=True)
async def test_an_operator_in_several_groups_of_a_message_gets_its_frame_once(
    ws, conversation, agent, agent_token, make_operator, team
):
    # the agent sees the conversation by its inbox, by its team and as its assignee:
    # three groups of the event, one frame
    await on_db(_assign, conversation, agent)
    colleague = await on_db(make_operator, Role.AGENT, [team])
    console = await ws.connect_console(agent_token)
    second_tab = await ws.connect_console(agent_token)

    message = await on_db(_write, conversation.pk, colleague, "one frame each")

    for socket in (console, second_tab):
        frame = await receive_until(socket, "message")
        assert frame["message"]["id"] == message.pk
        await assert_no_frame(socket)


@pytest.mark.django_db(transaction=True)
async def test_a_private_note_reaches_the_consoles_and_never_the_visitor(
    ws, inbox, visitor, conversation, agent, agent_token
):
    widget = await ws.connect_widget(inbox, visitor[1])
    console = await ws.connect_console(agent_token)

    note = await on_db(_write, conversation.pk, agent, "internal: refund approved", True)
    reply = await on_db(_write, conversation.pk, agent, "your refund is on its way")

    frames = [await receive_until(console, "message") for _ in range(2)]
    assert [f["message"]["id"] for f in frames] == [note.pk, reply.pk]
    frame = await receive_json(widget)
    assert frame["type"] == "message" and frame["message"]["id"] == reply.pk
    await assert_no_frame(widget)


# --- the feed on its own ----------------------------------------------------------------------


class FakeSocket:
    """A console socket whose writes can be held, as a transport whose buffer is full."""

    def __init__(self, scope: Scope = AGENT_SCOPE) -> None:
        self.ready = True
        self.closed = False
        self.scope_rule = scope
        self.frames: list[str] = []
        self.hold: asyncio.Event | None = None
        self.closed_with: Any = None

    async def send(self, text_data: str | None = None, bytes_data: Any = None, close: bool = False):
        if self.hold is not None:
            await self.hold.wait()
        assert text_data is not None
        self.frames.append(text_data)

    async def close(self, code: Any = None, reason: str | None = None) -> None:
        self.closed, self.closed_with = True, code


def _event(eid: str, frame: str, groups: list[str], inbox: int = 3) -> dict[str, Any]:
    audience = Audience(inbox=inbox, team=None, assignee=None)
    return {
        "type": "relay",
        "frame": frame,
        "audiences": [audience.as_dict()],
        "eid": eid,
        "groups": groups,
    }


async def _feed_with(*members: tuple[FakeSocket, set[str]]) -> ConsoleFeed:
    feed = ConsoleFeed(on_empty=lambda _feed: None)
    for member, wanted in members:
        feed.groups_of[member] = wanted
        feed.outboxes[member] = Outbox(member)
        for group in wanted:
            feed.members.setdefault(group, set()).add(member)
    return feed


async def test_each_copy_of_an_event_after_the_first_is_dropped():
    socket = FakeSocket()
    feed = await _feed_with((socket, {"inbox.3", "supervisors"}))

    for _copy in ("supervisors", "inbox.3"):
        feed.deliver(_event("e1", "F1", ["supervisors", "inbox.3"]))

    assert socket.frames == ["F1"]


async def test_a_socket_gets_only_what_its_operator_may_see_and_only_once_ready():
    mine, other_inbox, not_ready = FakeSocket(), FakeSocket(), FakeSocket()
    other_inbox.scope_rule = Scope(
        operator_id=5, sees_everything=False, inbox_ids=frozenset({9}), team_ids=frozenset()
    )
    not_ready.ready = False
    # `other_inbox` is still listed in the group (a scope change racing the event): the
    # audience check keeps it out
    feed = await _feed_with(
        (mine, {"inbox.3"}), (other_inbox, {"inbox.3"}), (not_ready, {"inbox.3"})
    )

    feed.deliver(_event("e1", "F1", ["inbox.3"]))
    feed.deliver({"type": "layer.reconnected"})  # each socket hears that on its own channel

    assert mine.frames == ["F1"]
    assert other_inbox.frames == [] and not_ready.frames == []


async def test_a_socket_that_cannot_take_more_holds_up_nobody_else_and_keeps_its_order():
    stuck, quick = FakeSocket(), FakeSocket()
    stuck.hold = asyncio.Event()
    feed = await _feed_with((stuck, {"inbox.3"}), (quick, {"inbox.3"}))

    for number in range(3):
        feed.deliver(_event(f"e{number}", f"F{number}", ["inbox.3"]))

    assert quick.frames == ["F0", "F1", "F2"]  # written at once, without a turn of the loop
    assert stuck.frames == []
    stuck.hold.set()
    for _turn in range(10):
        await asyncio.sleep(0)
    assert stuck.frames == ["F0", "F1", "F2"]


async def test_a_socket_too_far_behind_is_closed_1013_and_what_waited_is_dropped(settings):
    settings.WS_CONSOLE_BACKLOG_BYTES = 20
    stuck, quick = FakeSocket(), FakeSocket()
    stuck.hold = asyncio.Event()  # its client stopped reading
    feed = await _feed_with((stuck, {"inbox.3"}), (quick, {"inbox.3"}))
    outbox = feed.outboxes[stuck]

    for number in range(3):  # one write under way, 2 x 9 bytes waiting: within 20 bytes
        feed.deliver(_event(f"e{number}", f"frame-{number:03}", ["inbox.3"]))
    assert outbox.backlog_bytes == 18 and stuck.closed_with is None
    feed.deliver(_event("e3", "frame-003", ["inbox.3"]))  # 27 bytes would wait: too far behind
    for _turn in range(3):
        await asyncio.sleep(0)

    assert stuck.closed_with == 1013
    assert outbox.backlog is None and outbox.backlog_bytes == 0
    feed.deliver(_event("e4", "frame-004", ["inbox.3"]))
    assert outbox.backlog is None  # nothing more waits for a socket that is closing
    assert quick.frames == [f"frame-{number:03}" for number in range(5)]
    assert quick.closed_with is None


async def test_start_now_finishes_a_coroutine_that_never_waits_without_the_event_loop():
    done: list[int] = []

    async def quick() -> None:
        done.append(1)

    assert start_now(quick()) is None
    assert done == [1]


async def test_start_now_hands_back_what_finishes_a_coroutine_that_had_to_wait():
    gate = asyncio.Event()

    async def slow() -> str:
        await gate.wait()
        await asyncio.sleep(0)
        return "finished"

    pending = start_now(slow())
    assert pending is not None
    gate.set()
    assert await asyncio.wait_for(_await(pending), 5) == "finished"


async def _await(awaitable: Any) -> Any:
    return await awaitable


async def test_frames_for_a_socket_held_by_its_own_send_come_after_its_ack_in_order():
    sender, other = FakeSocket(), FakeSocket()
    feed = await _feed_with((sender, {"inbox.3"}), (other, {"inbox.3"}))
    outbox = feed.outboxes[sender]

    outbox.hold()  # the socket's `message` handler is storing its message
    feed.deliver(_event("e1", "its own message", ["inbox.3"]))
    feed.deliver(_event("e2", "the next one", ["inbox.3"]))
    assert sender.frames == [] and other.frames == ["its own message", "the next one"]
    await sender.send(text_data="ack")
    outbox.release()

    assert sender.frames == ["ack", "its own message", "the next one"]
    feed.deliver(_event("e3", "after", ["inbox.3"]))
    assert sender.frames[-1] == "after"


class FlakyLayer:
    """A channel layer whose first subscription fails (Redis away for a moment)."""

    def __init__(self) -> None:
        self.added: list[str] = []
        self.failures = 1

    async def new_channel(self, prefix: str = "specific.") -> str:
        return prefix + "test"

    async def group_add(self, group: str, channel: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("redis is away")
        self.added.append(group)

    async def group_discard(self, group: str, channel: str) -> None:
        pass

    async def receive(self, channel: str) -> dict[str, Any]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


class StopsReading:
    """ASGI middleware standing for a client that stops reading once told to: from then on
    each frame the server writes waits, as a write does on a socket whose buffers are full."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.stopped = False
        self.gone = asyncio.Event()  # set when the test ends, to let the stuck writes go

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        async def slow_send(message: dict[str, Any]) -> None:
            if message["type"] == "websocket.send" and self.stopped:
                await self.gone.wait()
                return
            await send(message)

        return await self.app(scope, receive, slow_send)


@pytest.mark.django_db(transaction=True)
async def test_a_console_that_stops_reading_is_closed_1013_once_too_far_behind(
    ws, conversation, agent, agent_token, settings
):
    settings.WS_CONSOLE_BACKLOG_BYTES = 4096
    client = StopsReading(application)
    console = WebsocketCommunicator(client, CONSOLE_PATH, headers=headers(CONSOLE_ORIGIN))
    ws.opened.append(console)
    assert (await console.connect(timeout=TIMEOUT))[0]
    await console.send_json_to({"type": "hello", "token": agent_token})
    assert (await receive_json(console))["type"] == "welcome"
    client.stopped = True

    try:
        for number in range(12):  # about 500 bytes a frame
            await on_db(_write, conversation.pk, agent, f"reply {number}: " + "x" * 200)

        await expect_close(console, 1013)
    finally:
        client.gone.set()


async def test_a_failed_subscription_fails_its_follower_and_the_next_one_subscribes_again():
    feed = ConsoleFeed(on_empty=lambda _feed: None)
    feed.layer = FlakyLayer()
    first, second = FakeSocket(), FakeSocket()
    try:
        with pytest.raises(ConnectionError):
            await feed.follow(first, {"inbox.3"})

        await feed.follow(second, {"inbox.3"})
        assert feed.layer.added == ["inbox.3"]
        feed.deliver(_event("e1", "F1", ["inbox.3"]))
        assert second.frames == ["F1"]
    finally:
        await feed.close()
