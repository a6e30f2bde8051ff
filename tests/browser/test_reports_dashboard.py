"""The supervisors' reports dashboard in a real Chromium against a real server
(tests/live_server.py): the history of tests/reports/story.py, whose every figure is worked out
by hand, read through the page: cards, charts, breakdown, heat map, filters in the address bar,
the live view updating by itself, CSV downloads, Russian, and axe-core.

Run: `python -m pytest tests/browser/test_reports_dashboard.py` (needs /usr/bin/chromium and
playwright; `UPDATE_SCREENSHOTS=1` also refreshes docs/screenshots/reports-dashboard*.png).
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chats.models import RoutingStrategy
from chats.services import assigning, conversations, feedback
from chats.services.conversations import Resolution
from operators.models import Operator, Role, Status
from tests.browser.helpers import assert_accessible, record_page_errors
from tests.factories import (
    PASSWORD,
    InboxFactory,
    OperatorFactory,
    TeamFactory,
    operator_says,
    visitor_for,
    visitor_says,
)
from tests.live_server import live_server_url  # noqa: F401
from tests.reports.story import Story, at, moscow, tell

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_MS = 10_000  # how long a change may take to show, on a busy machine
ROOT = Path(__file__).resolve().parents[2]
# The story's two days (tests/reports/story.py); the previous period has nothing.
PERIOD = "from=2026-11-02&to=2026-11-03"


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(shared_chromium: Browser) -> Browser:
    return shared_chromium


@pytest.fixture
def base(live_server_url: str) -> str:  # noqa: F811
    """The live server's URL."""
    return live_server_url


