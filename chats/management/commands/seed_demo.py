"""A demo account: an admin, a supervisor, two agents, two teams, a web inbox and a few
conversations in Russian and English, the logins with the published `DEMO_PASSWORD`; and ninety
days of history before today (conversations, replies, resolves with outcomes, ratings and sales,
over the web, Telegram and email), rolled up, so that the reports show something at once.

It never changes a user who exists already: a production database's superuser is named `admin`
too, and resetting it to the published password would open the door. With `DEBUG=0` it refuses
to run at all unless told `--force`. Safe to run again: what exists is left as it is."""

from __future__ import annotations

import os
import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from chats.models import Contact, Conversation, Inbox
from chats.selectors import DEMO_INBOX_NAME
from chats.services import conversations, inboxes, messages
from chats.services.authors import Author
from helpdesk.errors import ServiceError
from operators.models import Operator, Role, Team
from operators.services import operator_create
from reports import periods
from reports.history import History, Shape
from reports.models import ReportEvent
from reports.periods import reports_zone, today
from reports.rollup import last_rollable_day, rollup_day

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
HISTORY_DAYS = 90
HISTORY_PER_DAY = 24

PEOPLE = [
    ("admin", "Анна Админова", Role.ADMIN, ["Support", "Sales"]),
    ("supervisor", "Sam Supervisor", Role.SUPERVISOR, ["Support", "Sales"]),
    ("agent1", "Ольга Операторова", Role.AGENT, ["Support"]),
    ("agent2", "Alex Agent", Role.AGENT, ["Sales"]),
]

CONVERSATIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Мария Иванова",
        "maria@example.ru",
        [
            ("visitor", "Здравствуйте! Где мой заказ №1042?"),
            ("agent1", "Добрый день, Мария! Заказ передан в доставку, будет завтра."),
        ],
    ),
    (
        "John Smith",
        "john@example.com",
        [("visitor", "Hi, can I change the delivery address for my order?")],
    ),
    ("Пётр", "", [("visitor", "Подскажите, есть ли скидки для оптовых покупателей?")]),
]


class Command(BaseCommand):
    help = "Fill a demo account and print its logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="print only the logins")
        parser.add_argument(
            "--history-days",
            type=int,
            default=HISTORY_DAYS,
            help=f"days of past work to write before today (default {HISTORY_DAYS}; 0: none)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run with DEBUG=0 too (existing users are still left unchanged)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo makes demo logins with a published password; with DEBUG=0 this looks "
                "like a production database, so nothing was done. Run it with --force to seed "
                "anyway (users that exist already are never changed)."
            )
        with transaction.atomic():
            teams = {
                name: Team.objects.get_or_create(name=name)[0] for name in ("Support", "Sales")
            }
            operators, created = {}, []
            for username, name, role, team_names in PEOPLE:
                operator = Operator.objects.filter(username=username).first()
                if operator is None:
                    operator = self._create(username, name, role, [teams[t] for t in team_names])
                    created.append(username)
                operators[username] = operator
            inbox = Inbox.objects.filter(name=DEMO_INBOX_NAME).first() or inboxes.inbox_create(
                name=DEMO_INBOX_NAME,
                channel="web",
                team=teams["Support"],
                greeting="Здравствуйте! Чем можем помочь? / Hi! How can we help?",
                routing="least_busy",
            )
            if not Conversation.objects.filter(inbox=inbox).exists():
                self._conversations(inbox, operators)
        if (
            options["history_days"]
            and not ReportEvent.objects.filter(
                occurred_at__lt=timezone.now() - timedelta(days=1)
            ).exists()
        ):
            self._history(inbox, teams, operators, options["history_days"])

        self.stdout.write(self.style.SUCCESS("Demo account ready. Log in with:"))
        for username, name, role, _teams in PEOPLE:
            if username in created:
                self.stdout.write(f"  {username:<11} / {DEMO_PASSWORD}   ({role}, {name})")
            else:
                self.stdout.write(f"  {username:<11} existed already: left unchanged")
        self.stdout.write(f"Widget inbox key: {inbox.inbox_key}")

    def _create(self, username: str, name: str, role: str, teams: list[Team]) -> Operator:
        try:
            return operator_create(
                username=username, password=DEMO_PASSWORD, name=name, role=role, teams=teams
            )
        except ServiceError as error:  # a DEMO_PASSWORD the password validators refuse
            raise CommandError(f"{username}: {error.message}") from error

    def _conversations(self, inbox: Inbox, operators: dict[str, Operator]) -> None:
        for name, email, lines in CONVERSATIONS:
            contact = Contact.objects.create(name=name, email=email)
            conversation = conversations.conversation_open(inbox=inbox, contact=contact)
            for who, body in lines:
                author = (
                    Author.of_contact(contact)
                    if who == "visitor"
                    else Author.of_operator(operators[who])
                )
                messages.message_create(conversation_id=conversation.pk, author=author, body=body)

    def _history(
        self, web: Inbox, teams: dict[str, Team], operators: dict[str, Operator], days: int
    ) -> None:
        """Past work on the web inbox and two more channels, written and rolled up."""
        extra = [
            ("Telegram (demo)", "telegram", teams["Support"]),
            ("Почта (demo)", "email", teams["Sales"]),
        ]
        channels = [web]
        for name, channel, team in extra:
            existing = Inbox.objects.filter(name=name).first()
            channels.append(
                existing
                or inboxes.inbox_create(name=name, channel=channel, team=team, routing="manual")
            )
        staff: dict[int, list[Operator]] = {}
        for operator in operators.values():
            if operator.role == Role.SUPERVISOR:
                continue
            for team in operator.teams.all():
                staff.setdefault(team.pk, []).append(operator)
        zone = reports_zone()
        yesterday = today(zone) - timedelta(days=1)
        shape = Shape(days=days, conversations_per_day=HISTORY_PER_DAY, zone=zone)
        rng = random.Random(2026)  # noqa: S311 - demo data, the same every time
        written = History(channels, staff, shape, rng).write(yesterday)
        for day in periods.days(yesterday - timedelta(days=days - 1), last_rollable_day()):
            rollup_day(day)  # (just after midnight, yesterday waits for the beat's rollup)
        self.stdout.write(
            f"History: {written.conversations} conversations, {written.messages} messages, "
            f"{written.ratings} ratings over {days} days (rolled up)."
        )
