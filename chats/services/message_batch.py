"""Group commit: many visitors' sends stored by one SQL statement, in one transaction.

`visitor_messages_send` (in a thread, on Django's connection) and `asend` (on the event loop,
on an asyncio connection: the server's hot path) are `messages.visitor_message_send` for a list
of sends, with the same answers and the same guarantees, at a cost that hardly grows with the
list: one statement looks up every send's resend and open conversation and stores them all
(one round trip, one commit, one fsync), and one dispatch hands all their `MessageCreated`
events to the listeners (the live broadcast publishes them in one Redis round trip). The
writer of each server process (`chats.consumers.writer`) hands them the sends waiting at a
moment.

The guarantees, and how they hold:
- Gapless `seq` per conversation: the statement's `UPDATE` adds the number of the batch's
  messages to each conversation's `last_seq` under its row lock, and gives them the numbers
  just below the new value, in the order of the list. Every writer of messages takes that lock
  first, so nothing can come in between, and a statement that fails stores nothing.
- `client_id` idempotency: a resend already stored is answered with the stored message; a
  second send of one `client_id` in the same list gets the first's message. A resend that
  commits in another process while our statement runs trips the unique constraint: the
  statement fails whole, and each of its sends is stored again on its own
  (`messages.visitor_message_send`, which answers a duplicate with the first message).
- Acks only after the commit, events only after it: the statement is its own transaction (or
  a savepoint of the caller's), the events are published after it, and the sends' answers are
  returned only when it has committed. A failure answers each send with the error, so nothing
  is acked and the clients' resends (same `client_id`) are stored once.
- What the statement leaves alone goes the way of one send: a visitor's first message (it
  opens the conversation), a send whose conversation was resolved meanwhile, a resend (its
  stored message is read back with its authors).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chats.events.dispatch import adispatch, arefresh, record, wanted_in_transaction
from chats.events.domain import MessageCreated
from chats.models import AuthorKind, ConversationStatus, Message, Visitor
from chats.services import message_store
from chats.services.authors import Author
from chats.services.message_store import NewMessage, Stored
from chats.services.messages import (
    message_probe,
    status_changed_by_message,
    visitor_message_send,
)
from chats.validation import clean_body, clean_client_id
from helpdesk import pg_async
from helpdesk.db import db_call, default_vendor

logger = logging.getLogger(__name__)

PENDING = ConversationStatus.PENDING


@dataclass(frozen=True, slots=True)
class VisitorSend:
    visitor: Visitor
    body: Any
    client_id: Any


# A send's answer: (message, created), or the error it was refused with.
Outcome = tuple[Message, bool] | Exception


@dataclass
class Batch:
    """A list of sends on its way: each send's answer as it becomes known."""

    sends: list[VisitorSend]
    outcomes: list[Outcome | None]
    to_store: list[int] = field(default_factory=list)  # indexes, in the statement's order
    cleaned: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # body, client_id
    repeats: dict[int, int] = field(default_factory=dict)  # a repeated client_id: its first
    # what the statement left to the one-send path, and what it changed
    resent: dict[int, int] = field(default_factory=dict)  # index: the earlier message's id
    alone: list[int] = field(default_factory=list)
    created: list[MessageCreated] = field(default_factory=list)
    reopened: list[MessageCreated] = field(default_factory=list)

    @property
    def needs_database(self) -> bool:
        return bool(self.resent or self.alone or self.reopened)

    def rows(self) -> list[NewMessage]:
        """What the statement stores: each send to store, in order, into its author's open
        conversation of the inbox."""
        rows = []
        for index in self.to_store:
            visitor = self.sends[index].visitor
            body, client_id = self.cleaned[index]
            author = Author.of_contact(visitor.contact)
            rows.append(
                NewMessage(author=author, body=body, client_id=client_id, inbox_id=visitor.inbox_id)
            )
        return rows

    def take(self, answers: list[Stored]) -> None:
        """The statement's answers (one per send to store, in order) into the sends' answers."""
        reopened: dict[int, MessageCreated] = {}
        for index, stored in zip(self.to_store, answers, strict=True):
            if stored.earlier_id is not None:
                self.resent[index] = stored.earlier_id
            elif stored.message is None or stored.conversation is None:
                self.alone.append(index)
            else:
                event = MessageCreated(message=stored.message, conversation=stored.conversation)
                self.outcomes[index] = (stored.message, True)
                self.created.append(event)
                if stored.before == ConversationStatus.PENDING:
                    reopened.setdefault(stored.conversation.pk, event)
        self.reopened = [reopened[pk] for pk in sorted(reopened)]

    def store_alone(self) -> None:
        """Every send still to store goes on its own (the statement failed)."""
        self.alone = list(self.to_store)

    def finish(self) -> list[Outcome]:
        """What the statement left: in a thread, as it may query (`needs_database`). After the
        commit: a pending conversation a send turned open is announced (a listener's failure
        is logged by the dispatch: the messages stand, and the consoles re-read on resume)."""
        for event in self.reopened:
            at = event.message.created_at
            record(status_changed_by_message(event.conversation, previous=PENDING, at=at))
        if self.resent:
            found = Message.objects.select_related("author_operator", "author_contact").in_bulk(
                list(self.resent.values())
            )
            for index, message_id in self.resent.items():
                self.outcomes[index] = (found[message_id], False)
        for index in self.alone:
            self.outcomes[index] = _one(visitor_message_send, self.sends[index])
        for index, first in self.repeats.items():
            outcome = self.outcomes[first]
            self.outcomes[index] = (outcome[0], False) if isinstance(outcome, tuple) else outcome
        assert all(outcome is not None for outcome in self.outcomes)
        return self.outcomes  # type: ignore[return-value]


