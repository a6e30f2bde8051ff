"""What a newcomer sees first: the front page, in both languages, the login page and the widget
demo page, in a real Chromium, with axe-core's accessibility checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

from chats.selectors import DEMO_INBOX_NAME
from operators.models import Status
from tests.browser.helpers import assert_accessible, record_page_errors
from tests.factories import InboxFactory, OperatorFactory, TeamFactory
from tests.live_server import live_server_url  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

W = "[data-helpdesk-widget] "  # inside the widget's open shadow root


@pytest.fixture
def new_page(shared_chromium: Browser) -> Iterator[Any]:
    contexts = []
    errors: list[str] = []

    def make(locale: str = "en-US") -> Page:
        context = shared_chromium.new_context(
            locale=locale, viewport={"width": 1280, "height": 800}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        record_page_errors(page, errors)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


def test_the_front_page_says_what_it_is_and_leads_to_the_console(
    live_server_url: str,  # noqa: F811
    new_page: Any,
) -> None:
    page = new_page()
    page.goto(f"{live_server_url}/")

    expect(page.locator("h1")).to_contain_text("Live chat for your website")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page, "the front page in English")
    page.get_by_test_id("sign-in").click()
    expect(page).to_have_url(f"{live_server_url}/login/")
    assert_accessible(page, "the login page")


def test_the_front_page_speaks_russian_and_switches_language(
    live_server_url: str,  # noqa: F811
    new_page: Any,
) -> None:
    page = new_page(locale="ru-RU")
    page.goto(f"{live_server_url}/")

    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_test_id("sign-in")).to_have_text("Войти")
    assert_accessible(page, "the front page in Russian")
    page.get_by_test_id("language-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("sign-in")).to_have_text("Sign in")
    page.get_by_test_id("language-ru").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_the_front_page_leads_to_a_working_widget_demo(
    live_server_url: str,  # noqa: F811
    new_page: Any,
) -> None:
    team = TeamFactory(name="Support")
    OperatorFactory(teams=[team], status=Status.ONLINE)
    InboxFactory(team=team, name=DEMO_INBOX_NAME, channel="web", greeting="Hi! Ask us anything.")
    page = new_page()
    page.goto(f"{live_server_url}/")

    page.get_by_test_id("widget-demo").click()
    expect(page).to_have_url(f"{live_server_url}/widget/demo/")
    assert_accessible(page, "the widget demo page")
    page.locator(W + ".launcher").click()
    page.locator(W + ".panel").wait_for(state="visible")
    composer = page.locator(W + "textarea.ta")
    composer.fill("Hello from the demo")
    composer.press("Enter")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    assert_accessible(page, "the widget panel open with messages")
