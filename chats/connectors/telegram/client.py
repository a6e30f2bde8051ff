"""The Bot API through aiogram, from synchronous code (Celery tasks, REST views).

aiogram is asynchronous; the helpdesk's callers are not. Each process keeps one event loop in
a daemon thread and one `Bot` (with its HTTP session) per token and API address, so a call
costs one request, not a new loop and connection pool. A forked child (a Celery worker) starts
its own loop at its first call.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

T = TypeVar("T")

# Seconds a call may take before it fails (Telegram answers in well under one).
CALL_TIMEOUT = 20.0


class _Loop:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.bots: dict[tuple[str, str], Bot] = {}
        thread = threading.Thread(target=self.loop.run_forever, name="telegram-api", daemon=True)
        thread.start()


_lock = threading.Lock()
_current: _Loop | None = None


def _loop() -> _Loop:
    global _current
    with _lock:
        if _current is None or _current.pid != os.getpid():
            _current = _Loop()
        return _current


@atexit.register
def _close_sessions() -> None:
    """Close the sessions (together: each close lingers a quarter second) before the process
    goes, so none is left for aiohttp to warn about."""
    running = _current
    if running is None or running.pid != os.getpid() or not running.bots:
        return
    sessions = [bot.session.close() for bot in running.bots.values()]
    running.bots.clear()

    async def close_all() -> None:
        await asyncio.gather(*sessions, return_exceptions=True)

    with contextlib.suppress(Exception):
        asyncio.run_coroutine_threadsafe(close_all(), running.loop).result(timeout=5)


def _bot(running: _Loop, token: str, api_url: str) -> Bot:
    key = (token, api_url)
    bot = running.bots.get(key)
    if bot is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
        session.timeout = CALL_TIMEOUT
        bot = running.bots[key] = Bot(token, session=session)
    return bot


def call(token: str, api_url: str, work: Callable[[Bot], Awaitable[T]]) -> T:
    """Run `work(bot)` on the process's loop and wait for its answer; aiogram's exceptions
    (`TelegramRetryAfter`, `TelegramForbiddenError`, ...) come through as they are."""
    running = _loop()

    async def run() -> T:
        return await work(_bot(running, token, api_url))

    future = asyncio.run_coroutine_threadsafe(run(), running.loop)
    return future.result(timeout=CALL_TIMEOUT + 5)


def forget(token: str, api_url: str) -> None:
    """Close the bot's session (an inbox deleted, a token replaced)."""
    running = _loop()
    bot = running.bots.pop((token, api_url), None)
    if bot is not None:
        asyncio.run_coroutine_threadsafe(bot.session.close(), running.loop).result(CALL_TIMEOUT)


def any_call(token: str, api_url: str, method: Any) -> Any:
    """Send an aiogram method object (`aiogram.methods.SendMessage(...)`)."""
    return call(token, api_url, lambda bot: bot(method))
