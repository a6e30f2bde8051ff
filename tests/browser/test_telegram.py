"""Telegram from end to end in a real Chromium: a Telegram user writes to the bot (an Update
posted to the webhook as Telegram would), the operator answers in the console with text and a
photo, and the Bot API (the local fake) gets both, in order; the console shows each reply sent.

The product runs as in production: uvicorn and a real Celery worker, on a Redis database of
their own (so the worker takes only this server's tasks).

Run: python -m pytest tests/browser/test_telegram.py (Debian's Chromium at /usr/bin/chromium).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chats.models import TelegramBot
from operators.models import Role, Status
from operators.services import token_issue
from tests.browser.helpers import assert_accessible, record_page_errors, wait_until
from tests.factories import PASSWORD, OperatorFactory, TeamFactory
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram
from tests.live_server import celery_worker, serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_MS = 20_000
TOKEN = "777000111:AAE-browser-telegram-token-000000000"
BOT = tg.bot_user(777000111, "acme_help_bot")
CUSTOMER = tg.user(3141592, "Мария", "Иванова", username="maria_iv", language_code="ru")
# A Redis database no other test uses: the worker below takes every task it finds there.
OWN_REDIS_DB = 11


def png(width: int = 160, height: int = 90) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 136, 204)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class TelegramDesk:
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


def own_redis_url() -> str:
    import os

    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return f"{base}/{OWN_REDIS_DB}"


@pytest.fixture
def telegram_desk() -> Iterator[TelegramDesk]:
    import redis

    redis_url = own_redis_url()
    redis.Redis.from_url(redis_url).flushdb()
    env = {"REDIS_URL": redis_url, "PUBLIC_URL": "https://help.example.com"}
    team = TeamFactory(name="Support")
    admin = OperatorFactory(username="admin", role=Role.ADMIN, teams=[team])
    OperatorFactory(
        username="olga", name="Olga Operator", teams=[team], status=Status.ONLINE, max_chats=20
    )
    with FakeTelegram() as fake, serving(env) as base, celery_worker(env):
        fake.add_bot(TOKEN, id=BOT["id"], username=BOT["username"])
        created = httpx.post(
            f"{base}/api/v1/inboxes",
            json={
                "name": "Telegram",
                "channel": "telegram",
                "team": team.pk,
                "routing": "manual",
                "telegram": {"bot_token": TOKEN, "api_url": fake.base_url},
            },
            headers={"Authorization": f"Bearer {token_issue(operator=admin)[1]}"},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        inbox_id = created.json()["id"]
        secret = TelegramBot.objects.get(inbox_id=inbox_id).webhook_secret
        fake.reset()
        yield TelegramDesk(base=base, fake=fake, inbox_id=inbox_id, webhook_secret=secret)
        time.sleep(1.0)  # let the server finish writing what closing the pages asked


@pytest.fixture
def new_page(shared_chromium: Browser) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make() -> Page:
        context = shared_chromium.new_context(
            locale="en-US", timezone_id="Europe/Moscow", viewport={"width": 1440, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(LIVE_MS)
        record_page_errors(page, errors)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/console/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("me-menu")).to_be_visible()


def test_an_operator_answers_a_telegram_user_with_text_and_a_photo(
    telegram_desk: TelegramDesk, new_page: Callable[..., Page]
) -> None:
    desk = telegram_desk
    desk.deliver(
        tg.text_message(
            5001,
            chat=tg.private_chat(CUSTOMER),
            from_=CUSTOMER,
            text="Здравствуйте! Пришла мятая коробка.",
            message_id=10,
        )
    )
    operator = new_page()
    log_in(operator, desk.base)
    operator.get_by_test_id("folder-unassigned").click()
    row = operator.locator("[data-testid^=conversation-]", has_text="Мария Иванова")
    row.click()
    expect(operator.get_by_test_id("conversation")).to_contain_text(
        "Здравствуйте! Пришла мятая коробка."
    )
    expect(operator.get_by_test_id("conversation")).to_contain_text("@maria_iv")

    field = operator.get_by_test_id("composer-input")
    field.fill("Простите! Пришлите, пожалуйста, фото коробки.")
    field.press("Enter")
    text_reply = operator.locator(
        "[data-testid^=message-]", has_text="Простите! Пришлите, пожалуйста, фото коробки."
    )
    expect(text_reply.get_by_test_id("delivery")).to_have_attribute("data-delivery", "sent")

    with operator.expect_file_chooser() as chooser:
        operator.get_by_test_id("attach-button").click()
    chooser.value.set_files(files=[{"name": "label.png", "mimeType": "image/png", "buffer": png()}])
    expect(operator.get_by_test_id("upload-chip")).to_have_attribute("data-state", "done")
    field.fill("Вот этикетка для возврата")
    field.press("Enter")
    photo_reply = operator.locator("[data-testid^=message-]", has_text="Вот этикетка для возврата")
    expect(photo_reply.get_by_test_id("attachment-image")).to_be_visible()
    expect(photo_reply.get_by_test_id("delivery")).to_have_attribute("data-delivery", "sent")
    assert_accessible(operator, "a Telegram conversation answered")

    sent = wait_until(
        lambda: calls if len(calls := desk.fake.sent_messages(CUSTOMER["id"])) == 2 else None,
        what="both replies in Telegram",
    )
    assert [call.method for call in sent] == ["sendMessage", "sendPhoto"]
    assert sent[0].params["text"] == "Простите! Пришлите, пожалуйста, фото коробки."
    assert sent[1].params["caption"] == "Вот этикетка для возврата"
    assert sent[1].files["photo"][:4] == b"\x89PNG"
