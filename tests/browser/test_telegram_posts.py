"""Posts for a Telegram channel from end to end in a real Chromium: an operator writes a post in
the console's Posts view (formatting buttons, a URL button, the live preview), schedules it a few
seconds ahead and sees it turn published without reloading, when the worker publishes it at its
time; a draft is published later with "Publish now"; a text with a tag Telegram does not know
shows the server's words and creates nothing. The Bot API (the local fake) gets exactly one
sendMessage per post, in HTML, with its button.

The product runs as in production: uvicorn and a real Celery worker, on a Redis database of
their own (so the worker takes only this server's tasks).

Run: python -m pytest tests/browser/test_telegram_posts.py (Debian's Chromium at /usr/bin/chromium).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Locator, Page, expect

from chats.models import TelegramPost, TelegramPostState
from tests.browser.helpers import assert_accessible, wait_until
from tests.browser.telegram_deployment import pages, telegram_deployment
from tests.factories import PASSWORD
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import Call, FakeTelegram

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_MS = 20_000
# A scheduled post shows as published within this much of its moment (the list is polled).
PUBLISHED_MS = 30_000
TOKEN = "888000222:AAF-browser-telegram-posts-token-0000"
BOT = tg.bot_user(888000222, "shop_news_bot")
CHANNEL = tg.channel_chat(-1002233445566, "Shop news", username="shop_news")
# A Redis database no other test uses (test_telegram.py has 11): the worker below takes every
# task it finds there.
OWN_REDIS_DB = 12
# The browser's time zone: the operator picks moments in it.
ZONE = "Europe/Moscow"
SALE_URL = "https://shop.example.com/sale"


@dataclass
class ChannelDesk:
    base: str
    fake: FakeTelegram
    inbox_id: int

    def channel_sends(self) -> list[Call]:
        return self.fake.sent_messages(CHANNEL["id"])


@pytest.fixture
def channel_desk() -> Iterator[ChannelDesk]:
    with telegram_deployment(
        redis_db=OWN_REDIS_DB, token=TOKEN, bot=BOT, channel=CHANNEL
    ) as deployed:
        yield ChannelDesk(base=deployed.base, fake=deployed.fake, inbox_id=deployed.inbox_id)


@pytest.fixture
def new_page(shared_chromium: Browser) -> Iterator[Callable[[], Page]]:
    with pages(shared_chromium, zone=ZONE, timeout_ms=LIVE_MS) as make:
        yield make


def open_posts(page: Page, base: str) -> None:
    page.goto(f"{base}/console/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("me-menu")).to_be_visible()
    page.get_by_test_id("nav-posts").click()
    expect(page.get_by_test_id("posts-view")).to_be_visible()
    expect(page.get_by_test_id("posts-channel")).to_contain_text("@shop_news")


def listed(page: Page) -> Locator:
    return page.locator("[data-testid=post-list] li[data-state]")


def local_moment(seconds_ahead: float) -> tuple[str, datetime]:
    """A date-time picker's value `seconds_ahead` from now in the browser's zone, and the moment."""
    moment = datetime.now(ZoneInfo(ZONE)) + timedelta(seconds=seconds_ahead)
    return moment.strftime("%Y-%m-%dT%H:%M:%S"), moment.replace(microsecond=0)


def test_a_scheduled_post_is_published_by_the_worker_at_its_time_and_turns_published(
    channel_desk: ChannelDesk, new_page: Callable[[], Page]
) -> None:
    desk = channel_desk
    operator = new_page()
    open_posts(operator, desk.base)
    expect(operator.get_by_test_id("post-list")).to_contain_text("No posts yet.")

    text = operator.get_by_test_id("post-text")
    text.fill("Big sale today")
    text.evaluate("(node) => node.setSelectionRange(4, 8)")
    operator.get_by_test_id("format-bold").click()
    expect(text).to_have_value("Big <b>sale</b> today")
    expect(operator.get_by_test_id("post-counter")).to_have_text("14 of 4,096 characters")
    operator.get_by_test_id("post-add-button").click()
    operator.get_by_test_id("post-button-text").fill("Shop")
    operator.get_by_test_id("post-button-url").fill(SALE_URL)

    preview = operator.get_by_test_id("post-preview")
    expect(preview.locator("[data-testid=post-preview-text] b")).to_have_text("sale")
    expect(preview.get_by_test_id("post-preview-text")).to_have_text("Big sale today")
    expect(preview.get_by_role("link", name="Shop")).to_have_attribute("href", SALE_URL)
    assert_accessible(operator, "the Posts view with a post written")

    operator.get_by_test_id("post-schedule").click()
    value, moment = local_moment(6)
    operator.get_by_test_id("post-schedule-at").fill(value)
    operator.get_by_test_id("post-schedule-confirm").click()

    post = listed(operator).first
    expect(post).to_have_attribute("data-state", "scheduled")
    expect(post.get_by_test_id("post-state")).to_have_text("Scheduled")
    shown_at = post.get_by_test_id("post-time").get_attribute("datetime") or ""
    assert datetime.fromisoformat(shown_at.replace("Z", "+00:00")) == moment
    expect(text).to_have_value("")
    assert desk.channel_sends() == []
    assert_accessible(operator, "the Posts view with a scheduled post")

    # No reload: the list is polled, and read again soon after the post's moment.
    expect(post).to_have_attribute("data-state", "published", timeout=PUBLISHED_MS)
    expect(post.get_by_test_id("post-state")).to_have_text("Published")
    expect(post.get_by_test_id("post-time")).to_be_visible()

    [call] = wait_until(lambda: desk.channel_sends(), what="the post in the channel")
    assert call.method == "sendMessage"
    assert call.params["chat_id"] == CHANNEL["id"]
    assert call.params["parse_mode"] == "HTML"
    assert call.params["text"] == "Big <b>sale</b> today"
    assert call.params["reply_markup"]["inline_keyboard"] == [[{"text": "Shop", "url": SALE_URL}]]
    stored = TelegramPost.objects.get()
    assert stored.state == TelegramPostState.PUBLISHED
    assert stored.published_at is not None and stored.published_at >= moment
    time.sleep(2)
    assert len(desk.channel_sends()) == 1


def test_a_draft_waits_then_goes_out_with_publish_now(
    channel_desk: ChannelDesk, new_page: Callable[[], Page]
) -> None:
    desk = channel_desk
    operator = new_page()
    open_posts(operator, desk.base)

    operator.get_by_test_id("post-text").fill("Spring <i>collection</i> is coming")
    operator.get_by_test_id("post-draft").click()
    post = listed(operator).first
    expect(post).to_have_attribute("data-state", "draft")
    expect(post).to_contain_text("Spring collection is coming")
    assert desk.channel_sends() == []

    post.get_by_test_id("post-edit").click()
    text = operator.get_by_test_id("post-text")
    expect(text).to_have_value("Spring <i>collection</i> is coming")
    expect(text).to_be_focused()
    expect(operator.locator("[data-testid=post-preview-text] i")).to_have_text("collection")
    operator.get_by_test_id("post-publish").click()

    expect(post).to_have_attribute("data-state", "published", timeout=PUBLISHED_MS)
    [call] = wait_until(lambda: desk.channel_sends(), what="the post in the channel")
    assert call.method == "sendMessage"
    assert call.params["parse_mode"] == "HTML"
    assert call.params["text"] == "Spring <i>collection</i> is coming"
    assert TelegramPost.objects.count() == 1


def test_a_tag_telegram_does_not_know_shows_the_servers_words_and_creates_nothing(
    channel_desk: ChannelDesk, new_page: Callable[[], Page]
) -> None:
    desk = channel_desk
    operator = new_page()
    open_posts(operator, desk.base)

    text = operator.get_by_test_id("post-text")
    text.fill(
        "<b>Sale</b> <marquee>now</marquee> "
        "<img src=x onerror=\"document.title='pwned'\"> "
        '<a href="javascript:document.title=1">here</a>'
    )
    # The preview builds Telegram's tags only; the rest stays words on the screen.
    shown = operator.get_by_test_id("post-preview-text")
    expect(shown).to_contain_text("<marquee>now</marquee>")
    expect(shown).to_contain_text('<img src="x" onerror="document.title=\'pwned\'">')
    expect(shown.locator("b")).to_have_text("Sale")
    assert shown.locator("marquee, img, a, script").count() == 0
    expect(shown).to_contain_text("here")

    # A moment past is refused here, before anything is sent.
    operator.get_by_test_id("post-schedule").click()
    operator.get_by_test_id("post-schedule-at").fill(local_moment(-120)[0])
    operator.get_by_test_id("post-schedule-confirm").click()
    expect(operator.get_by_test_id("post-schedule-error")).to_have_text(
        "That moment has passed: choose a time in the future."
    )

    operator.get_by_test_id("post-draft").click()
    expect(operator.get_by_test_id("post-error")).to_have_text(
        "Telegram does not know the tag <marquee>."
    )
    expect(text).to_have_value(
        "<b>Sale</b> <marquee>now</marquee> "
        "<img src=x onerror=\"document.title='pwned'\"> "
        '<a href="javascript:document.title=1">here</a>'
    )
    assert_accessible(operator, "the Posts view with the server's error")
    assert operator.title() != "pwned"
    assert TelegramPost.objects.count() == 0
    assert listed(operator).count() == 0
    assert desk.fake.calls_of("sendMessage") == []
