"""The product as production runs it, for browser tests of Telegram: uvicorn and a real Celery
worker on a Redis database of their own (the worker takes every task it finds there, so no
other test may use it), the local fake of the Bot API, a team with an admin and the operator
`olga`, and a Telegram inbox (with a channel, if asked) created through the API."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import redis
from playwright.sync_api import Browser, BrowserContext, Page

from chats.models import TelegramBot
from operators.models import Role, Status
from operators.services import token_issue
from tests.browser.helpers import record_page_errors
from tests.factories import OperatorFactory, TeamFactory
from tests.fakes.telegram_api import FakeTelegram
from tests.live_server import celery_worker, serving


@dataclass
class TelegramDeployment:
    base: str
    fake: FakeTelegram
    inbox_id: int
    webhook_secret: str

    def deliver(self, update: dict[str, Any]) -> None:
        """Telegram posts an update to the helpdesk's webhook."""
        self.fake.learn(update)
        answer = httpx.post(
            f"{self.base}/channels/telegram/{self.inbox_id}/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret},
            timeout=15,
        )
        assert answer.status_code == 200, answer.text


def own_redis_url(db: int) -> str:
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return f"{base}/{db}"


@contextlib.contextmanager
def telegram_deployment(
    *, redis_db: int, token: str, bot: dict[str, Any], channel: dict[str, Any] | None = None
) -> Iterator[TelegramDeployment]:
    redis_url = own_redis_url(redis_db)
    redis.Redis.from_url(redis_url).flushdb()
    env = {"REDIS_URL": redis_url, "PUBLIC_URL": "https://help.example.com"}
    team = TeamFactory(name="Support")
    admin = OperatorFactory(username="admin", role=Role.ADMIN, teams=[team])
    OperatorFactory(
        username="olga", name="Olga Operator", teams=[team], status=Status.ONLINE, max_chats=20
    )
    with FakeTelegram() as fake, serving(env) as base, celery_worker(env):
        fake.add_bot(token, id=bot["id"], username=bot["username"])
        settings: dict[str, Any] = {"bot_token": token, "api_url": fake.base_url}
        if channel is not None:
            fake.add_chat(channel)
            fake.set_chat_member(channel["id"], bot, "administrator", can_post_messages=True)
            settings["channel"] = f"@{channel['username']}"
        created = httpx.post(
            f"{base}/api/v1/inboxes",
            json={
                "name": "Telegram",
                "channel": "telegram",
                "team": team.pk,
                "routing": "manual",
                "telegram": settings,
            },
            headers={"Authorization": f"Bearer {token_issue(operator=admin)[1]}"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        inbox_id = created.json()["id"]
        secret = TelegramBot.objects.get(inbox_id=inbox_id).webhook_secret
        fake.reset()
        yield TelegramDeployment(base=base, fake=fake, inbox_id=inbox_id, webhook_secret=secret)
        time.sleep(1.0)  # let the server finish writing what closing the pages asked


@contextlib.contextmanager
def pages(browser: Browser, *, zone: str, timeout_ms: int) -> Iterator[Callable[[], Page]]:
    """New pages in contexts of their own; the page errors of any of them fail the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make() -> Page:
        context = browser.new_context(
            locale="en-US", timezone_id=zone, viewport={"width": 1440, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        record_page_errors(page, errors)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors
