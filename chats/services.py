"""Writes of the chats domain: one function per use case.

Each runs in one transaction and publishes its events, and enqueues its tasks, only after the
commit (`transaction.on_commit`), so nothing is ever announced that could still roll back.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnreachable

from chats import events, selectors
from chats.audience import Audience
from chats.business_hours import clean_business_hours, clean_holidays, clean_timezone
from chats.models import (
    AuthorKind,
    CannedResponse,
    Contact,
    Conversation,
    ConversationStatus,
    CsatResponse,
    Inbox,
    Label,
    Message,
    Priority,
    RoutingStrategy,
    Visitor,
)
from chats.validation import clean_body, clean_client_id
from helpdesk.errors import Conflict, Forbidden, NotFound, ServiceError
from operators.models import Operator, Role, Status, Team
from operators.notifications import mentions_notify, transfer_notify

logger = logging.getLogger(__name__)

# --- authors ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Author:
    kind: str
    operator: Operator | None = None
    contact: Contact | None = None

    @classmethod
    def of_operator(cls, operator: Operator) -> Author:
        return cls(kind=AuthorKind.OPERATOR, operator=operator)

    @classmethod
    def of_contact(cls, contact: Contact) -> Author:
        return cls(kind=AuthorKind.VISITOR, contact=contact)

    @classmethod
    def system(cls) -> Author:
        return cls(kind=AuthorKind.SYSTEM)

    @property
    def sender_key(self) -> str:
        if self.operator is not None:
            return f"o{self.operator.pk}"
        if self.contact is not None:
            return f"c{self.contact.pk}"
        return "s"


# --- tokens -----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


# --- inboxes ----------------------------------------------------------------------------------


def inbox_create(
    *,
    name: str,
    channel: str,
    team: Team,
    allowed_origins: list[str] | None = None,
    greeting: str = "",
    routing: str = RoutingStrategy.LEAST_BUSY,
    settings: dict[str, Any] | None = None,
    timezone: str = "UTC",
    business_hours: dict[str, Any] | None = None,
    holidays: list[str] | None = None,
    auto_resolve_after: int | None = None,
    reassign_unanswered_after: int | None = None,
    route_to_last_operator: bool = False,
) -> Inbox:
    hours = _inbox_hours_cleaned(
        {
            "timezone": timezone,
            "business_hours": {} if business_hours is None else business_hours,
            "holidays": [] if holidays is None else holidays,
            "auto_resolve_after": auto_resolve_after,
        }
    )
    return Inbox.objects.create(
        reassign_unanswered_after=reassign_unanswered_after,
        route_to_last_operator=route_to_last_operator,
        name=name,
        channel=channel,
        team=team,
        inbox_key=secrets.token_urlsafe(18),
        identity_secret=secrets.token_hex(32),
        allowed_origins=_origins_cleaned(allowed_origins or []),
        greeting=greeting,
        routing=routing,
        settings=settings or {},
        **hours,
    )


INBOX_EDITABLE_FIELDS = (
    "name",
    "team",
    "allowed_origins",
    "greeting",
    "routing",
    "settings",
    "timezone",
    "business_hours",
    "holidays",
    "auto_resolve_after",
    "reassign_unanswered_after",
    "route_to_last_operator",
)
INBOX_HOURS_FIELDS = ("timezone", "business_hours", "holidays", "auto_resolve_after")
AUTO_RESOLVE_MIN_SECONDS = 60
AUTO_RESOLVE_MAX_SECONDS = 365 * 24 * 3600


def _origins_cleaned(origins: list[str]) -> list[str]:
    return [origin.rstrip("/") for origin in origins]


def _inbox_hours_cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """The hours settings checked together (a table is read in its zone); raises
    `ScheduleError` or `ServiceError` with a clear message on any bad part."""
    cleaned: dict[str, Any] = {
        "timezone": clean_timezone(values["timezone"]),
        "business_hours": clean_business_hours(values["business_hours"]),
        "holidays": clean_holidays(values["holidays"]),
    }
    seconds = values["auto_resolve_after"]
    if seconds is not None and (
        not isinstance(seconds, int)
        or isinstance(seconds, bool)
        or not AUTO_RESOLVE_MIN_SECONDS <= seconds <= AUTO_RESOLVE_MAX_SECONDS
    ):
        raise ServiceError(
            "invalid_auto_resolve_after",
            _("auto_resolve_after is a number of seconds from %(min)s to %(max)s, or null.")
            % {"min": AUTO_RESOLVE_MIN_SECONDS, "max": AUTO_RESOLVE_MAX_SECONDS},
        )
    cleaned["auto_resolve_after"] = seconds
    return cleaned


def inbox_update(*, inbox: Inbox, changes: dict[str, Any]) -> Inbox:
    """An admin edits an inbox. A change of hours, routing or team may release a held queue:
    the team's queue is drained after the commit (a no-op when nothing can move)."""
    for field in changes:
        if field not in INBOX_EDITABLE_FIELDS:
            raise ServiceError("invalid", _("Unknown field: %(field)s") % {"field": field})
    values = dict(changes)
    if "allowed_origins" in values:
        values["allowed_origins"] = _origins_cleaned(values["allowed_origins"])
    if any(field in values for field in INBOX_HOURS_FIELDS):
        current = {field: getattr(inbox, field) for field in INBOX_HOURS_FIELDS}
        values.update(_inbox_hours_cleaned({**current, **values}))
    if not values:
        return inbox
    with transaction.atomic():
        for field, value in values.items():
            setattr(inbox, field, value)
        inbox.save(update_fields=list(values))
        if {"timezone", "business_hours", "holidays", "routing", "team"} & set(values):
            team_id = inbox.team_id
            transaction.on_commit(lambda: _drain(team_id))
    return inbox


def inbox_allows_origin(*, inbox: Inbox, origin: str | None) -> bool:
    if not inbox.allowed_origins:
        return True
    return origin is not None and origin.rstrip("/") in inbox.allowed_origins


# --- visitors ---------------------------------------------------------------------------------


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


# --- conversations ----------------------------------------------------------------------------


def conversation_open(*, inbox: Inbox, contact: Contact, page_url: str = "") -> Conversation:
    """Open a new conversation; unless its inbox routes by hand, it joins its team's queue and
    the routing task takes it from there."""
    now = timezone.now()
    with transaction.atomic():
        conversation = Conversation.objects.create(
            inbox=inbox,
            contact=contact,
            team_id=inbox.team_id,
            created_at=now,
            last_activity_at=now,
            queued_at=None if inbox.routing == RoutingStrategy.MANUAL else now,
            page_url=page_url[:2000],
        )
        conversation_id = conversation.pk
        transaction.on_commit(lambda: _after_conversation_change(conversation_id, route=True))
    return conversation


def _after_conversation_change(
    conversation_id: int,
    *,
    route: bool = False,
    previous: Audience | None = None,
    to_visitor: bool = True,
) -> None:
    """After the commit: announce the change (`to_visitor=False` for one the visitor's view of
    the conversation does not show) and, with `route`, route the team's queue."""
    conversation = selectors.conversation_with_position(conversation_id=conversation_id)
    events.conversation_changed(conversation, previous=previous, to_visitor=to_visitor)
    if route and conversation.team_id is not None and conversation.queued_at is not None:
        _drain(conversation.team_id)


# An operator who writes has read the conversation: their message's seq is also the new
# `operator_last_read_seq` (the right-hand sides read the row as it was before the UPDATE).
_BUMP_SEQ = (
    "UPDATE chats_conversation SET last_seq = last_seq + 1, last_activity_at = %s, "
    "operator_last_read_seq = CASE WHEN %s THEN last_seq + 1 ELSE operator_last_read_seq END, "
    "status = CASE WHEN %s AND status = 'pending' THEN 'open' ELSE status END "
    "WHERE id = %s RETURNING last_seq, inbox_id, contact_id, team_id, assignee_id, status"
)

