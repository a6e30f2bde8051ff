"""The reports on a year of a busy team (issue 13's targets, docs/benchmarks.md).

    # the data: 50 operators in 5 teams, 3 inboxes, a year of about 500,000 conversations and
    # 5 million messages with their report events, then every day rolled up
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_reports DEBUG=1 \\
        python bench/reports.py generate --days 365 --per-day 1625
    # the measurements: one day's rollup, each report over 90 days, the live view with 200
    # waiting; JSON into bench/results/
    DATABASE_URL=... DEBUG=1 python bench/reports.py measure

Targets: a day's rollup under 10 s; every report over a 90-day range under 300 ms at p95; the
live view under 100 ms at p95 with 200 conversations waiting. Each report is asked through the
REST API in-process (Django's test client: routing, authentication, DRF, JSON; no network).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the in-process client's host

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.test import Client  # noqa: E402

from chats.models import (  # noqa: E402
    Channel,
    Contact,
    Conversation,
    RoutingStrategy,
)
from chats.services import conversations, inboxes  # noqa: E402
from operators.models import Operator, Role, Status, Team  # noqa: E402
from reports.history import History, Shape  # noqa: E402
from reports.models import ReportCell, RollupDay  # noqa: E402
from reports.periods import days, reports_zone, today  # noqa: E402
from reports.rollup import last_rollable_day, rollup_day  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PASSWORD = "bench-password-not-secret"


def generate(*, days_back: int, per_day: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    hashed = make_password(PASSWORD)
    teams = [Team.objects.create(name=f"reports-team-{n}") for n in range(5)]
    staff: dict[int, list[Operator]] = {team.pk: [] for team in teams}
    for number in range(50):
        team = teams[number % 5]
        operator = Operator.objects.create(
            username=f"reports-agent-{number}",
            password=hashed,
            name=f"Agent {number}",
            role=Role.AGENT,
            status=Status.OFFLINE,
            max_chats=8,
        )
        operator.teams.set([team])
        staff[team.pk].append(operator)
    Operator.objects.create(
        username="reports-supervisor", password=hashed, name="Supervisor", role=Role.SUPERVISOR
    )
    channels = [Channel.WEB, Channel.TELEGRAM, Channel.EMAIL]
    inbox_rows = [
        inboxes.inbox_create(
            name=f"reports inbox {n}",
            channel=channels[n % 3],
            team=teams[n % 5],
            routing=RoutingStrategy.LEAST_BUSY,
        )
        for n in range(5)
    ]
    zone = reports_zone()
    yesterday = today(zone) - timedelta(days=1)
    shape = Shape(days=days_back, conversations_per_day=per_day, exchanges=(4, 7), zone=zone)
    rng = random.Random(seed)
    written = History(inbox_rows, staff, shape, rng).write(yesterday)
    add_labels()
    generated = time.perf_counter() - started
    rolled_started = time.perf_counter()
    for day in days(yesterday - timedelta(days=days_back - 1), last_rollable_day()):
        rollup_day(day)
    return {
        "conversations": written.conversations,
        "messages": written.messages,
        "report_events": written.report_events,
        "ratings": written.ratings,
        "generate_seconds": round(generated, 1),
        "rollup_all_seconds": round(time.perf_counter() - rolled_started, 1),
    }


LABELS = ["vip", "refund", "delivery", "complaint", "upsell"]


def add_labels() -> int:
    """Labels on about 40% of the conversations (one, sometimes two): the label breakdown and
    filter have something to count, and cells split by label sets as they would."""
    from django.db import connection

    from chats.models import Label

    ids = [Label.objects.get_or_create(name=name)[0].pk for name in LABELS]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO chats_conversation_labels (conversation_id, label_id)
            SELECT c.id, (%(ids)s::bigint[])[1 + (c.id * 7919) %% 5]
              FROM chats_conversation c WHERE (c.id * 104729) %% 10 < 4
            UNION
            SELECT c.id, (%(ids)s::bigint[])[1 + (c.id * 7) %% 5]
              FROM chats_conversation c WHERE (c.id * 104729) %% 10 = 0
            ON CONFLICT DO NOTHING
            """,
            {"ids": ids},
        )
        return cursor.rowcount


