"""Webhooks against a local receiver: facts made through the services, then the fan-out and
the sender run here (`deliver`), as the worker would run them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chats.connectors.webhooks import tasks
from chats.connectors.webhooks.registration import webhook_create
from chats.models import Webhook
from tests.fakes.webhook_receiver import Receiver, receiver, second_receiver  # noqa: F401

ALL_EVENTS = [
    "conversation.created",
    "conversation.assigned",
    "conversation.resolved",
    "conversation.reopened",
    "message.created",
    "csat.created",
    "contact.updated",
]


@pytest.fixture
def deliver() -> Callable[[], None]:
    """The outbox fanned out and every due delivery posted (what the worker does)."""
    return tasks.run_until_idle


@pytest.fixture
def make_webhook() -> Callable[..., Webhook]:
    def make(target: Receiver, events: list[str] | None = None, **options: Any) -> Webhook:
        return webhook_create(actor=None, url=target.url, events=events or ALL_EVENTS, **options)

    return make