# PostgreSQL: the seq bump and the insert in one statement, so an unnested send is one round
# trip and its own transaction. `was` reads the status as it stood before this statement.
_STORE_PG = """
WITH was AS (SELECT status FROM chats_conversation WHERE id = %(conversation)s),
c AS (
  UPDATE chats_conversation SET last_seq = last_seq + 1, last_activity_at = %(now)s,
    operator_last_read_seq = CASE WHEN %(by_operator)s THEN last_seq + 1
                                  ELSE operator_last_read_seq END,
    status = CASE WHEN %(by_visitor)s AND status = 'pending' THEN 'open' ELSE status END
  WHERE id = %(conversation)s
  RETURNING id, last_seq, inbox_id, contact_id, team_id, assignee_id, status
),
m AS (
  INSERT INTO chats_message (conversation_id, seq, author_kind, author_operator_id,
    author_contact_id, sender_key, body, private, attachments, client_id, created_at)
  SELECT c.id, c.last_seq, %(kind)s, %(operator)s, %(contact)s, %(sender)s, %(body)s,
    %(private)s, %(attachments)s::jsonb, %(client_id)s, %(now)s FROM c
  RETURNING id
)
SELECT m.id, c.last_seq, c.inbox_id, c.contact_id, c.team_id, c.assignee_id, c.status,
  (SELECT status FROM was)
FROM m, c
"""


def _store_message(
    *,
    conversation_id: int,
    author: Author,
    body: str,
    client_id: str | None,
    private: bool,
    attachments: list[dict[str, Any]],
    now: datetime,
) -> tuple[Message, Conversation, bool]:
    """Insert the message with the next seq; answers it, its conversation's audience facts,
    and whether a visitor's message just reopened a pending conversation."""
    by_operator = author.kind == AuthorKind.OPERATOR
    by_visitor = author.kind == AuthorKind.VISITOR
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                _STORE_PG,
                {
                    "conversation": conversation_id,
                    "now": now,
                    "by_operator": by_operator,
                    "by_visitor": by_visitor,
                    "kind": author.kind,
                    "operator": author.operator.pk if author.operator else None,
                    "contact": author.contact.pk if author.contact else None,
                    "sender": author.sender_key,
                    "body": body,
                    "private": private,
                    "attachments": json.dumps(attachments),
                    "client_id": client_id,
                },
            )
            row = cursor.fetchone()
            if row is None:
                raise NotFound("not_found", _("Conversation not found."))
            message_id, seq, inbox_id, contact_id, team_id, assignee_id, status, before = row
        else:
            cursor.execute("SELECT status FROM chats_conversation WHERE id = %s", [conversation_id])
            found = cursor.fetchone()
            if found is None:
                raise NotFound("not_found", _("Conversation not found."))
            before = found[0]
            cursor.execute(_BUMP_SEQ, [now, by_operator, by_visitor, conversation_id])
            seq, inbox_id, contact_id, team_id, assignee_id, status = cursor.fetchone()
            message_id = None
    message = Message(
        id=message_id,
        conversation_id=conversation_id,
        seq=seq,
        author_kind=author.kind,
        author_operator=author.operator,
        author_contact=author.contact,
        sender_key=author.sender_key,
        body=body,
        private=private,
        attachments=attachments,
        client_id=client_id,
        created_at=now,
    )
    if message_id is None:
        message.save(force_insert=True)
    else:
        message._state.adding = False
        message._state.db = connection.alias
    conversation = stored_conversation(
        conversation_id, inbox_id, contact_id, team_id, assignee_id, status
    )
    reopened = by_visitor and before == ConversationStatus.PENDING
    return message, conversation, reopened


def stored_conversation(
    conversation_id: int,
    inbox_id: int,
    contact_id: int,
    team_id: int | None,
    assignee_id: int | None,
    status: str,
) -> Conversation:
    """A conversation with just the facts a message event needs (its audience, its visitor),
    as the storing statement returned them: no query."""
    return Conversation(
        id=conversation_id,
        inbox_id=inbox_id,
        contact_id=contact_id,
        team_id=team_id,
        assignee_id=assignee_id,
        status=status,
    )


