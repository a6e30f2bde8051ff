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
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, transaction
from django.utils import timezone

from chats.events.dispatch import adispatch, record
from chats.events.domain import MessageCreated
from chats.models import AuthorKind, ConversationStatus, Message, Visitor
from chats.services.messages import (
    status_changed_by_message,
    stored_conversation,
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

# A send's earlier message with its client_id, found as `selectors.visitor_send_lookup` does.
# (Tests replace it to act out a resend that commits while the statement runs.)
EARLIER_SQL = """(SELECT m.id FROM chats_message m JOIN chats_conversation c
    ON c.id = m.conversation_id
  WHERE m.sender_key = v.sender AND m.client_id = v.client_id
    AND c.contact_id = v.contact AND c.inbox_id = v.inbox
  ORDER BY m.id DESC LIMIT 1)"""

# `f`: each send's earlier message and open conversation. `s`: the sends to store, `rank`
# numbering each conversation's 1..n in the list's order. `was` locks their conversations'
# rows in id order, all before the UPDATE touches any (its condition on `was` is a one-time
# filter, evaluated first), so two batches never wait on each other in a cycle; holding those
# locks makes the numbers below the new `last_seq` ours. A conversation resolved meanwhile is
# not updated, so its sends are not stored (they go on their own, into a new conversation).
# One row per send, in the list's order.
_SEND_SQL = """
WITH v AS (
  SELECT * FROM unnest(%(contact)s::bigint[], %(inbox)s::bigint[], %(sender)s::text[],
    %(body)s::text[], %(client_id)s::text[])
    WITH ORDINALITY AS v(contact, inbox, sender, body, client_id, ord)
),
f AS MATERIALIZED (
  SELECT v.*, {earlier} AS earlier,
    (SELECT o.id FROM chats_conversation o
      WHERE o.contact_id = v.contact AND o.inbox_id = v.inbox AND o.status <> 'resolved'
      ORDER BY o.id DESC LIMIT 1) AS conv
  FROM v
),
s AS (
  SELECT f.*, row_number() OVER (PARTITION BY f.conv ORDER BY f.ord) AS rank
  FROM f WHERE f.earlier IS NULL AND f.conv IS NOT NULL
),
k AS (SELECT conv, count(*) AS n FROM s GROUP BY conv),
was AS MATERIALIZED (
  SELECT id, status FROM chats_conversation WHERE id IN (SELECT conv FROM k)
  ORDER BY id FOR UPDATE
),
c AS (
  UPDATE chats_conversation t SET last_seq = t.last_seq + k.n, last_activity_at = %(now)s,
    status = CASE WHEN t.status = 'pending' THEN 'open' ELSE t.status END
  FROM k WHERE t.id = k.conv AND t.status <> 'resolved' AND (SELECT count(*) FROM was) > 0
  RETURNING t.id, t.last_seq - k.n AS base, t.inbox_id, t.contact_id, t.team_id, t.assignee_id,
    t.status
),
m AS (
  INSERT INTO chats_message (conversation_id, seq, author_kind, author_operator_id,
    author_contact_id, sender_key, body, private, attachments, client_id, created_at)
  SELECT s.conv, c.base + s.rank, 'visitor', NULL, s.contact, s.sender, s.body, false,
    '[]'::jsonb, s.client_id, %(now)s
  FROM s JOIN c ON c.id = s.conv
  RETURNING id, conversation_id, seq
)
SELECT f.ord, f.earlier, m.id, m.seq, c.id, c.inbox_id, c.contact_id, c.team_id,
  c.assignee_id, c.status, was.status
FROM f
LEFT JOIN s ON s.ord = f.ord
LEFT JOIN c ON c.id = s.conv
LEFT JOIN m ON m.conversation_id = c.id AND m.seq = c.base + s.rank
LEFT JOIN was ON was.id = c.id
ORDER BY f.ord
"""


def send_sql() -> str:
    return _SEND_SQL.format(earlier=EARLIER_SQL)


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

    def params(self) -> dict[str, Any]:
        visitors = [self.sends[index].visitor for index in self.to_store]
        return {
            "contact": [visitor.contact_id for visitor in visitors],
            "inbox": [visitor.inbox_id for visitor in visitors],
            "sender": [f"c{visitor.contact_id}" for visitor in visitors],
            "body": [self.cleaned[index][0] for index in self.to_store],
            "client_id": [self.cleaned[index][1] for index in self.to_store],
            "now": timezone.now(),
        }

    def take(self, rows: list[tuple[Any, ...]], now: Any) -> None:
        """Read the statement's rows (one per send to store, in order) into the answers."""
        if len(rows) != len(self.to_store):  # cannot happen; never ack a guess
            raise DatabaseError(f"group commit answered {len(rows)} of {len(self.to_store)}")
        reopened: dict[int, MessageCreated] = {}
        for index, row in zip(self.to_store, rows, strict=True):
            _ord, earlier, message_id, seq, *facts, before = row
            if earlier is not None:
                self.resent[index] = earlier
            elif message_id is None:
                self.alone.append(index)
            else:
                event = self._stored(index, message_id, seq, now, facts)
                self.outcomes[index] = (event.message, True)
                self.created.append(event)
                if before == ConversationStatus.PENDING:
                    reopened.setdefault(event.conversation.pk, event)
        self.reopened = [reopened[pk] for pk in sorted(reopened)]

    def _stored(
        self, index: int, message_id: int, seq: int, now: Any, facts: list[Any]
    ) -> MessageCreated:
        send = self.sends[index]
        body, client_id = self.cleaned[index]
        conversation = stored_conversation(*facts)
        message = Message(
            id=message_id,
            conversation_id=conversation.pk,
            seq=seq,
            author_kind=AuthorKind.VISITOR,
            author_contact=send.visitor.contact,
            sender_key=f"c{send.visitor.contact_id}",
            body=body,
            private=False,
            attachments=[],
            client_id=client_id,
            created_at=now,
        )
        message._state.adding = False
        message._state.db = DEFAULT_DB_ALIAS  # the statement's database (`pg_async`)
        return MessageCreated(message=message, conversation=conversation)

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
    params = batch.params()
    # One statement is its own transaction; inside a caller's, a savepoint keeps it usable.
    block = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with block, connection.cursor() as cursor:
            cursor.execute(send_sql(), params)
            batch.take(cursor.fetchall(), params["now"])
            record(*batch.created)
    except DatabaseError:
        logger.info("group commit of %d sends failed; storing them one by one", len(sends))
        batch = prepare(sends)
        batch.store_alone()
    return batch.finish()


async def asend(sends: list[VisitorSend]) -> list[Outcome]:
    """`visitor_messages_send` on the event loop: the statement on an asyncio connection, the
    events published from here; only what the statement left goes to a database thread."""
    if default_vendor() != "postgresql":
        return await db_call(visitor_messages_send, sends)
    batch = prepare(sends)
    if batch.to_store:
        params = batch.params()
        try:
            async with pg_async.connection() as conn:
                cursor = await conn.execute(
                    send_sql(), params, prepare=settings.GROUP_COMMIT_PREPARE
                )
                batch.take(await cursor.fetchall(), params["now"])
        except (psycopg.Error, DatabaseError):
            logger.info("group commit of %d sends failed; storing them one by one", len(sends))
            batch = prepare(sends)
            batch.store_alone()
        else:
            await adispatch(batch.created)
    if batch.needs_database:
        return await db_call(batch.finish)
    return batch.finish()
