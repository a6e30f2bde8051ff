"""Conversations: opened, their status (resolve, reopen, pending), labels and priority."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats import selectors
from chats.events.dispatch import record
from chats.events.domain import (
    ConversationOpened,
    ConversationOutcomeSet,
    ConversationStatusChanged,
    ConversationUpdated,
    audience_of,
)
from chats.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Inbox,
    Label,
    Outcome,
    Priority,
    RoutingStrategy,
    TelegramChat,
)
from helpdesk.errors import NotFound, ServiceError
from operators.models import Operator

MAX_LABELS = 30
MAX_LABEL_CHARS = 50


def conversation_lock(conversation_id: int) -> Conversation:
    """The conversation's row, locked until the transaction ends (call inside one)."""
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def operator_may_use(*, operator: Operator, conversation_id: int) -> Conversation:
    conversation = selectors.conversation_get_visible(
        operator=operator, conversation_id=conversation_id
    )
    if conversation is None:
        raise NotFound("not_found", _("Conversation not found."))
    return conversation


def conversation_open(
    *,
    inbox: Inbox,
    contact: Contact,
    page_url: str = "",
    telegram_chat: TelegramChat | None = None,
    subject: str = "",
) -> Conversation:
    """Open a new conversation; unless its inbox routes by hand, it joins its team's queue and
    routing takes it from there. A Telegram inbox's names the chat it is with."""
    now = timezone.now()
    queued = inbox.routing != RoutingStrategy.MANUAL
    with transaction.atomic():
        conversation = Conversation.objects.create(
            inbox=inbox,
            contact=contact,
            team_id=inbox.team_id,
            created_at=now,
            last_activity_at=now,
            queued_at=now if queued else None,
            page_url=page_url[:2000],
            subject=subject[:998],
            telegram_chat=telegram_chat,
        )
        record(
            ConversationOpened(
                conversation_id=conversation.pk,
                audience=audience_of(conversation),
                contact_id=contact.pk,
                queued=queued,
                at=now,
            )
        )
    return conversation


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a resolve says of how the conversation ended (contract section 5)."""

    outcome: str = ""  # "" when none was given
    sale_amount: Decimal | None = None

    def check(self) -> None:
        if self.outcome and self.outcome not in Outcome.values:
            raise ServiceError("invalid_outcome", _("Unknown outcome."))
        if self.sale_amount is not None and self.outcome != Outcome.SALE:
            raise ServiceError(
                "sale_amount_without_sale", _("A sale amount goes with the outcome “sale”.")
            )
        if self.sale_amount is not None and self.sale_amount < 0:
            raise ServiceError("invalid_sale_amount", _("A sale amount is 0 or more."))


def conversation_status_set(
    *,
    conversation: Conversation,
    actor: Operator | None,
    status: str,
    resolution: Resolution | None = None,
    labels: list[str] | None = None,
) -> Conversation:
    """Set the status; with a resolve, optionally the outcome and the labels in one step. A
    resolved conversation given another outcome keeps its resolve and takes the new outcome."""
    if status not in ConversationStatus.values:
        raise ServiceError("invalid_status", _("Unknown status."))
    if resolution is not None:
        if status != ConversationStatus.RESOLVED:
            raise ServiceError(
                "outcome_without_resolve", _("An outcome goes with the status “resolved”.")
            )
        resolution.check()
    names = _label_names(labels) if labels is not None else None
    with transaction.atomic():
        locked = conversation_lock(conversation.pk)
        if names is not None:
            _labels_apply(locked, names)
        if locked.status != status:
            status_change(locked, status=status, actor=actor, resolution=resolution)
        elif resolution is not None:
            _outcome_correct(locked, resolution=resolution, actor=actor)
    return selectors.conversation_with_position(conversation_id=conversation.pk)


def status_change(
    locked: Conversation,
    *,
    status: str,
    actor: Operator | None,
    resolution: Resolution | None = None,
) -> None:
    """Within a transaction holding `locked`'s row: set its status and record the change. A
    resolve takes it out of its queue and sets the outcome it was given (none if none); a
    reopen keeps the outcome, and puts a conversation nobody holds back in its team's queue
    (unless its inbox routes by hand)."""
    now = timezone.now()
    previous = locked.status
    waited_in = locked.team_id if locked.queued_at is not None else None
    locked.status = status
    queued = False
    fields = ["status", "resolved_at", "queued_at"]
    if status == ConversationStatus.RESOLVED:
        resolution = resolution or Resolution()
        locked.resolved_at = now
        locked.queued_at = None
        locked.outcome, locked.sale_amount = resolution.outcome, resolution.sale_amount
        fields += ["outcome", "sale_amount"]
    elif previous == ConversationStatus.RESOLVED:
        locked.resolved_at = None
        if locked.assignee_id is None and locked.inbox.routing != RoutingStrategy.MANUAL:
            locked.queued_at = now
            queued = True
    locked.save(update_fields=fields)
    record(
        ConversationStatusChanged(
            conversation_id=locked.pk,
            audience=audience_of(locked),
            previous=previous,
            status=status,
            at=now,
            actor_id=actor.pk if actor is not None else None,
            opened_at=locked.created_at,
            queued=queued,
            left_queue_of=waited_in if locked.queued_at is None else None,
            outcome=locked.outcome if status == ConversationStatus.RESOLVED else "",
            sale_amount=locked.sale_amount if status == ConversationStatus.RESOLVED else None,
        )
    )


def _outcome_correct(
    locked: Conversation, *, resolution: Resolution, actor: Operator | None
) -> None:
    """A resolved conversation's outcome given again: the same resolve, its outcome replaced."""
    if (locked.outcome, locked.sale_amount) == (resolution.outcome, resolution.sale_amount):
        return
    locked.outcome, locked.sale_amount = resolution.outcome, resolution.sale_amount
    locked.save(update_fields=["outcome", "sale_amount"])
    record(
        ConversationOutcomeSet(
            conversation_id=locked.pk,
            audience=audience_of(locked),
            outcome=resolution.outcome,
            sale_amount=resolution.sale_amount,
            at=timezone.now(),
            actor_id=actor.pk if actor is not None else None,
        )
    )