def message_create(
    *,
    conversation_id: int,
    author: Author,
    body: Any,
    client_id: Any = None,
    private: bool = False,
    attachments: list[dict[str, Any]] | None = None,
) -> tuple[Message, bool]:
    """Store a message with the next `seq` and announce it after the commit.

    The `UPDATE ... RETURNING` row lock orders concurrent senders, so seqs have no gaps or
    repeats; the unique constraint on `(conversation, sender, client_id)` makes a resend return
    the first message. Answers `(message, created)`.
    """
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    if private and author.kind != AuthorKind.OPERATOR:
        raise ServiceError("invalid_private", _("Only operators can write private notes."))
    now = timezone.now()
    mentions = private and author.operator is not None and "@" in body
    # One statement is its own transaction on PostgreSQL; anything more needs a block (a
    # savepoint when nested, so a refused resend leaves the caller's transaction usable).
    single_statement = (
        connection.vendor == "postgresql" and not mentions and not connection.in_atomic_block
    )
    try:
        with contextlib.nullcontext() if single_statement else transaction.atomic():
            message, conversation, reopened = _store_message(
                conversation_id=conversation_id,
                author=author,
                body=body,
                client_id=client_id,
                private=private,
                attachments=attachments or [],
                now=now,
            )
            transaction.on_commit(lambda: events.message_created(message, conversation))
            if mentions:
                assert author.operator is not None
                mentions_notify(
                    message=message, audience=events.audience_of(conversation), by=author.operator
                )
            if reopened:
                transaction.on_commit(lambda: _after_conversation_change(conversation_id))
    except IntegrityError:
        if client_id is None:
            raise
        existing = (
            Message.objects.select_related("author_operator", "author_contact")
            .filter(
                conversation_id=conversation_id,
                sender_key=author.sender_key,
                client_id=client_id,
            )
            .first()
        )
        if existing is None:
            raise
        return existing, False
    return message, True


def visitor_message_send(*, visitor: Visitor, body: Any, client_id: Any) -> tuple[Message, bool]:
    """A visitor writes: into their open conversation, or a new one if none is open."""
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    author = Author.of_contact(visitor.contact)
    earlier_id, conversation_id = selectors.visitor_send_lookup(
        contact_id=visitor.contact_id,
        inbox_id=visitor.inbox_id,
        sender_key=author.sender_key,
        client_id=client_id,
    )
    if earlier_id is not None:  # a resend, maybe into a conversation resolved since
        earlier = Message.objects.select_related("author_operator", "author_contact")
        return earlier.get(pk=earlier_id), False
    if conversation_id is None:
        with transaction.atomic():
            # Two tabs sending a first message at once must not open two conversations.
            Contact.objects.select_for_update().filter(pk=visitor.contact_id).first()
            conversation_id = (
                selectors.visitor_open_conversation_id(
                    contact_id=visitor.contact_id, inbox_id=visitor.inbox_id
                )
                or conversation_open(
                    inbox=visitor.inbox, contact=visitor.contact, page_url=visitor.page_url
                ).pk
            )
    # Its own top-level transaction: one commit, no savepoint round trips on the hot path.
    return message_create(
        conversation_id=conversation_id, author=author, body=body, client_id=client_id
    )


def operator_message_send(
    *, operator: Operator, conversation: Conversation, body: Any, client_id: Any, private: bool
) -> tuple[Message, bool]:
    """An operator writes in a conversation they may see (`operator_may_use`). A public reply
    to a conversation nobody holds takes it: the writer becomes its assignee, by the rules of
    assigning oneself (an agent within their capacity, or the reply is refused and nothing is
    stored), so it leaves the queue and the visitor sees who answers. Notes take nothing."""
    if private or not _held_by_nobody(conversation):
        return message_create(
            conversation_id=conversation.pk,
            author=Author.of_operator(operator),
            body=body,
            client_id=client_id,
            private=private,
        )
    body = clean_body(body)  # refused before the row is locked
    with transaction.atomic():
        locked = _lock(conversation.pk)
        if _held_by_nobody(locked):
            conversation_assign(conversation=locked, actor=operator, operator=operator)
        return message_create(
            conversation_id=locked.pk,
            author=Author.of_operator(operator),
            body=body,
            client_id=client_id,
        )


def _held_by_nobody(conversation: Conversation) -> bool:
    return conversation.assignee_id is None and conversation.status != ConversationStatus.RESOLVED


def _lock(conversation_id: int) -> Conversation:
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def _open_load(operator: Operator) -> int:
    return (
        Conversation.objects.filter(assignee=operator)
        .exclude(status=ConversationStatus.RESOLVED)
        .count()
    )


def conversation_assign(
    *,
    conversation: Conversation,
    actor: Operator,
    operator: Operator | None = None,
    team: Team | None = None,
    note: str | None = None,
) -> Conversation:
    """Hand a conversation to an operator or to a team (whose routing then picks someone)."""
    if (operator is None) == (team is None):
        raise ServiceError("invalid", _("Give either an operator or a team."))
    if note is not None:
        note = clean_body(note)
    with transaction.atomic():
        # The conversation's row first, then the operator's: the order a drain locks them in
        # (its queued conversations, then its candidates), so the two never deadlock.
        locked = _lock(conversation.pk)
        if operator is not None:
            operator = Operator.objects.select_for_update().get(pk=operator.pk)
            _check_may_assign_operator(actor=actor, conversation=locked, operator=operator)
        previous = events.audience_of(locked)
        waited_in = locked.team_id if locked.queued_at is not None else None
        drain_team: int | None = None
        if operator is not None:
            if locked.assignee_id != operator.pk:
                if locked.assignee_id is not None and locked.team_id is not None:
                    drain_team = locked.team_id
                locked.assignee = operator
                locked.queued_at = None
                locked.assigned_at = timezone.now()
                Operator.objects.filter(pk=operator.pk).update(last_assigned_at=timezone.now())
        else:
            assert team is not None
            # A conversation handed to another team joins that team's queue now, behind those
            # already waiting there; handed back to its own team it keeps its place.
            if locked.status == ConversationStatus.RESOLVED:
                locked.queued_at = None
            elif locked.queued_at is None or locked.team_id != team.pk:
                locked.queued_at = timezone.now()
            locked.team = team
            locked.assignee = None
            locked.assigned_at = None
            drain_team = team.pk
        locked.save(update_fields=["assignee", "team", "queued_at", "assigned_at"])
        if waited_in is not None and (locked.queued_at is None or locked.team_id != waited_in):
            transaction.on_commit(lambda: _queue_positions_changed(waited_in))
        handoff = None
        if note:
            handoff, _created = message_create(
                conversation_id=locked.pk, author=Author.of_operator(actor), body=note, private=True
            )
        if team is not None or previous.assignee != locked.assignee_id:
            transfer_notify(
                conversation=locked,
                by=actor,
                operator=operator,
                team_id=team.pk if team is not None else None,
                note=handoff,
            )
        transaction.on_commit(lambda: _after_conversation_change(locked.pk, previous=previous))
        if drain_team is not None:
            transaction.on_commit(lambda: _drain(drain_team))
        if previous.assignee is not None and previous.assignee != locked.assignee_id:
            released = previous.assignee
            transaction.on_commit(lambda: _drain_for_operator(released))
    return selectors.conversation_with_position(conversation_id=conversation.pk)


def conversations_rerouted(
    *, moves: list[tuple[int, Audience]], released_operators: set[int], teams: set[int]
) -> None:
    """After the commit of a routing change made outside these services (the ownership
    watchdog, `operators.watchdog`): announce each moved conversation to whoever may see it now
    and whoever saw it before (`(id, previous audience)`), then route the queues of `teams` and
    of the teams of the operators who got capacity back."""
    for conversation_id, previous in moves:
        _after_conversation_change(conversation_id, previous=previous)
    for team_id in sorted(teams):
        _drain(team_id)
    for operator_id in sorted(released_operators):
        _drain_for_operator(operator_id)


