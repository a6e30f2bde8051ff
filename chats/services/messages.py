"""Messages: every message is stored here, with the next `seq` of its conversation.

`message_create` stores one message (an operator's, the system's, a visitor's); the visitors'
sends that arrive together are stored by the group commit beside it (`message_batch`), which
records the same `MessageCreated` events for its batch.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats import selectors
from chats.events.dispatch import record, wanted_in_transaction
from chats.events.domain import ConversationStatusChanged, MessageCreated, audience_of
from chats.models import AuthorKind, Contact, Conversation, Message, Visitor
from chats.services.attachments import (
    attachment_snapshot,
    attachments_claim,
    attachments_lock,
    clean_attachment_ids,
)
from chats.services.authors import Author
from chats.services.conversations import conversation_open
from chats.services.message_store import NewMessage, store, store_elsewhere
from chats.validation import CleanBody, clean_body, clean_client_id
from helpdesk.errors import NotFound, ServiceError


def message_create(
    *,
    conversation_id: int,
    author: Author,
    body: Any,
    client_id: Any = None,
    private: bool = False,
    attachment_ids: Any = None,
) -> tuple[Message, bool]:
    """Store a message with the next `seq` (`message_store`) and record `MessageCreated`.

    The conversation's row lock orders concurrent senders, so seqs have no gaps or repeats; a
    resend (the sender's `client_id` again) is answered with the first message, found by the
    statement or, for one that commits concurrently, by the unique constraint on
    `(conversation, sender, client_id)`. Answers `(message, created)`.

    `attachment_ids` names the author's uploads the message carries (`services.attachments`);
    a message with files may have no text.
    """
    attachment_ids = clean_attachment_ids(attachment_ids)
    body = message_body(body, with_files=bool(attachment_ids))
    client_id = clean_client_id(client_id)
    if private and author.kind != AuthorKind.OPERATOR:
        raise ServiceError("invalid_private", _("Only operators can write private notes."))
    now = timezone.now()
    row = NewMessage(
        author=author,
        body=body,
        client_id=client_id,
        private=private,
        conversation_id=conversation_id,
    )
    postgresql = connection.vendor == "postgresql"
    # One statement is its own transaction on PostgreSQL. A message that listeners hear in its
    # transaction (an operator's reply: its report events; a note's mentions), and a nested
    # call, which must stay undoable, take a block (a savepoint when nested, so a refused
    # resend leaves the caller's transaction usable).
    single_statement = (
        postgresql
        and not connection.in_atomic_block
        and not attachment_ids
        and not wanted_in_transaction(message_probe(author.kind, body=body, private=private))
    )
    try:
        with contextlib.nullcontext() if single_statement else transaction.atomic():
            files = attachments_lock(author=author, ids=attachment_ids)
            if files:
                row = replace(row, attachments=tuple(map(attachment_snapshot, files)))
            [stored] = store([row], now) if postgresql else [store_elsewhere(row, now)]
            if stored.earlier_id is not None:
                return _earlier(stored.earlier_id), False
            message, conversation = stored.message, stored.conversation
            if message is None or conversation is None:
                raise NotFound("not_found", _("Conversation not found."))
            if files:
                attachments_claim(attachments=files, message=message)
            record(MessageCreated(message=message, conversation=conversation))
            if stored.before != conversation.status:  # a visitor's message reopened it
                previous = str(stored.before)
                record(status_changed_by_message(conversation, previous=previous, at=now))
    except IntegrityError:  # a resend stored meanwhile by someone else
        if client_id is None:
            raise
        existing = (
            Message.objects.filter(
                conversation_id=conversation_id, sender_key=author.sender_key, client_id=client_id
            )
            .values_list("pk", flat=True)
            .first()
        )
        if existing is None:
            raise
        return _earlier(existing), False
    return message, True


def message_body(body: Any, *, with_files: bool) -> str:
    """The text of a message: `clean_body`'s rules, except that a message carrying files may
    have none (no body, or only whitespace, is stored as "")."""
    if with_files and (body is None or (isinstance(body, str) and not body.strip())):
        return CleanBody("")
    return clean_body(body)


def message_probe(kind: str, *, body: str = "", private: bool = False) -> MessageCreated:
    """An event like the `MessageCreated` of such a message, to ask the listeners before it
    is stored (`wanted_in_transaction`)."""
    return MessageCreated(
        message=Message(author_kind=kind, body=body, private=private), conversation=Conversation()
    )


def _earlier(message_id: int) -> Message:
    return Message.objects.select_related("author_operator", "author_contact").get(pk=message_id)


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


def visitor_message_send(
    *, visitor: Visitor, body: Any, client_id: Any, attachment_ids: Any = None
) -> tuple[Message, bool]:
    """A visitor writes: into their open conversation, or a new one if none is open."""
    attachment_ids = clean_attachment_ids(attachment_ids)
    body = message_body(body, with_files=bool(attachment_ids))
    client_id = clean_client_id(client_id)
    author = Author.of_contact(visitor.contact)
    earlier_id, conversation_id = selectors.visitor_send_lookup(
        contact_id=visitor.contact_id,
        inbox_id=visitor.inbox_id,
        sender_key=author.sender_key,
        client_id=client_id,
    )
    if earlier_id is not None:  # a resend, maybe into a conversation resolved since
        return _earlier(earlier_id), False
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
        conversation_id=conversation_id,
        author=author,
        body=body,
        client_id=client_id,
        attachment_ids=attachment_ids,
    )
