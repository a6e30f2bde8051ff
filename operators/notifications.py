"""Writes of notifications: an @mention in a private note notifies the operator it names.

`mentions_notify` runs inside the transaction of `chats.services.message_create`, so a
notification exists exactly when its note does; the console hears of it after the commit, on
the operator's own group (`operator.<id>`), as a `notification` frame.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from chats import events, selectors
from chats.audience import Audience
from chats.models import Message
from operators.models import Notification, NotificationKind, Operator
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
        .filter(selectors.operators_who_may_see_filter(audience))
        .exclude(pk=by.pk)
        .order_by("id")
    )
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                operator=operator,
                kind=NotificationKind.MENTION,
                conversation_id=message.conversation_id,
                message=message,
                by=by,
                created_at=now,
            )
            for operator in recipients
        ]
    )
    frames = [(n.operator_id, notification_data(n)) for n in notifications]

    def announce() -> None:
        for operator_id, frame in frames:
            events.notification_created(operator_id, frame)

    if frames:
        transaction.on_commit(announce)
    return notifications


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