def _check_may_assign_operator(
    *, actor: Operator, conversation: Conversation, operator: Operator
) -> None:
    if not operator.is_active:
        raise ServiceError("operator_inactive", _("This operator is deactivated."))
    if actor.sees_everything:
        return  # supervisors and admins may assign anyone, past capacity too
    if operator.pk != actor.pk:
        if (
            conversation.team_id is None
            or not operator.teams.filter(pk=conversation.team_id).exists()
        ):
            raise ServiceError(
                "operator_not_in_team", _("This operator is not in the conversation's team.")
            )
        if operator.status != Status.ONLINE:
            raise ServiceError("operator_not_online", _("This operator is not online."))
    if _open_load(operator) >= operator.max_chats and conversation.assignee_id != operator.pk:
        raise ServiceError("over_capacity", _("This operator has no free capacity."), status=409)


def _drain(team_id: int) -> None:
    """Ask the worker to route the team's queue. With the broker unreachable the request is
    lost, not the commit it follows: the worker drains every waiting queue whenever it
    (re)connects (`helpdesk.celery_worker`)."""
    from chats.tasks import drain_team_queue

    try:
        drain_team_queue.delay(team_id)
    except BrokerUnreachable:
        logger.warning("routing of team %s not requested: the broker is unreachable", team_id)


def _drain_for_operator(operator_id: int) -> None:
    """Capacity freed at an operator (or they came online): drain the queues of their teams,
    and of any team where one of their key accounts waits (a manager takes those first,
    whatever the team)."""
    team_ids = set(Team.objects.filter(operators=operator_id).values_list("id", flat=True))
    team_ids.update(
        Conversation.objects.filter(
            queued_at__isnull=False, assignee__isnull=True, contact__account_manager=operator_id
        )
        .exclude(team_id__isnull=True)
        .values_list("team_id", flat=True)
    )
    for team_id in sorted(team_ids):
        _drain(team_id)


def conversation_status_set(
    *, conversation: Conversation, actor: Operator | None, status: str
) -> Conversation:
    if status not in ConversationStatus.values:
        raise ServiceError("invalid_status", _("Unknown status."))
    with transaction.atomic():
        locked = _lock(conversation.pk)
        if locked.status == status:
            return selectors.conversation_with_position(conversation_id=conversation.pk)
        was_resolved = locked.status == ConversationStatus.RESOLVED
        locked.status = status
        route = False
        if status == ConversationStatus.RESOLVED:
            locked.resolved_at = timezone.now()
            locked.queued_at = None
        elif was_resolved:
            locked.resolved_at = None
            if locked.assignee_id is None and locked.inbox.routing != RoutingStrategy.MANUAL:
                locked.queued_at = timezone.now()
                route = True
        locked.save(update_fields=["status", "resolved_at", "queued_at"])
        transaction.on_commit(lambda: _after_conversation_change(locked.pk, route=route))
        if status == ConversationStatus.RESOLVED:
            _after_resolve(locked)
    return selectors.conversation_with_position(conversation_id=conversation.pk)


def _after_resolve(conversation: Conversation) -> None:
    """Within a resolve's transaction: after the commit, the assignee's freed capacity takes
    the next waiting conversations, and the team's queue positions close up."""
    if conversation.assignee_id is not None:
        assignee_id = conversation.assignee_id
        transaction.on_commit(lambda: _drain_for_operator(assignee_id))
    if conversation.team_id is not None:
        team_id = conversation.team_id
        transaction.on_commit(lambda: _queue_positions_changed(team_id))


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
        locked.status = ConversationStatus.RESOLVED
        locked.resolved_at = now
        locked.save(update_fields=["status", "resolved_at"])
        transaction.on_commit(lambda: _after_conversation_change(locked.pk))
        _after_resolve(locked)
    return True


def _queue_positions_changed(team_id: int) -> None:
    for conversation in selectors.conversation_base().filter(
        team_id=team_id, queued_at__isnull=False
    ):
        events.conversation_changed(conversation)


MAX_LABELS = 30
MAX_LABEL_CHARS = 50


