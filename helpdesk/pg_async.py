"""PostgreSQL straight from the event loop, for the one hot path that is plain SQL (the group
commit of visitors' messages, `chats.services.message_batch.asend`).

Going through a `db_call` thread costs a message two thread hand-offs and, for each round
trip, the GIL taken back from a busy event loop: milliseconds at every load
(docs/benchmarks-history.md, "The same day, another machine: storing on the event loop").
An asyncio connection has none of that.
These connections are in autocommit mode, so each statement is its own transaction,
and they use Django's own connection parameters (the same database, the same time zone
adapters), binding parameters server-side so that a statement is prepared once per connection
and runs on a generic plan (`GROUP_COMMIT_PREPARE`): no parsing or planning per execution.

Each event loop keeps a few idle connections (as many as it runs batches at once); one that
failed or was interrupted mid-statement is closed instead of kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from django.conf import settings
from django.db import connections

from helpdesk.loop_local import LoopLocal

PREPARE_THRESHOLD = 5  # psycopg's default; `execute(prepare=True)` prepares at once anyway


def connection_params() -> dict[str, Any]:
    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)  # Django's is a sync cursor; this binds server-side
    if settings.GROUP_COMMIT_PREPARE:
        # Django turns prepared statements off (`prepare_threshold=None`, for poolers in
        # transaction mode), which makes psycopg ignore `prepare=True`. A generic plan: the
        # batch's statement has one shape for any list, and a custom plan would be planned
        # again at every execution (about 40% of its time in PostgreSQL at one send).
        params["prepare_threshold"] = PREPARE_THRESHOLD
        options = params.get("options", "")
        params["options"] = f"{options} -c plan_cache_mode=force_generic_plan".strip()
    return params


async def _connect() -> psycopg.AsyncConnection:
    return await psycopg.AsyncConnection.connect(autocommit=True, **connection_params())


class _Idle:
    def __init__(self) -> None:
        self.connections: list[psycopg.AsyncConnection] = []


_idle = LoopLocal(_Idle)


@contextlib.asynccontextmanager
async def connection() -> AsyncIterator[psycopg.AsyncConnection]:
    idle = _idle.get()
    conn = idle.connections.pop() if idle.connections else await _connect()
    try:
        yield conn
    except BaseException:
        if conn.broken or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            await conn.close()
        else:
            await _keep(idle, conn)
        raise
    await _keep(idle, conn)


async def _keep(idle: _Idle, conn: psycopg.AsyncConnection) -> None:
    if conn.closed:
        return
    if len(idle.connections) >= settings.GROUP_COMMIT_WRITERS:
        await conn.close()
        return
    idle.connections.append(conn)


async def close_idle() -> None:
    """Close this loop's idle connections (before the loop itself closes)."""
    idle = _idle.pop()
    for conn in idle.connections if idle is not None else []:
        await conn.close()
