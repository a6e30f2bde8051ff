"""Record domain events in a transaction; hand them to their listeners.

- `record(*events)`, inside the service's transaction: each in-transaction listener of the
  events (report events, notifications: what must exist exactly when the fact does) runs at
  once, in a savepoint, and after the commit `dispatch` hands the events to the others. An
  event recorded in a transaction that rolls back reaches no after-commit listener.
- `dispatch(events)`: each after-commit listener gets, in one call, the events of the list it
  listens to, in their order (the group commit's batch in one Redis round trip, a drain's
  moves in one re-read). `adispatch` is the same on the event loop: listeners with an `ahandle`
  are awaited there, the others run in one database thread.

A listener that raises is logged and skipped: the fact stands and the other listeners still
hear it. A listener whose work must not be lost enqueues a Celery task rather than doing the
work itself. A listener marked `speaks_to_visitor` (the widget's broadcast, a channel's
delivery) never hears an event that does not `reach_visitor` (a private note).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from chats.events.domain import DomainEvent
from helpdesk.db import db_call

logger = logging.getLogger(__name__)

Handle = Callable[[Sequence[Any]], None]
AsyncHandle = Callable[[Sequence[Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Listener:
    name: str
    event_types: tuple[type[DomainEvent], ...]
    handle: Handle
    ahandle: AsyncHandle | None = None
    in_transaction: bool = False
    speaks_to_visitor: bool = False
    # in-transaction listeners only: the events worth a savepoint (the rest are skipped)
    wants: Callable[[Any], bool] = field(default=lambda event: True)
    # what `wants` reads, brought up to date from the event loop (where `wants` may not query)
    arefresh: Callable[[], Awaitable[None]] | None = None

    def take(self, events: Iterable[DomainEvent]) -> list[DomainEvent]:
        return [
            event
            for event in events
            if isinstance(event, self.event_types)
            and (event.reaches_visitor or not self.speaks_to_visitor)
            and (not self.in_transaction or self.wants(event))
        ]


class Registry:
    def __init__(self) -> None:
        self.listeners: list[Listener] = []

    def add(self, listener: Listener) -> None:
        if any(existing.name == listener.name for existing in self.listeners):
            raise ValueError(f"listener {listener.name!r} is registered twice")
        self.listeners.append(listener)

    def in_transaction(self) -> list[Listener]:
        return [listener for listener in self.listeners if listener.in_transaction]

    def after_commit(self) -> list[Listener]:
        return [listener for listener in self.listeners if not listener.in_transaction]


registry = Registry()


async def arefresh() -> None:
    """On the event loop, before asking `wanted_in_transaction`: the listeners' `wants` read
    what they need (in a database thread, when theirs is stale)."""
    for listener in registry.in_transaction():
        if listener.arefresh is not None:
            await listener.arefresh()


def wanted_in_transaction(event: DomainEvent) -> bool:
    """Would an in-transaction listener take `event`? A service asks before it writes (with
    an event like the one it will record) to know whether the write needs a transaction of
    its own: a visitor's message, which none takes, is one statement and its own commit."""
    return any(_taken(listener, [event]) for listener in registry.in_transaction())


def record(*events: DomainEvent) -> None:
    """Record facts of the current transaction. Outside one (what was just written has
    committed), the in-transaction listeners that take them still run first, each on its own,
    and an error is logged: the service should have asked `wanted_in_transaction`."""
    if not events:
        return
    batch = list(events)
    in_transaction = connection.in_atomic_block
    if in_transaction:
        transaction.on_commit(lambda: dispatch(batch))
    for listener in registry.in_transaction():
        mine = _taken(listener, batch)
        if not mine:
            continue
        if not in_transaction:
            names = ", ".join(type(event).__name__ for event in mine)
            logger.error("%s recorded outside a transaction: %s ran alone", names, listener.name)
        try:
            with transaction.atomic():  # a savepoint: a failure undoes the listener's work only
                listener.handle(mine)
        except Exception:
            logger.exception("listener %s failed in the transaction", listener.name)
    if not in_transaction:
        dispatch(batch)


def dispatch(events: Sequence[DomainEvent]) -> None:
    for listener in registry.after_commit():
        _run(listener, _taken(listener, events))


def _taken(listener: Listener, events: Iterable[DomainEvent]) -> list[DomainEvent]:
    """The events `listener` takes; a filter that raises takes nothing (and is logged)."""
    try:
        return listener.take(events)
    except Exception:
        logger.exception("listener %s failed to filter its events", listener.name)
        return []


def _run(listener: Listener, events: list[DomainEvent]) -> None:
    if not events:
        return
    try:
        listener.handle(events)
    except Exception:
        logger.exception("listener %s failed", listener.name)


async def adispatch(events: Sequence[DomainEvent]) -> None:
    """`dispatch` from the event loop, for events already committed."""
    in_thread: list[tuple[Listener, list[DomainEvent]]] = []
    for listener in registry.after_commit():
        mine = _taken(listener, events)
        if not mine:
            continue
        if listener.ahandle is None:
            in_thread.append((listener, mine))
            continue
        try:
            await listener.ahandle(mine)
        except Exception:
            logger.exception("listener %s failed", listener.name)
    if in_thread:
        await db_call(_run_all, in_thread)


def _run_all(work: list[tuple[Listener, list[DomainEvent]]]) -> None:
    for listener, events in work:
        _run(listener, events)
