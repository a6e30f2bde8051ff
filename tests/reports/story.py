"""A small history whose every figure of contract section 5 is worked out by hand below.

Two days in Moscow (UTC+3): Monday 2 and Tuesday 3 November 2026. Sales owns the "Shop"
inbox, Support the "Help" inbox; Anna works in Sales, Boris in Support.

- A (Shop), Monday 10:00: asked; Anna takes it 10:01, answers 10:02 (first response 120 s) and
  10:05; resolves 10:30 as a sale of 1500.50 (resolution 1800 s); rated 5 at 10:31.
- B (Shop), Monday 23:50: asked; Anna takes it 23:55 and answers Tuesday 00:10 (first response
  1200 s, counted on Monday, when B was opened; the reply itself on Tuesday); transferred to
  Support 00:20; Boris takes it 00:25, answers 00:30, resolves 01:00 as solved (4200 s); rated
  2 at 01:05, while Boris holds it.
- C (Shop), Tuesday 09:00: asked; Anna takes it 09:01, writes only a private note 09:02 (no
  first response); resolves 09:10 without an outcome (600 s), reopens 09:20, resolves 09:40 as
  not solved (2400 s).
- D (Help), Tuesday 12:00: asked, never answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from chats.models import Conversation, ConversationStatus, Inbox, Label
from chats.services import assigning, conversations, feedback
from chats.services.conversations import Resolution
from operators.models import Operator, Role, Team
from tests.factories import (
    InboxFactory,
    OperatorFactory,
    TeamFactory,
    operator_says,
    visitor_for,
    visitor_says,
)

MOSCOW = ZoneInfo("Europe/Moscow")


def moscow(text: str) -> datetime:
    """'2026-11-02 10:00' on Moscow's clock."""
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


def at(text: str) -> time_machine.travel:
    return time_machine.travel(moscow(text), tick=False)


@dataclass
class Story:
    sales: Team
    support: Team
    shop: Inbox
    help: Inbox
    anna: Operator
    boris: Operator
    boss: Operator
    a: Conversation
    b: Conversation
    c: Conversation
    d: Conversation
    vip: Label


def _resolve(conversation: Conversation, by: Operator, resolution: Resolution | None) -> None:
    conversations.conversation_status_set(
        conversation=conversation,
        actor=by,
        status=ConversationStatus.RESOLVED,
        resolution=resolution,
    )


def tell() -> Story:
    sales, support = TeamFactory(name="Sales"), TeamFactory(name="Support")
    shop = InboxFactory(name="Shop", team=sales)
    help_inbox = InboxFactory(name="Help", team=support)
    anna = OperatorFactory(name="Anna", teams=[sales])
    boris = OperatorFactory(name="Boris", teams=[support])
    boss = OperatorFactory(name="Boss", role=Role.SUPERVISOR)

    def opened(inbox: Inbox, when: str) -> tuple[Conversation, object]:
        with at(when):
            visitor, _token = visitor_for(inbox)
            conversation = conversations.conversation_open(inbox=inbox, contact=visitor.contact)
            visitor_says(conversation, "Hello?")
        return conversation, visitor

    def take(conversation: Conversation, operator: Operator, when: str) -> None:
        with at(when):
            assigning.conversation_assign(conversation=conversation, actor=boss, operator=operator)

    a, visitor_a = opened(shop, "2026-11-02 10:00")
    take(a, anna, "2026-11-02 10:01")
    with at("2026-11-02 10:02"):
        operator_says(a, anna, "Hello! How can I help?")
    with at("2026-11-02 10:05"):
        operator_says(a, anna, "Here is the invoice.")
    with at("2026-11-02 10:30"):
        _resolve(a, anna, Resolution(outcome="sale", sale_amount=Decimal("1500.50")))
    with at("2026-11-02 10:31"):
        feedback.csat_submit(visitor=visitor_a, rating=5, comment="Quick!")

    b, visitor_b = opened(shop, "2026-11-02 23:50")
    take(b, anna, "2026-11-02 23:55")
    with at("2026-11-03 00:10"):
        operator_says(b, anna, "This is for Support, one moment.")
    with at("2026-11-03 00:20"):
        assigning.conversation_assign(conversation=b, actor=boss, team=support)
    take(b, boris, "2026-11-03 00:25")
    with at("2026-11-03 00:30"):
        operator_says(b, boris, "Support here.")
    with at("2026-11-03 01:00"):
        _resolve(b, boris, Resolution(outcome="solved"))
    with at("2026-11-03 01:05"):
        feedback.csat_submit(visitor=visitor_b, rating=2, comment="Slow")

    c, _visitor_c = opened(shop, "2026-11-03 09:00")
    take(c, anna, "2026-11-03 09:01")
    with at("2026-11-03 09:02"):
        operator_says(c, anna, "Checking with the warehouse", private=True)
    with at("2026-11-03 09:10"):
        _resolve(c, anna, None)
    with at("2026-11-03 09:20"):
        conversations.conversation_status_set(
            conversation=c, actor=anna, status=ConversationStatus.OPEN
        )
    with at("2026-11-03 09:40"):
        _resolve(c, anna, Resolution(outcome="not_solved"))

    d, _visitor_d = opened(help_inbox, "2026-11-03 12:00")

    with at("2026-11-03 13:00"):
        conversations.conversation_labels_set(conversation=a, labels=["vip"])
        conversations.conversation_labels_set(conversation=c, labels=["vip", "refund"])
    vip = Label.objects.get(name="vip")
    return Story(sales, support, shop, help_inbox, anna, boris, boss, a, b, c, d, vip)


NONE_RATED = {"responses": 0, "average": None, "positive_share": None}
NO_SPREAD = {"median": None, "p90": None}


def outcomes(**counts: int) -> dict[str, int]:
    keys = ("solved", "not_solved", "sale", "forwarded", "spam", "none")
    return {key: counts.get(key, 0) for key in keys}


# The whole period, no filters.
SUMMARY = {
    "conversations": 4,
    "resolved": 4,
    "replies": 4,  # A 2, B 2; C's note is no reply
    "first_response_seconds": {"median": 660.0, "p90": 1092.0},  # A 120, B 1200
    "resolution_seconds": {"median": 2100.0, "p90": 3660.0},  # 600, 1800, 2400, 4200
    "csat": {"responses": 2, "average": 3.5, "positive_share": 0.5},
    "outcomes": outcomes(sale=1, solved=1, none=1, not_solved=1),
    "sales": {"count": 1, "amount": "1500.50"},
}

EMPTY = {
    "conversations": 0,
    "resolved": 0,
    "replies": 0,
    "first_response_seconds": NO_SPREAD,
    "resolution_seconds": NO_SPREAD,
    "csat": NONE_RATED,
    "outcomes": outcomes(),
    "sales": {"count": 0, "amount": "0.00"},
}

BY_OPERATOR = {
    "Anna": {
        "conversations": 3,  # A, B, C assigned to her
        "resolved": 3,
        "replies": 3,  # A 2, B 1
        "first_response_seconds": {"median": 660.0, "p90": 1092.0},
        "resolution_seconds": {"median": 1800.0, "p90": 2280.0},  # 600, 1800, 2400
        "csat": {"responses": 1, "average": 5.0, "positive_share": 1.0},
        "outcomes": outcomes(sale=1, none=1, not_solved=1),
        "sales": {"count": 1, "amount": "1500.50"},
    },
    "Boris": {
        "conversations": 1,
        "resolved": 1,
        "replies": 1,
        "first_response_seconds": NO_SPREAD,
        "resolution_seconds": {"median": 4200.0, "p90": 4200.0},
        "csat": {"responses": 1, "average": 2.0, "positive_share": 0.0},
        "outcomes": outcomes(solved=1),
        "sales": {"count": 0, "amount": "0.00"},
    },
}

BY_TEAM = {
    "Sales": {**BY_OPERATOR["Anna"], "conversations": 3},  # A, B, C opened in Sales
    "Support": {**BY_OPERATOR["Boris"], "conversations": 2},  # D opened, B transferred in
}
