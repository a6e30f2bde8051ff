"""Writes of notifications: something one operator should look at.

- `mention`: a private note names them as `@username` (`mentions_notify`);
- `assigned` / `team_transfer`: a conversation handed to them, or to their team, by hand
  (`transfer_notify`);
- `key_account`: their key account's conversation was routed to the team without them
  (`key_account_notify`, once per conversation);
- `reassigned`: a conversation taken from them for want of an answer (`reassigned_notify`).

Each runs inside the transaction of the write it reports (they are in-transaction listeners of
its domain event: `operators.listeners`), so a notification exists exactly when its fact does;
the console hears of it after the commit (`NotificationsCreated`), on the operator's own group
(`operator.<id>`), as a `notification` frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models.functions import Lower
from django.utils import timezone

from chats.audience import Audience, operators_who_may_see
from chats.events.dispatch import record
from chats.events.domain import NotificationsCreated, audience_of
from chats.models import Conversation, Message
from operators.models import Notification, NotificationKind, Operator, Status
from operators.selectors import operator_scope
from operators.serializers import notification_data

# `@` then a username (Django's characters: letters, digits and @ . + - _), not preceded by
# one of those characters, so an email address in a note is no mention.
MENTION = re.compile(r"(?<![\w.@+-])@([\w.@+-]{1,150})")
MAX_MENTIONS = 20  # distinct names looked up per note


def mentioned_usernames(body: str) -> list[str]:
    """The lowercased names a note mentions; a name followed by punctuation ("@olga.", "@olga-")
    is looked up with and without it."""
    names: list[str] = []
    for match in MENTION.finditer(body):
        token = match.group(1).lower()
        for name in (token, token.rstrip(".@+-")):
            if name and name not in names:
                names.append(name)
        if len(names) >= MAX_MENTIONS:
            break
    return names[:MAX_MENTIONS]


def mentions_notify(*, message: Message, audience: Audience, by: Operator) -> list[Notification]:
    """Notify the active operators a private note mentions who may see its conversation (the
    author excepted). Call inside the note's transaction."""
    names = mentioned_usernames(message.body)
    if not names:
        return []
    recipients = (
        Operator.objects.annotate(username_lower=Lower("username"))
        .filter(username_lower__in=names, is_active=True)
        .exclude(pk=by.pk)
    )
    return _notify(
        operator_ids=list(recipients.values_list("pk", flat=True)),
        kind=NotificationKind.MENTION,
        conversation_id=message.conversation_id,
        audience=audience,
        message=message,
        by=by,
    )


def _notify(
    *,
    operator_ids: Iterable[int],
    kind: str,
    conversation_id: int,
    audience: Audience,
    message: Message | None = None,
    by: Operator | None = None,
) -> list[Notification]:
    """Store one notification per operator who may see the conversation (`audience`, as it is
    now: the one rule of `chats.audience`) and, after the commit, send each its frame. A
    notification names its conversation, so it never goes to someone it would be news to."""
    operator_ids = list(operator_ids)
    if not operator_ids:
        return []
    allowed = list(
        Operator.objects.filter(pk__in=operator_ids)
        .filter(operators_who_may_see(audience))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                operator_id=operator_id,
                kind=kind,
                conversation_id=conversation_id,
                message=message,
                by=by,
                created_at=now,
            )
            for operator_id in allowed
        ]
    )
    frames = tuple((n.operator_id, notification_data(n)) for n in notifications)
    if frames:
        record(NotificationsCreated(frames=frames))
    return notifications


def transfer_notify(
    *,
    conversation_id: int,
    audience: Audience,
    by: Operator,
    operator_id: int | None = None,
    team_id: int | None = None,
    note: Message | None = None,
) -> list[Notification]:
    """A hand assignment: the receiving operator (`assigned`), or the members of the receiving
    team who are online or away (`team_transfer`), hear of it; never the one who did it.
    `note` is the hand-off note, if any. Call inside the assignment's transaction."""
    if operator_id is not None:
        if operator_id == by.pk:
            return []
        return _notify(
            operator_ids=[operator_id],
            kind=NotificationKind.ASSIGNED,
            conversation_id=conversation_id,
            audience=audience,
            message=note,
            by=by,
        )
    members = (
        Operator.objects.filter(teams=team_id, is_active=True)
        .exclude(status=Status.OFFLINE)
        .exclude(pk=by.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _notify(
        operator_ids=list(members),
        kind=NotificationKind.TEAM_TRANSFER,
        conversation_id=conversation_id,
        audience=audience,
        message=note,
        by=by,
    )


def key_account_notify(*, manager_ids_by_conversation: dict[int, int]) -> list[Notification]:
    """Each conversation's account manager, passed over by routing, hears that their key
    account waits, once per conversation, when they are active and may see it. Call inside
    the routing transaction (which holds the conversations' row locks)."""
    if not manager_ids_by_conversation:
        return []
    already = set(
        Notification.objects.filter(
            kind=NotificationKind.KEY_ACCOUNT,
            conversation_id__in=manager_ids_by_conversation,
        ).values_list("conversation_id", "operator_id")
    )
    managers = Operator.objects.filter(
        pk__in=set(manager_ids_by_conversation.values()), is_active=True
    )
    # the rule in memory (`Scope.may_see`): no query per conversation a manager may not see
    scopes = {manager.pk: operator_scope(operator=manager) for manager in managers}
    conversations = Conversation.objects.filter(pk__in=manager_ids_by_conversation).only(
        "pk", "inbox_id", "team_id", "assignee_id"
    )
    notifications: list[Notification] = []
    for conversation in conversations.order_by("pk"):
        manager_id = manager_ids_by_conversation[conversation.pk]
        scope = scopes.get(manager_id)
        if (conversation.pk, manager_id) in already or scope is None:
            continue
        audience = audience_of(conversation)
        if scope.may_see(audience):
            notifications += _notify(
                operator_ids=[manager_id],
                kind=NotificationKind.KEY_ACCOUNT,
                conversation_id=conversation.pk,
                audience=audience,
            )
    return notifications


def reassigned_notify(
    *, operator_id: int, conversation_id: int, audience: Audience
) -> list[Notification]:
    """The operator a conversation was taken from, for want of an answer, if they still may see
    it (`audience`, as it is after the change: its inbox is their team's). Call inside the
    transaction that took it, after the change."""
    return _notify(
        operator_ids=[operator_id],
        kind=NotificationKind.REASSIGNED,
        conversation_id=conversation_id,
        audience=audience,
    )


def notification_mark_read(*, notification: Notification) -> Notification:
    """Idempotent: reading a read notification keeps its first `read_at`."""
    if notification.read_at is None:
        now = timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if updated:
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification
