"""The one statement that stores messages on PostgreSQL: one message (`message_create`) or a
group commit's batch of visitors' sends (`message_batch`), each with the next `seq` of its
conversation, in one round trip. Elsewhere (SQLite, the embedded default) `store_elsewhere`
bumps the seq and inserts the row in two statements.

Each row names its conversation, or (a visitor's send) none: the statement then finds the
contact's open conversation in the inbox. A row whose `client_id` its sender already used
there is not stored: the answer names the earlier message instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection

from chats.models import AuthorKind, Conversation, Message
from chats.services.authors import Author

# A visitor's earlier message with its client_id, in any of their conversations of the inbox,
# found as `selectors.visitor_send_lookup` does. (Tests replace it to act out a resend that
# commits while the statement runs.)
EARLIER_SQL = """(SELECT m.id FROM chats_message m JOIN chats_conversation c
    ON c.id = m.conversation_id
  WHERE m.sender_key = v.sender AND m.client_id = v.client_id
    AND c.contact_id = v.contact AND c.inbox_id = v.inbox
  ORDER BY m.id DESC LIMIT 1)"""

# `f`: each row's earlier message and conversation. `s`: the rows to store, `rank` numbering
# each conversation's 1..n in the list's order. `was` locks their conversations' rows in id
# order, all before the UPDATE touches any (its condition on `was` is a one-time filter,
# evaluated first), so two batches never wait on each other in a cycle; holding those locks
# makes the numbers below the new `last_seq` ours. A visitor's conversation resolved meanwhile
# is not updated, so its sends are not stored (they go on their own, into a new conversation);
# a named conversation takes its message whatever its status. An operator who writes has read
# the conversation: their last message's seq becomes `operator_last_read_seq`; a visitor's
# message turns a pending conversation open. One row per input row, in the list's order.
_STORE_SQL = """
WITH v AS (
  SELECT * FROM unnest(%(conversation)s::bigint[], %(contact)s::bigint[], %(inbox)s::bigint[],
    %(kind)s::text[], %(operator)s::bigint[], %(sender)s::text[], %(body)s::text[],
    %(private)s::boolean[], %(attachments)s::text[], %(client_id)s::text[])
    WITH ORDINALITY AS v(given, contact, inbox, kind, operator, sender, body, private,
      attachments, client_id, ord)
),
f AS MATERIALIZED (
  SELECT v.*,
    CASE WHEN v.given IS NULL THEN {earlier}
      ELSE (SELECT m.id FROM chats_message m WHERE m.conversation_id = v.given
        AND m.sender_key = v.sender AND m.client_id = v.client_id LIMIT 1) END AS earlier,
    COALESCE(v.given, (SELECT o.id FROM chats_conversation o
      WHERE o.contact_id = v.contact AND o.inbox_id = v.inbox AND o.status <> 'resolved'
      ORDER BY o.id DESC LIMIT 1)) AS conv
  FROM v
),
s AS (
  SELECT f.*, row_number() OVER (PARTITION BY f.conv ORDER BY f.ord) AS rank
  FROM f WHERE f.earlier IS NULL AND f.conv IS NOT NULL
),
k AS (
  SELECT conv, count(*) AS n, bool_or(given IS NOT NULL) AS given,
    bool_or(kind = 'visitor') AS by_visitor,
    max(rank) FILTER (WHERE kind = 'operator') AS read_rank
  FROM s GROUP BY conv
),
was AS MATERIALIZED (
  SELECT id, status FROM chats_conversation WHERE id IN (SELECT conv FROM k)
  ORDER BY id FOR UPDATE
),
c AS (
  UPDATE chats_conversation t SET last_seq = t.last_seq + k.n, last_activity_at = %(now)s,
    operator_last_read_seq = CASE WHEN k.read_rank IS NULL THEN t.operator_last_read_seq
                                  ELSE t.last_seq + k.read_rank END,
    status = CASE WHEN k.by_visitor AND t.status = 'pending' THEN 'open' ELSE t.status END
  FROM k WHERE t.id = k.conv AND (k.given OR t.status <> 'resolved')
    AND (SELECT count(*) FROM was) > 0
  RETURNING t.id, t.last_seq - k.n AS base, t.inbox_id, t.contact_id, t.team_id, t.assignee_id,
    t.status
),
m AS (
  INSERT INTO chats_message (conversation_id, seq, author_kind, author_operator_id,
    author_contact_id, sender_key, body, private, attachments, client_id, created_at)
  SELECT s.conv, c.base + s.rank, s.kind, s.operator, s.contact, s.sender, s.body, s.private,
    s.attachments::jsonb, s.client_id, %(now)s
  FROM s JOIN c ON c.id = s.conv
  RETURNING id, conversation_id, seq
)
SELECT f.earlier, m.id, m.seq, c.id, c.inbox_id, c.contact_id, c.team_id, c.assignee_id,
  c.status, was.status
