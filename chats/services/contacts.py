"""A contact's fields, changed by an operator or by the visitor themself (the widget)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from chats.events.dispatch import record
from chats.events.domain import ContactUpdated, ConversationUpdated
from chats.models import (
    ApiContact,
    Attachment,
    Contact,
    Conversation,
    Message,
    TelegramChat,
    Visitor,
)
from helpdesk.errors import Conflict, Forbidden, ServiceError
from operators.models import Operator

CONTACT_FIELDS = ("name", "email", "phone", "vip", "account_manager", "notes")


def contact_update(
    *, contact: Contact, changes: dict[str, Any], actor: Operator | None = None
) -> Contact:
    """Change a contact's fields. `actor` is the operator who does it (None: the visitor's own
    fields, `visitor_contact_update`)."""
    for field in changes:
        if field not in CONTACT_FIELDS:
            raise ServiceError("invalid", _("Unknown field: %(field)s") % {"field": field})
    _check_may_name_account_manager(actor=actor, contact=contact, changes=changes)
    for field, value in changes.items():
        setattr(contact, field, value)
    with transaction.atomic():
        contact.save(update_fields=list(changes) or None)
        conversation_ids = tuple(contact.conversations.values_list("id", flat=True)[:100])
        record(
            ContactUpdated(
                contact_id=contact.pk, fields=tuple(changes), conversation_ids=conversation_ids
            )
        )
    return contact


def _check_may_name_account_manager(
    *, actor: Operator | None, contact: Contact, changes: dict[str, Any]
) -> None:
    """A key account's manager gets the contact's conversations in any team, so naming one
    opens every team's conversations of the contact to them: supervisors and admins only.
    Clearing one, or sending the current one again, opens nothing."""
    if "account_manager" not in changes or (actor is not None and actor.sees_everything):
        return
    manager = changes["account_manager"]
    if manager is not None and manager.pk != contact.account_manager_id:
        raise Forbidden(
            "forbidden", _("Only supervisors and admins choose a contact's account manager.")
        )


# --- the visitor's own contact details (widget) -------------------------------------------------

VISITOR_CONTACT_FIELDS = ("name", "email", "phone")


def visitor_contact_update(*, visitor: Visitor, changes: dict[str, str]) -> Contact:
    """The visitor says who they are: the widget's pre-chat form, the email to be answered at
    while nobody is online, or the host page's `identify({name, email, phone})`.

    Blank values change nothing. A contact the site vouched for (a signed identity, so it has
    an `external_id`) keeps what the site said: the visitor may only fill its blank fields.
    """
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=visitor.contact_id)
        verified = contact.external_id is not None
        updates: dict[str, Any] = {}
        for field, value in changes.items():
            if field not in VISITOR_CONTACT_FIELDS:
                raise ServiceError("invalid", _("Unknown field: %(field)s") % {"field": field})
            value = value.strip()
            current = getattr(contact, field)
            if not value or value == current or (verified and current):
                continue
            updates[field] = value
        if updates:
            contact = contact_update(contact=contact, changes=updates)
    return contact


# --- a contact's channels ----------------------------------------------------------------------


def telegram_chat_blocked_set(*, chat: TelegramChat, blocked: bool) -> None:
    """The user blocked the bot (nothing more can be sent to them), or came back; the
    consoles see it on the chat's conversations."""
    with transaction.atomic():
        TelegramChat.objects.filter(pk=chat.pk).update(blocked=blocked)
        chat.blocked = blocked
        for conversation_id in chat.conversations.values_list("id", flat=True)[:100]:
            record(ConversationUpdated(conversation_id=conversation_id, fields=("telegram",)))


def contact_merge(*, contact: Contact, other: Contact) -> Contact:
    """Two contacts are one person (they wrote from Telegram and from the website): `other`'s
    conversations, widget visitors, Telegram chats, API identities and notes move to
    `contact`, its details fill what `contact` lacks, and `other` is deleted."""
    if contact.pk == other.pk:
        raise Conflict("same_contact", _("A contact cannot be merged with itself."))
    with transaction.atomic():
        both = {
            found.pk: found
            for found in Contact.objects.select_for_update()
            .filter(pk__in=[contact.pk, other.pk])
            .order_by("pk")
        }
        keep, gone = both[contact.pk], both[other.pk]
        Conversation.objects.filter(contact=gone).update(contact=keep)
        Visitor.objects.filter(contact=gone).update(contact=keep)
        TelegramChat.objects.filter(contact=gone).update(contact=keep)
        ApiContact.objects.filter(contact=gone).update(contact=keep)
        Message.objects.filter(author_contact=gone).update(author_contact=keep)
        for field in ("name", "email", "phone"):
            if not getattr(keep, field):
                setattr(keep, field, getattr(gone, field))
        keep.vip = keep.vip or gone.vip
        keep.account_manager_id = keep.account_manager_id or gone.account_manager_id
        keep.notes = "\n\n".join(part for part in (keep.notes, gone.notes) if part)
        external_id = keep.external_id or gone.external_id
        gone.delete()
        keep.external_id = external_id
        keep.save()
        conversation_ids = tuple(keep.conversations.values_list("id", flat=True)[:100])
        record(
            ContactUpdated(
                contact_id=keep.pk, fields=("merged",), conversation_ids=conversation_ids
            )
        )
    return keep


def contact_avatar_set(*, contact: Contact, avatar: Attachment) -> None:
    """A picture of the contact from their channel; the consoles see it on their
    conversations."""
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(avatar=avatar)
        contact.avatar = avatar
        moved = tuple(contact.conversations.values_list("id", flat=True)[:100])
        record(ContactUpdated(contact_id=contact.pk, fields=("avatar",), conversation_ids=moved))
