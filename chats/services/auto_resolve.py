"""Conversations left idle past their inbox's `auto_resolve_after` are resolved, with a word
to the visitor in their language."""

from __future__ import annotations

import contextlib

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chats.models import Conversation, ConversationStatus, Visitor
from chats.services.authors import Author
from chats.services.conversations import status_change
from chats.services.messages import message_create


def _auto_resolve_language(conversation: Conversation) -> str:
    """The visitor's language (their latest widget session in this inbox), else the inbox's
    `settings.locale`, else the site's default."""
    wanted = [
        Visitor.objects.filter(contact_id=conversation.contact_id, inbox_id=conversation.inbox_id)
        .exclude(locale="")
        .order_by("-last_seen_at", "-id")
        .values_list("locale", flat=True)
        .first(),
        (conversation.inbox.settings or {}).get("locale")
        if isinstance(conversation.inbox.settings, dict)
        else None,
    ]
    for code in wanted:
        if isinstance(code, str) and code:
            with contextlib.suppress(LookupError):
                return translation.get_supported_language_variant(code.lower())
    return django_settings.LANGUAGE_CODE


def conversation_auto_resolve(*, conversation_id: int) -> bool:
    """Resolve a conversation its inbox's `auto_resolve_after` found idle, with a system
    message to the visitor; answers whether it did.

    A conversation waiting in a queue is not idle (it waits for us) and is never resolved.
    The row lock and the re-check make it safe to run twice or at once: a conversation
    resolved meanwhile, or one that got a message since it was picked, is left alone, and the
    system message is stored once (its `client_id`, unique per sender, backs that up).
    """
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("inbox")
            .filter(pk=conversation_id)
            .first()
        )
        if locked is None or locked.status == ConversationStatus.RESOLVED:
            return False
        if locked.queued_at is not None:
            return False  # waiting for an operator, not idle
        idle_after = locked.inbox.auto_resolve_after
        if idle_after is None or (now - locked.last_activity_at).total_seconds() < idle_after:
            return False
        with translation.override(_auto_resolve_language(locked)):
            body = _(
                "This conversation was closed as there were no new messages for a while. "
                "Write to us again any time."
            )
        message_create(
            conversation_id=locked.pk,
            author=Author.system(),
            body=body,
            client_id=f"auto-resolve-{locked.last_seq}",
        )
        status_change(locked, status=ConversationStatus.RESOLVED, actor=None)
    return True