FROM f
LEFT JOIN s ON s.ord = f.ord
LEFT JOIN c ON c.id = s.conv
LEFT JOIN m ON m.conversation_id = c.id AND m.seq = c.base + s.rank
LEFT JOIN was ON was.id = c.id
ORDER BY f.ord
"""


def store_sql() -> str:
    return _STORE_SQL.format(earlier=EARLIER_SQL)


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to store. Without `conversation_id` (a visitor's send), it goes into the
    author's open conversation of `inbox_id`."""

    author: Author
    body: str
    client_id: str | None
    private: bool = False
    attachments: tuple[dict[str, Any], ...] = ()
    conversation_id: int | None = None
    inbox_id: int | None = None


@dataclass(frozen=True, slots=True)
class Stored:
    """One row's answer: the message stored, with its conversation's facts after it and its
    status before; or the earlier message of a resend; or nothing (no such conversation, or
    none open for a visitor's send)."""

    message: Message | None = None
    conversation: Conversation | None = None
    before: str | None = None
    earlier_id: int | None = None


def store_params(rows: Sequence[NewMessage], now: datetime) -> dict[str, Any]:
    return {
        "conversation": [row.conversation_id for row in rows],
        "contact": [row.author.contact.pk if row.author.contact else None for row in rows],
        "inbox": [row.inbox_id for row in rows],
        "kind": [row.author.kind for row in rows],
        "operator": [row.author.operator.pk if row.author.operator else None for row in rows],
        "sender": [row.author.sender_key for row in rows],
        "body": [row.body for row in rows],
        "private": [row.private for row in rows],
        "attachments": [json.dumps(list(row.attachments)) for row in rows],
        "client_id": [row.client_id for row in rows],
        "now": now,
    }


def stored_conversation(
    conversation_id: int,
    inbox_id: int,
    contact_id: int,
    team_id: int | None,
    assignee_id: int | None,
    status: str,
) -> Conversation:
    """A conversation with just the facts a message event needs (its audience, its visitor),
    as the storing statement returned them: no query."""
    return Conversation(
        id=conversation_id,
        inbox_id=inbox_id,
        contact_id=contact_id,
        team_id=team_id,
        assignee_id=assignee_id,
        status=status,
    )


def _message(
    row: NewMessage, *, message_id: int | None, conversation_id: int, seq: int, now: datetime
) -> Message:
    return Message(
        id=message_id,
        conversation_id=conversation_id,
        seq=seq,
        author_kind=row.author.kind,
        author_operator=row.author.operator,
        author_contact=row.author.contact,
        sender_key=row.author.sender_key,
        body=row.body,
        private=row.private,
        attachments=list(row.attachments),
        client_id=row.client_id,
        created_at=now,
    )


def read_stored(
    rows: Sequence[NewMessage], answers: Sequence[Sequence[Any]], now: datetime
) -> list[Stored]:
    """The statement's answer, one `Stored` per row, in order."""
    if len(answers) != len(rows):  # cannot happen; never ack a guess
        raise DatabaseError(f"the statement answered {len(answers)} rows of {len(rows)}")
    result: list[Stored] = []
    for row, answer in zip(rows, answers, strict=True):
        earlier, message_id, seq, *facts, before = answer
        if earlier is not None or message_id is None:
            result.append(Stored(earlier_id=earlier))
            continue
        conversation = stored_conversation(*facts)
        message = _message(
            row, message_id=message_id, conversation_id=conversation.pk, seq=seq, now=now
        )
        message._state.adding = False
        message._state.db = DEFAULT_DB_ALIAS  # the statement's database (`pg_async` too)
        result.append(Stored(message=message, conversation=conversation, before=before))
    return result


def store(rows: Sequence[NewMessage], now: datetime) -> list[Stored]:
    """Run the statement on Django's connection (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(store_sql(), store_params(rows, now))
        return read_stored(rows, cursor.fetchall(), now)


# Elsewhere than PostgreSQL: the seq bump, then the insert (in the caller's transaction).
_BUMP_SEQ = (
    "UPDATE chats_conversation SET last_seq = last_seq + 1, last_activity_at = %s, "
    "operator_last_read_seq = CASE WHEN %s THEN last_seq + 1 ELSE operator_last_read_seq END, "
    "status = CASE WHEN %s AND status = 'pending' THEN 'open' ELSE status END "
    "WHERE id = %s RETURNING last_seq, inbox_id, contact_id, team_id, assignee_id, status"
)


def store_elsewhere(row: NewMessage, now: datetime) -> Stored:
    """One message into its named conversation, in two statements; call inside a transaction.
    A resend trips the unique constraint on `(conversation, sender, client_id)`."""
    assert row.conversation_id is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM chats_conversation WHERE id = %s", [row.conversation_id])
        found = cursor.fetchone()
        if found is None:
            return Stored()
        by_operator = row.author.kind == AuthorKind.OPERATOR
        by_visitor = row.author.kind == AuthorKind.VISITOR
        cursor.execute(_BUMP_SEQ, [now, by_operator, by_visitor, row.conversation_id])
        seq, *facts = cursor.fetchone()
    conversation = stored_conversation(row.conversation_id, *facts)
    message = _message(row, message_id=None, conversation_id=conversation.pk, seq=seq, now=now)
    message.save(force_insert=True)
    return Stored(message=message, conversation=conversation, before=found[0])