@pytest.fixture
def story(base: str) -> Story:
    return tell()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(locale: str = "en-US", timezone: str = "Europe/London", **options: Any) -> Page:
        context = browser.new_context(
            locale=locale,
            timezone_id=timezone,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
            **options,
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


def sign_in(page: Page, base: str, username: str, query: str = PERIOD) -> None:
    """Opens the dashboard: the login page first, then back to the dashboard."""
    page.goto(f"{base}/reports/?{query}")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/reports/"))
    expect(page.get_by_test_id("card-conversations-value")).not_to_have_text("Loading…")


def card(page: Page, metric: str) -> Any:
    return page.get_by_test_id(f"card-{metric}-value")


def spaces(text: str) -> str:
    """Intl's no-break and narrow no-break spaces as plain ones."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


# --- the dashboard --------------------------------------------------------------------------


def test_a_supervisor_reads_the_story_on_the_dashboard(
    story: Story, base: str, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    sign_in(page, base, story.boss.username)

    # The cards: the story's figures, worked out by hand in tests/reports/story.py.
    expect(card(page, "conversations")).to_have_text("4")
    expect(card(page, "resolved")).to_have_text("4")
    expect(card(page, "replies")).to_have_text("4")
    expect(card(page, "first_response_median")).to_have_text(re.compile(r"^11\smin$"))
    expect(card(page, "first_response_p90")).to_have_text(re.compile(r"^18\smin 12\ss$"))
    expect(card(page, "resolution_median")).to_have_text(re.compile(r"^35\smin$"))
    expect(card(page, "csat_average")).to_have_text("3.50")
    expect(card(page, "csat_positive_share")).to_have_text("50%")
    expect(card(page, "sales_count")).to_have_text("1")
    assert spaces(card(page, "sales_amount").inner_text()) == "RUB 1,500.50"
    # Nothing in the two days before: each figure is new.
    change = page.get_by_test_id("card-conversations").get_by_test_id("change")
    expect(change).to_have_attribute("data-direction", "new")

    # A chart: uPlot draws on a canvas; its table for screen readers lists the values.
    volume = page.get_by_test_id("chart-volume")
    expect(volume.locator(".uplot canvas")).to_have_count(1)
    table = page.get_by_test_id("chart-volume-table")
    rows = [
        [spaces(cell) for cell in row]
        for row in table.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
        )
    ]
    # Monday: A and B opened, A resolved, A's two replies; Tuesday: C and D opened, B and C
    # (twice) resolved, B's two replies.
    assert rows == [["Nov 2", "2", "1", "2"], ["Nov 3", "2", "3", "2"]]
    expect(page.get_by_test_id("chart-metric-table")).to_contain_text("First response, median")

    # The breakdown per operator: Anna's and Boris's figures; sorted by clicking a header.
    breakdown = page.get_by_test_id("breakdown-table")
    names = breakdown.locator("[data-testid=breakdown-row] th")
    expect(names).to_have_text(["Anna", "Boris"])  # most conversations first
    anna = breakdown.locator("[data-testid=breakdown-row]").first
    expect(anna.locator("[data-metric=conversations]")).to_have_text("3")
    expect(anna.locator("[data-metric=resolution_median]")).to_have_text(re.compile(r"^30\smin$"))
    expect(anna.locator("[data-metric=csat_average]")).to_have_text("5.00")
    page.get_by_test_id("sort-conversations").click()
    expect(names).to_have_text(["Boris", "Anna"])
    expect(page.locator("th[aria-sort=ascending]")).to_have_count(1)
    page.get_by_test_id("sort-resolution_median").click()
    expect(names).to_have_text(["Boris", "Anna"])  # 4200 s before 1800 s, descending
    page.get_by_test_id("tab-team").click()
    expect(page).to_have_url(re.compile(r"by=team"))
    expect(names).to_have_text(["Support", "Sales"])  # the same sort: Support's 4200 s first

    # The heat map: Monday 10:00 and 23:00, Tuesday 09:00 and 12:00, Moscow time.
    for day, hour in ((0, 10), (0, 23), (1, 9), (1, 12)):
        cell = page.get_by_test_id(f"heat-{day}-{hour}")
        expect(cell).to_have_attribute("data-count", "1")
        expect(cell).to_have_class(re.compile(r"level-4"))
    expect(page.get_by_test_id("heat-0-11")).to_have_attribute("data-count", "0")
    expect(page.get_by_test_id("heat-0-10")).to_have_attribute(
        "aria-label", "Monday, 10:00\u201311:00: 1 conversation"
    )

    assert_accessible(page, "the reports dashboard")


def test_a_filter_changes_the_figures_and_stays_in_the_address(
    story: Story, base: str, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    sign_in(page, base, story.boss.username)
    expect(card(page, "conversations")).to_have_text("4")

    page.get_by_test_id("filter-team").get_by_role("button").click()
    page.get_by_test_id("filter-team").get_by_label("Sales").check()
    page.keyboard.press("Escape")

    # The Sales team: A, B and C opened there; Anna's resolves and replies.
    expect(card(page, "conversations")).to_have_text("3")
    expect(card(page, "resolved")).to_have_text("3")
    expect(card(page, "replies")).to_have_text("3")
    query = parse_qs(urlparse(page.url).query)
    assert query["team"] == [str(story.sales.pk)]
    assert (query["from"], query["to"]) == (["2026-11-02"], ["2026-11-03"])
    expect(page.get_by_test_id("filter-team")).to_contain_text("Sales")

    # A reload (a shared link) gives the same view; back goes to the unfiltered one.
    page.reload()
    expect(card(page, "conversations")).to_have_text("3")
    page.go_back()
    expect(card(page, "conversations")).to_have_text("4")
    page.go_forward()
    expect(card(page, "conversations")).to_have_text("3")

    # A period with its days in the wrong order: the API's own words in a banner.
    page.goto(f"{base}/reports/?from=2026-11-03&to=2026-11-02")
    expect(page.get_by_test_id("report-error").first).to_contain_text("from is on or before to")


def test_the_live_view_shows_a_visitor_who_starts_waiting(
    story: Story, base: str, new_page: Callable[..., Page]
) -> None:
    night = TeamFactory(name="Night shift")  # nobody works at night: the queue stays
    inbox = InboxFactory(team=night, name="Night", routing=RoutingStrategy.LEAST_BUSY)
    page = new_page()
    sign_in(page, base, story.boss.username)
    expect(page.get_by_test_id("section-live")).to_contain_text("Nobody is waiting.")
    expect(page.get_by_test_id("live-stat-waiting")).to_contain_text("0")

    visitor, _token = visitor_for(inbox)
    opened = conversations.conversation_open(inbox=inbox, contact=visitor.contact)
    visitor_says(opened)
    started = time.monotonic()

    row = page.get_by_test_id("waiting-row")
    expect(row).to_have_count(1, timeout=7_000)  # the next poll, within 5 s
    assert time.monotonic() - started < 7
    expect(row).to_contain_text(f"#{opened.pk}")
    expect(row).to_contain_text("Night shift")
    expect(page.get_by_test_id("live-stat-waiting")).to_contain_text("1")
    # The wait ticks between polls.
    first = row.get_by_test_id("waited").inner_text()
    page.wait_for_timeout(2100)
    assert row.get_by_test_id("waited").inner_text() != first

    # The refresh button asks at once.
    assigning.conversation_assign(conversation=opened, actor=story.boss, operator=story.boss)
    page.get_by_test_id("live-refresh").click()
    expect(row).to_have_count(0, timeout=3_000)


def test_each_table_and_chart_downloads_as_csv(
    story: Story, base: str, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    sign_in(page, base, story.boss.username)
    expect(page.get_by_test_id("breakdown-table")).to_be_visible()

    for test_id, header in (
        ("csv-breakdown", "id,name,conversations,resolved,replies"),
        ("csv-timeseries-conversations", "start,value"),
        ("csv-heatmap", "weekday,00,01"),
        ("csv-summary", "from,to,tz,conversations"),
        ("csv-live-waiting", "conversation,team,queue_position,waiting_seconds"),
        ("csv-live-operators", "id,name,status,open,max_chats"),
    ):
        with page.expect_download() as info:
            page.get_by_test_id(test_id).click()
        path = info.value.path()
        data = Path(path).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), test_id
        text = data.decode("utf-8-sig")
        assert text.startswith(header), (test_id, text[:120])
        if test_id == "csv-breakdown":
            assert "Anna" in text and "Boris" in text


def test_the_dashboard_speaks_russian(
    story: Story, base: str, new_page: Callable[..., Page]
) -> None:
    page = new_page(locale="ru-RU", timezone="Europe/Moscow")
    sign_in(page, base, story.boss.username)

    expect(page.get_by_role("heading", name="Отчёты")).to_be_visible()
    expect(page.get_by_test_id("card-conversations")).to_contain_text("Диалоги")
    expect(page.get_by_test_id("card-first_response_p90-value")).to_have_text(
        re.compile(r"^18\sмин 12\s\u0441$")
    )
    assert spaces(card(page, "sales_amount").inner_text()) == "1 500,50 ₽"
    expect(card(page, "csat_average")).to_have_text("3,50")
    expect(card(page, "csat_positive_share")).to_have_text(re.compile(r"^50\s%$"))
    expect(page.get_by_test_id("heat-0-10")).to_have_attribute(
        "aria-label", "понедельник, 10:00\u201311:00: 1 диалог"
    )
    expect(page.get_by_test_id("preset-7d")).to_have_text("7 дней")
    assert page.evaluate("document.documentElement.lang") == "ru"

    # The choice made here is the console's too (the same key in this browser).
    page.get_by_test_id("locale-en").click()
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    assert page.evaluate("localStorage.getItem('helpdesk.console.locale')") == "en"
    assert_accessible(page, "the reports dashboard in English after Russian")


def test_an_agent_gets_no_dashboard(story: Story, base: str, new_page: Callable[..., Page]) -> None:
    page = new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", story.anna.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/console/"))
    response = page.goto(f"{base}/reports/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading")).to_have_text("The reports are for supervisors")


# --- screenshots ----------------------------------------------------------------------------


def showcase(story: Story) -> None:
    """Four weeks of ordinary days before the story, so that the charts have a shape."""
    rng = random.Random(7)
    carla = OperatorFactory(name="Carla", teams=[story.support], status=Status.AWAY)
    people = [story.anna, story.boris, carla]
    day = moscow("2026-10-06 00:00")
    for offset in range(27):
        when = day + timedelta(days=offset)
        busy = 2 if when.weekday() >= 5 else 5
        for _ in range(rng.randint(busy - 1, busy + 2)):
            start = when + timedelta(hours=rng.choice([9, 10, 11, 12, 13, 14, 15, 16, 17, 19]))
            inbox = rng.choice([story.shop, story.help])
            operator = rng.choice(people)
            _tell_one(story.boss, inbox, operator, start, rng)


def _tell_one(
    boss: Operator, inbox: Any, operator: Operator, start: Any, rng: random.Random
) -> None:
    def moment(after: float) -> Any:
        return at((start + timedelta(seconds=after)).strftime("%Y-%m-%d %H:%M:%S"))

    with moment(0):
        visitor, _token = visitor_for(inbox)
        conversation = conversations.conversation_open(inbox=inbox, contact=visitor.contact)
        visitor_says(conversation, "Hello?")
    with moment(20):
        assigning.conversation_assign(conversation=conversation, actor=boss, operator=operator)
    first = rng.randint(25, 400)
    for reply in range(rng.choice([1, 1, 2, 3])):
        with moment(first + reply * 90):
            operator_says(conversation, operator, "Hello! Let me look.")
    if rng.random() < 0.2:
        return  # still open
    resolve = first + rng.randint(300, 4000)
    outcome = rng.choice(["solved", "solved", "sale", "not_solved"])
    amount = Decimal(rng.randrange(500, 9000)) if outcome == "sale" else None
    with moment(resolve):
        conversations.conversation_status_set(
            conversation=conversation,
            actor=operator,
            status="resolved",
            resolution=Resolution(outcome=outcome, sale_amount=amount),
        )
    if rng.random() < 0.6:
        with moment(resolve + 60):
            feedback.csat_submit(visitor=visitor, rating=rng.choice([3, 4, 5, 5, 5, 2]), comment="")


@pytest.mark.parametrize(("language", "locale"), [("en", "en-US"), ("ru", "ru-RU")])
def test_reports_dashboard_screenshots(
    story: Story,
    base: str,
    new_page: Callable[..., Page],
    tmp_path: Path,
    language: str,
    locale: str,
) -> None:
    showcase(story)
    Operator.objects.filter(pk=story.boss.pk).update(role=Role.SUPERVISOR)
    night = TeamFactory(name="Night shift" if language == "en" else "Ночная смена")
    inbox = InboxFactory(team=night, routing=RoutingStrategy.LEAST_BUSY)
    for _ in range(2):
        visitor, _token = visitor_for(inbox)
        visitor_says(conversations.conversation_open(inbox=inbox, contact=visitor.contact))
    page = new_page(locale=locale, timezone="Europe/Moscow")
    sign_in(page, base, story.boss.username, "from=2026-10-21&to=2026-11-03")
    expect(page.get_by_test_id("chart-volume").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("waiting-row")).to_have_count(2)
    update = os.environ.get("UPDATE_SCREENSHOTS") == "1"
    target = ROOT / "docs" / "screenshots" if update else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    name = "reports-dashboard.png" if language == "en" else "reports-dashboard-ru.png"
    page.screenshot(path=str(target / name))
    assert (target / name).stat().st_size > 10_000
