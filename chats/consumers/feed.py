"""The console feed: conversation events fanned out once per process, not once per socket.

Every conversation event (a message, a conversation change, typing, read) is published to the
groups of its audience (`groups.of_audiences`). Were each console socket a member of those
groups, each process would hand every event to every member socket's own channel-layer queue:
one deserialization, one wake-up of the consumer's dispatch loop, one audience check per socket
and event, a third of a server's CPU at 100 consoles (docs/benchmarks.md).

Instead, one `ConsoleFeed` per event loop (so per server process) holds one channel, subscribed
to the union of the groups its sockets want. It receives each event once per group it was
published to, keeps the first copy (by the event's id), and writes the frame, already encoded,
to each local socket that is in one of the event's groups and whose operator may see one of
its audiences. What only concerns one socket (access changes, revokes, notifications, the
channel layer's `layer.reconnected`) still reaches it through its own channel.

A socket whose client does not read blocks only itself: the feed starts each write at once and,
should the socket's transport be full, finishes it (and the writes behind it) in a task of
that socket's own (`Outbox`), so the other sockets are never kept waiting. What waits is
bounded: a socket whose waiting frames pass `WS_CONSOLE_BACKLOG_BYTES` is too far behind to
catch up, and is closed with 1013; its client reconnects and reloads over REST.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterable, Iterator
from typing import Any, Protocol

from channels.layers import get_channel_layer
from django.conf import settings

from chats.audience import Audience, Scope
from chats.consumers.base import CLOSE_TOO_FAR_BEHIND

logger = logging.getLogger(__name__)

# Copies of one event arrive back to back (one pipeline of PUBLISHes); this many ids is plenty.
SEEN_EVENTS = 4096


class Member(Protocol):
    """What the feed needs of a console socket."""

    ready: bool
    closed: bool
    scope_rule: Scope

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None: ...

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None: ...


class _Resume:
    """Awaiting this goes on with a coroutine that has already run up to its first suspension
    (`start_now`), passing what the event loop sends and throws in, as `await` itself would."""

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self.coro = coro
        self.yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        yielded = self.yielded
        while True:
            try:
                sent = yield yielded
            except BaseException as error:  # cancellation included: the coroutine decides
                try:
                    yielded = self.coro.throw(error)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    yielded = self.coro.send(sent)
                except StopIteration as stop:
                    return stop.value


def start_now(coro: Coroutine[Any, Any, Any]) -> Awaitable[Any] | None:
    """Run `coro` right here until it finishes (None) or has to wait; then answer what finishes
    it. A websocket write finishes at once unless the socket's buffer is full, so the usual
    case costs no task and no trip through the event loop."""
    try:
        yielded = coro.send(None)
    except StopIteration:
        return None
    return _Resume(coro, yielded)


_closing: set[asyncio.Task[None]] = set()


class Outbox:
    """The writes of one socket, in order; those that had to wait go on in a task. While the
    socket's own handler holds it (`hold`), frames wait, and are written when it lets go.
    Frames wait up to `WS_CONSOLE_BACKLOG_BYTES`; past that the socket is closed (1013)."""

    __slots__ = ("backlog", "backlog_bytes", "held", "member", "overflowed", "task")

    def __init__(self, member: Member) -> None:
        self.member = member
        self.backlog: collections.deque[str] | None = None
        self.backlog_bytes = 0
        self.task: asyncio.Task[None] | None = None
        self.held = 0
        self.overflowed = False

    def hold(self) -> None:
        self.held += 1
        if self.backlog is None:
            self.backlog = collections.deque()

    def release(self) -> None:
        self.held -= 1
        if self.held or self.task is not None:
            return  # a write that had to wait goes on with the backlog
        frames, self.backlog, self.backlog_bytes = self.backlog or (), None, 0
        for frame in frames:
            self.put(frame)

    def put(self, frame: str) -> None:
        if self.overflowed:
            return
        if self.backlog is not None:  # held, or an earlier write waits: queue behind it
            self.backlog.append(frame)
            self.backlog_bytes += len(frame.encode())
            if self.backlog_bytes > settings.WS_CONSOLE_BACKLOG_BYTES:
                self._overflow()
            return
        try:
            pending = start_now(self.member.send(text_data=frame))
        except Exception:  # the socket is going away; its disconnect takes it off the feed
            logger.debug("console feed: a write failed", exc_info=True)
            return
        if pending is not None:
            self.backlog = collections.deque()
            self.task = asyncio.ensure_future(self._finish(pending))

    def _overflow(self) -> None:
        """The client is too far behind to catch up: drop what waits and close the socket."""
        self.overflowed = True
        self.backlog, self.backlog_bytes = None, 0
        self.cancel()
        task = asyncio.ensure_future(self.member.close(code=CLOSE_TOO_FAR_BEHIND))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    async def _finish(self, pending: Awaitable[Any]) -> None:
        try:
            await pending
            while self.backlog:
                frame = self.backlog.popleft()
                self.backlog_bytes -= len(frame.encode())
                await self.member.send(text_data=frame)
        except Exception:
            logger.debug("console feed: a write failed", exc_info=True)
        finally:
            self.task = None
            if self.held and not self.overflowed:
                self.backlog = self.backlog if self.backlog is not None else collections.deque()
            else:
                self.backlog, self.backlog_bytes = None, 0

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()


class ConsoleFeed:
    """One event loop's console sockets, and the one channel that receives their events."""

    def __init__(self, on_empty: Callable[[ConsoleFeed], None]) -> None:
        self.layer = get_channel_layer()
        self.on_empty = on_empty
        self.members: dict[str, set[Member]] = {}  # group -> sockets
        self.groups_of: dict[Member, set[str]] = {}
        self.outboxes: dict[Member, Outbox] = {}
        self.subscribed: dict[str, asyncio.Task[None]] = {}
        self.seen: collections.OrderedDict[str, None] = collections.OrderedDict()
        self.channel: str | None = None
        self.opening: asyncio.Task[str] | None = None
        self.receiver: asyncio.Task[None] | None = None

    async def _channel(self) -> str:
        if self.opening is None or _failed(self.opening):
            self.opening = asyncio.ensure_future(self.layer.new_channel("feed."))
        channel = await asyncio.shield(self.opening)
        if self.channel is None:
            self.channel = channel
            self.receiver = asyncio.ensure_future(self._receive_forever(channel))
        return channel

    async def follow(self, member: Member, wanted: Iterable[str]) -> None:
        """Make `member` receive the events of exactly the groups `wanted`; returns once the
        feed is subscribed to all of them (so nothing committed after this is missed)."""
        wanted = set(wanted)
        # membership first: the feed is not empty (not closed) while this waits
        before = self.groups_of.get(member, set())
        self.groups_of[member] = wanted
        self.outboxes.setdefault(member, Outbox(member))
        for group in before - wanted:
            self.members.get(group, set()).discard(member)
        for group in wanted:
            self.members.setdefault(group, set()).add(member)
        channel = await self._channel()
        waits = []
        for group in wanted:
            task = self.subscribed.get(group)
            if task is None or _failed(task):  # a failed subscription is tried again
                task = self.subscribed[group] = asyncio.ensure_future(
                    self.layer.group_add(group, channel)
                )
            if not task.done():
                waits.append(task)
        if waits:  # the usual case, a re-check of an unchanged scope, waits for nothing
            await asyncio.shield(asyncio.gather(*waits, return_exceptions=True))
        for group in wanted:
            task = self.subscribed.get(group)
            if task is not None and _failed(task):
                task.result()  # raises: this follower fails, as its own group_add would

    async def leave(self, member: Member) -> None:
        for group in self.groups_of.pop(member, set()):
            self.members.get(group, set()).discard(member)
        outbox = self.outboxes.pop(member, None)
        if outbox is not None:
            outbox.cancel()
        if not self.groups_of:
            await self.close()

    async def close(self) -> None:
        """The last socket left: stop receiving and leave every group."""
        self.on_empty(self)
        if self.receiver is not None:
            self.receiver.cancel()
        channel, groups = self.channel, list(self.subscribed)
        self.subscribed.clear()
        if channel is not None:
            for group in groups:
                with contextlib.suppress(Exception):
                    await self.layer.group_discard(group, channel)

    async def _receive_forever(self, channel: str) -> None:
        while True:
            event = await self.layer.receive(channel)
            try:
                self.deliver(event)
            except Exception:
                logger.exception("console feed: an event could not be delivered")

    def deliver(self, event: dict[str, Any]) -> None:
        """Write the event's frame to every local socket that should get it, once."""
        if event.get("type") != "relay":
            return  # layer.reconnected: every socket hears it on its own channel
        event_id = event["eid"]
        if event_id in self.seen:
            return  # the same event through another of our groups
        self.seen[event_id] = None
        if len(self.seen) > SEEN_EVENTS:
            self.seen.popitem(last=False)
        recipients: set[Member] = set()
        for group in event.get("groups", ()):
            recipients.update(self.members.get(group, ()))
        if not recipients:
            return
        audiences = [Audience.from_dict(a) for a in event["audiences"]]
        # a frame for those who just lost the conversation is not for those who still see it
        unless = [Audience.from_dict(a) for a in event.get("unless", ())]
        frame = event["frame"]
        for member in recipients:
            scope = member.scope_rule
            if (
                member.ready
                and not member.closed
                and scope.may_see_any(audiences)
                and not scope.may_see_any(unless)
            ):
                outbox = self.outboxes.get(member)
                if outbox is not None:
                    outbox.put(frame)


