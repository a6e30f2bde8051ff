"""Messages: every message is stored here, with the next `seq` of its conversation.

`message_create` stores one message (an operator's, the system's, a visitor's); the visitors'
sends that arrive together are stored by the group commit beside it (`message_batch`), which
records the same `MessageCreated` events for its batch.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats import selectors
from chats.events.dispatch import record
from chats.events.domain import ConversationStatusChanged, MessageCreated, audience_of
from chats.models import AuthorKind, Contact, Conversation, Message, Visitor
from chats.services.authors import Author
from chats.services.conversations import conversation_open
from chats.validation import clean_body, clean_client_id
from helpdesk.errors import NotFound, ServiceError

# An operator who writes has read the conversation: their message's seq is also the new
# `operator_last_read_seq` (the right-hand sides read the row as it was before the UPDATE).
_BUMP_SEQ = (
    "UPDATE chats_conversation SET last_seq = last_seq + 1, last_activity_at = %s, "
    "operator_last_read_seq = CASE WHEN %s THEN last_seq + 1 ELSE operator_last_read_seq END, "
    "status = CASE WHEN %s AND status = 'pending' THEN 'open' ELSE status END "
    "WHERE id = %s RETURNING last_seq, inbox_id, contact_id, team_id, assignee_id, status"
)

# PostgreSQL: the seq bump and the insert in one statement, so an unnested send is one round
# trip and its own transaction. `was` reads the status as it stood before this statement.
_STORE_PG = """
WITH was AS (SELECT status FROM chats_conversation WHERE id = %(conversation)s),
c AS (
  UPDATE chats_conversation SET last_seq = last_seq + 1, last_activity_at = %(now)s,
    operator_last_read_seq = CASE WHEN %(by_operator)s THEN last_seq + 1
                                  ELSE operator_last_read_seq END,
    status = CASE WHEN %(by_visitor)s AND status = 'pending' THEN 'open' ELSE status END
  WHERE id = %(conversation)s
  RETURNING id, last_seq, inbox_id, contact_id, team_id, assignee_id, status
),
m AS (
  INSERT INTO chats_message (conversation_id, seq, author_kind, author_operator_id,
    author_contact_id, sender_key, body, private, attachments, client_id, created_at)
  SELECT c.id, c.last_seq, %(kind)s, %(operator)s, %(contact)s, %(sender)s, %(body)s,
    %(private)s, %(attachments)s::jsonb, %(client_id)s, %(now)s FROM c
  RETURNING id
)
SELECT m.id, c.last_seq, c.inbox_id, c.contact_id, c.team_id, c.assignee_id, c.status,
  (SELECT status FROM was)
