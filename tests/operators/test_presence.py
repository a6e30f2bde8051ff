"""Presence: online while a console socket is open; away after the grace period without one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from operators import presence
from operators.models import ConsoleConnection, Operator, Status


def _age(operator: Operator, seconds: int) -> None:
    past = timezone.now() - timedelta(seconds=seconds)
    Operator.objects.filter(pk=operator.pk).update(console_left_at=past, status_changed_at=past)


@pytest.mark.django_db
def test_operator_with_an_open_console_stays_online(agent):
    presence.presence_connected(operator_id=agent.pk, channel_name="c1")
    _age(agent, 3600)
    assert presence.presence_settle(operator_id=agent.pk) is None
    agent.refresh_from_db()
    assert agent.status == Status.ONLINE


@pytest.mark.django_db
def test_operator_whose_last_console_closed_is_away_after_the_grace_period(agent, settings):
    settings.OPERATOR_AWAY_GRACE_SECONDS = 60
    presence.presence_connected(operator_id=agent.pk, channel_name="c1")
    presence.presence_connected(operator_id=agent.pk, channel_name="c2")
    presence.presence_disconnected(operator_id=agent.pk, channel_name="c1")
    assert presence.presence_settle(operator_id=agent.pk) is None  # c2 is still open
    presence.presence_disconnected(operator_id=agent.pk, channel_name="c2")
    assert presence.presence_settle(operator_id=agent.pk) is None  # within the grace period
    _age(agent, 61)
    assert presence.presence_settle(operator_id=agent.pk) == Status.AWAY
    agent.refresh_from_db()
    assert agent.status == Status.AWAY


@pytest.mark.django_db
def test_away_operator_goes_offline_after_the_longer_grace_period(agent, settings):
    settings.OPERATOR_OFFLINE_GRACE_SECONDS = 900
    Operator.objects.filter(pk=agent.pk).update(status=Status.AWAY)
    _age(agent, 901)
    assert presence.presence_settle(operator_id=agent.pk) == Status.OFFLINE


@pytest.mark.django_db
def test_sockets_of_a_dead_server_process_go_stale_and_stop_counting(agent):
    presence.presence_connected(operator_id=agent.pk, channel_name="dead-process-socket")
    ConsoleConnection.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    _age(agent, 120)
    assert presence.presence_sweep() == [agent.pk]
    agent.refresh_from_db()
    assert agent.status == Status.AWAY
    assert not ConsoleConnection.objects.exists()
