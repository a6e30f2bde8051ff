"""A believable past, written straight to the tables: conversations, their messages, ratings,
and the report events the services' listeners would have written with them, at past times.

`seed_demo` writes ninety days of a small team's work with it so that the dashboard shows
something on the first run; the reports benchmark (`bench/reports.py`) a year of a busy team.
The services cannot do this: they stamp everything with the present.

Each simulated conversation: the contact asks; most are taken by an operator of the inbox's
team and answered (the first response), a few move to another team first; a few exchanges
follow; it is resolved with an outcome (a sale with an amount, solved, not solved, forwarded,
spam, or none), sometimes reopened and resolved again, and sometimes rated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import DateTimeField
from django.utils import timezone

from chats.models import (
    AuthorKind,
    Contact,
    Conversation,
    ConversationStatus,
    CsatResponse,
    Inbox,
    Message,
)
from operators.models import Operator
from reports.models import ReportEvent, ReportEventKind

FIRST_NAMES = ["Мария", "Иван", "Ольга", "Пётр", "Анна", "John", "Emma", "Lucas", "Sofia", "Dmitry"]
LAST_NAMES = ["Иванова", "Смирнов", "Кузнецова", "Попов", "Smith", "Brown", "Garcia", "Novak"]
QUESTIONS = [
    "Здравствуйте! Где мой заказ?",
    "Можно поменять адрес доставки?",
    "Hi, how do I get a refund?",
    "Do you ship to Kazakhstan?",
    "Подскажите, есть ли скидки для оптовых покупателей?",
    "The app does not let me log in.",
    "Хочу оформить подписку на год.",
]
ANSWERS = [
    "Добрый день! Сейчас проверю.",
    "Hello! Let me look into it.",
    "Готово, изменения сохранены.",
    "Done — you will get an email shortly.",
    "Передам коллегам, они свяжутся с вами.",  # noqa: RUF001
]
FOLLOW_UPS = ["Спасибо!", "Thanks!", "А сколько это стоит?", "Great, one more question…"]  # noqa: RUF001
OUTCOME_WEIGHTS = {
    "solved": 52,
    "sale": 15,
    "not_solved": 8,
    "forwarded": 10,
    "spam": 3,
    "": 12,
}
K = TypeVar("K")
RATING_WEIGHTS = {5: 55, 4: 20, 3: 10, 2: 8, 1: 7}
# conversations by hour of the (Moscow) day, relative
HOURLY = [1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 20, 19, 17, 18, 19, 18, 16, 14, 11, 9, 7, 5, 3, 2]


@dataclass
class Shape:
    """How much happens: per day (weekends quieter), and the share of each turn."""

    days: int
    conversations_per_day: int
    exchanges: tuple[int, int] = (1, 5)
    answered_share: float = 0.93
    transfer_share: float = 0.05
    reopen_share: float = 0.07
    rated_share: float = 0.35
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))


@dataclass
class Written:
    conversations: int = 0
    messages: int = 0
    report_events: int = 0
    ratings: int = 0


@contextmanager
def past_timestamps() -> Iterator[None]:
    """Lets bulk inserts keep the times they are given (auto_now fields would stamp now)."""
    fields = [
        f
        for model in (Contact, Message, CsatResponse)
        for f in model._meta.concrete_fields
        if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class _Plan:
    """What happens to one conversation, as (time, kind, detail) steps."""

    inbox: Inbox
    opened_at: datetime
    steps: list[tuple[datetime, str, dict[str, object]]] = field(default_factory=list)


def _pick(rng: random.Random, weights: dict[K, int]) -> K:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _seconds(rng: random.Random, median: float) -> float:
    return max(5.0, rng.lognormvariate(0, 0.8) * median)


class History:
    def __init__(
        self,
        inboxes: Sequence[Inbox],
        teams: dict[int, list[Operator]],
        shape: Shape,
        rng: random.Random,
    ) -> None:
        self.inboxes = list(inboxes)
        self.teams = {team: ops for team, ops in teams.items() if ops}
        self.shape = shape
        self.rng = rng

    def write(self, last_day: date) -> Written:
        written = Written()
        first = last_day - timedelta(days=self.shape.days - 1)
        with past_timestamps():
            for offset in range(self.shape.days):
                self._write_day(first + timedelta(days=offset), written)
        return written

    # -- one day ---------------------------------------------------------------------------

    def _write_day(self, day: date, written: Written) -> None:
        rng, shape = self.rng, self.shape
        quiet = 0.45 if day.weekday() >= 5 else 1.0
        count = max(0, round(rng.gauss(shape.conversations_per_day * quiet, 3)))
        plans = []
        for _ in range(count):
            hour = rng.choices(range(24), weights=HOURLY)[0]
            local = datetime(day.year, day.month, day.day, hour, tzinfo=shape.zone)
            opened_at = local + timedelta(seconds=rng.uniform(0, 3599))
            plans.append(self._plan(rng.choice(self.inboxes), opened_at))
        with transaction.atomic():
            self._insert(plans, written)

    def _plan(self, inbox: Inbox, opened_at: datetime) -> _Plan:
        rng, shape = self.rng, self.shape
        plan = _Plan(inbox=inbox, opened_at=opened_at)
        at = opened_at + timedelta(seconds=rng.uniform(1, 30))
        plan.steps.append((at, "visitor", {"body": rng.choice(QUESTIONS)}))
        if rng.random() > shape.answered_share:
            # nobody answered: spam closed by hand, or auto-resolved idle hours later
            at += timedelta(hours=rng.uniform(2, 20))
            plan.steps.append((at, "resolve", {"outcome": rng.choice(["spam", ""])}))
            return plan
        team = inbox.team_id
        if rng.random() < shape.transfer_share and len(self.teams) > 1:
            at += timedelta(seconds=_seconds(rng, 90))
            team = rng.choice([t for t in self.teams if t != inbox.team_id])
            plan.steps.append((at, "transfer", {"team": team}))
        operator = rng.choice(self.teams.get(team) or next(iter(self.teams.values())))
        at += timedelta(seconds=_seconds(rng, 40))
        plan.steps.append((at, "assign", {"operator": operator, "team": team}))
        at += timedelta(seconds=_seconds(rng, 50))
        plan.steps.append((at, "operator", {"body": rng.choice(ANSWERS)}))
        for _ in range(rng.randint(*shape.exchanges) - 1):
            at += timedelta(seconds=_seconds(rng, 70))
            plan.steps.append((at, "visitor", {"body": rng.choice(FOLLOW_UPS)}))
            at += timedelta(seconds=_seconds(rng, 45))
            plan.steps.append((at, "operator", {"body": rng.choice(ANSWERS)}))
        self._resolve(plan, at)
        return plan

    def _resolve(self, plan: _Plan, at: datetime) -> None:
        rng = self.rng
        at += timedelta(seconds=_seconds(rng, 240))
        if rng.random() < self.shape.reopen_share:
            plan.steps.append((at, "resolve", {"outcome": ""}))
            at += timedelta(seconds=_seconds(rng, 1800))
            plan.steps.append((at, "visitor", {"body": rng.choice(FOLLOW_UPS)}))
            at += timedelta(seconds=_seconds(rng, 60))
            plan.steps.append((at, "operator", {"body": rng.choice(ANSWERS)}))
            at += timedelta(seconds=_seconds(rng, 200))
        outcome = _pick(rng, OUTCOME_WEIGHTS)
        amount = (
            Decimal(rng.randrange(500, 60_000)) + Decimal(rng.choice([0, 50, 99])) / 100
            if outcome == "sale"
            else None
        )
        plan.steps.append((at, "resolve", {"outcome": outcome, "sale_amount": amount}))
        if rng.random() < self.shape.rated_share:
            at += timedelta(seconds=_seconds(rng, 120))
            plan.steps.append((at, "rate", {"rating": _pick(rng, RATING_WEIGHTS)}))

    # -- the rows --------------------------------------------------------------------------

    def _insert(self, plans: list[_Plan], written: Written) -> None:
        rng = self.rng
        contacts = [
            Contact(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                created_at=plan.opened_at,
            )
            for plan in plans
        ]
        Contact.objects.bulk_create(contacts, batch_size=1000)
        conversations = [
            Conversation(
                inbox=plan.inbox,
                contact=contact,
                team_id=plan.inbox.team_id,
                status=ConversationStatus.OPEN,
                created_at=plan.opened_at,
                last_activity_at=plan.opened_at,
            )
            for plan, contact in zip(plans, contacts, strict=True)
        ]
        Conversation.objects.bulk_create(conversations, batch_size=1000)
        messages: list[Message] = []
        events: list[ReportEvent] = []
        ratings: list[CsatResponse] = []
        for plan, conversation in zip(plans, conversations, strict=True):
            self._replay(plan, conversation, messages, events, ratings)
        Message.objects.bulk_create(messages, batch_size=2000)
        ReportEvent.objects.bulk_create(events, batch_size=2000)
        CsatResponse.objects.bulk_create(ratings, batch_size=1000)
        Conversation.objects.bulk_update(
            conversations,
            [
                "status",
                "assignee",
                "team",
                "last_seq",
                "operator_last_read_seq",
                "visitor_last_read_seq",
                "last_activity_at",
                "resolved_at",
                "assigned_at",
                "outcome",
                "sale_amount",
            ],
            batch_size=1000,
        )
        written.conversations += len(conversations)
        written.messages += len(messages)
        written.report_events += len(events)
        written.ratings += len(ratings)

    def _replay(
        self,
        plan: _Plan,
        conversation: Conversation,
        messages: list[Message],
        events: list[ReportEvent],
        ratings: list[CsatResponse],
    ) -> None:
        """The plan's steps as rows, the report events as `reports.listeners` writes them."""
        inbox = plan.inbox
        pk = conversation.pk

        def event(kind: str, at: datetime, **extra: object) -> None:
            events.append(
                ReportEvent(
                    kind=kind,
                    occurred_at=at,
                    conversation_id=pk,
                    inbox_id=inbox.pk,
                    channel=inbox.channel,
                    team_id=conversation.team_id,
                    operator_id=conversation.assignee_id,
                    **extra,
                )
            )

        event(ReportEventKind.OPENED, plan.opened_at)
        asked_at: datetime | None = None
        answered = False
        now = timezone.now()
        for at, kind, detail in plan.steps:
            if at > now:
                break  # what has not happened yet: the conversation is still going on
            if kind in ("visitor", "operator"):
                conversation.last_seq += 1
                operator = conversation.assignee if kind == "operator" else None
                messages.append(
                    Message(
                        conversation_id=pk,
                        seq=conversation.last_seq,
                        author_kind=AuthorKind.VISITOR
                        if kind == "visitor"
                        else AuthorKind.OPERATOR,
                        author_operator=operator,
                        author_contact_id=conversation.contact_id if kind == "visitor" else None,
                        sender_key=f"c{conversation.contact_id}"
                        if kind == "visitor"
                        else f"o{operator.pk if operator else 0}",
                        body=str(detail["body"]),
                        created_at=at,
                    )
                )
                conversation.last_activity_at = at
                if kind == "visitor":
                    asked_at = asked_at or at
                    if conversation.status == ConversationStatus.RESOLVED:
                        conversation.status = ConversationStatus.OPEN
                        event(ReportEventKind.REOPENED, at, opened_at=plan.opened_at)
                    continue
                conversation.operator_last_read_seq = conversation.last_seq
                actor = operator.pk if operator else None
                event(ReportEventKind.REPLY, at, actor_id=actor)
                if not answered and asked_at is not None:
                    answered = True
                    seconds = (at - asked_at).total_seconds()
                    event(
                        ReportEventKind.FIRST_RESPONSE,
                        at,
                        actor_id=actor,
                        value=seconds,
                        opened_at=plan.opened_at,
                    )
            elif kind == "transfer":
                conversation.team_id = int(str(detail["team"]))
                event(ReportEventKind.TRANSFERRED, at)
            elif kind == "assign":
                assignee = detail["operator"]
                assert isinstance(assignee, Operator)
                conversation.assignee = assignee
                conversation.assigned_at = at
                event(ReportEventKind.ASSIGNED, at)
            elif kind == "resolve":
                outcome = str(detail["outcome"])
                amount = detail.get("sale_amount")
                conversation.status = ConversationStatus.RESOLVED
                conversation.resolved_at = at
                conversation.outcome = outcome
                conversation.sale_amount = amount if isinstance(amount, Decimal) else None
                event(
                    ReportEventKind.RESOLVED,
                    at,
                    value=(at - plan.opened_at).total_seconds(),
                    opened_at=plan.opened_at,
                    outcome=outcome,
                    sale_amount=conversation.sale_amount,
                )
            elif kind == "rate":
                rating = int(str(detail["rating"]))
                ratings.append(
                    CsatResponse(
                        conversation_id=pk, rating=rating, comment="", created_at=at, updated_at=at
                    )
                )
                event(ReportEventKind.RATED, at, value=float(rating))
        conversation.visitor_last_read_seq = conversation.last_seq
