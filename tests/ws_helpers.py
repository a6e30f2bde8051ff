"""Websocket test helpers: both protocols through the real ASGI application (`helpdesk.asgi`),
so routing, origin checks and the frame size limit are part of every test.

Tests get a `WsClients` from the `ws` fixture (tests/conftest.py); every socket it opens is
disconnected when the test ends, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from helpdesk.asgi import application

Frame = dict[str, Any]

CONSOLE_PATH = "/ws/console/v1/"
CONSOLE_ORIGIN = "http://localhost"  # in ALLOWED_HOSTS of the test run
WIDGET_ORIGIN = "https://shop.example"
TIMEOUT = 5.0  # generous: the suite shares two cores with other suites


def widget_path(inbox_key: str) -> str:
    return f"/ws/widget/v1/?inbox_key={inbox_key}"


def headers(origin: str | None, cookie: str | None = None) -> list[tuple[bytes, bytes]]:
    found = []
    if origin is not None:
        found.append((b"origin", origin.encode()))
    if cookie is not None:
        found.append((b"cookie", cookie.encode()))
    return found


async def on_db(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ORM code (a service, a query) from an async test."""
    return await database_sync_to_async(fn)(*args, **kwargs)


class WsClients:
    """Opens communicators and remembers them, to disconnect them all at the end."""

    def __init__(self) -> None:
        self.opened: list[WebsocketCommunicator] = []

    def communicator(
        self, path: str, *, origin: str | None, cookie: str | None = None
    ) -> WebsocketCommunicator:
        communicator = WebsocketCommunicator(application, path, headers=headers(origin, cookie))
        self.opened.append(communicator)
        return communicator

    async def open(
        self, path: str, *, origin: str | None, cookie: str | None = None
    ) -> WebsocketCommunicator:
        """An accepted socket that has said nothing yet."""
        communicator = self.communicator(path, origin=origin, cookie=cookie)
        connected, code = await communicator.connect(timeout=TIMEOUT)
        assert connected, f"the handshake was refused with {code}"
        return communicator

    async def refused(self, path: str, *, origin: str | None, cookie: str | None = None) -> Any:
        """Answers the close code of a socket refused at the handshake."""
        communicator = self.communicator(path, origin=origin, cookie=cookie)
        connected, code = await communicator.connect(timeout=TIMEOUT)
        assert not connected, "the handshake was accepted"
        return code

    async def open_widget(self, inbox: Any, *, origin: str | None = WIDGET_ORIGIN) -> Any:
        return await self.open(widget_path(inbox.inbox_key), origin=origin)

    async def connect_widget(
        self,
        inbox: Any,
        token: str,
        last_seq: int = 0,
        *,
        origin: str | None = WIDGET_ORIGIN,
        **hello: Any,
    ) -> WebsocketCommunicator:
        """A widget socket after `hello` and `welcome` (kept as `.welcome`); the replay, if
        any, is still to be read."""
        communicator = await self.open_widget(inbox, origin=origin)
        await communicator.send_json_to(
            {"type": "hello", "visitor_token": token, "last_seq": last_seq, **hello}
        )
        welcome = await receive_json(communicator)
        assert welcome["type"] == "welcome", welcome
        communicator.welcome = welcome  # type: ignore[attr-defined]
        return communicator

    async def open_console(
        self, *, origin: str | None = CONSOLE_ORIGIN, cookie: str | None = None
    ) -> WebsocketCommunicator:
        return await self.open(CONSOLE_PATH, origin=origin, cookie=cookie)

    async def connect_console(
        self, token: str | None = None, *, cookie: str | None = None
    ) -> WebsocketCommunicator:
        """A console socket after `hello` (with the token, or else the session cookie) and
        `welcome` (kept as `.welcome`)."""
        communicator = await self.open_console(cookie=cookie)
        hello: Frame = {"type": "hello"}
        if token is not None:
            hello["token"] = token
        await communicator.send_json_to(hello)
        welcome = await receive_json(communicator)
        assert welcome["type"] == "welcome", welcome
        communicator.welcome = welcome  # type: ignore[attr-defined]
        return communicator

    async def close_all(self) -> None:
        for communicator in self.opened:
            # one already closed, or crashed (its test has failed already), has nothing to release
            with contextlib.suppress(Exception):
                await communicator.disconnect(timeout=TIMEOUT)
        self.opened = []
        await _release_loop_resources()


