"""`manage.py seed_demo` never changes a user who exists (a production database's superuser is
named `admin` too), and with `DEBUG=0` it refuses to run unless told `--force`."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from chats.management.commands.seed_demo import DEMO_PASSWORD
from chats.models import Inbox
from operators.models import Operator, Role
from reports import figures
from reports.cells import Filters
from reports.models import RollupDay
from reports.periods import Period, days, reports_zone, today
from reports.rollup import fresh_days, last_rollable_day
from tests.factories import PASSWORD
from tests.settings_probe import run_probe

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = {"admin", "supervisor", "agent1", "agent2"}


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_with_debug_0_seed_demo_refuses_and_creates_nobody(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        seed()

    assert not Operator.objects.exists()
    assert not Inbox.objects.exists()


def test_from_the_shell_with_debug_0_the_refusal_exits_non_zero_saying_why() -> None:
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "k" * 50,
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            # a database that does not exist: whatever the command does, it writes nowhere
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/seed_demo_must_not_write_here",
        }
    )
    code = "import sys; from django.core.management import execute_from_command_line; "
    code += "execute_from_command_line(['manage.py', 'seed_demo'])"

    result = run_probe(code, env)

    assert result.returncode != 0
    assert "DEBUG=0" in result.stderr and "--force" in result.stderr, result.stderr
    assert DEMO_PASSWORD not in result.stdout


def test_an_existing_production_admin_keeps_its_password_name_and_role_with_force(
    settings: Any, team: Any
) -> None:
    settings.DEBUG = False
    admin = Operator.objects.create_superuser("admin", "boss@example.com", PASSWORD, name="Boss")
    admin.teams.set([team])
    before = Operator.objects.values().get(pk=admin.pk)

    output = seed("--force")

    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)
    assert not admin.check_password(DEMO_PASSWORD)
    assert Operator.objects.values().get(pk=admin.pk) == before
    assert list(admin.teams.all()) == [team]
    assert "admin       existed already: left unchanged" in output
    assert f"admin       / {DEMO_PASSWORD}" not in output
    # the demo users that did not exist are made, with the demo password
    for username in DEMO_USERNAMES - {"admin"}:
        assert Operator.objects.get(username=username).check_password(DEMO_PASSWORD)


def test_with_debug_1_it_seeds_without_force_and_a_second_run_changes_no_one(
    settings: Any,
) -> None:
    settings.DEBUG = True
    seed()
    agent = Operator.objects.get(username="agent1")
    assert agent.check_password(DEMO_PASSWORD) and agent.role == Role.AGENT
    agent.set_password(PASSWORD)
    agent.name = "Olga, renamed"
    agent.save()

    seed()

    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)
    assert agent.name == "Olga, renamed"
    assert set(Operator.objects.values_list("username", flat=True)) == DEMO_USERNAMES
    assert Inbox.objects.filter(name="Demo website").count() == 1


def test_seed_demo_writes_ninety_days_of_history_rolled_up_as_the_events_say(
    settings: Any,
) -> None:
    settings.DEBUG = True

    output = seed()

    assert "History:" in output
    zone = reports_zone()
    yesterday = today(zone) - timedelta(days=1)
    first = yesterday - timedelta(days=89)
    # every day rolled up (just after midnight, yesterday waits for the beat's rollup)
    assert fresh_days(first, yesterday) == set(days(first, last_rollable_day()))
    period = Period(first, yesterday, zone)
    rolled = figures.summary(period, Filters())
    channels = figures.breakdown(period, Filters(), by="channel")
    assert rolled["conversations"] > 1000
    assert rolled["sales"]["count"] > 0 and rolled["csat"]["responses"] > 0
    assert rolled["first_response_seconds"]["median"] is not None
    assert {row["key"]["id"] for row in channels} == {"web", "telegram", "email"}
    # the same answers from the report events themselves
    RollupDay.objects.all().delete()
    assert figures.summary(period, Filters()) == rolled
    assert figures.breakdown(period, Filters(), by="channel") == channels
