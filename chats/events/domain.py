"""The facts of the product, one typed event each.

A service records its events inside its transaction (`chats.events.dispatch.record`); the
listeners of `chats.events.subscriptions` hear them: the in-transaction ones (report events,
notifications) at once, in the same transaction, and the rest only after the commit. An event
names what happened with the facts its listeners need at that moment (who could see the
conversation, who held it), so no listener has to guess what changed.

`name` is the event's public name (the outbound webhooks' `event`, contract section 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from chats.audience import Audience, Scope
from chats.models import AuthorKind, Conversation, ConversationStatus, Message


@dataclass(frozen=True, slots=True)
class DomainEvent:
    name: ClassVar[str] = ""

    @property
    def reaches_visitor(self) -> bool:
        """May a listener that speaks to the visitor (the widget, a channel's delivery) hear
        this event? Everything but a private note: the one filter of private notes."""
        return True


@dataclass(frozen=True, slots=True)
class ConversationOpened(DomainEvent):
    name: ClassVar[str] = "conversation.created"
    conversation_id: int
    audience: Audience
    contact_id: int
    queued: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class MessageCreated(DomainEvent):
    """`conversation` holds the facts the storing statement returned (its audience, contact,
    status after the message), not a full row."""

    name: ClassVar[str] = "message.created"
    message: Message
    conversation: Conversation

    @property
    def reaches_visitor(self) -> bool:
        return not self.message.private

    @property
    def is_operator_reply(self) -> bool:
        """A public message by an operator: what the reports count as a reply."""
        return self.message.author_kind == AuthorKind.OPERATOR and not self.message.private

    @property
    def audience(self) -> Audience:
        return audience_of(self.conversation)


@dataclass(frozen=True, slots=True)
class MessageChanged(DomainEvent):
    """A stored message changed: its author edited it in their channel, an operator hid it from
    its group, or its delivery through a channel moved on. The consoles get it again (same
    `id` and `seq`)."""

    name: ClassVar[str] = "message.updated"
    message: Message
    conversation: Conversation
    change: str  # "edited", "hidden" or "delivery"

    @property
    def reaches_visitor(self) -> bool:
        return not self.message.private

    @property
    def audience(self) -> Audience:
        return audience_of(self.conversation)


class AssignCause(StrEnum):
    ROUTING = "routing"  # the team's queue was drained
    HAND = "hand"  # an operator assigned or transferred it
    REPLY = "reply"  # an operator's public reply took an unassigned conversation
    RETURNED = "returned"  # the watchdog put it back in the queue
    REASSIGNED = "reassigned"  # the watchdog gave it to someone else for want of an answer
    RELEASED = "released"  # its operator was deactivated: back to the queue


@dataclass(frozen=True, slots=True)
class ConversationAssigned(DomainEvent):
    """Its assignee or team changed. `left_queue_of` is the team whose queue it left (the
    positions behind it moved up); `note_id` the hand-off note written with a transfer."""

    name: ClassVar[str] = "conversation.assigned"
    conversation_id: int
    previous: Audience
    current: Audience
    cause: AssignCause
    at: datetime
    actor_id: int | None = None
    note_id: int | None = None
    left_queue_of: int | None = None

    @property
    def released_operator(self) -> int | None:
        """The operator who held it before and holds it no more (capacity freed)."""
        before = self.previous.assignee
        return before if before is not None and before != self.current.assignee else None


@dataclass(frozen=True, slots=True)
class ConversationStatusChanged(DomainEvent):
    name: ClassVar[str] = "conversation.status_changed"
    conversation_id: int
    audience: Audience
    previous: str
    status: str
    at: datetime
    actor_id: int | None = None
    opened_at: datetime | None = None  # the conversation's `created_at`, where known
    queued: bool = False  # reopened into its team's queue
    left_queue_of: int | None = None
    outcome: str = ""  # a resolve's outcome, "" when none was given
    sale_amount: Decimal | None = None

    @property
    def resolved(self) -> bool:
        return self.status == ConversationStatus.RESOLVED

    @property
    def reopened(self) -> bool:
        return self.previous == ConversationStatus.RESOLVED


@dataclass(frozen=True, slots=True)
class ConversationOutcomeSet(DomainEvent):
    """A resolved conversation given another outcome: its last resolve's outcome replaced."""

    name: ClassVar[str] = "conversation.outcome_set"
    conversation_id: int
    audience: Audience
    outcome: str
    sale_amount: Decimal | None
    at: datetime
    actor_id: int | None = None


@dataclass(frozen=True, slots=True)
class ConversationUpdated(DomainEvent):
    """Fields of the team's own (labels, priority): the visitor's view does not show them."""

    name: ClassVar[str] = "conversation.updated"
    conversation_id: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConversationRead(DomainEvent):
    name: ClassVar[str] = "conversation.read"
    conversation: Conversation
    by: str  # AuthorKind.VISITOR or AuthorKind.OPERATOR
    seq: int
    reader_name: str = ""


@dataclass(frozen=True, slots=True)
class CsatCreated(DomainEvent):
    name: ClassVar[str] = "csat.created"
    conversation_id: int
    audience: Audience
    rating: int
    comment: str
    replaced: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class ContactUpdated(DomainEvent):
    name: ClassVar[str] = "contact.updated"
    contact_id: int
    fields: tuple[str, ...]
    conversation_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class KeyAccountWaiting(DomainEvent):
    """Routing passed a key account's conversation by its manager (away, or at capacity)."""

    name: ClassVar[str] = "conversation.key_account_waiting"
    manager_ids_by_conversation: dict[int, int]


@dataclass(frozen=True, slots=True)
class InboxUpdated(DomainEvent):
    name: ClassVar[str] = "inbox.updated"
    inbox_id: int
    team_id: int
    fields: tuple[str, ...]

    @property
    def may_release_queue(self) -> bool:
        return bool(
            {"timezone", "business_hours", "holidays", "routing", "team"} & set(self.fields)
        )


@dataclass(frozen=True, slots=True)
class OperatorStatusChanged(DomainEvent):
    name: ClassVar[str] = "operator.status_changed"
    operator_id: int
    status: str
    automatic: bool
    frame: dict[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class OperatorUpdated(DomainEvent):
    """An admin changed an operator. `revoked`: their sockets close (a new password, a
    deactivation); otherwise `scope` is what their sockets may see now."""

    name: ClassVar[str] = "operator.updated"
    operator_id: int
    revoked: bool
    deactivated: bool
    scope: Scope | None
    may_take_more: bool  # more capacity or other teams: queues may move


@dataclass(frozen=True, slots=True)
class CredentialsEnded(DomainEvent):
    """A token revoked (`token_id`) or a login session ended (`session`, its digest)."""

    name: ClassVar[str] = "operator.credentials_ended"
    operator_id: int
    token_id: int | None = None
    session: str | None = None


@dataclass(frozen=True, slots=True)
class NotificationsCreated(DomainEvent):
    name: ClassVar[str] = "notification.created"
    frames: tuple[tuple[int, dict[str, Any]], ...]  # (operator id, notification object)


def audience_of(conversation: Conversation) -> Audience:
    return Audience(
        inbox=conversation.inbox_id,
        team=conversation.team_id,
        assignee=conversation.assignee_id,
    )
