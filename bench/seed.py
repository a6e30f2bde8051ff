"""Seed a benchmark database: T teams, each with one web inbox routed by hand, and M agents
spread over the teams, and (`--webhook-url`, repeatable) admins' webhooks hearing every event.
Writes what the load generator needs (logins, inbox keys) as JSON.

    DATABASE_URL=postgres://.../helpdesk_bench python bench/seed.py --teams 10 --consoles 100 \
        --out /tmp/seed.json
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402

from chats.models import Channel, RoutingStrategy, Webhook, WebhookEventName  # noqa: E402
from chats.services import inboxes  # noqa: E402
from operators.models import Operator, Role, Status, Team  # noqa: E402


def webhooks_register(urls: list[str]) -> None:
    """Admins' webhooks hearing every event (every visitor's message included)."""
    for url in urls:
        Webhook.objects.create(
            url=url, events=list(WebhookEventName.values), secret=secrets.token_hex(32)
        )


def seed(*, teams: int, consoles: int) -> dict:
    password = "bench-password-not-secret"
    hashed = make_password(password)  # one Argon2 hash shared by every bench agent
    out: dict = {"password": password, "teams": []}
    team_rows = []
    for index in range(teams):
        team = Team.objects.create(name=f"bench-team-{index}")
        inbox = inboxes.inbox_create(
            name=f"bench inbox {index}",
            channel=Channel.WEB,
            team=team,
            routing=RoutingStrategy.MANUAL,
        )
        team_rows.append(team)
        out["teams"].append(
            {
                "index": index,
                "id": team.pk,
                "inbox_id": inbox.pk,
                "inbox_key": inbox.inbox_key,
                "operators": [],
            }
        )
    for number in range(consoles):
        index = number % teams
        operator = Operator.objects.create(
            username=f"bench-agent-{number}",
            password=hashed,
            name=f"Bench agent {number}",
            role=Role.AGENT,
            status=Status.ONLINE,
            max_chats=1_000_000,
        )
        operator.teams.add(team_rows[index])
        out["teams"][index]["operators"].append(operator.username)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teams", type=int, required=True)
    parser.add_argument("--consoles", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--webhook-url", action="append", default=[])
    args = parser.parse_args()
    data = seed(teams=args.teams, consoles=args.consoles)
    webhooks_register(args.webhook_url)
    args.out.write_text(json.dumps(data, indent=1))


if __name__ == "__main__":
    main()
