"""What an external system does through an API inbox: contacts by its own ids, conversations
with them, their messages. Each is an ordinary contact, conversation and message: routed,
searched, reported and shown in the console like any other."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from chats.models import ApiContact, Contact, Conversation, ConversationStatus, Inbox, Message
from chats.services.authors import Author
from chats.services.contacts import contact_update
from chats.services.conversations import conversation_open, conversation_status_set
from chats.services.messages import message_create
from helpdesk.errors import NotFound

CONTACT_FIELDS = ("name", "email", "phone")


def api_contact_upsert(
    *, inbox: Inbox, external_id: str, fields: dict[str, str]
) -> tuple[Contact, bool]:
    """The contact the external system calls `external_id`, made if new; the fields it sent
    again replace what the contact had. Answers `(contact, created)`."""
    known = ApiContact.objects.select_related("contact").filter(
        inbox=inbox, external_id=external_id
    )
    identity = known.first()
    if identity is None:
        try:
            with transaction.atomic():
                contact = Contact.objects.create(**fields)
                ApiContact.objects.create(inbox=inbox, external_id=external_id, contact=contact)
            return contact, True
        except IntegrityError:  # the same id, made meanwhile by a parallel call
            identity = known.get()
    changes = {
        field: value for field, value in fields.items() if getattr(identity.contact, field) != value
    }
    if changes:
        contact_update(contact=identity.contact, changes=changes)
    return identity.contact, False


def api_contact(*, inbox: Inbox, external_id: str) -> Contact:
    identity = (
        ApiContact.objects.select_related("contact")
        .filter(inbox=inbox, external_id=external_id)
        .first()
    )
    if identity is None:
        raise NotFound("contact_not_found", _("No contact with this external_id."))
    return identity.contact


def api_conversation_open(*, inbox: Inbox, external_id: str) -> Conversation:
    return conversation_open(inbox=inbox, contact=api_contact(inbox=inbox, external_id=external_id))


def api_conversation(*, inbox: Inbox, conversation_id: int) -> Conversation:
    """One of this inbox's conversations; another inbox's answers 404, as a missing one."""
    conversation = (
        Conversation.objects.select_related("contact")
        .filter(pk=conversation_id, inbox=inbox)
        .first()
    )
    if conversation is None:
        raise NotFound("not_found", _("Conversation not found."))
    return conversation


def api_message_send(
    *, inbox: Inbox, conversation_id: int, body: Any, client_id: Any, attachment_ids: Any = None
) -> tuple[Message, bool]:
    """The contact writes, through the external system. A resolved conversation is reopened
    by it (as a customer's new message reopens one in Chatwoot and LiveChat)."""
    conversation = api_conversation(inbox=inbox, conversation_id=conversation_id)
    message, created = message_create(
        conversation_id=conversation.pk,
        author=Author.of_contact(conversation.contact),
        body=body,
        client_id=client_id,
        attachment_ids=attachment_ids,
    )
    if created and conversation.status == ConversationStatus.RESOLVED:
        conversation_status_set(
            conversation=conversation, actor=None, status=ConversationStatus.OPEN
        )
    return message, created