def _failed(task: asyncio.Future[Any]) -> bool:
    return task.done() and not task.cancelled() and task.exception() is not None


_feeds: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ConsoleFeed] = (
    weakref.WeakKeyDictionary()
)


def of_this_loop() -> ConsoleFeed:
    loop = asyncio.get_running_loop()
    feed = _feeds.get(loop)
    if feed is None:
        feed = _feeds[loop] = ConsoleFeed(on_empty=lambda done: _forget(loop, done))
    return feed


def _forget(loop: asyncio.AbstractEventLoop, feed: ConsoleFeed) -> None:
    if _feeds.get(loop) is feed:
        del _feeds[loop]


async def follow(member: Member, wanted: Iterable[str]) -> None:
    await of_this_loop().follow(member, wanted)


@contextlib.contextmanager
def held(member: Member) -> Iterator[None]:
    """Hold the feed's frames for `member` meanwhile: a console socket's `ack` goes out before
    the `message` frame of its own message, as when every event queued behind its handler."""
    feed = _feeds.get(asyncio.get_running_loop())
    outbox = feed.outboxes.get(member) if feed is not None else None
    if outbox is None:
        yield
        return
    outbox.hold()
    try:
        yield
    finally:
        outbox.release()


async def leave(member: Member) -> None:
    feed = _feeds.get(asyncio.get_running_loop())
    if feed is not None:
        await feed.leave(member)
