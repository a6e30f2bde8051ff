"""Group commit: many visitors' sends stored by one SQL statement, in one transaction.

`visitor_messages_send` is `services.visitor_message_send` for a list of sends, with the same
answers and the same guarantees, at a cost that hardly grows with the list: one query looks
up every send's resend and open conversation, one statement stores them all (one commit, one
fsync), one Redis round trip publishes all their events. The writer of each server process
(`chats.consumers.writer`) hands it the sends that are waiting at a moment.

The guarantees, and how they hold:
- Gapless `seq` per conversation: the statement's `UPDATE` adds the number of the batch's
  messages to each conversation's `last_seq` under its row lock, and gives them the numbers
  just below the new value, in the order of the list. Every writer of messages takes that lock
  first, so nothing can come in between, and a statement that fails stores nothing.
- `client_id` idempotency: a resend already stored is answered from the look-up; a second send
  of one `client_id` in the same list gets the first's message. A resend that commits in
  another process between our look-up and our statement trips the unique constraint: the
  statement fails whole, and each of its sends is stored again on its own
  (`services.visitor_message_send`, which answers a duplicate with the first message).
- Acks only after the commit, events only after it: the statement is its own transaction (or
  a savepoint of the caller's), the events are `on_commit` callbacks, and the sends' answers
  are returned only when it has committed. A failure answers each send with the error, so
  nothing is acked and the clients' resends (same `client_id`) are stored once.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from chats import events
from chats.models import AuthorKind, Conversation, ConversationStatus, Message, Visitor
from chats.validation import clean_body, clean_client_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VisitorSend:
    visitor: Visitor
    body: Any
    client_id: Any


# A send's answer: (message, created), or the error it was refused with.
Outcome = tuple[Message, bool] | Exception

_LOOKUP = """
SELECT v.ord,
  (SELECT m.id FROM chats_message m JOIN chats_conversation c ON c.id = m.conversation_id
    WHERE m.sender_key = v.sender AND m.client_id = v.client_id
      AND c.contact_id = v.contact AND c.inbox_id = v.inbox
    ORDER BY m.id DESC LIMIT 1),
  (SELECT id FROM chats_conversation
    WHERE contact_id = v.contact AND inbox_id = v.inbox AND status <> 'resolved'
    ORDER BY id DESC LIMIT 1)
FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[])
  WITH ORDINALITY AS v(contact, inbox, sender, client_id, ord)
"""

# `rank` numbers each conversation's messages 1..n in the list's order. `was` locks the
# conversations' rows in id order, all before the UPDATE touches any (its condition on `was`
# is a one-time filter, evaluated first), so two batches never wait on each other in a cycle;
# holding those locks makes the numbers below the new `last_seq` ours.
_STORE = """
WITH v AS (
  SELECT * FROM unnest(%(conv)s::bigint[], %(rank)s::int[], %(contact)s::bigint[],
    %(sender)s::text[], %(body)s::text[], %(client_id)s::text[])
    AS v(conv, rank, contact, sender, body, client_id)
),
k AS (SELECT conv, count(*) AS n FROM v GROUP BY conv),
was AS MATERIALIZED (
  SELECT id, status FROM chats_conversation WHERE id IN (SELECT conv FROM k)
  ORDER BY id FOR UPDATE
),
c AS (
  UPDATE chats_conversation t SET last_seq = t.last_seq + k.n, last_activity_at = %(now)s,
    status = CASE WHEN t.status = 'pending' THEN 'open' ELSE t.status END
  FROM k WHERE t.id = k.conv AND (SELECT count(*) FROM was) > 0
  RETURNING t.id, t.last_seq - k.n AS base, t.inbox_id, t.contact_id, t.team_id, t.assignee_id,
    t.status
),
m AS (
  INSERT INTO chats_message (conversation_id, seq, author_kind, author_operator_id,
    author_contact_id, sender_key, body, private, attachments, client_id, created_at)
  SELECT v.conv, c.base + v.rank, 'visitor', NULL, v.contact, v.sender, v.body, false,
    '[]'::jsonb, v.client_id, %(now)s
  FROM v JOIN c ON c.id = v.conv
  RETURNING id, conversation_id, seq
)
SELECT m.id, m.conversation_id, m.seq, c.inbox_id, c.contact_id, c.team_id, c.assignee_id,
  c.status, was.status
FROM m JOIN c ON c.id = m.conversation_id JOIN was ON was.id = m.conversation_id
"""


def visitor_messages_send(sends: list[VisitorSend]) -> list[Outcome]:
    """Store each send as `services.visitor_message_send` would; one answer per send, in
    order. Only for PostgreSQL (elsewhere, and for a single send, it calls that function)."""
    from chats import services

    if connection.vendor != "postgresql":
        return [_one(services.visitor_message_send, send) for send in sends]
    outcomes: list[Outcome | None] = [None] * len(sends)
    cleaned: list[tuple[int, VisitorSend, str, str | None]] = []
    for index, send in enumerate(sends):
        try:
            cleaned.append((index, send, clean_body(send.body), clean_client_id(send.client_id)))
        except Exception as error:  # a ServiceError: this send is refused, not the others
            outcomes[index] = error
    if cleaned:
        _store_cleaned(cleaned, outcomes)
    assert all(outcome is not None for outcome in outcomes)
    return outcomes  # type: ignore[return-value]


def _one(send_one: Any, send: VisitorSend) -> Outcome:
    try:
        result: tuple[Message, bool] = send_one(
            visitor=send.visitor, body=send.body, client_id=send.client_id
        )
    except Exception as error:
        return error
    return result


def _store_cleaned(
    cleaned: list[tuple[int, VisitorSend, str, str | None]], outcomes: list[Outcome | None]
) -> None:
    from chats import services

    earlier, open_ids = _lookup(cleaned)
    answered_by_earlier = {index: earlier[index] for index in earlier}
    if answered_by_earlier:
        found = Message.objects.select_related("author_operator", "author_contact").in_bulk(
            list(answered_by_earlier.values())
        )
        for index, message_id in answered_by_earlier.items():
            outcomes[index] = (found[message_id], False)
    # A first message opens its conversation: rare, and done on its own as before.
    to_store: list[tuple[int, VisitorSend, str, str | None, int]] = []
    for index, send, body, client_id in cleaned:
        if outcomes[index] is not None:
            continue
        conversation_id = open_ids.get(index)
        if conversation_id is None:
            outcomes[index] = _one(services.visitor_message_send, send)
        else:
            to_store.append((index, send, body, client_id, conversation_id))
    if not to_store:
        return
    try:
        _store(to_store, outcomes)
    except DatabaseError:
        # Nothing of the statement was stored: a resend that raced us, or a deadlock between
        # two batches. Each send on its own, with its own answer to a duplicate.
        logger.info("group commit of %d sends failed; storing them one by one", len(to_store))
        for index, send, _body, _client_id, _conversation in to_store:
            outcomes[index] = _one(services.visitor_message_send, send)


def _lookup(
    cleaned: list[tuple[int, VisitorSend, str, str | None]],
) -> tuple[dict[int, int], dict[int, int]]:
    """For each send (by its index): an earlier message of its `client_id` and the visitor's
    open conversation, in one round trip."""
    with connection.cursor() as cursor:
        cursor.execute(
            _LOOKUP,
            [
                [send.visitor.contact_id for _i, send, _b, _c in cleaned],
                [send.visitor.inbox_id for _i, send, _b, _c in cleaned],
                [f"c{send.visitor.contact_id}" for _i, send, _b, _c in cleaned],
                [client_id for _i, _s, _b, client_id in cleaned],
            ],
        )
        rows = cursor.fetchall()
    earlier: dict[int, int] = {}
    open_ids: dict[int, int] = {}
    for ordinal, earlier_id, open_id in rows:
        index = cleaned[ordinal - 1][0]
        if earlier_id is not None:
            earlier[index] = earlier_id
        if open_id is not None:
            open_ids[index] = open_id
    return earlier, open_ids


def _store(
    to_store: list[tuple[int, VisitorSend, str, str | None, int]],
    outcomes: list[Outcome | None],
) -> None:
    from chats import services

    now = timezone.now()
    # A second send of one client_id in this list is answered with the first one's message.
    first_of: dict[tuple[int, str, str], int] = {}
    repeats: dict[int, int] = {}
    rows: list[tuple[int, VisitorSend, str, str | None, int, int]] = []
    ranks: dict[int, int] = defaultdict(int)
    for index, send, body, client_id, conversation_id in to_store:
        if client_id is not None:
            key = (conversation_id, f"c{send.visitor.contact_id}", client_id)
            if key in first_of:
                repeats[index] = first_of[key]
                continue
            first_of[key] = index
        ranks[conversation_id] += 1
        rows.append((index, send, body, client_id, conversation_id, ranks[conversation_id]))
    params: dict[str, Any] = {
        "conv": [row[4] for row in rows],
        "rank": [row[5] for row in rows],
        "contact": [row[1].visitor.contact_id for row in rows],
        "sender": [f"c{row[1].visitor.contact_id}" for row in rows],
        "body": [row[2] for row in rows],
        "client_id": [row[3] for row in rows],
        "now": now,
    }
    # One statement is its own transaction; inside a caller's, a savepoint keeps it usable.
    block = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with block, connection.cursor() as cursor:
        cursor.execute(_STORE, params)
        stored = cursor.fetchall()
        if len(stored) != len(rows):  # cannot happen with the row locks; never ack a guess
            raise DatabaseError(f"group commit stored {len(stored)} of {len(rows)} messages")
        by_place = {(row[1], row[2]): row for row in stored}  # (conversation, seq)
        first_seq: dict[int, int] = {}
        for _id, conversation_id, seq, *_rest in stored:
            first_seq[conversation_id] = min(first_seq.get(conversation_id, seq), seq)
        created: list[tuple[Message, Conversation]] = []
        reopened: set[int] = set()
        for index, send, body, client_id, conversation_id, rank in rows:
            (message_id, _c, seq, inbox_id, contact_id, team_id, assignee_id, status, before) = (
                by_place[(conversation_id, first_seq[conversation_id] + rank - 1)]
            )
            message = Message(
                id=message_id,
                conversation_id=conversation_id,
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
            message._state.db = connection.alias
            conversation = services.stored_conversation(
                conversation_id, inbox_id, contact_id, team_id, assignee_id, status
            )
            created.append((message, conversation))
            if before == ConversationStatus.PENDING:
                reopened.add(conversation_id)
            outcomes[index] = (message, True)
        transaction.on_commit(lambda: events.messages_created(created))
        for conversation_id in sorted(reopened):
            transaction.on_commit(
                functools.partial(services._after_conversation_change, conversation_id)
            )
    for index, first in repeats.items():
        outcome = outcomes[first]
        assert isinstance(outcome, tuple)
        outcomes[index] = (outcome[0], False)