def prepare(sends: list[VisitorSend]) -> Batch:
    """Each send cleaned (a refused one is answered, not the others) and each repeat of a
    `client_id` in the list pointed at its first."""
    batch = Batch(sends=sends, outcomes=[None] * len(sends))
    first_of: dict[tuple[int, int, str], int] = {}
    for index, send in enumerate(sends):
        try:
            body, client_id = clean_body(send.body), clean_client_id(send.client_id)
        except Exception as error:  # a ServiceError
            batch.outcomes[index] = error
            continue
        if client_id is not None:
            key = (send.visitor.contact_id, send.visitor.inbox_id, client_id)
            if key in first_of:
                batch.repeats[index] = first_of[key]
                continue
            first_of[key] = index
        batch.cleaned[index] = (body, client_id)
        batch.to_store.append(index)
    return batch


def _heard_in_transaction() -> bool:
    """Do listeners hear visitors' messages in their transaction? (The webhooks' outbox does
    while a webhook takes every message; the event loop's statement, which is its own
    transaction, is for when none does.)"""
    return wanted_in_transaction(message_probe(AuthorKind.VISITOR))


def _one(send_one: Any, send: VisitorSend) -> Outcome:
    try:
        result: tuple[Message, bool] = send_one(
            visitor=send.visitor, body=send.body, client_id=send.client_id
        )
    except Exception as error:
        return error
    return result


def visitor_messages_send(sends: list[VisitorSend]) -> list[Outcome]:
    """Store each send as `services.visitor_message_send` would, in this thread; one answer
    per send, in order. The statement needs PostgreSQL: elsewhere each send goes alone."""
    batch = prepare(sends)
    if not batch.to_store:
        return batch.finish()
    if connection.vendor != "postgresql":
        batch.store_alone()
        return batch.finish()
    # One statement is its own transaction; inside a caller's, a savepoint keeps it usable,
    # and listeners that hear visitors' messages in their transaction get one.
    in_block = connection.in_atomic_block or _heard_in_transaction()
    block = transaction.atomic() if in_block else contextlib.nullcontext()
    try:
        with block:
            batch.take(message_store.store(batch.rows(), timezone.now()))
            record(*batch.created)
    except DatabaseError:
        logger.info("group commit of %d sends failed; storing them one by one", len(sends))
        batch = prepare(sends)
        batch.store_alone()
    return batch.finish()


async def asend(sends: list[VisitorSend]) -> list[Outcome]:
    """`visitor_messages_send` on the event loop: the statement on an asyncio connection, the
    events published from here; only what the statement left goes to a database thread."""
    await arefresh()
    if default_vendor() != "postgresql" or _heard_in_transaction():
        return await db_call(visitor_messages_send, sends)
    batch = prepare(sends)
    if batch.to_store:
        rows, now = batch.rows(), timezone.now()
        try:
            async with pg_async.connection() as conn:
                cursor = await conn.execute(
                    message_store.store_sql(),
                    message_store.store_params(rows, now),
                    prepare=settings.GROUP_COMMIT_PREPARE,
                )
                batch.take(message_store.read_stored(rows, await cursor.fetchall(), now))
        except (psycopg.Error, DatabaseError):
            logger.info("group commit of %d sends failed; storing them one by one", len(sends))
            batch = prepare(sends)
            batch.store_alone()
        else:
            await adispatch(batch.created)
    if batch.needs_database:
        return await db_call(batch.finish)
    return batch.finish()
