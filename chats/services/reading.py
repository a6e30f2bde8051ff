"""Read marks and typing: the visitor's and the team's (one shared mark for the team)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from chats.events import live
from chats.events.dispatch import record
from chats.events.domain import ConversationRead
from chats.models import AuthorKind, Conversation, Visitor
from operators.models import Operator


def conversation_read_by_visitor(*, visitor: Visitor, conversation: Conversation, seq: int) -> None:
    seq = min(seq, conversation.last_seq)
    updated = Conversation.objects.filter(pk=conversation.pk, visitor_last_read_seq__lt=seq).update(
        visitor_last_read_seq=seq
    )
    if updated:
        name = visitor.contact.name or _("Visitor")
        record(
            ConversationRead(
                conversation=conversation, by=AuthorKind.VISITOR, seq=seq, reader_name=name
            )
        )


def conversation_read_by_operator(*, conversation: Conversation, seq: int) -> None:
    """The read mark is shared by the team: the visitor sees their messages read, and every
    console that may see the conversation gets its new `agent_read_seq` (their unread badges)."""
    seq = min(seq, conversation.last_seq)
    updated = Conversation.objects.filter(
        pk=conversation.pk, operator_last_read_seq__lt=seq
    ).update(operator_last_read_seq=seq)
    if updated:
        record(ConversationRead(conversation=conversation, by=AuthorKind.OPERATOR, seq=seq))


def typing_by_visitor(*, visitor: Visitor, conversation: Conversation, active: bool) -> None:
    """Typing stores nothing and is no fact: it is streamed at once, never recorded."""
    live.visitor_typing(conversation, name=visitor.contact.name or _("Visitor"), active=active)


def typing_by_operator(
    *, operator: Operator, conversation: Conversation, active: bool, private: bool
) -> None:
    live.operator_typing(
        conversation,
        operator_id=operator.pk,
        name=operator.display_name,
        active=active,
        private=private,
    )
