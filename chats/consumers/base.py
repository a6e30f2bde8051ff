"""What both websocket protocols share: hello within 10 s, frame parsing and validation, error
frames that keep the connection open, rate limits, and relaying pre-encoded events."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from chats import broadcast
from helpdesk import ratelimit
from helpdesk.errors import ServiceError

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401
CLOSE_POLICY = 1008
CLOSE_SERVICE_RESTART = 1012  # reconnect and resume from last_seq
CLOSE_TOO_FAR_BEHIND = 1013  # the client read too slowly: reconnect, reload over REST
CLOSE_TOO_MANY_SOCKETS = 4429  # this visitor has WS_MAX_SOCKETS_PER_VISITOR open already
FLOOD_CLOSE_AFTER = 30  # refused frames in a row before a flooding client is closed

Frame = dict[str, Any]


class FrameError(Exception):
    def __init__(self, code: str, message: str, client_id: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id


def language_from_scope(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            header = value.decode("latin-1")
            for part in header.split(","):
                code = part.split(";")[0].strip().lower()[:2]
                if code in {"ru", "en"}:
                    return code
    return settings.LANGUAGE_CODE


def header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _is_unicode_text(frame: Any) -> bool:
    """JSON escapes can spell lone surrogates (`"\\ud83d"`): valid JSON, but no text that could
    be stored, hashed or sent back in a UTF-8 frame."""
    try:
        json.dumps(frame, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


class ProtocolConsumer(AsyncWebsocketConsumer):
    """Subclasses define `hello(frame)` and `on_<type>(frame)` handlers and `groups_joined`."""

    frame_types: frozenset[str] = frozenset()
    rate_subject: str = ""
    address_bucket: str = ""  # new sockets per client address are counted per protocol

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before every handler.

        That call hops to the process's one sync thread for every frame received and every
        event relayed, so a message fanned out to many console sockets queues up behind it:
        the hops, not the work, set the latency. These consumers never touch the ORM on that
        thread: `db_call` closes stale connections in its own threads, and Channels' auth and
        session middleware use `database_sync_to_async`, which does the same."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.ready = False
        self.hello_in_progress = False
        self.closed = False
        self.joined: list[str] = []
        self.refused_in_a_row = 0
        self.language = language_from_scope(self.scope)
        self.background: list[asyncio.Task[Any]] = []
        if not await self.allow_connection():
            await self.close(code=4403)
            return
        await self.accept()
        self.background.append(asyncio.create_task(self._hello_deadline()))

    async def allow_connection(self) -> bool:
        return await self.address_allows_new_socket()

    async def address_allows_new_socket(self) -> bool:
        address = ratelimit.address_subject((self.scope.get("client") or [None])[0])
        return await ratelimit.aallow(ratelimit.socket_limit(), f"{self.address_bucket}{address}")

    async def _hello_deadline(self) -> None:
        await asyncio.sleep(settings.WS_HELLO_TIMEOUT_SECONDS)
        # a hello said in time is answered, however long a loaded server takes to answer it
        if not self.ready and not self.hello_in_progress:
            await self.close(code=CLOSE_UNAUTHORIZED)

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None:
        self.closed = True
        await super().close(code=code, reason=reason)

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        """Nothing after our close: the server would fail the whole consumer for it (a relay or
        the end of a hello can come after a close decided meanwhile)."""
        if getattr(self, "closed", False):
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def disconnect(self, code: int) -> None:
        for task in self.background:
            task.cancel()
        for group in self.joined:
            await broadcast.leave(group, self.channel_name)
        self.joined = []

    async def join(self, group: str) -> None:
        await broadcast.join(group, self.channel_name)
        self.joined.append(group)

    async def send_frame(self, frame: Frame) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False, separators=(",", ":")))

    async def send_error(self, code: str, message: str, client_id: Any = None) -> None:
        frame: Frame = {"type": "error", "code": code, "message": message}
        if client_id is not None:
            frame["client_id"] = client_id
        await self.send_frame(frame)

    # --- inbound ------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        with translation.override(self.language):
            frame: Any = None
            try:
                # every frame counts, malformed ones too: a flood of garbage is a flood
                if not await ratelimit.aallow(ratelimit.frame_limit(), self._subject()):
                    raise FrameError("rate_limited", _("Too many frames. Slow down."))
                frame = self._parse(text_data, bytes_data)
                await self._dispatch(frame)
                self.refused_in_a_row = 0
            except FrameError as error:
                await self._refuse(error.code, error.message, error.client_id)
            except ServiceError as error:
                client_id = frame.get("client_id") if isinstance(frame, dict) else None
                await self._refuse(error.code, error.message, client_id)

    def _subject(self) -> str:
        return self.rate_subject or f"conn:{self.channel_name}"

    async def _refuse(self, code: str, message: str, client_id: Any) -> None:
        await self.send_error(code, message, client_id)
        if code == "rate_limited":
            self.refused_in_a_row += 1
            if self.refused_in_a_row >= FLOOD_CLOSE_AFTER:
                await self.close(code=CLOSE_POLICY)

    def _parse(self, text_data: str | None, bytes_data: bytes | None) -> Frame:
        if text_data is None:
            raise FrameError("binary_not_supported", _("Send JSON text frames, not binary ones."))
        try:
            frame = json.loads(text_data)
            if "\\u" in text_data and not _is_unicode_text(frame):
                raise ValueError("a lone surrogate: not I-JSON (RFC 7493)")
        except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
            raise FrameError("malformed_json", _("The frame is not valid JSON.")) from None
        if not isinstance(frame, dict):
            raise FrameError("invalid_frame", _("A frame must be a JSON object."))
        kind = frame.get("type")
        if not isinstance(kind, str):
            raise FrameError("invalid_frame", _('A frame needs a string "type".'))
        if kind != "hello" and kind not in self.frame_types:
            raise FrameError(
                "unknown_type", _("Unknown frame type: %(type)s") % {"type": kind[:40]}
            )
        return frame

    async def _dispatch(self, frame: Frame) -> None:
        kind = frame["type"]
        if kind == "hello":
            if self.ready:
                raise FrameError("already_welcomed", _("This connection already said hello."))
            self.hello_in_progress = True
            try:
                await self.hello(frame)
            finally:
                self.hello_in_progress = False
                if not self.ready and not self.closed:  # refused: a new 10 s to say it right
                    self.background.append(asyncio.create_task(self._hello_deadline()))
            return
        if not self.ready:
            raise FrameError("hello_required", _("Say hello first."))
        if kind == "ping":
            await self.send_frame({"type": "pong"})
            return
        handler: Callable[[Frame], Awaitable[None]] = getattr(self, f"on_{kind}")
        await handler(frame)

    async def hello(self, frame: Frame) -> None:
        raise NotImplementedError

    async def check_message_rate(self, client_id: Any) -> None:
        if not await ratelimit.aallow(ratelimit.message_limit(), self._subject()):
            raise FrameError("rate_limited", _("Too many messages. Slow down."), client_id)

    # --- outbound (channel layer events) ------------------------------------------------------

    async def relay(self, event: dict[str, Any]) -> None:
        if self.ready and self.should_relay(event):
            await self.send(text_data=event["frame"])

    def should_relay(self, event: dict[str, Any]) -> bool:
        return True

    async def layer_reconnected(self, event: dict[str, Any]) -> None:
        """This process's link to Redis was down: events may be lost. The client resumes from
        its last_seq on a new connection (helpdesk.channel_layer)."""
        await self.close(code=CLOSE_SERVICE_RESTART)


def field(frame: Frame, name: str, kind: type | tuple[type, ...], *, required: bool = True) -> Any:
    """A frame field of the given JSON type, or an `invalid_frame` error naming it."""
    if name not in frame or frame[name] is None:
        if required:
            raise FrameError(
                "invalid_frame",
                _('The frame needs the field "%(name)s".') % {"name": name},
                frame.get("client_id"),
            )
        return None
    value = frame[name]
    if (
        isinstance(value, bool)
        and kind is not bool
        and bool not in (kind if isinstance(kind, tuple) else (kind,))
    ):
        raise FrameError(
            "invalid_frame",
            _('The field "%(name)s" has the wrong type.') % {"name": name},
            frame.get("client_id"),
        )
    if not isinstance(value, kind):
        raise FrameError(
            "invalid_frame",
            _('The field "%(name)s" has the wrong type.') % {"name": name},
            frame.get("client_id"),
        )
    return value
