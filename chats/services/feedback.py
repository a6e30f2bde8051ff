"""What the visitor thinks of a conversation: the rating and its comment."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats import selectors
from chats.events.dispatch import record
from chats.events.domain import CsatCreated, audience_of
from chats.models import Conversation, ConversationStatus, CsatResponse, Visitor
from chats.services.conversations import conversation_lock
from helpdesk.errors import ServiceError


def csat_submit(*, visitor: Visitor, rating: int, comment: str) -> tuple[CsatResponse, bool]:
    """The visitor rates their current conversation once it is resolved; a second rating
    replaces the first."""
    conversation = selectors.visitor_current_conversation(visitor=visitor)
    if conversation is None:
        raise ServiceError(
            "no_conversation", _("There is no conversation to rate yet."), status=409
        )
    return csat_record(conversation=conversation, rating=rating, comment=comment)


def csat_record(
    *, conversation: Conversation, rating: int, comment: str = ""
) -> tuple[CsatResponse, bool]:
    """Rate a resolved conversation (the widget's stars, a Telegram button); a second rating
    replaces the first."""
    with transaction.atomic():
        if conversation_lock(conversation.pk).status != ConversationStatus.RESOLVED:
            raise ServiceError(
                "not_resolved", _("A conversation is rated once it is resolved."), status=409
            )
        response, created = CsatResponse.objects.update_or_create(
            conversation=conversation, defaults={"rating": rating, "comment": comment}
        )
        record(
            CsatCreated(
                conversation_id=conversation.pk,
                audience=audience_of(conversation),
                rating=rating,
                comment=comment,
                replaced=not created,
                at=timezone.now(),
            )
        )
    return response, created
