"""Running ORM work from async consumers.

Channels' `database_sync_to_async` runs every call of a process on one thread, which caps a
process at a few hundred commits a second. `db_call` runs them on a small pool of threads
instead (in a web process each call borrows a connection from the process's connection pool
and gives it back; elsewhere each thread keeps a persistent one), carrying the caller's
context and its active language along, and records the event loop so that sync code can reach
it (`broadcast`).

The language is passed explicitly: Django keeps it in an asgiref `Local`, whose value a copied
context does not carry into another thread (asgiref tags it with the thread that set it).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.db.utils import load_backend
from django.utils import translation

P = ParamSpec("P")
T = TypeVar("T")

HEALTH_CHECK_EVERY_SECONDS = 10.0

_executor: ThreadPoolExecutor | None = None
_thread_state = threading.local()


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=settings.DB_THREADS, thread_name_prefix="db")
    return _executor


def calling_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop whose consumer called into this thread, if any."""
    return getattr(_thread_state, "loop", None)


def _run(
    loop: asyncio.AbstractEventLoop,
    language: str | None,
    fn: Callable[..., T],
    /,
    *args: Any,
    **kwargs: Any,
) -> T:
    _thread_state.loop = loop
    now = time.monotonic()
    if now - getattr(_thread_state, "checked_at", 0.0) > HEALTH_CHECK_EVERY_SECONDS:
        # Django checks a connection's health on its next use after this: once in a while,
        # not before every call (that would be one more round trip per message).
        close_old_connections()
        _thread_state.checked_at = now
    try:
        with translation.override(language):
            return fn(*args, **kwargs)
    finally:
        _close_broken_or_expired()
        _thread_state.loop = None


def _close_broken_or_expired() -> None:
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        expired = connection.close_at is not None and now >= connection.close_at
        if connection.errors_occurred or expired:
            connection.close_if_unusable_or_obsolete()


async def db_call(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    call = functools.partial(_run, loop, translation.get_language(), fn, *args, **kwargs)
    return await loop.run_in_executor(_pool(), context.run, call)


def _close_after_asgi_request(sender: Any, **kwargs: Any) -> None:
    """Under ASGI each HTTP request runs its sync code on a thread of its own (Django's
    `ThreadSensitiveContext`), so a connection left open there is never used again: give it
    back to the web process's pool (settings `DB_POOL_MAX`), or, without a pool, close it, as
    it would otherwise stay open until garbage collection and a burst of requests would run
    PostgreSQL out of connections."""
    if sender is ASGIHandler:
        connections.close_all()


request_finished.connect(_close_after_asgi_request, dispatch_uid="helpdesk.db.close_after_asgi")


def default_vendor() -> str:
    """The default database's vendor ("postgresql", "sqlite"), for code on the event loop.

    There, touching `django.db.connection` makes a `DatabaseWrapper` for each asyncio task
    (Django keeps connections in an asgiref `Local`, which is per context): a dozen objects in
    reference cycles per task, garbage that only the cycle collector frees, during pauses of
    the whole process. The backend's class knows its vendor without a connection."""
    return _vendor_of(settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"])


@functools.cache
def _vendor_of(engine: str) -> str:
    vendor: str = load_backend(engine).DatabaseWrapper.vendor
    return vendor