def conversation_labels_set(*, conversation: Conversation, labels: list[str]) -> Conversation:
    names = []
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
    with transaction.atomic():
        locked = _lock(conversation.pk)
        existing = {label.name: label for label in Label.objects.filter(name__in=names)}
        for name in names:
            if name not in existing:
                existing[name], _created = Label.objects.get_or_create(name=name)
        locked.labels.set([existing[name] for name in names])
        transaction.on_commit(lambda: _after_conversation_change(locked.pk, to_visitor=False))
    return selectors.conversation_with_position(conversation_id=conversation.pk)


def conversation_priority_set(*, conversation: Conversation, priority: str) -> Conversation:
    if priority not in Priority.values:
        raise ServiceError("invalid_priority", _("Unknown priority."))
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(priority=priority)
        transaction.on_commit(lambda: _after_conversation_change(conversation.pk, to_visitor=False))
    return selectors.conversation_with_position(conversation_id=conversation.pk)


# --- reading and typing -----------------------------------------------------------------------


def conversation_read_by_visitor(*, visitor: Visitor, conversation: Conversation, seq: int) -> None:
    seq = min(seq, conversation.last_seq)
    updated = Conversation.objects.filter(pk=conversation.pk, visitor_last_read_seq__lt=seq).update(
        visitor_last_read_seq=seq
    )
    if updated:
        name = visitor.contact.name or _("Visitor")
        transaction.on_commit(lambda: events.visitor_read(conversation, seq=seq, name=name))


def conversation_read_by_operator(*, conversation: Conversation, seq: int) -> None:
    seq = min(seq, conversation.last_seq)
    updated = Conversation.objects.filter(
        pk=conversation.pk, operator_last_read_seq__lt=seq
    ).update(operator_last_read_seq=seq)
    if updated:
        conversation_id = conversation.pk
        transaction.on_commit(lambda: _after_operator_read(conversation_id, seq))


def _after_operator_read(conversation_id: int, seq: int) -> None:
    """The read mark is shared by the team: the visitor sees their messages read, and every
    console that may see the conversation gets its new `agent_read_seq` (their unread badges)."""
    conversation = selectors.conversation_with_position(conversation_id=conversation_id)
    events.operator_read(conversation, seq=seq)


def typing_by_visitor(*, visitor: Visitor, conversation: Conversation, active: bool) -> None:
    events.visitor_typing(conversation, name=visitor.contact.name or _("Visitor"), active=active)


def typing_by_operator(
    *, operator: Operator, conversation: Conversation, active: bool, private: bool
) -> None:
    events.operator_typing(
        conversation,
        operator_id=operator.pk,
        name=operator.display_name,
        active=active,
        private=private,
    )


# --- contacts and feedback --------------------------------------------------------------------


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
    contact.save(update_fields=list(changes) or None)
    conversation_ids = list(contact.conversations.values_list("id", flat=True)[:100])

    def announce() -> None:
        for conversation_id in conversation_ids:
            _after_conversation_change(conversation_id, to_visitor=False)

    transaction.on_commit(announce)
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


def csat_submit(*, visitor: Visitor, rating: int, comment: str) -> tuple[CsatResponse, bool]:
    conversation = selectors.visitor_current_conversation(visitor=visitor)
    if conversation is None:
        raise ServiceError(
            "no_conversation", _("There is no conversation to rate yet."), status=409
        )
    response, created = CsatResponse.objects.update_or_create(
        conversation=conversation, defaults={"rating": rating, "comment": comment}
    )
    return response, created


def visitor_may_use(*, visitor: Visitor, conversation_id: int) -> Conversation:
    conversation = selectors.visitor_conversation(visitor=visitor, conversation_id=conversation_id)
    if conversation is None:
        raise NotFound("not_found", _("Conversation not found."))
    return conversation


def operator_may_use(*, operator: Operator, conversation_id: int) -> Conversation:
    conversation = selectors.conversation_get_visible(
        operator=operator, conversation_id=conversation_id
    )
    if conversation is None:
        raise NotFound("not_found", _("Conversation not found."))
    return conversation


