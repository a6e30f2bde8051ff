"""A Telegram inbox wired to the local fake of the Bot API, and Celery run eagerly, so an update
posted to the webhook is processed, and a reply sent, before the test goes on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from chats.models import Inbox, TelegramBot
from operators.models import Operator
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram, fake_telegram  # noqa: F401

TOKEN = "123456789:AAE-helpdesk-test-token-0000000000"
BOT_ID = 123456789
BOT_USERNAME = "shop_help_bot"
PUBLIC_URL = "https://help.example.com"


@dataclass
class Bot:
    inbox: Inbox
    row: TelegramBot
    fake: FakeTelegram
    client: APIClient  # the webhook's caller: Telegram
    user: dict[str, Any]  # the bot as a Telegram user

    def post(self, update: dict[str, Any], *, secret: str | None = None) -> Any:
        """Telegram delivers an update (the fake learns the chats and users it shows)."""
        self.fake.learn(update)
        return self.client.post(
            f"/channels/telegram/{self.inbox.pk}/webhook",
            update,
            format="json",
            HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=self.row.webhook_secret
            if secret is None
            else secret,
        )


def create_telegram_inbox(client: APIClient, team_id: int, fake: FakeTelegram, **options: Any):
    return client.post(
        "/api/v1/inboxes",
        {
            "name": "Telegram",
            "channel": "telegram",
            "team": team_id,
            "telegram": {"bot_token": TOKEN, "api_url": fake.base_url, **options},
        },
        format="json",
    )


@pytest.fixture
def public_url(settings: Any) -> str:
    settings.PUBLIC_URL = PUBLIC_URL
    return PUBLIC_URL


@pytest.fixture
def bot(
    fake_telegram: FakeTelegram,  # noqa: F811
    admin: Operator,
    client_for: Any,
    team: Any,
    public_url: str,
    eager_celery: None,
) -> Bot:
    fake_telegram.add_bot(TOKEN, id=BOT_ID, username=BOT_USERNAME)
    created = create_telegram_inbox(client_for(admin), team.pk, fake_telegram, groups=True)
    assert created.status_code == 201, created.content
    inbox = Inbox.objects.get(pk=created.json()["id"])
    fake_telegram.reset()
    return Bot(
        inbox=inbox,
        row=TelegramBot.objects.get(inbox=inbox),
        fake=fake_telegram,
        client=APIClient(),
        user=tg.bot_user(BOT_ID, BOT_USERNAME),
    )


@pytest.fixture
def customer() -> dict[str, Any]:
    return tg.user(5550001, "Мария", "Иванова", username="maria_iv", language_code="ru")


def console_frames(published: Any, kind: str = "message") -> list[dict[str, Any]]:
    """The frames of `kind` published to the consoles, once each (an event goes to several
    groups)."""
    seen: dict[str, dict[str, Any]] = {}
    for _group, event in published:
        if "audiences" in event and event.get("eid") not in seen:
            frame = json.loads(event["frame"])
            if frame.get("type") == kind:
                seen[event["eid"]] = frame
    return list(seen.values())
