"""Telegram from end to end in a real Chromium: a Telegram user writes to the bot (an Update
posted to the webhook as Telegram would), the operator answers in the console with text and a
photo, and the Bot API (the local fake) gets both, in order; the console shows each reply sent.

The product runs as in production: uvicorn and a real Celery worker, on a Redis database of
their own (so the worker takes only this server's tasks).

Run: python -m pytest tests/browser/test_telegram.py (Debian's Chromium at /usr/bin/chromium).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import assert_accessible, wait_until
from tests.browser.telegram_deployment import TelegramDeployment, pages, telegram_deployment
from tests.factories import PASSWORD
from tests.fakes import telegram_updates as tg

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


@pytest.fixture
def telegram_desk() -> Iterator[TelegramDeployment]:
    with telegram_deployment(redis_db=OWN_REDIS_DB, token=TOKEN, bot=BOT) as deployed:
        yield deployed


@pytest.fixture
def new_page(shared_chromium: Browser) -> Iterator[Callable[[], Page]]:
    with pages(shared_chromium, zone="Europe/Moscow", timeout_ms=LIVE_MS) as make:
        yield make


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/console/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("me-menu")).to_be_visible()


def test_an_operator_answers_a_telegram_user_with_text_and_a_photo(
    telegram_desk: TelegramDeployment, new_page: Callable[[], Page]
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
