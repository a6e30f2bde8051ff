"""The writer of visitors' messages: one per event loop (so per server process), storing the
sends that are waiting at a moment together (`chats.services.message_batch`).

A widget socket's `message` frame waits here for its answer. When nothing is being stored, a
send goes at once, alone: at a low rate this costs what storing it directly did. While a batch
is being stored (one statement on the event loop's own connection, `message_batch.asend`),
the sends that arrive meanwhile wait, and go together as the next batch: one statement, one
commit and one Redis round trip for all of them.
So batches grow with the load, by themselves, and add no delay that the load did not make.

Each send is answered only after its batch committed; a batch that fails answers each of its
sends with the error (nothing acked, so the clients resend, with the same `client_id`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from django.conf import settings

from chats.models import Message, Visitor
from chats.services import message_batch
from chats.services.message_batch import Outcome, VisitorSend
from helpdesk.loop_local import LoopLocal


class VisitorMessageWriter:
    def __init__(self) -> None:
        self.waiting: list[tuple[VisitorSend, asyncio.Future[tuple[Message, bool]]]] = []
        self.running = 0
        self.tasks: set[asyncio.Task[None]] = set()

    async def send(self, visitor: Visitor, body: Any, client_id: Any) -> tuple[Message, bool]:
        """Store one visitor's message; answers `(message, created)` once it is committed."""
        answer: asyncio.Future[tuple[Message, bool]] = asyncio.get_running_loop().create_future()
        self.waiting.append((VisitorSend(visitor, body, client_id), answer))
        if self.running < settings.GROUP_COMMIT_WRITERS:
            self.running += 1
            task = asyncio.ensure_future(self._store_while_waiting())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return await answer

    async def _store_while_waiting(self) -> None:
        try:
            while self.waiting:
                batch = self.waiting[: settings.GROUP_COMMIT_MAX]
                del self.waiting[: len(batch)]
                await self._store(batch)
        finally:
            self.running -= 1

    async def _store(
        self, batch: list[tuple[VisitorSend, asyncio.Future[tuple[Message, bool]]]]
    ) -> None:
        try:
            outcomes: list[Outcome] = await message_batch.asend([send for send, _ in batch])
        except Exception as error:
            for _send, answer in batch:
                if not answer.done():
                    answer.set_exception(error)
            return
        except BaseException:  # cancelled: the event loop is going away
            for _send, answer in batch:
                answer.cancel()
            raise
        for (_send, answer), outcome in zip(batch, outcomes, strict=True):
            if answer.done():  # its socket went away meanwhile
                continue
            if isinstance(outcome, Exception):
                answer.set_exception(outcome)
            else:
                answer.set_result(outcome)


_writers = LoopLocal(VisitorMessageWriter)


def of_this_loop() -> VisitorMessageWriter:
    return _writers.get()
