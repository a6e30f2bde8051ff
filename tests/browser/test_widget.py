"""The embeddable widget in a real Chromium, on a site of another origin, against a real server
(`tests.live_server`): it renders and works on a hostile page, talks to the console live, shows
every body as text, keeps its history, sends what was typed offline exactly once, never shows a
private note, and fills a phone's screen. Plus the size budget of its built scripts.

Run: python -m pytest tests/browser/test_widget.py (Debian's Chromium at /usr/bin/chromium).
WIDGET_SCREENSHOTS=1 also writes docs/screenshots/widget-*.png.
"""

from __future__ import annotations

import gzip
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chats.business_hours import DAYS
from chats.models import Contact, CsatResponse, Message
from operators.models import Role, Status
from operators.services import token_issue
from tests.browser.helpers import (
    ConsoleSocket,
    HostSite,
    OperatorApi,
    assert_accessible,
    embed_page,
    wait_until,
)
from tests.factories import InboxFactory, OperatorFactory, TeamFactory
from tests.live_server import live_server_url  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parents[2]
WIDGET_DIR = ROOT / "static" / "widget" / "v1"
SCREENSHOTS = ROOT / "docs" / "screenshots"
LOADER_BUDGET = 5 * 1024
WIDGET_BUDGET = 50 * 1024

# Every widget locator starts at the widget's host element (Playwright's CSS pierces its shadow
# root), so that an element of the host page with the same class never matches.
W = "[data-helpdesk-widget] "
MOSCOW = ZoneInfo("Europe/Moscow")


# --- the size budget (no browser needed) ------------------------------------------------------


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def test_the_widget_stays_within_its_size_budget():
    loader = WIDGET_DIR / "loader.js"
    scripts = sorted(WIDGET_DIR.glob("*.js"))
    assert loader in scripts, "build the widget first: cd frontend && npm run build"
    assert gzipped(loader) < LOADER_BUDGET, f"loader.js is {gzipped(loader)} bytes gzipped"
    total = sum(gzipped(path) for path in scripts)
    assert total < WIDGET_BUDGET, f"the widget is {total} bytes gzipped"


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium(shared_chromium: Any) -> Any:
    return shared_chromium


@pytest.fixture(scope="module")
def site() -> Iterator[HostSite]:
    with HostSite() as host:
        yield host


class World:
    """One helpdesk with a team, an online agent and a web inbox allowed on the host site."""

    def __init__(self, helpdesk: str, site: HostSite, **inbox_fields: Any) -> None:
        self.helpdesk = helpdesk
        self.site = site
        self.team = TeamFactory(name="Support")
        self.agent = OperatorFactory(
            role=Role.AGENT, teams=[self.team], name="Olga Smirnova", status=Status.ONLINE
        )
        fields = {
            "name": "Acme Support",
            "greeting": "Hi! Ask us anything.",
            "allowed_origins": [site.origin],
            **inbox_fields,
        }
        self.inbox = InboxFactory(team=self.team, **fields)
        self.token = token_issue(operator=self.agent)[1]
        self.api = OperatorApi(helpdesk, self.token)

    def page_url(self, path: str = "/shop.html", **kwargs: Any) -> str:
        return self.site.add(path, embed_page(self.helpdesk, self.inbox.inbox_key, **kwargs))

    def conversation_id(self, page: Any = None) -> int:
        return wait_until(
            lambda: next(iter(self.api.conversations()), {}).get("id"),
            what="a conversation",
            page=page,
        )

    def visitor_bodies(self, conversation: int) -> list[str]:
        return [
            message["body"]
            for message in self.api.messages(conversation)
            if message["author"]["kind"] == "visitor"
        ]


@pytest.fixture
def make_world(live_server_url: str, site: HostSite) -> Iterator[Any]:  # noqa: F811
    yield lambda **inbox_fields: World(live_server_url, site, **inbox_fields)
    settle()


@pytest.fixture
def world(make_world: Any) -> World:
    return make_world()


def settle() -> None:
    """Lets the server finish what closing the test's sockets set off (presence, read marks)
    before the database is flushed under it."""
    time.sleep(0.5)


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    yield context
    context.close()


@pytest.fixture
def page(context: Any) -> Any:
    page = context.new_page()
    page.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    page.set_default_timeout(15_000)
    return page


# --- helpers ----------------------------------------------------------------------------------


def open_widget(page: Any) -> None:
    page.locator(W + ".launcher").click()
    page.locator(W + ".panel").wait_for(state="visible")
    page.locator(W + ".panel .title").filter(has_text="Acme").wait_for()


