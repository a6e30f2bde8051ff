"""Presence: an operator is `online` while they say so and keep a console socket open; with
none open for a grace period they become `away`, and `offline` after a longer one.

Opening a console (its socket's hello) makes the operator `online`, unless their own last
choice in the status switch (`Operator.chosen_status`) was `away` or `offline`. A console tells
the server when it goes idle (15 minutes without input in a hidden tab) and when it is used
again: an operator whose live consoles are all idle is `away`, and `online` again as soon as
one is in use. Neither changes the remembered choice.

Each console socket is a `ConsoleConnection` row refreshed by heartbeats; a server process that
dies leaves rows that go stale. The socket's own timer settles presence after the grace period,
and the beat task `presence_sweep` catches whatever a dead process could not.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from operators.models import ConsoleConnection, Operator, Status
from operators.services import operator_status_set

HEARTBEAT_SECONDS = 20
STALE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS


def _live(operator_id: int) -> QuerySet[ConsoleConnection]:
    fresh_since = timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
    return ConsoleConnection.objects.filter(operator_id=operator_id, seen_at__gte=fresh_since)


def _live_connections(operator_id: int) -> bool:
    return _live(operator_id).exists()


def presence_connected(*, operator_id: int, channel_name: str, idle: bool = False) -> str | None:
    """A console socket said hello; answers the operator's status now (None: not active)."""
    ConsoleConnection.objects.update_or_create(
        channel_name=channel_name,
        defaults={"operator_id": operator_id, "seen_at": timezone.now(), "idle": idle},
    )
    return _follow_consoles(operator_id)


def presence_idle(*, operator_id: int, channel_name: str, idle: bool) -> str | None:
    """A console went idle, or is in use again; answers the operator's status now."""
    ConsoleConnection.objects.filter(channel_name=channel_name).update(
        idle=idle, seen_at=timezone.now()
    )
    return _follow_consoles(operator_id)


def _follow_consoles(operator_id: int) -> str | None:
    """An operator whose own choice is `online` is online while one of their live consoles is
    in use and away while all are idle; any other choice is theirs to change."""
    with transaction.atomic():
        operator = (
            Operator.objects.select_for_update().filter(pk=operator_id, is_active=True).first()
        )
        if operator is None:
            return None
        if operator.chosen_status == Status.ONLINE and _live_connections(operator_id):
            in_use = _live(operator_id).filter(idle=False).exists()
            wanted = Status.ONLINE if in_use else Status.AWAY
            if operator.status != wanted:
                operator_status_set(operator=operator, status=wanted, automatic=True)
        return operator.status


def presence_heartbeat(*, channel_name: str) -> None:
    ConsoleConnection.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def presence_disconnected(*, operator_id: int, channel_name: str) -> None:
    with transaction.atomic():
        ConsoleConnection.objects.filter(channel_name=channel_name).delete()
        if not _live_connections(operator_id):
            Operator.objects.filter(pk=operator_id).update(console_left_at=timezone.now())
            return
    _follow_consoles(operator_id)  # the console in use closed: the idle ones left say away


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
    stale_rows = ConsoleConnection.objects.filter(
        seen_at__lt=timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
    )
    lost_a_console = set(stale_rows.values_list("operator_id", flat=True))
    stale_rows.delete()
    for operator_id in sorted(lost_a_console):  # those with consoles left follow what remains
        _follow_consoles(operator_id)
    candidates = Operator.objects.filter(is_active=True).exclude(status=Status.OFFLINE)
    changed = []
    for operator_id in candidates.values_list("pk", flat=True):
        if presence_settle(operator_id=operator_id) is not None:
            changed.append(operator_id)
    return changed
