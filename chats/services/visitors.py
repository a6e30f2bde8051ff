"""Visitors: a widget session starts, resumes, or signs in with the site's signed identity."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats import selectors
from chats.models import Contact, Conversation, Inbox, Visitor
from helpdesk.errors import NotFound, ServiceError
from helpdesk.tokens import new_secret_token, token_hash


@dataclass(frozen=True, slots=True)
class Identity:
    external_id: str
    hash: str
    name: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class VisitorSession:
    visitor: Visitor
    token: str
    created: bool


def visitor_authenticate(*, token: str | None) -> Visitor | None:
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    return (
        Visitor.objects.select_related("contact", "inbox")
        .filter(token_hash=token_hash(token))
        .first()
    )


def identity_is_valid(*, inbox: Inbox, identity: Identity) -> bool:
    expected = hmac.new(
        inbox.identity_secret.encode(), identity.external_id.encode(), hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, identity.hash.lower())


def _new_visitor(
    *, inbox: Inbox, contact: Contact, locale: str, page: dict[str, str]
) -> tuple[Visitor, str]:
    token = new_secret_token()
    visitor = Visitor.objects.create(
        inbox=inbox,
        contact=contact,
        token_hash=token_hash(token),
        locale=locale[:10],
        page_url=page.get("url", "")[:2000],
        page_title=page.get("title", "")[:500],
        last_seen_at=timezone.now(),
    )
    return visitor, token


@transaction.atomic
def visitor_session_start(
    *,
    inbox: Inbox,
    visitor_token: str | None,
    locale: str,
    page: dict[str, str],
    identity: Identity | None,
) -> VisitorSession:
    """Resume a visitor by token, or by a signed identity on any device, or make a new one."""
    existing = visitor_authenticate(token=visitor_token)
    if existing is not None and existing.inbox_id != inbox.pk:
        existing = None

    if identity is not None:
        if not identity_is_valid(inbox=inbox, identity=identity):
            raise ServiceError(
                "identity_invalid", _("The identity hash does not match."), status=401
            )
        contact = Contact.objects.filter(external_id=identity.external_id).first()
        if existing is not None and existing.contact.external_id == identity.external_id:
            return _visitor_touch(existing, visitor_token or "", locale, page)
        new_person = False
        if contact is None:
            if existing is not None and existing.contact.external_id is None:
                contact = existing.contact  # the anonymous visitor signs in: keep their history
                contact.external_id = identity.external_id
            else:
                contact = Contact(external_id=identity.external_id)
                new_person = True  # first seen anywhere: a new visitor (201), not a resume
            contact.name = identity.name or contact.name
            contact.email = identity.email or contact.email
            contact.save()
        elif existing is not None and existing.contact.external_id is None:
            Conversation.objects.filter(contact=existing.contact).update(contact=contact)
        visitor, token = _new_visitor(inbox=inbox, contact=contact, locale=locale, page=page)
        return VisitorSession(visitor=visitor, token=token, created=new_person)

    if existing is not None:
        return _visitor_touch(existing, visitor_token or "", locale, page)
    contact = Contact.objects.create()
    visitor, token = _new_visitor(inbox=inbox, contact=contact, locale=locale, page=page)
    return VisitorSession(visitor=visitor, token=token, created=True)


def _visitor_touch(
    visitor: Visitor, token: str, locale: str, page: dict[str, str]
) -> VisitorSession:
    visitor.last_seen_at = timezone.now()
    visitor.locale = (locale or visitor.locale)[:10]
    visitor.page_url = page.get("url", visitor.page_url)[:2000]
    visitor.page_title = page.get("title", visitor.page_title)[:500]
    visitor.save(update_fields=["last_seen_at", "locale", "page_url", "page_title"])
    return VisitorSession(visitor=visitor, token=token, created=False)


def visitor_may_use(*, visitor: Visitor, conversation_id: int) -> Conversation:
    conversation = selectors.visitor_conversation(visitor=visitor, conversation_id=conversation_id)
    if conversation is None:
        raise NotFound("not_found", _("Conversation not found."))
    return conversation