async def _release_loop_resources() -> None:
    """What the product keeps per event loop; each test runs on a loop of its own."""
    from chats import broadcast
    from chats.consumers import console, feed, revalidation
    from helpdesk import pg_async, ratelimit

    left = feed._feeds.pop(asyncio.get_running_loop(), None)  # the console feed
    if left is not None and left.receiver is not None:
        left.receiver.cancel()

    for task in list(getattr(console, "_pending_settles", ())):  # presence timers
        task.cancel()
    for task in list(getattr(revalidation, "_tasks", ())):  # the per-loop re-check
        task.cancel()
    client = ratelimit._async_clients.pop()
    if client is not None:
        await client.aclose()
    publisher = broadcast._async_publishers.pop()
    if publisher is not None:
        await publisher[0].aclose()
    await pg_async.close_idle()


# --- reading frames ---------------------------------------------------------------------------


async def receive_json(communicator: WebsocketCommunicator, timeout: float = TIMEOUT) -> Frame:
    """The next frame, which must be a JSON text frame (not a close)."""
    output = await communicator.receive_output(timeout)
    assert output["type"] == "websocket.send", f"expected a frame, got {output}"
    assert "text" in output and output.get("bytes") is None, output
    frame = json.loads(output["text"])
    assert isinstance(frame, dict) and isinstance(frame.get("type"), str), frame
    return frame


async def receive_until(
    communicator: WebsocketCommunicator, kind: str, timeout: float = TIMEOUT
) -> Frame:
    """The first frame of type `kind`, skipping any others, within `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    skipped = []
    while True:
        remaining = deadline - loop.time()
        assert remaining > 0, f"no {kind!r} frame within {timeout}s; got {skipped}"
        frame = await receive_json(communicator, remaining)
        if frame["type"] == kind:
            return frame
        skipped.append(frame)


async def receive_error(
    communicator: WebsocketCommunicator, code: str, timeout: float = TIMEOUT
) -> Frame:
    """The next frame, which must be an `error` frame with `code` and a human message."""
    frame = await receive_json(communicator, timeout)
    assert frame["type"] == "error", frame
    assert frame["code"] == code, frame
    assert isinstance(frame["message"], str) and frame["message"].strip(), frame
    return frame


async def assert_no_frame(communicator: WebsocketCommunicator, timeout: float = 0.5) -> None:
    """Nothing arrives on the socket within `timeout` seconds."""
    if not await communicator.receive_nothing(timeout=timeout):
        unexpected = await communicator.receive_output(0.1)
        raise AssertionError(f"expected nothing, got {unexpected}")


async def frames_within(communicator: WebsocketCommunicator, seconds: float) -> list[Frame]:
    """Every frame that arrives within `seconds` (none may be a close)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    frames = []
    while not await communicator.receive_nothing(timeout=max(0.0, deadline - loop.time())):
        frames.append(await receive_json(communicator))
    return frames


async def expect_close(
    communicator: WebsocketCommunicator, code: int, timeout: float = TIMEOUT
) -> list[Frame]:
    """Reads until the server closes the socket, which must be with `code`; answers the frames
    received before the close."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    frames = []
    while True:
        remaining = deadline - loop.time()
        assert remaining > 0, f"not closed within {timeout}s; got {frames}"
        output = await communicator.receive_output(remaining)
        if output["type"] == "websocket.close":
            assert output.get("code") == code, f"closed with {output.get('code')}, not {code}"
            return frames
        assert output["type"] == "websocket.send", output
        frames.append(json.loads(output["text"]))


async def ping_pong(communicator: WebsocketCommunicator) -> None:
    """The connection is open and served: a ping is answered by a pong."""
    await communicator.send_json_to({"type": "ping"})
    assert await receive_json(communicator) == {"type": "pong"}