def _p(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed(call: Any, repeat: int) -> dict[str, float]:
    call()  # warm
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(_p(samples, 0.95), 1),
        "max_ms": round(max(samples), 1),
    }


def _client() -> Client:
    client = Client()
    client.force_login(Operator.objects.get(username="reports-supervisor"))
    return client


def measure_rollup(sample_days: int) -> dict[str, Any]:
    zone = reports_zone()
    yesterday = today(zone) - timedelta(days=1)
    timings = []
    for offset in range(sample_days):
        started = time.perf_counter()
        cells = rollup_day(yesterday - timedelta(days=offset * 7))
        timings.append(time.perf_counter() - started)
    return {
        "days": sample_days,
        "median_s": round(statistics.median(timings), 2),
        "max_s": round(max(timings), 2),
        "cells_last_day": cells,
    }


def measure_reports(repeat: int) -> dict[str, Any]:
    client = _client()
    zone = reports_zone()
    last = today(zone)
    first = last - timedelta(days=89)
    period = {"from": first.isoformat(), "to": last.isoformat()}
    team = Team.objects.order_by("pk").first()
    operator = Operator.objects.filter(username="reports-agent-7").first()
    asks: dict[str, dict[str, Any]] = {
        "summary": {},
        "summary, one team": {"team": team.pk if team else 0},
        "summary, one operator": {"operator": operator.pk if operator else 0},
        "timeseries conversations by day": {"metric": "conversations"},
        "timeseries first_response_median by week": {
            "metric": "first_response_median",
            "interval": "week",
        },
        "breakdown by operator": {"by": "operator"},
        "breakdown by team": {"by": "team"},
        "breakdown by inbox": {"by": "inbox"},
        "breakdown by channel": {"by": "channel"},
        "breakdown by label": {"by": "label"},
        "heatmap": {},
        "breakdown by operator, CSV": {"by": "operator", "format": "csv"},
    }
    results = {}
    for name, params in asks.items():
        path = name.split(" ")[0].rstrip(",")
        url = f"/api/v1/reports/{path}"

        def ask(url: str = url, params: dict[str, Any] = params) -> None:
            response = client.get(url, {**period, **params})
            assert response.status_code == 200, response.content[:300]

        results[name] = _timed(ask, repeat)
    return results


def measure_live(waiting: int, repeat: int) -> dict[str, Any]:
    inbox = inboxes_for_live()
    have = Conversation.objects.filter(queued_at__isnull=False).count()
    for _ in range(max(0, waiting - have)):
        contact = Contact.objects.create(name="Waiting visitor")
        conversations.conversation_open(inbox=inbox, contact=contact)
    client = _client()

    def ask() -> None:
        response = client.get("/api/v1/reports/live")
        assert response.status_code == 200
        assert len(response.json()["waiting"]) >= waiting

    return {"waiting": waiting, **_timed(ask, repeat)}


def inboxes_for_live() -> Any:
    from chats.models import Inbox

    return Inbox.objects.filter(routing=RoutingStrategy.LEAST_BUSY).order_by("pk").first()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--days", type=int, default=365)
    gen.add_argument("--per-day", type=int, default=1625)
    gen.add_argument("--seed", type=int, default=13)
    sub.add_parser("label", help="add labels to data generated before they were (then roll up)")
    run = sub.add_parser("measure")
    run.add_argument("--repeat", type=int, default=30)
    run.add_argument("--rollup-days", type=int, default=5)
    run.add_argument("--waiting", type=int, default=200)
    args = parser.parse_args()
    if args.command == "label":
        print(f"{add_labels()} labels added")
        return
    if args.command == "generate":
        print(
            json.dumps(
                generate(days_back=args.days, per_day=args.per_day, seed=args.seed), indent=2
            )
        )
        return
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": {
            "conversations": Conversation.objects.count(),
            "report_cells": ReportCell.objects.count(),
            "rolled_days": RollupDay.objects.count(),
        },
        "rollup": measure_rollup(args.rollup_days),
        "reports_90_days": measure_reports(args.repeat),
        "live": measure_live(args.waiting, args.repeat),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"reports-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
