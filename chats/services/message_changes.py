"""A stored message changes only in three ways, each told to the consoles (`MessageChanged`):
its author edits it in their channel, an operator hides it from the group it was posted in,
or its delivery through a channel moves on (pending, sent, failed)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from chats.events.dispatch import record
from chats.events.domain import MessageChanged
from chats.models import AuthorKind, Delivery, Message
from chats.services.messages import message_body
from helpdesk.errors import Conflict, NotFound
from operators.models import Operator


def _locked(message_id: int) -> Message:
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("author_operator", "author_contact", "conversation")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        raise NotFound("not_found", _("Message not found."))
    return message


def _changed(message: Message, change: str, fields: list[str]) -> Message:
    message.save(update_fields=fields)
    record(MessageChanged(message=message, conversation=message.conversation, change=change))
    return message


def message_edit_by_author(*, message_id: int, body: str, at: datetime) -> Message:
    """The contact changed the text of their message in their channel (a Telegram edit)."""
    with transaction.atomic():
        message = _locked(message_id)
        text = message_body(body, with_files=bool(message.attachments))
        if message.body == text:
            return message
        message.body, message.edited_at = text, at
        return _changed(message, "edited", ["body", "edited_at"])


def message_hide(*, message: Message, actor: Operator) -> Message:
    """An operator removes a contact's message from the group it was posted in: it stays here,
    marked hidden (the channel's deletion is its connector's work, after the commit)."""
    if message.author_kind != AuthorKind.VISITOR:
        raise Conflict("not_hideable", _("Only a contact's message can be hidden."))
    with transaction.atomic():
        locked = _locked(message.pk)
        if locked.hidden:
            raise Conflict("already_hidden", _("This message is hidden already."))
        locked.hidden = True
        return _changed(locked, "hidden", ["hidden"])


def message_delivery_set(*, message_id: int, delivery: str, error: str = "") -> Message:
    """Where a reply through a channel stands now; the same state again changes nothing."""
    with transaction.atomic():
        message = _locked(message_id)
        error = error[:300]
        if (message.delivery, message.delivery_error) == (delivery, error):
            return message
        message.delivery, message.delivery_error = delivery, error
        return _changed(message, "delivery", ["delivery", "delivery_error"])


def message_delivery_retry(*, message: Message) -> Message:
    """An operator sends a failed reply again: it is pending once more."""
    if message.delivery != Delivery.FAILED:
        raise Conflict("not_failed", _("Only a reply that failed to leave can be sent again."))
    return message_delivery_set(message_id=message.pk, delivery=Delivery.PENDING)
