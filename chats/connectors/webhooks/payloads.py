"""The `data` of a delivery: the object of contract section 1 that the event is about, as it
is when the event is fanned out (a moment after the fact)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from chats import selectors
from chats.models import Contact, Message, WebhookEvent
from chats.models import WebhookEventName as Name
from chats.serializers import ContactSerializer, conversation_data, message_data


def data_of(event: WebhookEvent, *, private: bool) -> dict[str, Any] | None:
    """None when the object is gone (a contact merged away, a conversation deleted).
    `private`: for a webhook that takes private notes (the team's own: a conversation's last
    note as its last message, a contact's notes); else none of them."""
    if event.name == Name.MESSAGE_CREATED:
        message = (
            Message.objects.select_related("author_operator", "author_contact")
            .filter(pk=event.object_id)
            .first()
        )
        return None if message is None else _absolute_links(message_data(message))
    if event.name == Name.CONTACT_UPDATED:
        contact = Contact.objects.filter(pk=event.object_id).first()
        if contact is None:
            return None
        data = dict(ContactSerializer(contact).data)
        data.pop("conversations")  # who may see which is the console's business
        data.pop("merge_suggestions")
        if not private:
            data.pop("notes")
        return data
    found = selectors.conversation_base() if private else selectors.conversation_base_public()
    conversation = found.filter(pk=event.object_id).first()
    return None if conversation is None else conversation_data(conversation)


def _absolute_links(data: dict[str, Any]) -> dict[str, Any]:
    """A receiver is elsewhere: its files' signed links start with `PUBLIC_URL`."""
    for attachment in data["attachments"]:
        attachment["url"] = settings.PUBLIC_URL + attachment["url"]
    return data
