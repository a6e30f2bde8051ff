"""Presence: an operator is `online` while they say so and keep a console socket open; with
none open for a grace period they become `away`, and `offline` after a longer one.

Each console socket is a `ConsoleConnection` row refreshed by heartbeats; a server process that
dies leaves rows that go stale. The socket's own timer settles presence after the grace period,
and the beat task `presence_sweep` catches whatever a dead process could not.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from operators.models import ConsoleConnection, Operator, Status
from operators.services import operator_status_set

HEARTBEAT_SECONDS = 20
STALE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS


def _live_connections(operator_id: int) -> bool:
    fresh_since = timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
    return ConsoleConnection.objects.filter(
        operator_id=operator_id, seen_at__gte=fresh_since
    ).exists()


def presence_connected(*, operator_id: int, channel_name: str) -> None:
    ConsoleConnection.objects.update_or_create(
        channel_name=channel_name,
        defaults={"operator_id": operator_id, "seen_at": timezone.now()},
    )


def presence_heartbeat(*, channel_name: str) -> None:
    ConsoleConnection.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def presence_disconnected(*, operator_id: int, channel_name: str) -> None:
    with transaction.atomic():
        ConsoleConnection.objects.filter(channel_name=channel_name).delete()
        if not _live_connections(operator_id):
            Operator.objects.filter(pk=operator_id).update(console_left_at=timezone.now())


def presence_settle(*, operator_id: int) -> str | None:
    """Apply the grace periods to one operator; answers the new status if it changed."""
    operator = Operator.objects.filter(pk=operator_id, is_active=True).first()
    if operator is None or operator.status == Status.OFFLINE or _live_connections(operator_id):
        return None
    now = timezone.now()
    left = max(
        filter(None, [operator.console_left_at, operator.status_changed_at]),
        default=None,
    )
    if left is None:
        return None
    idle = (now - left).total_seconds()
    if idle >= settings.OPERATOR_OFFLINE_GRACE_SECONDS:
        operator_status_set(operator=operator, status=Status.OFFLINE, automatic=True)
        return Status.OFFLINE
    if operator.status == Status.ONLINE and idle >= settings.OPERATOR_AWAY_GRACE_SECONDS:
        operator_status_set(operator=operator, status=Status.AWAY, automatic=True)
        return Status.AWAY
    return None


def presence_sweep() -> list[int]:
    """Settle every operator who is not offline and holds no live console socket."""
    stale = timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
    ConsoleConnection.objects.filter(seen_at__lt=stale).delete()
    candidates = Operator.objects.filter(is_active=True).exclude(status=Status.OFFLINE)
    changed = []
    for operator_id in candidates.values_list("pk", flat=True):
        if presence_settle(operator_id=operator_id) is not None:
            changed.append(operator_id)
    return changed
