"""A demo account: an admin, a supervisor, two agents, two teams, a web inbox and a few
conversations in Russian and English, the logins with the published `DEMO_PASSWORD`.

It never changes a user who exists already: a production database's superuser is named `admin`
too, and resetting it to the published password would open the door. With `DEBUG=0` it refuses
to run at all unless told `--force`. Safe to run again: what exists is left as it is."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chats.models import Contact, Conversation, Inbox
from chats.selectors import DEMO_INBOX_NAME
from chats.services import conversations, inboxes, messages
from chats.services.authors import Author
from helpdesk.errors import ServiceError
from operators.models import Operator, Role, Team
from operators.services import operator_create

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")

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
