"""A demo account: an admin, a supervisor, two agents, two teams, a web inbox and a few
conversations in Russian and English. Safe to run again: it refreshes the same demo."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from chats import services
from chats.models import Contact, Conversation, Inbox
from chats.selectors import DEMO_INBOX_NAME
from chats.services import Author
from operators.models import Operator, Role, Team

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

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            teams = {
                name: Team.objects.get_or_create(name=name)[0] for name in ("Support", "Sales")
            }
            operators = {}
            for username, name, role, team_names in PEOPLE:
                operator, _created = Operator.objects.get_or_create(username=username)
                operator.name = name
                operator.role = role
                operator.is_staff = role == Role.ADMIN
                operator.is_superuser = role == Role.ADMIN
                operator.set_password(DEMO_PASSWORD)
                operator.save()
                operator.teams.set([teams[t] for t in team_names])
                operators[username] = operator
            inbox = Inbox.objects.filter(name=DEMO_INBOX_NAME).first() or services.inbox_create(
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
            self.stdout.write(f"  {username:<11} / {DEMO_PASSWORD}   ({role}, {name})")
        self.stdout.write(f"Widget inbox key: {inbox.inbox_key}")

    def _conversations(self, inbox: Inbox, operators: dict[str, Operator]) -> None:
        for name, email, lines in CONVERSATIONS:
            contact = Contact.objects.create(name=name, email=email)
            conversation = services.conversation_open(inbox=inbox, contact=contact)
            for who, body in lines:
                author = (
                    Author.of_contact(contact)
                    if who == "visitor"
                    else Author.of_operator(operators[who])
                )
                services.message_create(conversation_id=conversation.pk, author=author, body=body)
