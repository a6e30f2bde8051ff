"""The operator console in a real Chromium against a real server (tests/live_server.py): an
operator logs in through the login page, a visitor (a Python client of the widget API) writes,
and what each side sees is checked live, over the console websocket and the widget API.

Run: `python -m pytest tests/browser/test_console.py` (needs /usr/bin/chromium and playwright;
`UPDATE_SCREENSHOTS=1` also refreshes docs/screenshots/console-*.png).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chats.models import CannedResponse, Inbox, Label
from operators.models import Operator, Role, Status, Team
from tests.browser.helpers import OperatorApi, assert_accessible, record_page_errors, wait_until
from tests.factories import PASSWORD, InboxFactory, OperatorFactory, TeamFactory
from tests.live_server import live_server_url  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LIVE_MS = 10_000  # how long a live change may take to show, on a busy machine
ROOT = Path(__file__).resolve().parents[2]


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(shared_chromium: Browser) -> Browser:
    return shared_chromium


@dataclass
class Desk:
    """One helpdesk: a team, its web inbox, two agents of the team."""

    base: str
    team: Team
    inbox: Inbox
    olga: Operator
    alex: Operator


@pytest.fixture
def desk(live_server_url: str) -> Desk:  # noqa: F811
    team = TeamFactory(name="Support")
    inbox = InboxFactory(team=team, name="Shop website", routing="manual")
    olga = OperatorFactory(
        username="olga", name="Olga Operator", teams=[team], status=Status.ONLINE, max_chats=20
    )
    alex = OperatorFactory(
        username="alex", name="Alex Agent", teams=[team], status=Status.ONLINE, max_chats=20
    )
    return Desk(base=live_server_url, team=team, inbox=inbox, olga=olga, alex=alex)


class PageErrors(list[str]):
    """Script errors, CSP violations and unexpected dialogs seen by a page."""


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []
    errors = PageErrors()

    def make(locale: str = "en-US", timezone: str = "Europe/London", **options: Any) -> Page:
        context = browser.new_context(
            locale=locale,
            timezone_id=timezone,
            viewport={"width": 1440, "height": 900},
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(LIVE_MS)

        def on_dialog(dialog: Any) -> None:
            errors.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        record_page_errors(page, errors)
        return page

    yield make
    for context in contexts:
        context.close()
    # Closing the consoles makes the server write presence; let it finish before the test
    # database is flushed (a TRUNCATE racing those writes can deadlock).
    time.sleep(1.0)
    assert not errors, errors


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/console/")
    expect(page).to_have_url(f"{base}/login/?next=/console/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/console/", timeout=LIVE_MS)
    expect(page.get_by_test_id("me-menu")).to_be_visible()
    # The socket is up (its welcome came) before the test makes anything happen.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=connection-banner]')", timeout=LIVE_MS
    )
    page.wait_for_timeout(300)


# --- the visitor: a client of the widget API ----------------------------------------------


class Visitor:
    def __init__(self, desk: Desk, name: str, email: str, page_url: str = "") -> None:
        self.desk = desk
        external_id = f"customer-{uuid.uuid4().hex[:8]}"
        digest = hmac.new(
            desk.inbox.identity_secret.encode(), external_id.encode(), hashlib.sha256
        ).hexdigest()
        response = httpx.post(
            f"{desk.base}/api/widget/v1/sessions",
            json={
                "inbox_key": desk.inbox.inbox_key,
                "visitor_token": None,
                "locale": "en",
                "page": {"url": page_url or "https://shop.example.com/cart", "title": "Cart"},
                "identity": {
                    "external_id": external_id,
                    "name": name,
                    "email": email,
                    "hash": digest,
                },
            },
            timeout=15,
        )
        assert response.status_code in (200, 201), response.text
        self.token = response.json()["visitor_token"]
        self.conversation: int | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def send(self, body: str) -> dict[str, Any]:
        response = httpx.post(
            f"{self.desk.base}/api/widget/v1/messages",
            json={"client_id": uuid.uuid4().hex, "body": body},
            headers=self.headers,
            timeout=15,
        )
        assert response.status_code == 201, response.text
        message: dict[str, Any] = response.json()
        self.conversation = message["conversation"]
        return message

    def messages(self) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.desk.base}/api/widget/v1/messages", headers=self.headers, timeout=15
        )
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    def wait_for_message(self, body: str, timeout: float = LIVE_MS / 1000) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages():
                if message["body"] == body:
                    return message
            time.sleep(0.2)
        raise AssertionError(f"the visitor never got {body!r}")

    def socket_url(self) -> str:
        return self.desk.base.replace("http", "ws", 1) + (
            f"/ws/widget/v1/?inbox_key={self.desk.inbox.inbox_key}"
        )


def open_conversation(page: Page, conversation_id: int, folder: str = "unassigned") -> None:
    page.get_by_test_id(f"folder-{folder}").click()
    page.get_by_test_id(f"conversation-{conversation_id}").click()
    expect(page.get_by_test_id("conversation")).to_have_attribute(
        "data-conversation", str(conversation_id)
    )


def write(page: Page, text: str) -> None:
    composer = page.get_by_test_id("composer-input")
    composer.click()
    composer.fill(text)
    composer.press("Enter")


# --- tests ----------------------------------------------------------------------------------


def test_login_page_refuses_a_wrong_password_then_lets_the_operator_in(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    page.goto(f"{desk.base}/login/")
    page.fill("#id_username", "olga")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator(".login-error")).to_be_visible()
    expect(page).to_have_url(f"{desk.base}/login/")
    log_in(page, desk.base, "olga")
    expect(page.get_by_test_id("me-menu")).to_contain_text("Olga Operator")


def test_a_visitor_message_appears_in_the_console_live(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, desk.base, "olga")
    maria = Visitor(desk, "Maria Ivanova", "maria@example.com")
    first = maria.send("Hello! Where is my order 1042?")
    conversation = first["conversation"]

    # The new conversation is counted in Unassigned and listed there, without a reload.
    expect(page.get_by_test_id("count-unassigned")).to_have_text("1")
    page.get_by_test_id("folder-unassigned").click()
    row = page.get_by_test_id(f"conversation-{conversation}")
    expect(row).to_contain_text("Maria Ivanova")
    expect(row).to_contain_text("Where is my order 1042?")

    open_conversation(page, conversation)
    expect(page.get_by_test_id(f"message-{first['id']}")).to_contain_text("order 1042")
    expect(page.get_by_test_id("contact-name")).to_have_text("Maria Ivanova")
    expect(page.get_by_test_id("contact-email")).to_have_text("maria@example.com")

    second = maria.send("It was due yesterday.")
    expect(page.get_by_test_id(f"message-{second['id']}")).to_contain_text("It was due yesterday.")


def test_a_reply_from_the_console_reaches_the_visitor(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    maria = Visitor(desk, "Maria Ivanova", "maria@example.com")
    message = maria.send("Can I change the delivery address?")
    page = new_page()
    log_in(page, desk.base, "olga")
    with connect(maria.socket_url(), open_timeout=10) as socket:
        socket.send(json.dumps({"type": "hello", "visitor_token": maria.token, "last_seq": 1}))
        assert json.loads(socket.recv(timeout=10))["type"] == "welcome"
        open_conversation(page, message["conversation"])
        write(page, "Yes, of course. Which address?")

        frame = json.loads(socket.recv(timeout=10))
        while frame["type"] != "message":
            frame = json.loads(socket.recv(timeout=10))
        assert frame["message"]["body"] == "Yes, of course. Which address?"
        assert frame["message"]["author"]["kind"] == "operator"
    reply = maria.wait_for_message("Yes, of course. Which address?")
    assert reply["author"]["name"] == "Olga Operator"
    expect(page.get_by_test_id(f"message-{reply['id']}")).to_be_visible()
    expect(page.get_by_test_id("pending-message")).to_have_count(0)


def test_html_from_a_visitor_is_shown_as_text(desk: Desk, new_page: Callable[..., Page]) -> None:
    page = new_page()  # a dialog (alert) fails the test in the fixture
    log_in(page, desk.base, "olga")
    payload = (
        '<img src=x onerror="alert(1)"><script>alert(2)</script>'
        '<b>bold</b> <a href="javascript:alert(3)">click</a>'
    )
    hacker = Visitor(desk, '<svg onload="alert(4)">', "x@example.com")
    message = hacker.send(payload)
    page.get_by_test_id("folder-unassigned").click()
    row = page.get_by_test_id(f"conversation-{message['conversation']}")
    expect(row).to_contain_text('<svg onload="alert(4)">')
    expect(row).to_contain_text("<script>alert(2)</script>")
    row.click()
    shown = page.get_by_test_id(f"message-{message['id']}").locator(".msg-body")
    expect(shown).to_have_text(payload)
    assert shown.locator("img, script, b, a, svg").count() == 0
    assert page.get_by_test_id("messages").locator("img, svg[onload]").count() == 0
    expect(page.get_by_test_id("header-name")).to_have_text('<svg onload="alert(4)">')
    page.wait_for_timeout(500)  # an onerror handler would have fired by now


def test_a_private_note_never_reaches_the_visitor(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    maria = Visitor(desk, "Maria Ivanova", "maria@example.com")
    message = maria.send("Is there a discount for me?")
    page = new_page()
    log_in(page, desk.base, "olga")
    open_conversation(page, message["conversation"])
    seen_by_visitor: list[dict[str, Any]] = []
    with connect(maria.socket_url(), open_timeout=10) as socket:
        socket.send(json.dumps({"type": "hello", "visitor_token": maria.token, "last_seq": 0}))
        page.get_by_test_id("mode-note").click()
        expect(page.get_by_test_id("composer")).to_have_attribute("data-mode", "note")
        expect(page.get_by_test_id("note-warning")).to_be_visible()
        write(page, "Secret: VIP customer, give 15% off")
        note = page.locator("[data-private=true]", has_text="Secret: VIP customer")
        expect(note).to_be_visible()
        expect(note).to_contain_text("Private note")
        # A reply after the note: once the visitor has it, the note would have come before.
        page.get_by_test_id("mode-reply").click()
        write(page, "Let me check the offers for you.")
        deadline = time.monotonic() + LIVE_MS / 1000
        while time.monotonic() < deadline:
            frame = json.loads(socket.recv(timeout=10))
            seen_by_visitor.append(frame)
            if (
                frame["type"] == "message"
                and frame["message"]["body"] == "Let me check the offers for you."
            ):
                break
    bodies_seen = [frame.get("message", {}).get("body") for frame in seen_by_visitor]
    assert "Let me check the offers for you." in bodies_seen
    assert "Secret" not in json.dumps(seen_by_visitor, ensure_ascii=False)
    bodies = [item["body"] for item in maria.messages()]
    assert "Let me check the offers for you." in bodies
    assert not any("Secret" in body for body in bodies)
    # In the console the note stays a note: private, styled apart from the reply.
    reply = page.locator("[data-private=false]", has_text="Let me check the offers")
    expect(reply).to_be_visible()


def test_a_canned_response_is_inserted_with_the_contact_name(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    CannedResponse.objects.create(
        shortcut="greet",
        title="Greeting",
        body="Hello {{contact.name}}! I am {{operator.name}}, happy to help.",
        team=desk.team,
    )
    CannedResponse.objects.create(
        shortcut="bye", title="Goodbye", body="Bye, {{contact.name}}!", owner=desk.olga
    )
    maria = Visitor(desk, "Maria Ivanova", "maria@example.com")
    message = maria.send("Hi there")
    page = new_page()
    log_in(page, desk.base, "olga")
    open_conversation(page, message["conversation"])
    composer = page.get_by_test_id("composer-input")
    composer.click()
    composer.press_sequentially("/gr")
    popup = page.get_by_test_id("canned-popup")
    expect(popup).to_be_visible()
    expect(popup.get_by_test_id("canned-greet")).to_be_visible()
    expect(popup.get_by_test_id("canned-bye")).to_have_count(0)
    composer.press("Enter")
    expect(composer).to_have_value("Hello Maria Ivanova! I am Olga Operator, happy to help.")
    expect(popup).to_have_count(0)
    composer.press("Enter")
    reply = maria.wait_for_message("Hello Maria Ivanova! I am Olga Operator, happy to help.")
    assert reply["author"]["kind"] == "operator"


def test_assign_and_resolve_show_live_in_a_colleagues_console(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    maria = Visitor(desk, "Maria Ivanova", "maria@example.com")
    message = maria.send("I need help with a refund")
    conversation = message["conversation"]
    olga = new_page()
    alex = new_page()
    log_in(olga, desk.base, "olga")
    log_in(alex, desk.base, "alex")
    alex.get_by_test_id("folder-mine").click()
    expect(alex.get_by_test_id(f"conversation-{conversation}")).to_have_count(0)

    open_conversation(olga, conversation)
    olga.get_by_test_id("assign-button").click()
    olga.get_by_test_id("handoff-note").fill("Refunds are Alex's area")
    olga.get_by_test_id(f"assign-operator-{desk.alex.pk}").click()
    expect(olga.get_by_test_id("assignee-name")).to_have_text("Alex Agent")
    expect(olga.locator("[data-private=true]", has_text="Refunds are Alex's area")).to_be_visible()

    # Alex's console: the conversation arrives in Mine, with its handoff note, no reload.
    row = alex.get_by_test_id(f"conversation-{conversation}")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("row-assignee")).to_have_text("Alex Agent")
    row.click()
    expect(alex.locator("[data-private=true]", has_text="Refunds are Alex's area")).to_be_visible()
    # ... and a notification that says who handed it over
    expect(alex.get_by_test_id("notifications-count")).to_have_text("1")
    alex.get_by_test_id("notifications").click()
    expect(alex.locator(".notification[data-kind=assigned]")).to_have_text(
        re.compile(rf"^Olga Operator assigned conversation #{conversation} to you")
    )
    alex.keyboard.press("Escape")

    olga.get_by_test_id("resolve-button").click()
    expect(alex.get_by_test_id("conversation")).to_have_attribute("data-status", "resolved")
    expect(alex.get_by_test_id("reopen-button")).to_be_visible()
    expect(alex.get_by_test_id(f"conversation-{conversation}")).to_have_count(0)  # not open now
    alex.get_by_test_id("folder-resolved").click()
    expect(alex.get_by_test_id(f"conversation-{conversation}")).to_have_attribute(
        "data-status", "resolved"
    )


def test_keyboard_shortcuts_move_focus_and_resolve(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    visitors = [
        Visitor(desk, name, f"{index}@example.com")
        for index, name in enumerate(["First Customer", "Second Customer", "Third Customer"])
    ]
    ids = []
    for visitor in visitors:
        ids.append(visitor.send(f"Question from {visitor.desk.inbox.name}")["conversation"])
        time.sleep(0.05)
    newest_first = list(reversed(ids))
    page = new_page()
    log_in(page, desk.base, "olga")
    page.get_by_test_id("folder-unassigned").click()
    expect(page.get_by_test_id(f"conversation-{ids[0]}")).to_be_visible()
    page.locator("body").click(position={"x": 5, "y": 600})

    selected = page.get_by_test_id("conversation")
    page.keyboard.press("j")
    expect(selected).to_have_attribute("data-conversation", str(newest_first[0]))
    page.keyboard.press("j")
    expect(selected).to_have_attribute("data-conversation", str(newest_first[1]))
    page.keyboard.press("k")
    expect(selected).to_have_attribute("data-conversation", str(newest_first[0]))
    page.keyboard.press("Alt+j")
    expect(selected).to_have_attribute("data-conversation", str(newest_first[1]))

    page.keyboard.press("r")
    expect(page.get_by_test_id("composer-input")).to_be_focused()
    page.keyboard.type("draft kept")
    page.keyboard.press("Alt+k")  # works from inside the composer, which keeps the focus
    expect(selected).to_have_attribute("data-conversation", str(newest_first[0]))
    expect(page.get_by_test_id("composer-input")).to_be_focused()
    expect(page.get_by_test_id("composer-input")).to_have_value("")
    page.keyboard.press("Alt+n")
    expect(page.get_by_test_id("composer")).to_have_attribute("data-mode", "note")
    expect(page.get_by_test_id("composer-input")).to_be_focused()
    page.keyboard.press("Alt+j")
    expect(selected).to_have_attribute("data-conversation", str(newest_first[1]))
    expect(page.get_by_test_id("composer-input")).to_have_value("draft kept")  # per conversation
    expect(page.get_by_test_id("composer")).to_have_attribute("data-mode", "reply")
    expect(page.get_by_test_id("composer-input")).to_be_focused()

    page.keyboard.press("Alt+e")  # resolve; the next conversation opens
    expect(selected).to_have_attribute("data-conversation", str(newest_first[2]))
    expect(page.get_by_test_id(f"conversation-{newest_first[1]}")).to_have_count(0)
    response = httpx.get(
        f"{desk.base}/api/v1/conversations/{newest_first[1]}",
        headers={"Authorization": f"Bearer {token_of(desk.olga)}"},
        timeout=15,
    )
    assert response.json()["status"] == "resolved"

    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 600})
    page.keyboard.press("Shift+Slash")
    expect(page.get_by_test_id("shortcuts-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("shortcuts-help")).to_have_count(0)


def token_of(operator: Operator) -> str:
    from operators.services import token_issue

    return token_issue(operator=operator)[1]


def test_a_mention_in_a_note_notifies_the_colleague(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    maria = Visitor(desk, "Maria Ivanova", "maria@example.com")
    message = maria.send("My parcel arrived damaged")
    olga = new_page()
    alex = new_page()
    log_in(olga, desk.base, "olga")
    log_in(alex, desk.base, "alex")
    open_conversation(olga, message["conversation"])
    olga.get_by_test_id("mode-note").click()
    composer = olga.get_by_test_id("composer-input")
    composer.press_sequentially("@al")
    expect(olga.get_by_test_id("mention-popup")).to_be_visible()
    composer.press("Enter")
    expect(composer).to_have_value("@alex ")
    composer.press_sequentially("please arrange a replacement")
    expect(olga.get_by_test_id("will-notify")).to_contain_text("Alex Agent")
    composer.press("Enter")
    expect(olga.locator("[data-private=true] .mention", has_text="@alex")).to_be_visible()

    expect(alex.get_by_test_id("notifications-count")).to_have_text("1")
    alex.get_by_test_id("notifications").click()
    alex.locator(".notification").first.click()
    expect(alex.get_by_test_id("conversation")).to_have_attribute(
        "data-conversation", str(message["conversation"])
    )
    expect(alex.get_by_test_id("notifications-count")).to_have_count(0)
    assert not any("arrange a replacement" in item["body"] for item in maria.messages())


def test_operator_status_switch_shows_in_a_colleagues_console(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    olga = new_page()
    alex = new_page()
    log_in(olga, desk.base, "olga")
    log_in(alex, desk.base, "alex")
    colleague = alex.get_by_test_id(f"operator-{desk.olga.pk}")
    expect(colleague).to_have_attribute("data-status", "online")
    olga.get_by_test_id("me-menu").click()
    olga.get_by_test_id("status-away").click()
    expect(olga.get_by_test_id("my-status")).to_have_text("Away")
    expect(colleague).to_have_attribute("data-status", "away")


def test_search_finds_messages_and_contacts(desk: Desk, new_page: Callable[..., Page]) -> None:
    parcel = Visitor(desk, "Maria Ivanova", "maria@example.com").send(
        "The parcel arrived damaged, I want a refund"
    )
    other = Visitor(desk, "Emma Brown", "emma@example.co.uk").send("Do you ship to Italy?")
    page = new_page()
    log_in(page, desk.base, "olga")
    search = page.get_by_test_id("search")
    search.fill("refunds")  # full text: English stemming finds "refund"
    results = page.get_by_test_id("search-results")
    expect(results.get_by_test_id(f"conversation-{parcel['conversation']}")).to_be_visible()
    expect(results.get_by_test_id(f"conversation-{other['conversation']}")).to_have_count(0)
    search.fill("emma@example")
    contact = results.locator("[data-testid^=contact-result-]")
    expect(contact).to_have_count(1)
    expect(contact).to_contain_text("Emma Brown")
    contact.click()
    expect(page.get_by_test_id("conversation")).to_have_attribute(
        "data-conversation", str(other["conversation"])
    )
    search.press("Escape")
    expect(page.get_by_test_id("list-title")).to_be_visible()


def test_labels_and_priority_show_live_in_a_colleagues_console(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    Label.objects.create(name="delivery")
    message = Visitor(desk, "Maria Ivanova", "maria@example.com").send("Where is my parcel?")
    conversation = message["conversation"]
    olga = new_page()
    alex = new_page()
    log_in(olga, desk.base, "olga")
    log_in(alex, desk.base, "alex")
    alex.get_by_test_id("folder-unassigned").click()
    row = alex.get_by_test_id(f"conversation-{conversation}")
    expect(row).to_be_visible()

    open_conversation(olga, conversation)
    olga.get_by_test_id("label-input").fill("delivery")
    olga.get_by_test_id("label-input").press("Enter")
    expect(olga.get_by_test_id("label-delivery")).to_be_visible()
    olga.get_by_test_id("priority").select_option("urgent")
    expect(row.locator(".chip.label")).to_have_text("delivery")
    expect(row.locator(".priority-urgent")).to_be_visible()
    # The label's own list shows it too.
    alex.get_by_test_id("folder-label:delivery").click()
    expect(alex.get_by_test_id(f"conversation-{conversation}")).to_be_visible()


def waiting_conversations(desk: Desk, count: int) -> list[int]:
    """`count` conversations in the desk's inbox, each with one unread message from its contact
    (written straight to the database: the widget API would be slower for no gain here)."""
    from chats.services.authors import Author
    from chats.services.conversations import conversation_open
    from chats.services.messages import message_create
    from tests.factories import ContactFactory

    ids = []
    for index in range(count):
        contact = ContactFactory(name=f"Customer {index}")
        conversation = conversation_open(inbox=desk.inbox, contact=contact)
        message_create(
            conversation_id=conversation.pk,
            author=Author.of_contact(contact),
            body=f"Question number {index}",
            client_id=None,
            private=False,
        )
        ids.append(conversation.pk)
    return ids


def test_the_unread_counters_count_beyond_the_first_page_and_follow_live(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    waiting_conversations(desk, 60)
    page = new_page()
    log_in(page, desk.base, "olga")
    counters = {
        name: page.get_by_test_id(f"count-{name}")
        for name in ("unassigned", "all", f"team:{desk.team.pk}")
    }

    # The server counts all 60; the console has loaded a first page (50) of the list.
    for counter in counters.values():
        expect(counter).to_have_text("60")
    expect(page.get_by_test_id("count-mine")).to_have_count(0)
    page.get_by_test_id("folder-unassigned").click()
    expect(page.locator("[data-testid^=conversation-]")).to_have_count(50)

    # A new message from a visitor: a 61st unread conversation, counted without a reload.
    maria = Visitor(desk, "Maria Ivanova", "maria@example.com")
    conversation = maria.send("Hello, is anyone there?")["conversation"]
    for counter in counters.values():
        expect(counter).to_have_text("61")

    # Opening it reads it: off the counters at once, and still off once the server has the mark.
    page.get_by_test_id(f"conversation-{conversation}").click()
    expect(page.get_by_test_id("conversation")).to_have_attribute(
        "data-conversation", str(conversation)
    )
    for counter in counters.values():
        expect(counter).to_have_text("60")
    api = OperatorApi(desk.base, token_of(desk.olga))
    wait_until(
        lambda: api.http.get("/api/v1/conversations/counts").json()["unassigned"]["unread"] == 60,
        what="the server stores the read mark",
        page=page,
    )
    page.wait_for_timeout(1500)  # the console's confirming refresh has answered by now
    for counter in counters.values():
        expect(counter).to_have_text("60")

    # A colleague replies in one of the others: it is read for every operator.
    colleague = OperatorApi(desk.base, token_of(desk.alex))
    other = next(row["id"] for row in colleague.conversations() if row["id"] != conversation)
    colleague.reply(other, "We are on it.")
    expect(counters["unassigned"]).to_have_text("59")


def test_a_draft_is_kept_per_conversation_across_a_reload(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    first = Visitor(desk, "First Customer", "1@example.com").send("Question one")
    second = Visitor(desk, "Second Customer", "2@example.com").send("Question two")
    page = new_page()
    log_in(page, desk.base, "olga")
    open_conversation(page, first["conversation"])
    page.get_by_test_id("composer-input").fill("Half-written answer")
    page.get_by_test_id(f"conversation-{second['conversation']}").click()
    expect(page.get_by_test_id("composer-input")).to_have_value("")
    page.reload()
    page.get_by_test_id("folder-unassigned").click()
    page.get_by_test_id(f"conversation-{first['conversation']}").click()
    expect(page.get_by_test_id("composer-input")).to_have_value("Half-written answer")


# --- screenshots ----------------------------------------------------------------------------


SHOWCASE: dict[str, dict[str, Any]] = {
    "en": {
        "team": "Sales",
        "canned": ("Greeting", "Hello {{contact.name}}!"),
        "people": [
            ("John Smith", "john@example.com", "Can I change the delivery address for my order?"),
            ("Emma Brown", "emma@example.co.uk", "My card payment fails with a 3-D Secure error."),
            ("Lucas Meyer", "lucas@example.de", "Thanks, all received!"),
            ("Sofia Rossi", "sofia@example.it", "Do you ship to Italy? How long does it take?"),
            ("Noah Wilson", "", "Is the blue jacket back in stock in size M?"),
        ],
        "main": ("Maria Ivanova", "maria@example.com"),
        "phone": "+44 20 7946 0958",
        "notes": "Loyal customer since 2021.",
        "question": "Hello! Where is my order #1042? It was due yesterday.",
        "reply": "Good afternoon, Maria! Let me check where it is. "
        "Details: https://shop.example.com/orders/1042",
        "note": "@alex the courier marked it delivered but she got nothing. "
        "Can you check with the carrier?",
        "thanks": "Thank you, I'll wait.",
        "operators": ("Olga Operator", "Alex Agent", "Sam Supervisor"),
    },
    "ru": {
        "team": "Продажи",
        "canned": ("Приветствие", "Здравствуйте, {{contact.name}}!"),
        "people": [
            ("Пётр Смирнов", "petr@example.ru", "Есть ли скидки для оптовых покупателей?"),
            ("Анна Кузнецова", "anna@example.ru", "Не проходит оплата картой: ошибка 3-D Secure."),
            ("Иван Петров", "ivan@example.ru", "Спасибо, всё получил!"),
            ("Ольга Соколова", "olga.s@example.ru", "Можно ли вернуть товар без чека?"),
            ("Дмитрий", "", "Синяя куртка размера M снова будет в наличии?"),
        ],
        "main": ("Мария Иванова", "maria@example.ru"),
        "phone": "+7 915 123-45-67",
        "notes": "Постоянный клиент с 2021 года.",
        "question": "Здравствуйте! Где мой заказ №1042? Должны были доставить вчера.",
        "reply": "Добрый день, Мария! Сейчас проверю, где заказ. "
        "Подробности: https://shop.example.com/orders/1042",
        "note": "@alex курьер отметил доставку, но клиент ничего не получил. "
        "Проверишь со службой доставки?",
        "thanks": "Спасибо, жду.",
        "operators": ("Ольга Операторова", "Алексей Агентов", "Семён Супервайзеров"),
    },
}


def seed_showcase(desk: Desk, language: str) -> tuple[int, Visitor]:
    """A realistic inbox: several customers, a VIP, a label, a priority, a note."""
    from chats.models import Contact, Conversation
    from chats.services import assigning, authors, conversations, messages

    data = SHOWCASE[language]
    olga_name, alex_name, sam_name = data["operators"]
    Operator.objects.filter(pk=desk.olga.pk).update(name=olga_name)
    Operator.objects.filter(pk=desk.alex.pk).update(name=alex_name)
    OperatorFactory(username="sam", name=sam_name, role=Role.SUPERVISOR, status=Status.AWAY)
    Label.objects.get_or_create(name="delivery")
    Label.objects.get_or_create(name="refund")
    TeamFactory(name=data["team"])
    title, body = data["canned"]
    CannedResponse.objects.create(shortcut="hello", title=title, body=body, team=desk.team)
    for name, email, text in data["people"]:
        Visitor(desk, name, email).send(text)
        time.sleep(0.05)
    main = Visitor(desk, *data["main"], page_url="https://shop.example.com/orders/1042")
    main.send(data["question"])
    conversation_id = main.conversation
    assert conversation_id is not None
    conversation = Conversation.objects.get(pk=conversation_id)
    Contact.objects.filter(pk=conversation.contact_id).update(
        vip=True, phone=data["phone"], notes=data["notes"]
    )
    olga = Operator.objects.get(pk=desk.olga.pk)
    assigning.conversation_assign(conversation=conversation, actor=olga, operator=olga)
    for text, private in ((data["reply"], False), (data["note"], True)):
        messages.message_create(
            conversation_id=conversation_id,
            author=authors.Author.of_operator(olga),
            body=text,
            client_id=None,
            private=private,
        )
    main.send(data["thanks"])
    conversation.refresh_from_db()
    conversations.conversation_labels_set(conversation=conversation, labels=["delivery"])
    conversations.conversation_priority_set(conversation=conversation, priority="high")
    return conversation_id, main


@pytest.mark.parametrize(
    ("language", "locale", "timezone"),
    [("en", "en-US", "Europe/London"), ("ru", "ru-RU", "Europe/Moscow")],
)
def test_console_screenshots(
    desk: Desk,
    new_page: Callable[..., Page],
    tmp_path: Path,
    language: str,
    locale: str,
    timezone: str,
) -> None:
    conversation_id, main = seed_showcase(desk, language)
    page = new_page(locale=locale, timezone=timezone)
    log_in(page, desk.base, "olga")
    page.get_by_test_id("folder-all").click()
    page.get_by_test_id(f"conversation-{conversation_id}").click()
    expect(page.get_by_test_id("messages").locator("[data-private=true]")).to_be_visible()
    # Something live: the visitor is typing in another conversation's row and here.
    with connect(main.socket_url(), open_timeout=10) as socket:
        socket.send(json.dumps({"type": "hello", "visitor_token": main.token, "last_seq": 0}))
        socket.recv(timeout=10)
        socket.send(json.dumps({"type": "typing", "active": True}))
        expect(page.get_by_test_id("typing")).not_to_be_empty()
        composer = page.get_by_test_id("composer-input")
        composer.click()
        composer.press_sequentially("/hel")
        expect(page.get_by_test_id("canned-popup")).to_be_visible()
        update = os.environ.get("UPDATE_SCREENSHOTS") == "1"
        target = ROOT / "docs" / "screenshots" if update else tmp_path
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"console-{language}.png"))
        composer.press("Escape")
        composer.fill("")
        page.get_by_test_id("mode-note").click()
        composer.press_sequentially("@")
        expect(page.get_by_test_id("mention-popup")).to_be_visible()
        page.screenshot(path=str(target / f"console-note-{language}.png"))
    assert (target / f"console-{language}.png").stat().st_size > 10_000


# --- accessibility and presence -------------------------------------------------------------


@pytest.mark.parametrize(("language", "locale"), [("en", "en-US"), ("ru", "ru-RU")])
def test_the_console_has_no_serious_accessibility_violation(
    desk: Desk, new_page: Callable[..., Page], language: str, locale: str
) -> None:
    conversation_id, _main = seed_showcase(desk, language)
    page = new_page(locale=locale)
    log_in(page, desk.base, "olga")
    assert_accessible(page, "the console's lists")
    page.get_by_test_id("folder-all").click()
    page.get_by_test_id(f"conversation-{conversation_id}").click()
    expect(page.get_by_test_id("messages").locator("[data-private=true]")).to_be_visible()
    expect(page.get_by_test_id("contact-panel")).to_be_visible()
    assert_accessible(page, "an open conversation with its contact pane")
    page.get_by_test_id("assign-button").click()
    expect(page.get_by_test_id("handoff-note")).to_be_visible()
    assert_accessible(page, "the assign menu")
    page.keyboard.press("Escape")
    page.get_by_test_id("me-menu").click()
    expect(page.get_by_test_id("status-away")).to_be_visible()
    assert_accessible(page, "the operator's menu")
    page.keyboard.press("Escape")
    composer = page.get_by_test_id("composer-input")
    composer.click()
    composer.press_sequentially("/hel")
    expect(page.get_by_test_id("canned-popup")).to_be_visible()
    assert_accessible(page, "the canned responses pop-up")


def test_an_operator_who_signs_in_offline_is_online_once_the_console_opens(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    Operator.objects.filter(pk=desk.olga.pk).update(status=Status.OFFLINE)
    page = new_page()

    log_in(page, desk.base, "olga")

    expect(page.get_by_test_id("my-status")).to_have_text("Online")
    wait_until(
        lambda: Operator.objects.get(pk=desk.olga.pk).status == Status.ONLINE,
        what="olga online",
        page=page,
    )