FROM m, c
"""


def _store_message(
    *,
    conversation_id: int,
    author: Author,
    body: str,
    client_id: str | None,
    private: bool,
    attachments: list[dict[str, Any]],
    now: datetime,
) -> tuple[Message, Conversation, str]:
    """Insert the message with the next seq; answers it, its conversation's audience facts
    (its status after the message), and the status before it (a visitor's message turns a
    pending conversation open)."""
    by_operator = author.kind == AuthorKind.OPERATOR
    by_visitor = author.kind == AuthorKind.VISITOR
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _STORE_PG,
                {
                    "conversation": conversation_id,
                    "now": now,
                    "by_operator": by_operator,
                    "by_visitor": by_visitor,
                    "kind": author.kind,
                    "operator": author.operator.pk if author.operator else None,
                    "contact": author.contact.pk if author.contact else None,
                    "sender": author.sender_key,
                    "body": body,
                    "private": private,
                    "attachments": json.dumps(attachments),
                    "client_id": client_id,
                },
            )
            row = cursor.fetchone()
            if row is None:
                raise NotFound("not_found", _("Conversation not found."))
            message_id, seq, inbox_id, contact_id, team_id, assignee_id, status, before = row
        else:
            cursor.execute("SELECT status FROM chats_conversation WHERE id = %s", [conversation_id])
            found = cursor.fetchone()
            if found is None:
                raise NotFound("not_found", _("Conversation not found."))
            before = found[0]
            cursor.execute(_BUMP_SEQ, [now, by_operator, by_visitor, conversation_id])
            seq, inbox_id, contact_id, team_id, assignee_id, status = cursor.fetchone()
            message_id = None
    message = Message(
        id=message_id,
        conversation_id=conversation_id,
        seq=seq,
        author_kind=author.kind,
        author_operator=author.operator,
        author_contact=author.contact,
        sender_key=author.sender_key,
        body=body,
        private=private,
        attachments=attachments,
        client_id=client_id,
        created_at=now,
    )
    if message_id is None:
        message.save(force_insert=True)
    else:
        message._state.adding = False
        message._state.db = connection.alias
    conversation = stored_conversation(
        conversation_id, inbox_id, contact_id, team_id, assignee_id, status
    )
    return message, conversation, before


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


def message_create(
    *,
    conversation_id: int,
    author: Author,
    body: Any,
    client_id: Any = None,
    private: bool = False,
    attachments: list[dict[str, Any]] | None = None,
) -> tuple[Message, bool]:
    """Store a message with the next `seq` and announce it after the commit.

    The `UPDATE ... RETURNING` row lock orders concurrent senders, so seqs have no gaps or
    repeats; the unique constraint on `(conversation, sender, client_id)` makes a resend return
    the first message. Answers `(message, created)`.
    """
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    if private and author.kind != AuthorKind.OPERATOR:
        raise ServiceError("invalid_private", _("Only operators can write private notes."))
    now = timezone.now()
    # One statement is its own transaction on PostgreSQL. An operator's message has listeners
    # in its transaction (its report events, a note's mentions), and a nested call must stay
    # undoable: those take a block (a savepoint when nested, so a refused resend leaves the
    # caller's transaction usable).
    single_statement = (
        connection.vendor == "postgresql"
        and author.kind != AuthorKind.OPERATOR
        and not connection.in_atomic_block
    )
    try:
        with contextlib.nullcontext() if single_statement else transaction.atomic():
            message, conversation, was = _store_message(
                conversation_id=conversation_id,
                author=author,
                body=body,
                client_id=client_id,
                private=private,
                attachments=attachments or [],
                now=now,
            )
            record(MessageCreated(message=message, conversation=conversation))
            if was != conversation.status:  # a visitor's message reopened a pending one
                record(status_changed_by_message(conversation, previous=was, at=now))
    except IntegrityError:
        if client_id is None:
            raise
        existing = (
            Message.objects.select_related("author_operator", "author_contact")
            .filter(
                conversation_id=conversation_id,
                sender_key=author.sender_key,
                client_id=client_id,
            )
            .first()
        )
        if existing is None:
            raise
        return existing, False
    return message, True


def status_changed_by_message(
    conversation: Conversation, *, previous: str, at: datetime
) -> ConversationStatusChanged:
    """A visitor's message turns a pending conversation open again."""
    return ConversationStatusChanged(
        conversation_id=conversation.pk,
        audience=audience_of(conversation),
        previous=previous,
        status=conversation.status,
        at=at,
    )


def visitor_message_send(*, visitor: Visitor, body: Any, client_id: Any) -> tuple[Message, bool]:
    """A visitor writes: into their open conversation, or a new one if none is open."""
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    author = Author.of_contact(visitor.contact)
    earlier_id, conversation_id = selectors.visitor_send_lookup(
        contact_id=visitor.contact_id,
        inbox_id=visitor.inbox_id,
        sender_key=author.sender_key,
        client_id=client_id,
    )
    if earlier_id is not None:  # a resend, maybe into a conversation resolved since
        earlier = Message.objects.select_related("author_operator", "author_contact")
        return earlier.get(pk=earlier_id), False
    if conversation_id is None:
        with transaction.atomic():
            # Two tabs sending a first message at once must not open two conversations.
            Contact.objects.select_for_update().filter(pk=visitor.contact_id).first()
            conversation_id = (
                selectors.visitor_open_conversation_id(
                    contact_id=visitor.contact_id, inbox_id=visitor.inbox_id
                )
                or conversation_open(
                    inbox=visitor.inbox, contact=visitor.contact, page_url=visitor.page_url
                ).pk
            )
    # Its own top-level transaction: one commit, no savepoint round trips on the hot path.
    return message_create(
        conversation_id=conversation_id, author=author, body=body, client_id=client_id
    )
