"""Running ORM work from async consumers.

Channels' `database_sync_to_async` runs every call of a process on one thread, which caps a
process at a few hundred commits a second. `db_call` runs them on a small pool instead (each
thread keeps its own persistent connection), carrying the caller's context and its active
language along, and records the event loop so that sync code can reach it (`broadcast`).

The language is passed explicitly: Django keeps it in an asgiref `Local`, whose value a copied
context does not carry into another thread (asgiref tags it with the thread that set it).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import close_old_connections
from django.utils import translation

P = ParamSpec("P")
T = TypeVar("T")

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
    close_old_connections()
    try:
        with translation.override(language):
            return fn(*args, **kwargs)
    finally:
        close_old_connections()
        _thread_state.loop = None


async def db_call(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    call = functools.partial(_run, loop, translation.get_language(), fn, *args, **kwargs)
    return await loop.run_in_executor(_pool(), context.run, call)