def _label_names(labels: list[str]) -> list[str]:
    names: list[str] = []
    for raw in labels:
        name = raw.strip() if isinstance(raw, str) else ""
        if not name or len(name) > MAX_LABEL_CHARS:
            raise ServiceError(
                "invalid_label", _("A label is 1 to %(n)s characters.") % {"n": MAX_LABEL_CHARS}
            )
        if name not in names:
            names.append(name)
    if len(names) > MAX_LABELS:
        raise ServiceError("too_many_labels", _("At most %(n)s labels.") % {"n": MAX_LABELS})
    return names


def conversation_labels_set(*, conversation: Conversation, labels: list[str]) -> Conversation:
    names = _label_names(labels)
    with transaction.atomic():
        _labels_apply(conversation_lock(conversation.pk), names)
    return selectors.conversation_with_position(conversation_id=conversation.pk)


def _labels_apply(locked: Conversation, names: list[str]) -> None:
    """The conversation's whole set of labels; the same set again changes (and records)
    nothing."""
    if set(locked.labels.values_list("name", flat=True)) == set(names):
        return
    existing = {label.name: label for label in Label.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _created = Label.objects.get_or_create(name=name)
    locked.labels.set([existing[name] for name in names])
    record(ConversationUpdated(conversation_id=locked.pk, fields=("labels",)))


def conversation_priority_set(*, conversation: Conversation, priority: str) -> Conversation:
    if priority not in Priority.values:
        raise ServiceError("invalid_priority", _("Unknown priority."))
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(priority=priority)
        record(ConversationUpdated(conversation_id=conversation.pk, fields=("priority",)))
    return selectors.conversation_with_position(conversation_id=conversation.pk)