# --- canned responses -------------------------------------------------------------------------

CANNED_SHORTCUT = re.compile(r"[a-z0-9_-]{1,32}\Z")
CANNED_TITLE_MAX_CHARS = 200
CANNED_BODY_MAX_CHARS = 5000
CANNED_FIELDS = ("shortcut", "title", "body")


def _canned_shortcut(value: Any) -> str:
    if not isinstance(value, str) or not CANNED_SHORTCUT.match(value):
        raise ServiceError(
            "invalid_shortcut",
            _("A shortcut is 1 to 32 characters: lowercase letters, digits, _ and -."),
        )
    return value


def _canned_title(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value:
        raise ServiceError("invalid_title", _("The title must be text."))
    if len(value) > CANNED_TITLE_MAX_CHARS:
        raise ServiceError(
            "title_too_long",
            _("The title is longer than %(n)s characters.") % {"n": CANNED_TITLE_MAX_CHARS},
        )
    return value


def _canned_body(value: Any) -> str:
    """Stored exactly as typed, like a message body, within 1 to 5,000 characters."""
    if not isinstance(value, str) or "\x00" in value:
        raise ServiceError("invalid_body", _("The body must be text."))
    if not value.strip():
        raise ServiceError("empty_body", _("The body is empty."))
    if len(value) > CANNED_BODY_MAX_CHARS:
        raise ServiceError(
            "body_too_long",
            _("The body is longer than %(n)s characters.") % {"n": CANNED_BODY_MAX_CHARS},
        )
    return value


def canned_team_manageable_by(*, operator: Operator, team_id: int) -> bool:
    """Team responses are managed by admins, and by the team's own supervisors."""
    if operator.role == Role.ADMIN:
        return True
    return operator.role == Role.SUPERVISOR and operator.teams.filter(pk=team_id).exists()


def _check_may_manage(*, actor: Operator, canned_response: CannedResponse) -> None:
    if canned_response.team_id is None:
        allowed = canned_response.owner_id == actor.pk
    else:
        allowed = canned_team_manageable_by(operator=actor, team_id=canned_response.team_id)
    if not allowed:
        raise Forbidden(
            "forbidden", _("Only the team's supervisors and admins may change its responses.")
        )


def _shortcut_taken() -> Conflict:
    return Conflict("shortcut_taken", _("This shortcut is already in use here."))


def canned_response_create(
    *, actor: Operator, shortcut: Any, body: Any, title: Any = "", team: Team | None = None
) -> CannedResponse:
    """A personal response of `actor`, or, with `team`, one shared by the team."""
    canned = CannedResponse(
        shortcut=_canned_shortcut(shortcut),
        title=_canned_title(title),
        body=_canned_body(body),
        owner=None if team is not None else actor,
        team=team,
    )
    if team is not None and not canned_team_manageable_by(operator=actor, team_id=team.pk):
        raise Forbidden(
            "forbidden", _("Only the team's supervisors and admins may add team responses.")
        )
    try:
        with transaction.atomic():
            canned.save()
    except IntegrityError as error:
        raise _shortcut_taken() from error
    return canned


def canned_response_update(
    *, actor: Operator, canned_response: CannedResponse, changes: dict[str, Any]
) -> CannedResponse:
    _check_may_manage(actor=actor, canned_response=canned_response)
    cleaners = {"shortcut": _canned_shortcut, "title": _canned_title, "body": _canned_body}
    for name, value in changes.items():
        if name not in cleaners:
            raise ServiceError("invalid", _("Unknown field: %(field)s") % {"field": name})
        setattr(canned_response, name, cleaners[name](value))
    try:
        with transaction.atomic():
            canned_response.save(update_fields=[*changes, "updated_at"])
    except IntegrityError as error:
        raise _shortcut_taken() from error
    return canned_response


def canned_response_delete(*, actor: Operator, canned_response: CannedResponse) -> None:
    _check_may_manage(actor=actor, canned_response=canned_response)
    canned_response.delete()


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
