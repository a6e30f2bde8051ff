"""Who holds a conversation, by hand: an assignment or a transfer, and an operator's public
reply that takes a conversation nobody holds. Routing (`chats.assignment`) does the rest."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats import selectors
from chats.assignment.availability import check_may_assign_operator
from chats.events.dispatch import record
from chats.events.domain import AssignCause, ConversationAssigned, audience_of
from chats.models import Conversation, ConversationStatus, Message
from chats.services.attachments import clean_attachment_ids
from chats.services.authors import Author
from chats.services.conversations import conversation_lock
from chats.services.messages import message_body, message_create
from chats.validation import clean_body
from helpdesk.errors import ServiceError
from operators.models import Operator, Team


def conversation_assign(
    *,
    conversation: Conversation,
    actor: Operator,
    operator: Operator | None = None,
    team: Team | None = None,
    note: str | None = None,
    cause: AssignCause = AssignCause.HAND,
) -> Conversation:
    """Hand a conversation to an operator or to a team (whose routing then picks someone)."""
    if (operator is None) == (team is None):
        raise ServiceError("invalid", _("Give either an operator or a team."))
    if note is not None:
        note = clean_body(note)
    with transaction.atomic():
        # The conversation's row first, then the operator's: the order a drain locks them in
        # (its queued conversations, then its candidates), so the two never deadlock.
        locked = conversation_lock(conversation.pk)
        if operator is not None:
            operator = Operator.objects.select_for_update().get(pk=operator.pk)
            check_may_assign_operator(actor=actor, conversation=locked, operator=operator)
        previous = audience_of(locked)
        waited_in = locked.team_id if locked.queued_at is not None else None
        now = timezone.now()
        if operator is not None:
            if locked.assignee_id != operator.pk:
                locked.assignee = operator
                locked.queued_at = None
                locked.assigned_at = now
                Operator.objects.filter(pk=operator.pk).update(last_assigned_at=now)
        else:
            assert team is not None
            # A conversation handed to another team joins that team's queue now, behind those
            # already waiting there; handed back to its own team it keeps its place.
            if locked.status == ConversationStatus.RESOLVED:
                locked.queued_at = None
            elif locked.queued_at is None or locked.team_id != team.pk:
                locked.queued_at = now
            locked.team = team
            locked.assignee = None
            locked.assigned_at = None
        locked.save(update_fields=["assignee", "team", "queued_at", "assigned_at"])
        handoff: Message | None = None
        if note:
            handoff, _created = message_create(
                conversation_id=locked.pk, author=Author.of_operator(actor), body=note, private=True
            )
        left = waited_in is not None and (locked.queued_at is None or locked.team_id != waited_in)
        record(
            ConversationAssigned(
                conversation_id=locked.pk,
                previous=previous,
                current=audience_of(locked),
                cause=cause,
                at=now,
                actor_id=actor.pk,
                note_id=handoff.pk if handoff is not None else None,
                left_queue_of=waited_in if left else None,
            )
        )
    return selectors.conversation_with_position(conversation_id=conversation.pk)


def operator_message_send(
    *,
    operator: Operator,
    conversation: Conversation,
    body: Any,
    client_id: Any,
    private: bool,
    attachment_ids: Any = None,
) -> tuple[Message, bool]:
    """An operator writes in a conversation they may see (`operator_may_use`). A public reply
    to a conversation nobody holds takes it: the writer becomes its assignee, by the rules of
    assigning oneself (an agent within their capacity, or the reply is refused and nothing is
    stored), so it leaves the queue and the visitor sees who answers. Notes take nothing."""
    author = Author.of_operator(operator)
    if private or not _held_by_nobody(conversation):
        return message_create(
            conversation_id=conversation.pk,
            author=author,
            body=body,
            client_id=client_id,
            private=private,
            attachment_ids=attachment_ids,
        )
    attachment_ids = clean_attachment_ids(attachment_ids)
    body = message_body(body, with_files=bool(attachment_ids))  # refused before the lock
    with transaction.atomic():
        locked = conversation_lock(conversation.pk)
        if _held_by_nobody(locked):
            conversation_assign(
                conversation=locked, actor=operator, operator=operator, cause=AssignCause.REPLY
            )
        return message_create(
            conversation_id=locked.pk,
            author=author,
            body=body,
            client_id=client_id,
            attachment_ids=attachment_ids,
        )


def _held_by_nobody(conversation: Conversation) -> bool:
    return conversation.assignee_id is None and conversation.status != ConversationStatus.RESOLVED
