"""How a conversation ended, in the console: the outcome chosen in one click from the resolve
menu (a sale with its amount, labels beside it), kept over a reopen; the visitor's rating and
comment shown in the header and the contact's history, live."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Page, expect

from tests.browser.test_console import (  # noqa: F401 - the fixtures
    LIVE_MS,
    Desk,
    Visitor,
    browser,
    desk,
    log_in,
    new_page,
    open_conversation,
)
from tests.live_server import live_server_url  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resolve_as_a_sale_then_the_rating_and_comment_arrive_live(
    desk: Desk,  # noqa: F811
    new_page: Callable[..., Page],  # noqa: F811
) -> None:
    maria = Visitor(desk, "Maria Ivanova", "maria@example.com")
    conversation = maria.send("I would like the gold plan")["conversation"]
    olga = new_page()
    log_in(olga, desk.base, "olga")
    open_conversation(olga, conversation)

    olga.get_by_test_id("status-menu").click()
    menu = olga.get_by_test_id("outcome-choices")
    menu.get_by_test_id("label-input").fill("upsell")
    menu.get_by_test_id("label-input").press("Enter")
    expect(menu.get_by_test_id("label-upsell")).to_be_visible()
    menu.get_by_test_id("outcome-sale").click()
    olga.get_by_test_id("sale-amount").fill("1500.5.5")
    olga.get_by_test_id("sale-save").click()
    expect(olga.get_by_role("alert")).to_contain_text("at most two decimals")
    olga.get_by_test_id("sale-amount").fill("1500,50")
    olga.get_by_test_id("sale-save").click()

    header = olga.get_by_test_id("conversation")
    expect(header).to_have_attribute("data-status", "resolved", timeout=LIVE_MS)
    expect(olga.get_by_test_id("outcome-mark").first).to_contain_text("Sale")
    expect(olga.get_by_test_id("outcome-mark").first).to_contain_text("1,500.50")

    rated = httpx.post(
        f"{desk.base}/api/widget/v1/csat",
        json={"rating": 2, "comment": "Slow to answer"},
        headers=maria.headers,
        timeout=10,
    )
    assert rated.status_code == 201, rated.text
    mark = olga.get_by_test_id("csat-mark").first
    expect(mark).to_have_text("2", timeout=LIVE_MS)
    expect(mark).to_have_attribute("aria-label", "Rating: 2 of 5 — “Slow to answer”")

    olga.get_by_test_id("reopen-button").click()
    expect(header).to_have_attribute("data-status", "open", timeout=LIVE_MS)
    expect(olga.get_by_test_id("outcome-mark").first).to_contain_text(
        "Sale"
    )  # kept until a resolve

    olga.get_by_test_id("status-menu").click()
    olga.get_by_test_id("outcome-choices").get_by_test_id("outcome-solved").click()
    expect(header).to_have_attribute("data-status", "resolved", timeout=LIVE_MS)
    expect(olga.get_by_test_id("outcome-mark").first).to_have_text("Solved")