def send(page: Any, text: str) -> None:
    composer = page.locator(W + "textarea.ta")
    composer.fill(text)
    composer.press("Enter")


def shoot(page: Any, name: str) -> None:
    """A screenshot for the docs, with WIDGET_SCREENSHOTS=1."""
    if os.environ.get("WIDGET_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(300)
        page.screenshot(path=SCREENSHOTS / name)


def bubbles(page: Any) -> list[str]:
    return page.locator(W + ".log .row .bubble").all_text_contents()


# --- the host page of another origin, hostile ----------------------------------------------

HOSTILE_CSS = """
body *, body *::before, body *::after { all: unset !important; display: none !important; }
div, section, button, textarea, form, span, header {
  position: static !important; visibility: hidden !important; opacity: 0 !important;
  transform: scale(0) !important; width: 1px !important; height: 1px !important;
}
button { color: red !important; background: yellow !important; font-size: 40px !important; }
:root { font-size: 4px !important; }
* { font-family: "Comic Sans MS", cursive !important; box-sizing: content-box !important; }
"""


def strict_csp(helpdesk: str) -> str:
    ws = helpdesk.replace("http://", "ws://")
    return (
        f"default-src 'none'; script-src {helpdesk}; connect-src {helpdesk} {ws}; "
        "style-src 'self'; img-src 'none'; base-uri 'none'"
    )


def shadow_style(page: Any, selector: str, prop: str) -> str:
    return page.evaluate(
        """([selector, prop]) => {
            const root = document.querySelector('[data-helpdesk-widget]').shadowRoot;
            return getComputedStyle(root.querySelector(selector)).getPropertyValue(prop);
        }""",
        [selector, prop],
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_widget_works_on_a_hostile_page_of_another_origin(world: World, page: Any) -> None:
    site, helpdesk = world.site, world.helpdesk
    site.add("/hostile.css", HOSTILE_CSS, content_type="text/css")
    url = site.add(
        "/hostile.html",
        embed_page(
            helpdesk,
            world.inbox.inbox_key,
            head='<link rel="stylesheet" href="/hostile.css">',
            body="<h1>Shop</h1><button>Buy</button>",
        ),
        headers={"Content-Security-Policy": strict_csp(helpdesk)},
    )
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    console = ConsoleSocket(helpdesk, world.token)
    try:
        page.goto(url)
        assert page.evaluate("location.origin") != helpdesk  # another origin indeed

        launcher = page.locator(W + ".launcher")
        launcher.wait_for(state="visible")
        box = launcher.bounding_box()
        assert box is not None
        assert (round(box["width"]), round(box["height"])) == (56, 56)
        assert box["x"] + box["width"] == pytest.approx(1280 - 20, abs=1)
        assert box["y"] + box["height"] == pytest.approx(800 - 20, abs=1)
        assert shadow_style(page, ".launcher", "color") == "rgb(255, 255, 255)"
        assert shadow_style(page, ".launcher", "background-color") != "rgb(255, 255, 0)"

        open_widget(page)
        assert shadow_style(page, ".panel", "width") == "380px"
        assert shadow_style(page, ".title", "font-size") == "17px"
        assert "Comic" not in shadow_style(page, ".title", "font-family")
        assert page.locator(W + ".intro .bubble").text_content() == "Hi! Ask us anything."

        # the visitor writes: the console sees it live
        send(page, "Hello from a hostile page")
        frame = console.wait_for(
            lambda f: f["type"] == "message" and f["message"]["body"] == "Hello from a hostile page"
        )
        conversation = frame["message"]["conversation"]
        page.locator(W + ".row.mine[data-status=sent]").wait_for()

        # the operator types, then replies: the widget shows both
        console.send({"type": "typing", "conversation": conversation, "active": True})
        page.locator(W + ".typing .who").filter(has_text="Olga Smirnova is typing").wait_for()
        world.api.reply(conversation, "Hello! How can I help?")
        page.locator(W + ".row[data-author=operator] .bubble").filter(
            has_text="Hello! How can I help?"
        ).wait_for()
        page.locator(W + ".typing").wait_for(state="hidden")
        assert page.locator(W + ".row[data-author=operator] .who").first.text_content() == (
            "Olga Smirnova"
        )

        # the visitor has the panel open: the console hears that they read the reply
        console.wait_for(lambda f: f["type"] == "read" and f["conversation"] == conversation)
        # an operator who replied has read what came before; then reads the next one
        assert page.locator(W + ".row.mine").get_attribute("data-status") == "read"
        send(page, "Thanks!")
        thanks = console.wait_for(
            lambda f: f["type"] == "message" and f["message"]["body"] == "Thanks!"
        )
        page.locator(W + ".row.mine[data-status=sent] .state").filter(has_text="Sent").wait_for()
        seq = thanks["message"]["seq"]
        console.send({"type": "read", "conversation": conversation, "seq": seq})
        page.locator(W + ".row.mine[data-status=read] .state").filter(has_text="Read").wait_for()
        assert page.locator(W + ".row.mine[data-status=read]").count() == 2
    finally:
        console.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_widget_css_never_leaks_into_the_host_page(world: World, page: Any) -> None:
    url = world.page_url(
        "/plain.html",
        body="<h1 id='h'>Shop</h1><button id='b'>Buy</button><p id='p'>Text</p>"
        "<textarea id='t'></textarea><div class='panel' id='d'>host panel</div>",
    )
    snapshot = """() => {
        const props = ['color', 'background-color', 'font-family', 'font-size', 'display',
                       'box-sizing', 'position', 'border-radius', 'padding'];
        const styles = {};
        for (const id of ['h', 'b', 'p', 't', 'd']) {
            const cs = getComputedStyle(document.getElementById(id));
            styles[id] = props.map((p) => cs.getPropertyValue(p));
        }
        return {
            styles,
            sheets: document.styleSheets.length,
            adopted: document.adoptedStyleSheets.length,
            styleTags: document.querySelectorAll('style, link[rel=stylesheet]').length,
            bodyStyle: document.body.getAttribute('style'),
            htmlStyle: document.documentElement.getAttribute('style'),
        };
    }"""
    page.goto(url)
    before = page.evaluate(snapshot)
    page.locator(W + ".launcher").wait_for()
    open_widget(page)
    send(page, "Hi")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()

    assert page.evaluate(snapshot) == before
    # the only thing added to the page is the widget's host element
    assert page.evaluate(
        "[...document.body.children].filter((e) => e.tagName !== 'SCRIPT').map((e) => e.id ||"
        " e.getAttribute('data-helpdesk-widget'))"
    ) == ["h", "b", "p", "t", "d", ""]


# --- bodies are text --------------------------------------------------------------------------

VISITOR_HTML = "<img src=x onerror=\"alert('visitor')\"><b>bold</b>"
OPERATOR_HTML = (
    "<script>alert(1)</script><img src=x onerror=alert(2)> see https://example.com/a?b=1"
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_html_in_messages_is_shown_as_text(world: World, page: Any) -> None:
    page.goto(world.page_url())
    open_widget(page)
    send(page, VISITOR_HTML)
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = world.conversation_id(page)
    world.api.reply(conversation, OPERATOR_HTML)
    reply = page.locator(W + ".row[data-author=operator] .bubble")
    reply.wait_for()
    page.wait_for_timeout(500)  # an injected handler would have fired by now (dialog: fails)

    assert page.locator(W + ".row.mine .bubble").text_content() == VISITOR_HTML
    assert reply.text_content() == OPERATOR_HTML
    assert page.locator(W + ".log img, " + W + ".log script, " + W + ".log b").count() == 0
    link = reply.locator("a")
    assert link.count() == 1
    assert link.get_attribute("href") == "https://example.com/a?b=1"
    assert link.text_content() == "https://example.com/a?b=1"
    assert link.get_attribute("rel") == "noopener noreferrer nofollow ugc"
    assert world.visitor_bodies(conversation) == [VISITOR_HTML]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_open_widget_with_a_conversation_has_no_serious_accessibility_violation(
    world: World, page: Any
) -> None:
    page.goto(world.page_url())
    open_widget(page)
    assert_accessible(page, "the widget panel, empty")
    send(page, "Where is my order?")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    world.api.reply(world.conversation_id(page), "It ships today: https://example.com/track")
    page.locator(W + ".row[data-author=operator] .bubble").wait_for()
    assert_accessible(page, "the widget panel with messages")


# --- continuity -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_reload_and_a_new_tab_show_the_history(world: World, page: Any, context: Any) -> None:
    url = world.page_url()
    page.goto(url)
    open_widget(page)
    send(page, "First question")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = world.conversation_id(page)
    world.api.reply(conversation, "First answer")
    page.locator(W + ".bubble").filter(has_text="First answer").wait_for()

    page.reload()
    page.locator(W + ".panel").wait_for(state="visible")  # it was open: it stays open
    page.locator(W + ".bubble").filter(has_text="First answer").wait_for()
    assert bubbles(page) == ["First question", "First answer"]

    other = context.new_page()
    other.goto(url)
    open_widget(other)
    other.locator(W + ".bubble").filter(has_text="First answer").wait_for()
    assert bubbles(other) == ["First question", "First answer"]

    # both tabs are live: one's message shows in the other, the operator's in both
    send(other, "From the second tab")
    page.locator(W + ".bubble").filter(has_text="From the second tab").wait_for()
    world.api.reply(conversation, "Seen in both")
    for tab in (page, other):
        tab.locator(W + ".bubble").filter(has_text="Seen in both").wait_for()
    assert world.visitor_bodies(conversation) == ["First question", "From the second tab"]


class SocketSwitch:
    """Routes the widget's websockets through Playwright, so a test can cut them and refuse
    new ones (as a dropped network would), then let them through again."""

    def __init__(self, page: Any) -> None:
        self.blocked = False
        self.routes: list[Any] = []
        page.route_web_socket("**/ws/widget/v1/**", self._handle)

    def _handle(self, route: Any) -> None:
        if self.blocked:
            route.close()
            return
        route.connect_to_server()
        self.routes.append(route)

    def cut(self) -> None:
        self.blocked = True
        for route in self.routes:
            route.close()
        self.routes.clear()

    def restore(self) -> None:
        self.blocked = False


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_message_typed_offline_is_sent_once_when_back(
    world: World, page: Any, context: Any
) -> None:
    switch = SocketSwitch(page)
    page.goto(world.page_url())
    open_widget(page)
    send(page, "Before the tunnel")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = world.conversation_id(page)

    switch.cut()
    context.set_offline(True)
    page.locator(W + ".banner").filter(has_text="offline").wait_for()
    send(page, "Typed in the tunnel")
    send(page, "And another one")
    pending = page.locator(
        W + ".row.mine[data-status=sending], " + W + ".row.mine[data-status=failed]"
    )
    wait_until(lambda: pending.count() == 2, page=page, what="two unsent messages")
    page.wait_for_timeout(1500)
    assert world.visitor_bodies(conversation) == ["Before the tunnel"]

    switch.restore()
    context.set_offline(False)
    wait_until(
        lambda: (
            page.locator(
                W + ".row.mine[data-status=sent], " + W + ".row.mine[data-status=read]"
            ).count()
            == 3
        ),
        page=page,
        timeout=30,
        what="the queued messages sent",
    )
    page.locator(W + ".banner").wait_for(state="hidden")
    page.wait_for_timeout(2000)  # a double send would have landed by now
    expected = ["Before the tunnel", "Typed in the tunnel", "And another one"]
    assert world.visitor_bodies(conversation) == expected
    assert Message.objects.filter(conversation_id=conversation).count() == 3

    page.reload()
    page.locator(W + ".bubble").filter(has_text="And another one").wait_for()
    page.wait_for_timeout(1000)
    assert bubbles(page) == expected
    assert world.visitor_bodies(conversation) == expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_unsent_message_survives_a_reload_and_is_sent_once(world: World, page: Any) -> None:
    switch = SocketSwitch(page)
    page.goto(world.page_url())
    open_widget(page)
    send(page, "Hello")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = world.conversation_id(page)
    switch.cut()
    send(page, "Queued before the reload")
    page.locator(W + ".row.mine[data-status=sending]").wait_for()
    switch.restore()

    page.reload()
    page.locator(W + ".bubble").filter(has_text="Queued before the reload").wait_for()
    wait_until(
        lambda: world.visitor_bodies(conversation) == ["Hello", "Queued before the reload"],
        page=page,
        what="the queued message stored",
    )
    page.locator(W + ".row.mine[data-status=sending]").wait_for(state="detached")
    page.wait_for_timeout(1500)
    assert world.visitor_bodies(conversation) == ["Hello", "Queued before the reload"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_with_websockets_blocked_the_widget_falls_back_to_rest(world: World, page: Any) -> None:
    switch = SocketSwitch(page)
    switch.cut()  # a proxy that refuses every websocket
    page.goto(world.page_url())
    open_widget(page)
    send(page, "Sent over REST")
    page.locator(W + ".row.mine[data-status=sent]").wait_for(timeout=30_000)
    conversation = world.conversation_id(page)
    world.api.reply(conversation, "Polled over REST")
    page.locator(W + ".bubble").filter(has_text="Polled over REST").wait_for(timeout=30_000)
    assert page.locator(W + ".banner").is_hidden()

    switch.restore()  # the socket comes back: live again, nothing sent twice
    send(page, "And over the socket")
    page.locator(W + ".bubble").filter(has_text="And over the socket").wait_for()
    wait_until(
        lambda: world.visitor_bodies(conversation) == ["Sent over REST", "And over the socket"],
        page=page,
        timeout=30,
        what="both messages stored once",
    )
    page.wait_for_timeout(1500)
    assert world.visitor_bodies(conversation) == ["Sent over REST", "And over the socket"]


# --- private notes ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_private_note_never_reaches_the_widget(world: World, page: Any) -> None:
    note = "Internal: VIP customer, offer 5% off"
    received: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.append(data)))
    responses: list[str] = []

    def keep(response: Any) -> None:
        if "/api/widget/v1/" in response.url and response.request.method != "OPTIONS":
            responses.append(response.text())

    page.on("response", keep)
    page.goto(world.page_url())
    open_widget(page)
    send(page, "Is there a discount?")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = world.conversation_id(page)

    world.api.reply(conversation, note, private=True)
    world.api.reply(conversation, "Let me check for you.")
    page.locator(W + ".bubble").filter(has_text="Let me check for you.").wait_for()
    page.wait_for_timeout(1000)  # the gap left by the note is asked for over REST
    page.reload()
    page.locator(W + ".bubble").filter(has_text="Let me check for you.").wait_for()
    page.wait_for_timeout(500)

    assert bubbles(page) == ["Is there a discount?", "Let me check for you."]
    assert note not in page.evaluate(
        "document.querySelector('[data-helpdesk-widget]').shadowRoot.textContent"
    )
    assert received and not [frame for frame in received if "VIP" in str(frame)]
    assert not [body for body in responses if "VIP" in body]
    assert note in [m["body"] for m in world.api.messages(conversation)]  # it exists


# --- the phone --------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_panel_fills_the_screen(world: World, chromium: Any) -> None:
    context = chromium.new_context(
        viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, locale="en-US"
    )
    try:
        page = context.new_page()
        page.goto(world.page_url())
        page.locator(W + ".launcher").tap()
        panel = page.locator(W + ".panel")
        panel.wait_for(state="visible")
        page.wait_for_timeout(300)
        assert panel.bounding_box() == {"x": 0, "y": 0, "width": 375, "height": 667}
        assert page.locator(W + ".launcher").is_hidden()  # the panel's own close button instead
        composer = page.locator(W + "textarea.ta").bounding_box()
        assert composer is not None and composer["y"] + composer["height"] <= 667
        send(page, "Hi from my phone")
        page.locator(W + ".row.mine[data-status=sent]").wait_for()
        page.locator(W + ".panel .icon-btn").tap()
        panel.wait_for(state="hidden")
        assert page.locator(W + ".launcher").is_visible()
    finally:
        context.close()


# --- away, pre-chat, languages, the host page's API -------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_with_nobody_online_the_widget_says_so_and_takes_the_message_and_an_email(
    world: World, page: Any
) -> None:
    world.agent.status = Status.AWAY
    world.agent.save(update_fields=["status"])
    page.goto(world.page_url())
    open_widget(page)
    page.locator(W + ".notice").filter(has_text="No one is online right now").wait_for()
    assert "away" in page.locator(W + ".dot").get_attribute("class")

    send(page, "Please call me back")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = world.conversation_id(page)
    assert world.visitor_bodies(conversation) == ["Please call me back"]

    card = page.locator(W + ".card.email")
    card.wait_for()
    shoot(page, "widget-en-away.png")
    card.locator("input").fill("not-an-email")
    card.locator("button").click()
    card.locator(".ferr").filter(has_text="valid email").wait_for()
    card.locator("input").fill("maria@example.com")
    card.locator("input").press("Enter")
    card.filter(has_text="We'll reply to maria@example.com").wait_for()
    contact = Contact.objects.get(conversations__id=conversation)
    assert contact.email == "maria@example.com"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pre_chat_form_asks_the_inboxs_fields(make_world: Any, page: Any) -> None:
    world = make_world(
        settings={
            "prechat_fields": ["name", "email", "phone"],
            "prechat_required": ["name", "email"],
            "color": "#0f766e",
        },
    )
    page.goto(world.page_url())
    open_widget(page)
    form = page.locator(W + "form.prechat")
    form.wait_for()
    assert page.locator(W + "form.composer").is_hidden()
    assert shadow_style(page, ".head", "background-image").startswith(
        "linear-gradient(135deg, rgb(15, 118, 110)"
    )
    shoot(page, "widget-en-prechat.png")
    form.locator("button").click()
    assert form.locator(".ferr").filter(has_text="Please fill this in.").count() == 2
    form.get_by_label("Name").fill("Maria Ivanova")
    form.get_by_label("Email").fill("maria@example")
    form.locator("button").click()
    form.locator(".ferr").filter(has_text="valid email").wait_for()
    form.get_by_label("Email").fill("maria@example.com")
    form.get_by_label("Email").press("Enter")
    page.locator(W + "form.composer").wait_for(state="visible")
    assert form.count() == 0
    send(page, "Hello")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    contact = Contact.objects.get(conversations__id=world.conversation_id(page))
    assert (contact.name, contact.email, contact.phone) == (
        "Maria Ivanova",
        "maria@example.com",
        "",
    )
    page.reload()
    page.locator(W + ".panel").wait_for(state="visible")
    assert page.locator(W + "form.prechat").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_widget_speaks_russian_by_data_locale_or_the_browsers_language(
    world: World, chromium: Any
) -> None:
    context = chromium.new_context(locale="ru-RU")
    try:
        page = context.new_page()
        page.goto(world.page_url())
        page.locator(W + ".launcher[aria-label='Открыть чат']").click()
        assert page.locator(W + "textarea.ta").get_attribute("placeholder") == "Напишите сообщение…"
        send(page, "Здравствуйте")
        page.locator(W + ".row.mine[data-status=sent] .state").filter(
            has_text="Отправлено"
        ).wait_for()
        assert page.locator(W + ".day").first.text_content() == "Сегодня"
    finally:
        context.close()
    english_browser = chromium.new_context(locale="en-US")
    try:
        page = english_browser.new_page()
        page.goto(world.page_url("/ru.html", locale="ru"))
        page.locator(W + ".launcher[aria-label='Открыть чат']").wait_for()
    finally:
        english_browser.close()


def closed_until_the_day_after_tomorrow() -> dict[str, Any]:
    """Inbox fields: open 09:00-18:00 in Moscow every day, but today and tomorrow are holidays,
    so the team is back the day after tomorrow at 09:00 Moscow time."""
    today = datetime.now(MOSCOW).date()
    return {
        "routing": "least_busy",
        "timezone": "Europe/Moscow",
        "business_hours": {day: [["09:00", "18:00"]] for day in DAYS},
        "holidays": [today.isoformat(), (today + timedelta(days=1)).isoformat()],
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_outside_business_hours_the_widget_says_when_the_team_is_back_and_takes_the_message(
    make_world: Any, chromium: Any
) -> None:
    world = make_world(**closed_until_the_day_after_tomorrow())  # its agent is online
    opening = datetime.combine(
        datetime.now(MOSCOW).date() + timedelta(days=2), dt_time(9), tzinfo=MOSCOW
    )
    # An English visitor in Tokyo: the time and the day are the visitor's (15:00 there).
    tokyo = ZoneInfo("Asia/Tokyo")
    days = (opening.astimezone(tokyo).date() - datetime.now(tokyo).date()).days
    day = "tomorrow" if days == 1 else f"on {opening.astimezone(tokyo):%A}"
    context = chromium.new_context(locale="en-US", timezone_id="Asia/Tokyo")
    try:
        page = context.new_page()
        page.goto(world.page_url())
        open_widget(page)
        back = f"We're back {day} at 3:00 PM"
        notice = page.locator(W + ".notice")
        notice.filter(has_text="Leave a message and we'll reply then.").wait_for()
        assert " ".join(notice.text_content().split()).startswith(back)
        assert "away" in page.locator(W + ".dot").get_attribute("class")
        shoot(page, "widget-en-closed.png")

        send(page, "Do you ship to Osaka?")
        page.locator(W + ".row.mine[data-status=sent]").wait_for()
        conversation = world.conversation_id(page)
        assert world.visitor_bodies(conversation) == ["Do you ship to Osaka?"]
        page.locator(W + ".card.email").wait_for()  # the away mode's email, as usual
        time.sleep(1.5)  # routing had its chance: the online agent gets nothing while closed
        detail = next(c for c in world.api.conversations() if c["id"] == conversation)
        assert detail["assignee"] is None and detail["queue_position"] == 1
    finally:
        context.close()

    # A Russian visitor in Moscow: the weekday in its case, the time as Moscow reads it.
    context = chromium.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
    try:
        page = context.new_page()
        page.goto(world.page_url("/ru.html"))
        page.locator(W + ".launcher").click()
        weekday = RU_ON_WEEKDAY[opening.weekday()]
        page.locator(W + ".notice").filter(has_text=f"Вернёмся {weekday} в 9:00").wait_for()
    finally:
        context.close()


RU_ON_WEEKDAY = [
    "в понедельник",
    "во вторник",
    "в среду",
    "в четверг",
    "в пятницу",
    "в субботу",
    "в воскресенье",
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_host_pages_api_and_the_keyboard(world: World, page: Any) -> None:
    page.goto(world.page_url())
    page.wait_for_function("window.HelpdeskWidget && window.HelpdeskWidget.version === '1'")
    page.evaluate(
        "window.got = []; HelpdeskWidget.on('message', (m) => window.got.push(m.body));"
        "HelpdeskWidget.identify({name: 'Ann Lee', email: 'ann@example.com'});"
        "HelpdeskWidget.open();"
    )
    page.locator(W + ".panel").wait_for(state="visible")
    assert (
        page.evaluate(
            "document.querySelector('[data-helpdesk-widget]').shadowRoot.activeElement.tagName"
        )
        == "TEXTAREA"
    )

    composer = page.locator(W + "textarea.ta")
    composer.type("line one")
    composer.press("Shift+Enter")
    composer.type("line two")
    composer.press("Enter")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    assert bubbles(page) == ["line one\nline two"]
    conversation = world.conversation_id(page)
    assert world.visitor_bodies(conversation) == ["line one\nline two"]
    contact = Contact.objects.get(conversations__id=conversation)
    assert (contact.name, contact.email) == ("Ann Lee", "ann@example.com")

    page.keyboard.press("Escape")
    page.locator(W + ".panel").wait_for(state="hidden")
    launcher = page.locator(W + ".launcher")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert (
        page.evaluate(
            "document.querySelector('[data-helpdesk-widget]').shadowRoot.activeElement?.className"
        )
        == "launcher"
    )

    world.api.reply(conversation, "A reply while closed")
    badge = page.locator(W + ".badge")
    badge.filter(has_text="1").wait_for()
    assert "1 unread message" in launcher.get_attribute("aria-label")
    wait_until(lambda: page.evaluate("window.got").count("A reply while closed") == 1, page=page)

    launcher.press("Enter")
    page.locator(W + ".panel").wait_for(state="visible")
    badge.wait_for(state="hidden")
    page.evaluate("HelpdeskWidget.close()")
    page.locator(W + ".panel").wait_for(state="hidden")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_assignment_resolution_and_rating_show_in_the_widget(world: World, page: Any) -> None:
    page.goto(world.page_url())
    open_widget(page)
    send(page, "Help!")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = world.conversation_id(page)

    world.api.action(conversation, "assign", {"operator": world.agent.pk})
    page.locator(W + ".sub").filter(has_text="Olga Smirnova is here to help").wait_for()
    assert page.locator(W + ".avatar").text_content() == "OS"

    world.api.action(conversation, "status", {"status": "resolved"})
    page.locator(W + ".notice").filter(has_text="This conversation is closed").wait_for()
    page.get_by_role("button", name="5 out of 5").click()
    page.locator(W + ".card.csat").filter(has_text="Thank you for your feedback!").wait_for()
    rating = wait_until(
        lambda: CsatResponse.objects.filter(conversation_id=conversation).first(),
        page=page,
        what="the rating stored",
    )
    assert rating.rating == 5
    # then a comment, which goes with the same stars
    page.get_by_label("Anything to add? (optional)").fill("Quick and kind, thank you")
    page.get_by_role("button", name="Send feedback").click()
    wait_until(
        lambda: CsatResponse.objects.filter(
            conversation_id=conversation, rating=5, comment="Quick and kind, thank you"
        ).exists(),
        page=page,
        what="the comment stored",
    )
    page.locator(W + ".card.csat textarea").wait_for(state="detached")
    assert page.locator(W + ".card.csat").filter(has_text="Thank you").count() == 1

    # writing again opens a new conversation, which the widget follows
    send(page, "One more question")
    wait_until(
        lambda: (
            bubbles(page) == ["One more question"]
            and page.locator(W + ".row.mine[data-status=sent]").count() == 1
        ),
        page=page,
        what="the new conversation shown",
    )
    assert page.locator(W + ".card.csat").count() == 0
    page.reload()
    page.locator(W + ".bubble").filter(has_text="One more question").wait_for()
    assert page.locator(W + ".card.csat, " + W + ".notice:visible").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_demo_page_with_the_helpdesks_own_strict_csp(world: World, page: Any) -> None:
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.location.get("url", "").endswith("favicon.ico")
            and errors.append(message.text)
        ),
    )
    page.goto(f"{world.helpdesk}/widget/demo/?inbox_key={world.inbox.inbox_key}")
    world.inbox.allowed_origins = []
    world.inbox.save(update_fields=["allowed_origins"])
    open_widget(page)
    send(page, "From the demo page")
    page.locator(W + ".row.mine[data-status=sent]").wait_for()
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_origin_the_inbox_does_not_allow_gets_no_chat(world: World, page: Any) -> None:
    world.inbox.allowed_origins = ["https://shop.example.com"]
    world.inbox.save(update_fields=["allowed_origins"])
    page.goto(world.page_url())
    open_widget_unavailable = page.locator(W + ".launcher")
    open_widget_unavailable.click()
    page.locator(W + ".banner").filter(has_text="not available on this site").wait_for()


# --- screenshots (WIDGET_SCREENSHOTS=1) -------------------------------------------------------

CONVERSATIONS = {
    "en": {
        "greeting": "Hi there! Ask us anything, we're happy to help.",
        "visitor": ["Hi! My order #4821 hasn't arrived yet.", "It was due on Monday."],
        "operator": "Sorry about that! It left our warehouse yesterday, tracking: "
        "https://track.example.com/4821",
        "last": "Thank you, that helps!",
        "agent": "Olga Smirnova",
        "inbox": "Acme Support",
    },
    "ru": {
        "greeting": "Здравствуйте! Задайте любой вопрос, мы с радостью поможем.",
        "visitor": ["Добрый день! Мой заказ №4821 ещё не пришёл.", "Обещали в понедельник."],
        "operator": "Простите за задержку! Заказ вчера уехал со склада, трек: "
        "https://track.example.com/4821",
        "last": "Спасибо, это помогло!",
        "agent": "Ольга Смирнова",
        "inbox": "Поддержка Acme",
    },
}


BLUR = "document.querySelector('[data-helpdesk-widget]').shadowRoot.activeElement?.blur()"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("WIDGET_SCREENSHOTS"), reason="WIDGET_SCREENSHOTS=1")
@pytest.mark.parametrize("language", ["en", "ru"])
def test_screenshots(make_world: Any, chromium: Any, language: str) -> None:
    text = CONVERSATIONS[language]
    world = make_world(name=text["inbox"], greeting=text["greeting"])
    world.agent.name = text["agent"]
    world.agent.save(update_fields=["name"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = world.page_url(
        f"/shot-{language}.html",
        locale=language,
        head="<style>body{margin:0;font-family:sans-serif;background:#f4f5f7}"
        "main{max-width:720px;margin:60px auto;padding:0 24px;color:#333}</style>",
        body="<main><h1>Acme</h1><p>Lorem ipsum dolor sit amet.</p></main>",
    )
    for name, options in {
        "desktop": {"viewport": {"width": 1280, "height": 800}},
        "phone": {"viewport": {"width": 375, "height": 667}, "is_mobile": True},
    }.items():
        context = chromium.new_context(device_scale_factor=2, **options)
        try:
            page = context.new_page()
            page.goto(url)
            page.locator(W + ".launcher").click()
            page.locator(W + ".panel").wait_for(state="visible")
            if name == "desktop":
                for body in text["visitor"]:
                    send(page, body)
                page.locator(W + ".row.mine[data-status=sent]").last.wait_for()
                conversation = world.conversation_id(page)
                page.evaluate("HelpdeskWidget.close()")
                world.api.reply(conversation, text["operator"])
                page.locator(W + ".badge").wait_for()
                page.evaluate(BLUR)
                page.screenshot(path=SCREENSHOTS / f"widget-{language}-launcher.png")
                page.evaluate("HelpdeskWidget.open()")
                page.locator(W + ".row[data-author=operator]").wait_for()
                send(page, text["last"])
                page.locator(W + ".row.mine[data-status=sent]").last.wait_for()
                console = ConsoleSocket(world.helpdesk, world.token)
                seq = max(m["seq"] for m in world.api.messages(conversation))
                console.send({"type": "read", "conversation": conversation, "seq": seq})
                page.locator(W + ".row.mine[data-status=read]").last.wait_for()
                console.send({"type": "typing", "conversation": conversation, "active": True})
                page.locator(W + ".typing").wait_for()
                console.close()
            else:
                page.locator(W + ".bubble").first.wait_for()
            page.mouse.move(0, 0)
            page.wait_for_timeout(400)
            if name == "phone":
                page.evaluate(BLUR)
            page.screenshot(path=SCREENSHOTS / f"widget-{language}-{name}.png")
        finally:
            context.close()
