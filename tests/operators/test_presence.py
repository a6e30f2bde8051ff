"""Presence: online while a console socket is open and in use, unless the operator chose
otherwise; away when all their consoles idle, or after the grace period without one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chats.assignment import presence
from operators.models import ConsoleConnection, Operator, Status
from operators.services import operator_status_set


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


# --- opening the console, the remembered choice, idle consoles ---------------------------------


def _status(operator: Operator) -> str:
    operator.refresh_from_db()
    return operator.status


@pytest.mark.django_db
def test_operator_who_signs_in_offline_is_online_once_their_console_opens(agent):
    Operator.objects.filter(pk=agent.pk).update(status=Status.OFFLINE)

    assert presence.presence_connected(operator_id=agent.pk, channel_name="c1") == Status.ONLINE
    assert _status(agent) == Status.ONLINE


@pytest.mark.django_db
def test_presence_that_made_an_operator_offline_is_no_choice_of_theirs(agent, settings):
    settings.OPERATOR_OFFLINE_GRACE_SECONDS = 900
    _age(agent, 901)
    presence.presence_settle(operator_id=agent.pk)
    assert _status(agent) == Status.OFFLINE

    presence.presence_connected(operator_id=agent.pk, channel_name="c1")
    assert _status(agent) == Status.ONLINE


@pytest.mark.parametrize("choice", [Status.AWAY, Status.OFFLINE])
@pytest.mark.django_db
def test_operator_who_chose_away_or_offline_keeps_it_when_opening_the_console_again(agent, choice):
    operator_status_set(operator=agent, status=choice)
    presence.presence_disconnected(operator_id=agent.pk, channel_name="c1")

    assert presence.presence_connected(operator_id=agent.pk, channel_name="c2") == choice
    agent.refresh_from_db()
    assert (agent.status, agent.chosen_status) == (choice, choice)


@pytest.mark.django_db
def test_operator_who_chose_online_again_comes_online_with_the_next_console(agent):
    operator_status_set(operator=agent, status=Status.OFFLINE)
    operator_status_set(operator=agent, status=Status.ONLINE)
    Operator.objects.filter(pk=agent.pk).update(status=Status.OFFLINE)

    presence.presence_connected(operator_id=agent.pk, channel_name="c1")
    assert _status(agent) == Status.ONLINE


@pytest.mark.django_db
def test_idle_console_makes_the_operator_away_and_activity_brings_them_back(agent):
    presence.presence_connected(operator_id=agent.pk, channel_name="c1")

    assert presence.presence_idle(operator_id=agent.pk, channel_name="c1", idle=True) == "away"
    agent.refresh_from_db()
    assert (agent.status, agent.chosen_status) == (Status.AWAY, Status.ONLINE)
    assert presence.presence_idle(operator_id=agent.pk, channel_name="c1", idle=False) == "online"
    assert _status(agent) == Status.ONLINE


@pytest.mark.django_db
def test_a_console_in_use_keeps_the_operator_online_while_another_tab_idles(agent):
    presence.presence_connected(operator_id=agent.pk, channel_name="in-use")
    presence.presence_connected(operator_id=agent.pk, channel_name="forgotten-tab")

    presence.presence_idle(operator_id=agent.pk, channel_name="forgotten-tab", idle=True)
    assert _status(agent) == Status.ONLINE
    presence.presence_disconnected(operator_id=agent.pk, channel_name="in-use")
    presence.presence_idle(operator_id=agent.pk, channel_name="forgotten-tab", idle=True)
    assert _status(agent) == Status.AWAY


@pytest.mark.django_db
def test_closing_the_console_in_use_leaves_the_idle_one_saying_away(agent):
    presence.presence_connected(operator_id=agent.pk, channel_name="in-use")
    presence.presence_connected(operator_id=agent.pk, channel_name="forgotten-tab")
    presence.presence_idle(operator_id=agent.pk, channel_name="forgotten-tab", idle=True)

    presence.presence_disconnected(operator_id=agent.pk, channel_name="in-use")

    assert _status(agent) == Status.AWAY


@pytest.mark.django_db
def test_a_console_in_use_whose_process_died_leaves_the_idle_one_saying_away(agent):
    presence.presence_connected(operator_id=agent.pk, channel_name="on-a-dead-process")
    presence.presence_connected(operator_id=agent.pk, channel_name="forgotten-tab")
    presence.presence_idle(operator_id=agent.pk, channel_name="forgotten-tab", idle=True)
    ConsoleConnection.objects.filter(channel_name="on-a-dead-process").update(
        seen_at=timezone.now() - timedelta(hours=1)
    )

    presence.presence_sweep()

    assert _status(agent) == Status.AWAY


@pytest.mark.django_db
def test_a_console_reconnecting_while_idle_leaves_the_operator_away(agent):
    Operator.objects.filter(pk=agent.pk).update(status=Status.AWAY)

    presence.presence_connected(operator_id=agent.pk, channel_name="c1", idle=True)
    assert _status(agent) == Status.AWAY


@pytest.mark.django_db
def test_activity_does_not_undo_an_away_the_operator_chose(agent):
    presence.presence_connected(operator_id=agent.pk, channel_name="c1")
    presence.presence_idle(operator_id=agent.pk, channel_name="c1", idle=True)
    operator_status_set(operator=agent, status=Status.AWAY)

    presence.presence_idle(operator_id=agent.pk, channel_name="c1", idle=False)
    agent.refresh_from_db()
    assert (agent.status, agent.chosen_status) == (Status.AWAY, Status.AWAY)
