"""Hostile and broken input on both websockets: every malformed frame gets an `error` frame
and the connection stays open; oversized frames, silence, bad credentials, foreign origins and
floods are refused as the contract says; and the server keeps serving afterwards."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from chats.models import Conversation, Message
from chats.services import authors, conversations, messages
from tests.factories import InboxFactory, visitor_for
from tests.ws_helpers import (
    CONSOLE_ORIGIN,
    CONSOLE_PATH,
    TIMEOUT,
    WIDGET_ORIGIN,
    assert_no_frame,
    expect_close,
    frames_within,
    on_db,
    ping_pong,
    receive_error,
    receive_json,
    widget_path,
)

pytestmark = pytest.mark.django_db(transaction=True)

CLOSE_UNAUTHORIZED = 4401
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_TOO_MANY_SOCKETS = 4429
CLOSE_REFUSED = 4403  # a handshake refused by the consumer (HTTP 403 on a real server)
KINDS = ["widget", "console"]
LONE_SURROGATE = "\\ud83d"  # a JSON escape that is valid JSON but no Unicode text


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def welcomed(ws, kind, inbox, visitor, conversation, agent_token) -> Any:
    """A socket of `kind` after hello and welcome, with a conversation to write into."""
    if kind == "widget":
        return await ws.connect_widget(inbox, visitor[1])
    return await ws.connect_console(agent_token)


def message_frame(kind: str, conversation: Conversation, **fields: Any) -> dict[str, Any]:
    frame = {"type": "message", **fields}
    if kind == "console":
        frame.setdefault("conversation", conversation.pk)
    return frame


def _message_count() -> int:
    return Message.objects.count()


async def stored_count() -> int:
    return await on_db(_message_count)


# --- malformed frames -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["{not json", "{'type': 'ping'}", '{"type": "ping"', "\ufeff"])
async def test_a_non_json_text_frame_gets_malformed_json_and_the_connection_stays_open(
    welcomed, text
):
    await welcomed.send_to(text_data=text)

    await receive_error(welcomed, "malformed_json")
    await ping_pong(welcomed)


@pytest.mark.parametrize("text", ["[1, 2]", '[{"type": "ping"}]', "42", '"ping"', "null", "true"])
async def test_a_json_frame_that_is_not_an_object_gets_an_error(welcomed, text):
    await welcomed.send_to(text_data=text)

    await receive_error(welcomed, "invalid_frame")
    await ping_pong(welcomed)


async def test_an_unknown_type_gets_unknown_type(welcomed):
    await welcomed.send_json_to({"type": "subscribe_everything"})
    await receive_error(welcomed, "unknown_type")

    await welcomed.send_json_to({"type": "relay", "frame": "{}"})  # a server-side event name
    await receive_error(welcomed, "unknown_type")

    for no_type in ({"kind": "ping"}, {"type": 7}, {"type": None}):
        await welcomed.send_json_to(no_type)
        await receive_error(welcomed, "invalid_frame")
    await ping_pong(welcomed)


@pytest.mark.parametrize(
    "fields",
    [
        {"body": 12345},
        {"body": ["hello"]},
        {"body": {"text": "hello"}},
        {"body": True},
    ],
    ids=["number", "list", "object", "bool"],
)
async def test_a_message_body_of_the_wrong_type_gets_invalid_frame_with_the_client_id(
    welcomed, kind, conversation, fields
):
    await welcomed.send_json_to(message_frame(kind, conversation, client_id="bad-1", **fields))

    error = await receive_error(welcomed, "invalid_frame")
    assert error["client_id"] == "bad-1"
    assert await stored_count() == 0
    await ping_pong(welcomed)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "typing", "active": "yes"},
        {"type": "typing", "active": 1},
        {"type": "read", "seq": "2"},
        {"type": "read", "seq": 1.5},
        {"type": "read", "seq": -1},
    ],
    ids=["active_string", "active_number", "seq_string", "seq_float", "seq_negative"],
)
async def test_typing_and_read_with_a_wrong_field_get_invalid_frame(
    welcomed, kind, conversation, frame
):
    if kind == "console":
        frame = {**frame, "conversation": conversation.pk}

    await welcomed.send_json_to(frame)

    await receive_error(welcomed, "invalid_frame")
    await ping_pong(welcomed)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "message", "client_id": "c-7", "body": "hi", "conversation": "1"},
        {"type": "message", "client_id": "c-7", "body": "hi", "private": "yes"},
        {"type": "typing", "conversation": [1], "active": True},
        {"type": "read", "conversation": None, "seq": 1},
    ],
    ids=["conversation_string", "private_string", "conversation_list", "conversation_null"],
)
async def test_console_frames_with_a_wrong_conversation_or_private_get_invalid_frame(
    ws, agent_token, conversation, frame
):
    console = await ws.connect_console(agent_token)
    if frame["type"] == "message" and "conversation" not in frame:
        frame = {**frame, "conversation": conversation.pk}

    await console.send_json_to(frame)

    error = await receive_error(console, "invalid_frame")
    assert error.get("client_id") == frame.get("client_id")
    assert await stored_count() == 0
    await ping_pong(console)


async def test_hello_with_last_seq_as_a_string_gets_invalid_frame_and_may_be_retried(
    ws, inbox, visitor, conversation
):
    widget = await ws.open_widget(inbox)

    await widget.send_json_to({"type": "hello", "visitor_token": visitor[1], "last_seq": "5"})
    await receive_error(widget, "invalid_frame")

    await widget.send_json_to({"type": "hello", "visitor_token": visitor[1], "last_seq": 0})
    welcome = await receive_json(widget)
    assert welcome["type"] == "welcome" and welcome["conversation"]["id"] == conversation.pk
    await ping_pong(widget)


@pytest.mark.parametrize(
    ("frame", "client_id"),
    [
        ({"type": "message", "client_id": "m-1"}, "m-1"),
        ({"type": "typing"}, None),
        ({"type": "read"}, None),
    ],
    ids=["message_without_body", "typing_without_active", "read_without_seq"],
)
async def test_a_frame_missing_a_field_gets_invalid_frame(
    welcomed, kind, conversation, frame, client_id
):
    if kind == "console":
        frame = {**frame, "conversation": conversation.pk}

    await welcomed.send_json_to(frame)

    error = await receive_error(welcomed, "invalid_frame")
    assert error.get("client_id") == client_id
    assert await stored_count() == 0
    await ping_pong(welcomed)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "message", "client_id": "m-2", "body": "hi"},
        {"type": "typing", "active": True},
        {"type": "read", "seq": 1},
    ],
    ids=["message", "typing", "read"],
)
async def test_a_console_frame_without_its_conversation_gets_invalid_frame(ws, agent_token, frame):
    console = await ws.connect_console(agent_token)

    await console.send_json_to(frame)

    error = await receive_error(console, "invalid_frame")
    assert "conversation" in error["message"]
    assert error.get("client_id") == frame.get("client_id")
    await ping_pong(console)


async def test_a_console_frame_for_a_conversation_that_does_not_exist_gets_not_found(
    ws, agent_token
):
    console = await ws.connect_console(agent_token)

    for conversation_id in (987654, 2**62, 2**70):
        await console.send_json_to(
            {"type": "message", "conversation": conversation_id, "client_id": "x", "body": "hi"}
        )
        error = await receive_error(console, "not_found")
        assert error["client_id"] == "x"
        await console.send_json_to(
            {"type": "typing", "conversation": conversation_id, "active": True}
        )
        await receive_error(console, "not_found")
        await console.send_json_to({"type": "read", "conversation": conversation_id, "seq": 1})
        await receive_error(console, "not_found")
    assert await stored_count() == 0
    await ping_pong(console)


async def test_a_huge_last_seq_or_read_seq_is_served_not_crashed(ws, inbox, visitor, conversation):
    widget = await ws.connect_widget(inbox, visitor[1], last_seq=2**70)
    await assert_no_frame(widget, 0.3)

    await widget.send_json_to({"type": "read", "seq": 2**70})
    await widget.send_json_to({"type": "message", "client_id": "after", "body": "still here"})
    ack = await receive_json(widget)
    assert ack["type"] == "ack" and ack["message"]["seq"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [("x" * 10_001, "body_too_long"), ("", "empty_body"), (" \n\t ", "empty_body")],
    ids=["too_long", "empty", "whitespace"],
)
async def test_a_body_out_of_bounds_gets_an_error_and_nothing_is_stored(
    welcomed, kind, conversation, body, code
):
    await welcomed.send_json_to(message_frame(kind, conversation, client_id="long-1", body=body))

    error = await receive_error(welcomed, code)
    assert error["client_id"] == "long-1"
    assert await stored_count() == 0
    await ping_pong(welcomed)


async def test_a_body_of_exactly_ten_thousand_characters_is_accepted(welcomed, kind, conversation):
    body = "я" * 10_000  # code points, not bytes
    await welcomed.send_json_to(message_frame(kind, conversation, client_id="max", body=body))

    ack = await receive_json(welcomed)
    assert ack["type"] == "ack" and ack["message"]["body"] == body


@pytest.mark.parametrize(
    "client_id", ["c" * 65, 17, ["a"], ""], ids=["too_long", "number", "list", "empty"]
)
async def test_a_bad_client_id_gets_an_error_and_nothing_is_stored(
    welcomed, kind, conversation, client_id
):
    await welcomed.send_json_to(message_frame(kind, conversation, client_id=client_id, body="hi"))

    error = await receive_json(welcomed)
    assert error["type"] == "error" and error["code"] in {"invalid_client_id", "invalid_frame"}
    assert await stored_count() == 0
    await ping_pong(welcomed)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 30_000 + "]" * 30_000,
        '{"type": "typing", "active": true, "x": ' + "[" * 20_000 + "]" * 20_000 + "}",
        '{"type": "ping", "n": ' + "9" * 5_000 + "}",
    ],
    ids=["deep_array", "deep_field", "huge_number"],
)
async def test_json_too_deep_or_too_long_to_parse_gets_malformed_json(welcomed, text):
    assert len(text.encode()) < 64 * 1024

    await welcomed.send_to(text_data=text)

    await receive_error(welcomed, "malformed_json")
    await ping_pong(welcomed)


@pytest.mark.parametrize(
    "fields",
    [
        {"client_id": "s-1", "body": "half an emoji LONE"},
        {"client_id": "s-LONE", "body": "hello"},
    ],
    ids=["body", "client_id"],
)
async def test_a_lone_surrogate_in_a_frame_gets_an_error_and_nothing_is_stored(
    welcomed, kind, conversation, fields
):
    frame = message_frame(kind, conversation, **fields)
    text = json.dumps(frame).replace("LONE", LONE_SURROGATE)

    await welcomed.send_to(text_data=text)

    error = await receive_json(welcomed)
    assert error["type"] == "error" and error["code"] == "malformed_json"
    json.dumps(error, ensure_ascii=False).encode()  # what we answer is valid UTF-8 text
    assert await stored_count() == 0
    await ping_pong(welcomed)


async def test_a_frame_with_a_valid_surrogate_pair_escape_is_stored_as_the_character(
    welcomed, kind, conversation
):
    frame = message_frame(kind, conversation, client_id="pair", body="laptop \U0001f4bb")
    await welcomed.send_to(text_data=json.dumps(frame))  # ensure_ascii: "\\ud83d\\udcbb"

    ack = await receive_json(welcomed)
    assert ack["type"] == "ack" and ack["message"]["body"] == "laptop \U0001f4bb"


async def test_a_lone_surrogate_in_a_token_gets_malformed_json_and_no_welcome(ws, kind, inbox):
    socket = await (ws.open_widget(inbox) if kind == "widget" else ws.open_console())
    field = "visitor_token" if kind == "widget" else "token"

    hello = json.dumps({"type": "hello", field: "LONE", "last_seq": 0})
    await socket.send_to(text_data=hello.replace("LONE", LONE_SURROGATE))

    await receive_error(socket, "malformed_json")
    await socket.send_json_to({"type": "ping"})
    await receive_error(socket, "hello_required")


async def test_a_binary_frame_gets_binary_not_supported(welcomed):
    await welcomed.send_to(bytes_data=json.dumps({"type": "ping"}).encode())

    await receive_error(welcomed, "binary_not_supported")
    await ping_pong(welcomed)


# --- oversized frames -------------------------------------------------------------------------


async def test_a_frame_over_64_kib_is_closed_with_1009_and_a_fresh_socket_is_served(
    ws, welcomed, kind, conversation, inbox, visitor, agent_token
):
    frame = message_frame(kind, conversation, client_id="big", body="x" * (64 * 1024))

    await welcomed.send_json_to(frame)

    await expect_close(welcomed, CLOSE_TOO_BIG)
    assert await stored_count() == 0
    if kind == "widget":
        fresh = await ws.connect_widget(inbox, visitor[1])
    else:
        fresh = await ws.connect_console(agent_token)
    await fresh.send_json_to(message_frame(kind, conversation, client_id="small", body="hi"))
    ack = await receive_json(fresh)
    assert ack["type"] == "ack" and ack["message"]["body"] == "hi"


async def test_a_binary_frame_over_64_kib_is_closed_with_1009(welcomed):
    await welcomed.send_to(bytes_data=b"\x00" * (64 * 1024 + 1))

    await expect_close(welcomed, CLOSE_TOO_BIG)


async def test_a_frame_just_under_64_kib_is_read_not_closed(welcomed, kind, conversation):
    frame = message_frame(kind, conversation, client_id="near", body="")
    frame["body"] = "x" * (64 * 1024 - len(json.dumps(frame)) - 10)
    assert len(json.dumps(frame).encode()) < 64 * 1024

    await welcomed.send_json_to(frame)

    await receive_error(welcomed, "body_too_long")
    await ping_pong(welcomed)


async def test_a_frame_over_64_kib_before_hello_is_closed_with_1009(ws, kind, inbox):
    socket = await (ws.open_widget(inbox) if kind == "widget" else ws.open_console())

    await socket.send_to(text_data=json.dumps({"type": "hello", "pad": "x" * 70_000}))

    await expect_close(socket, CLOSE_TOO_BIG)


# --- hello ------------------------------------------------------------------------------------


async def test_no_hello_within_the_hello_timeout_is_closed_4401(ws, kind, inbox, settings):
    settings.WS_HELLO_TIMEOUT_SECONDS = 0.5
    socket = await (ws.open_widget(inbox) if kind == "widget" else ws.open_console())

    await expect_close(socket, CLOSE_UNAUTHORIZED, timeout=3)


async def test_a_socket_that_said_hello_outlives_the_hello_timeout(
    ws, kind, inbox, visitor, agent_token, settings
):
    settings.WS_HELLO_TIMEOUT_SECONDS = 0.3
    if kind == "widget":
        socket = await ws.connect_widget(inbox, visitor[1])
    else:
        socket = await ws.connect_console(agent_token)

    await assert_no_frame(socket, 0.8)
    await ping_pong(socket)


async def test_a_frame_before_hello_gets_hello_required(ws, kind, inbox, visitor, agent_token):
    socket = await (ws.open_widget(inbox) if kind == "widget" else ws.open_console())

    await socket.send_json_to({"type": "ping"})
    await receive_error(socket, "hello_required")
    await socket.send_json_to({"type": "message", "client_id": "early", "body": "hi"})
    await receive_error(socket, "hello_required")
    assert await stored_count() == 0

    if kind == "widget":
        hello = {"type": "hello", "visitor_token": visitor[1], "last_seq": 0}
    else:
        hello = {"type": "hello", "token": agent_token}
    await socket.send_json_to(hello)
    assert (await receive_json(socket))["type"] == "welcome"
    await ping_pong(socket)


async def test_a_second_hello_gets_an_error_and_the_connection_stays_open(welcomed):
    await welcomed.send_json_to({"type": "hello", "visitor_token": "x", "token": "y"})

    await receive_error(welcomed, "already_welcomed")
    await ping_pong(welcomed)


@pytest.mark.parametrize(
    "token",
    ["not-a-visitor-token", "", None, 12345, "x" * 5000],
    ids=["unknown", "empty", "null", "number", "huge"],
)
async def test_hello_with_a_bad_visitor_token_is_closed_4401(ws, inbox, token):
    widget = await ws.open_widget(inbox)

    await widget.send_json_to({"type": "hello", "visitor_token": token, "last_seq": 0})

    frames = await expect_close(widget, CLOSE_UNAUTHORIZED)
    assert [frame["type"] for frame in frames] == ["error"]


async def test_hello_with_the_visitor_token_of_another_inbox_is_closed_4401(
    ws, inbox, conversation, team
):
    elsewhere = await on_db(InboxFactory, team=team)
    _visitor, token = await on_db(visitor_for, elsewhere)
    widget = await ws.open_widget(inbox)

    await widget.send_json_to({"type": "hello", "visitor_token": token, "last_seq": 0})

    await expect_close(widget, CLOSE_UNAUTHORIZED)


async def test_hello_with_an_operator_token_on_the_widget_is_closed_4401(ws, inbox, agent_token):
    widget = await ws.open_widget(inbox)

    await widget.send_json_to({"type": "hello", "visitor_token": agent_token, "last_seq": 0})

    await expect_close(widget, CLOSE_UNAUTHORIZED)


async def test_hello_with_a_visitor_token_on_the_console_is_closed_4401(ws, visitor):
    console = await ws.open_console()

    await console.send_json_to({"type": "hello", "token": visitor[1]})

    await expect_close(console, CLOSE_UNAUTHORIZED)


# --- isolation between visitors ---------------------------------------------------------------


async def test_another_visitors_conversation_never_leaks(
    ws, inbox, visitor, conversation, agent, widget_client_for
):
    await on_db(
        lambda: messages.message_create(
            conversation_id=conversation.pk,
            author=authors.Author.of_contact(visitor[0].contact),
            body="my card number is 4111",
        )
    )
    stranger, stranger_token = await on_db(visitor_for, inbox)
    owner = await ws.connect_widget(inbox, visitor[1])
    assert (await receive_json(owner))["message"]["body"] == "my card number is 4111"

    # asking for the other visitor's conversation by id gets nothing of it
    spy = await ws.connect_widget(inbox, stranger_token, last_seq=0, conversation=conversation.pk)
    assert spy.welcome == {"type": "welcome", "conversation": None}
    await assert_no_frame(spy, 0.3)

    # live traffic of the other conversation does not reach the stranger
    await owner.send_json_to({"type": "message", "client_id": "o-1", "body": "my address is..."})
    assert (await receive_json(owner))["type"] == "ack"
    await on_db(
        lambda: messages.message_create(
            conversation_id=conversation.pk,
            author=authors.Author.of_operator(agent),
            body="thanks, noted",
        )
    )
    await on_db(
        lambda: conversations.conversation_status_set(
            conversation=conversation, actor=agent, status="pending"
        )
    )
    assert (await receive_json(owner))["type"] == "message"
    await assert_no_frame(spy, 0.7)

    # nor over REST
    client = widget_client_for(stranger_token)
    response = await on_db(client.get, f"/api/widget/v1/messages?conversation={conversation.pk}")
    assert response.status_code == 404
    response = await on_db(client.get, "/api/widget/v1/messages?after_seq=0")
    assert response.status_code == 200 and response.json()["results"] == []

    # reading and typing have no conversation to act on; writing opens the stranger's own one
    await spy.send_json_to({"type": "read", "seq": 3})
    await receive_error(spy, "no_conversation")
    await spy.send_json_to({"type": "message", "client_id": "o-1", "body": "hello"})
    ack = await receive_json(spy)
    assert ack["type"] == "ack" and ack["message"]["seq"] == 1
    assert ack["message"]["conversation"] != conversation.pk
    frames = await frames_within(spy, 0.5)
    assert all(frame["type"] == "conversation" for frame in frames), frames
    assert all(frame["conversation"]["id"] == ack["message"]["conversation"] for frame in frames)
    own = await on_db(
        lambda: list(
            Message.objects.filter(conversation_id=conversation.pk).values_list("body", flat=True)
        )
    )
    assert "hello" not in own
    assert stranger.pk != visitor[0].pk


# --- origins ----------------------------------------------------------------------------------


async def test_a_disallowed_origin_is_refused_at_the_widget_handshake(ws, team):
    shop = await on_db(InboxFactory, team=team, allowed_origins=["https://shop.example"])

    for origin in ("https://evil.example", "http://shop.example", None, "null"):
        assert await ws.refused(widget_path(shop.inbox_key), origin=origin) is not None

    allowed = await ws.open_widget(shop, origin="https://shop.example")
    await allowed.send_json_to({"type": "ping"})
    await receive_error(allowed, "hello_required")


async def test_an_unknown_inbox_key_is_refused_at_the_widget_handshake(ws):
    for path in (widget_path("no-such-inbox"), "/ws/widget/v1/", widget_path("k" * 500)):
        await ws.refused(path, origin="https://shop.example")


async def test_the_console_socket_from_a_foreign_origin_is_refused(ws):
    for origin in ("https://evil.example", "http://localhost.evil.example", None):
        await ws.refused(CONSOLE_PATH, origin=origin)

    console = await ws.open_console()  # its own origin
    await console.send_json_to({"type": "ping"})
    await receive_error(console, "hello_required")


async def handshake_from(ws, kind: str, inbox, address: str) -> bool:
    """Whether a new socket of `kind` from the client `address` is accepted."""
    path = widget_path(inbox.inbox_key) if kind == "widget" else CONSOLE_PATH
    origin = WIDGET_ORIGIN if kind == "widget" else CONSOLE_ORIGIN
    communicator = ws.communicator(path, origin=origin)
    communicator.scope["client"] = (address, 50000)
    connected, code = await communicator.connect(timeout=TIMEOUT)
    assert connected or code == CLOSE_REFUSED, code
    return bool(connected)


async def test_an_address_opening_sockets_in_a_loop_is_refused_at_the_handshake(
    ws, kind, inbox, settings, rate_clock
):
    settings.WS_NEW_SOCKETS_BURST, settings.WS_NEW_SOCKETS_PER_SECOND = 3, 1.0
    script, neighbour = f"script-{uuid.uuid4()}", f"neighbour-{uuid.uuid4()}"

    opened = [await handshake_from(ws, kind, inbox, script) for _ in range(4)]

    assert opened == [True, True, True, False]
    assert await handshake_from(ws, kind, inbox, neighbour)  # another address is not held up
    rate_clock.advance(1)
    assert await handshake_from(ws, kind, inbox, script)  # one more a second


async def test_a_visitor_opening_socket_after_socket_is_closed_4429_past_the_cap(
    ws, inbox, visitor, settings
):
    settings.WS_MAX_SOCKETS_PER_VISITOR = 2
    first = await ws.connect_widget(inbox, visitor[1])
    await ws.connect_widget(inbox, visitor[1])

    third = await ws.open_widget(inbox)
    await third.send_json_to({"type": "hello", "visitor_token": visitor[1], "last_seq": 0})

    await receive_error(third, "too_many_sockets")
    await expect_close(third, CLOSE_TOO_MANY_SOCKETS)
    other_visitor = await on_db(visitor_for, inbox)
    await ws.connect_widget(inbox, other_visitor[1])  # another visitor is not held up
    await first.disconnect()
    await ws.connect_widget(inbox, visitor[1])  # a closed tab frees its place


# --- bodies kept verbatim ---------------------------------------------------------------------


BODIES = [
    "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE chats_message; --",
    "Robert'); DELETE FROM operators_operator WHERE ('1'='1",
    "  leading and trailing spaces  \n\nand\tlines\r\n",
    "{{ template }} {% tag %} ${jndi:ldap://x} &amp; &lt;b&gt;",
    "emoji 👩‍💻 and RTL \u202e and zero-width \u200b",
]


async def test_html_and_sql_in_bodies_are_acked_and_stored_verbatim(welcomed, kind, conversation):
    for index, body in enumerate(BODIES):
        frame = message_frame(kind, conversation, client_id=f"v-{index}", body=body)
        await welcomed.send_json_to(frame)
        ack = await receive_json(welcomed)
        while ack["type"] != "ack":  # the console also streams its own messages
            ack = await receive_json(welcomed)
        assert ack["message"]["body"] == body

    stored = await on_db(
        lambda: list(Message.objects.order_by("seq").values_list("body", flat=True))
    )
    assert stored == BODIES


# --- flooding ---------------------------------------------------------------------------------


async def test_flooding_gets_rate_limited_then_closed_1008_and_fresh_sockets_are_served(
    ws, kind, inbox, visitor, conversation, agent_token
):
    if kind == "widget":
        flooder = await ws.connect_widget(inbox, visitor[1])
    else:
        flooder = await ws.connect_console(agent_token)

    for index in range(80):
        await flooder.send_json_to(
            message_frame(kind, conversation, client_id=f"f-{index}", body=f"spam {index}")
        )
    frames = await expect_close(flooder, CLOSE_POLICY, timeout=15)

    acks = [frame for frame in frames if frame["type"] == "ack"]
    limited = [
        frame for frame in frames if frame["type"] == "error" and frame["code"] == "rate_limited"
    ]
    # a burst of 20 passes (plus what refills at one a second meanwhile); then refusals
    assert 20 <= len(acks) <= 25
    assert [ack["client_id"] for ack in acks[:20]] == [f"f-{index}" for index in range(20)]
    assert len(limited) >= 20
    assert all(frame["client_id"].startswith("f-") for frame in limited)
    assert await stored_count() == len(acks)

    # the server still serves: the same visitor or operator on a fresh socket...
    if kind == "widget":
        fresh = await ws.connect_widget(inbox, visitor[1], last_seq=len(acks))
    else:
        fresh = await ws.connect_console(agent_token)
    await assert_no_frame(fresh, 0.3)
    await ping_pong(fresh)
    # ...and someone else sends as usual
    _other, other_token = await on_db(visitor_for, inbox)
    other = await ws.connect_widget(inbox, other_token)
    await other.send_json_to({"type": "message", "client_id": "calm", "body": "hello"})
    ack = await receive_json(other)
    assert ack["type"] == "ack" and ack["message"]["body"] == "hello"


@pytest.mark.parametrize("garbage", ["not json", "[]", '{"type": "nope"}', b"\x00"])
async def test_flooding_with_malformed_frames_is_closed_1008_too(welcomed, garbage):
    for _ in range(200):
        if isinstance(garbage, bytes):
            await welcomed.send_to(bytes_data=garbage)
        else:
            await welcomed.send_to(text_data=garbage)

    frames = await expect_close(welcomed, CLOSE_POLICY, timeout=15)

    assert all(frame["type"] == "error" for frame in frames)
    assert [frame for frame in frames if frame["code"] == "rate_limited"]


async def test_a_human_pace_is_never_rate_limited(welcomed, kind, conversation):
    for index in range(20):
        await welcomed.send_json_to(
            message_frame(kind, conversation, client_id=f"h-{index}", body=f"line {index}")
        )
    frames = [await receive_json(welcomed) for _ in range(20 if kind == "widget" else 40)]
    acks = [frame for frame in frames if frame["type"] == "ack"]
    assert len(acks) == 20
    assert not [frame for frame in frames if frame["type"] == "error"]
