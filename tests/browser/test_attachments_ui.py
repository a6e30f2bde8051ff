"""Files in the widget and the console, in a real Chromium against a real server: a visitor's
image reaches the console (it loads, opens in the lightbox, Escape closes it), an operator's PDF
reaches the widget as a link that downloads from `/files/`, a file over the limit shows the
server's words on its chip and nothing is sent, and an operator's reply that failed to leave
through its channel shows why, with Retry. Plus what the console shows of a Telegram group's
conversation: the channel, the user, the group, a blocked bot, an edit, and hiding a message.

Run: python -m pytest tests/browser/test_attachments_ui.py (Debian's Chromium at /usr/bin/chromium).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Page, expect

from chats.models import Conversation, Message
from operators.models import Operator, Status, Team
from operators.services import token_issue
from tests.browser.helpers import (
    HostSite,
    OperatorApi,
    assert_accessible,
    embed_page,
    record_page_errors,
    wait_until,
)
from tests.factories import PASSWORD, InboxFactory, OperatorFactory, TeamFactory
from tests.live_server import live_server_url, serving  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_MS = 15_000  # how long a live change may take to show, on a busy machine
# Every widget locator starts at the widget's host element (Playwright's CSS pierces its shadow
# root), so that an element of the host page with the same class never matches.
W = "[data-helpdesk-widget] "


# --- files to send ----------------------------------------------------------------------------


def png(width: int = 120, height: int = 80) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 118, 214)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf() -> bytes:
    """A small PDF with one empty page (what the server recognises by its signature)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[HostSite]:
    with HostSite() as host:
        yield host


@dataclass
class Desk:
    """A team, its web inbox (allowed on the host site), and an agent who uses the console."""

    base: str
    site: HostSite
    team: Team
    olga: Operator
    api: OperatorApi

    def widget_page(self, inbox_key: str, helpdesk: str | None = None) -> str:
        return self.site.add("/shop.html", embed_page(helpdesk or self.base, inbox_key))


@pytest.fixture
def desk(live_server_url: str, site: HostSite) -> Iterator[Desk]:  # noqa: F811
    team = TeamFactory(name="Support")
    olga = OperatorFactory(
        username="olga", name="Olga Operator", teams=[team], status=Status.ONLINE, max_chats=20
    )
    api = OperatorApi(live_server_url, token_issue(operator=olga)[1])
    yield Desk(base=live_server_url, site=site, team=team, olga=olga, api=api)
    # Closing the pages makes the server write presence and read marks; let it finish before
    # the test database is flushed (a TRUNCATE racing those writes can deadlock).
    time.sleep(1.0)


@pytest.fixture
def web_inbox(desk: Desk) -> Any:
    return InboxFactory(
        team=desk.team,
        name="Acme Support",
        greeting="Hi! Ask us anything.",
        routing="manual",
        allowed_origins=[desk.site.origin],
    )


@pytest.fixture
def new_page(shared_chromium: Browser) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def make(**options: Any) -> Page:
        context = shared_chromium.new_context(
            locale="en-US",
            timezone_id="Europe/London",
            viewport={"width": 1440, "height": 900},
            accept_downloads=True,
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
    assert not errors, errors


# --- the two sides ----------------------------------------------------------------------------


def log_in(page: Page, base: str, username: str = "olga") -> None:
    page.goto(f"{base}/console/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/console/")
    expect(page.get_by_test_id("me-menu")).to_be_visible()
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=connection-banner]')", timeout=LIVE_MS
    )


def open_conversation(page: Page, conversation_id: int, folder: str = "unassigned") -> None:
    page.get_by_test_id(f"folder-{folder}").click()
    page.get_by_test_id(f"conversation-{conversation_id}").click()
    expect(page.get_by_test_id("conversation")).to_have_attribute(
        "data-conversation", str(conversation_id)
    )


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    page.locator(W + ".launcher").click()
    page.locator(W + ".panel").wait_for(state="visible")
    page.locator(W + ".panel .title").filter(has_text="Acme").wait_for()


def attach_in_widget(page: Page, name: str, mime: str, data: bytes) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator(W + "button.attach").click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def focused_in_widget(page: Page) -> str:
    """The class of the element focused inside the widget's shadow root."""
    return str(
        page.evaluate(
            "() => document.querySelector('[data-helpdesk-widget]').shadowRoot.activeElement"
            "?.className ?? ''"
        )
    )


# --- tests ------------------------------------------------------------------------------------


def test_a_visitors_image_reaches_the_console_and_opens_in_the_lightbox(
    desk: Desk, web_inbox: Any, new_page: Callable[..., Page]
) -> None:
    visitor = new_page()
    open_widget(visitor, desk.widget_page(web_inbox.inbox_key))
    send = visitor.locator(W + "button.send")
    expect(send).to_be_disabled()

    attach_in_widget(visitor, "photo.png", "image/png", png(120, 80))
    chip = visitor.locator(W + ".chip").filter(has_text="photo.png")
    expect(chip).to_have_attribute("data-state", "done")
    expect(send).to_be_enabled()  # a file alone may go
    assert_accessible(visitor, "the widget with a file attached")
    send.click()

    # the widget shows the image, and no empty bubble beside it
    shown = visitor.locator(W + ".row.mine .files .att-img img")
    expect(shown).to_have_attribute("alt", "photo.png")
    expect(visitor.locator(W + ".row.mine .bubble").first).to_be_hidden()
    expect(visitor.locator(W + ".chip")).to_have_count(0)
    visitor.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = wait_until(
        lambda: next(iter(desk.api.conversations()), {}).get("id"), what="a conversation"
    )
    [message] = desk.api.messages(conversation)
    assert message["body"] == ""
    [attachment] = message["attachments"]
    assert (attachment["name"], attachment["kind"]) == ("photo.png", "image")
    assert (attachment["width"], attachment["height"]) == (120, 80)

    # the visitor's own lightbox: inside the shadow root, Escape closes it, the focus returns
    visitor.locator(W + ".att-img").click()
    lightbox = visitor.locator(W + ".lightbox")
    expect(lightbox).to_be_visible()
    expect(lightbox).to_have_attribute("aria-label", "photo.png")
    assert "lb-close" in focused_in_widget(visitor)
    visitor.keyboard.press("Escape")
    expect(lightbox).to_be_hidden()
    expect(visitor.locator(W + ".panel")).to_be_visible()  # Escape closed the image only
    assert "att-img" in focused_in_widget(visitor)

    # the operator sees an image that really loads
    operator = new_page()
    log_in(operator, desk.base)
    open_conversation(operator, conversation)
    image = operator.get_by_test_id(f"message-{message['id']}").get_by_test_id("attachment-image")
    expect(image.locator("img")).to_have_attribute("alt", "photo.png")
    expect(image.locator("img")).to_have_attribute("width", "120")
    operator.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.locator("img").element_handle()
    )
    assert image.locator("img").evaluate("(img) => img.naturalWidth") == 120

    # a click opens the lightbox; Escape closes it and the focus goes back to the preview
    image.click()
    box = operator.get_by_test_id("lightbox")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("aria-modal", "true")
    expect(operator.get_by_test_id("lightbox-close")).to_be_focused()
    operator.wait_for_function(
        "() => document.querySelector('[data-testid=lightbox] img').naturalWidth > 0"
    )
    assert_accessible(operator, "the console's lightbox")
    operator.keyboard.press("j")  # the console's shortcuts wait while the image is open
    expect(operator.get_by_test_id("conversation")).to_have_attribute(
        "data-conversation", str(conversation)
    )
    operator.keyboard.press("Escape")
    expect(box).to_have_count(0)
    expect(image).to_be_focused()
    # a click outside the image closes it too
    image.click()
    expect(box).to_be_visible()
    operator.mouse.click(10, 10)
    expect(box).to_have_count(0)


def test_an_operators_pdf_reaches_the_widget_as_a_download(
    desk: Desk, web_inbox: Any, new_page: Callable[..., Page]
) -> None:
    visitor = new_page()
    open_widget(visitor, desk.widget_page(web_inbox.inbox_key))
    composer = visitor.locator(W + "textarea.ta")
    composer.fill("Could you send me the invoice?")
    composer.press("Enter")
    visitor.locator(W + ".row.mine[data-status=sent]").wait_for()
    conversation = wait_until(
        lambda: next(iter(desk.api.conversations()), {}).get("id"), what="a conversation"
    )

    operator = new_page()
    log_in(operator, desk.base)
    open_conversation(operator, conversation)
    with operator.expect_file_chooser() as chooser:
        operator.get_by_test_id("attach-button").click()
    chooser.value.set_files(
        files=[{"name": "invoice-1042.pdf", "mimeType": "application/pdf", "buffer": pdf()}]
    )
    chip = operator.get_by_test_id("upload-chip")
    expect(chip).to_have_attribute("data-state", "done")
    expect(chip).to_contain_text("invoice-1042.pdf")
    assert_accessible(operator, "the console's composer with a file")
    field = operator.get_by_test_id("composer-input")
    field.fill("Here is your invoice.")
    field.press("Enter")
    expect(operator.get_by_test_id("upload-chip")).to_have_count(0)
    sent = operator.locator("[data-testid^=message-]", has_text="Here is your invoice.")
    expect(sent.get_by_test_id("attachment-file")).to_contain_text("invoice-1042.pdf")

    # the widget shows the text and a link named after the file, to the helpdesk's /files/
    row = visitor.locator(W + ".row[data-author=operator]").filter(has_text="Here is your invoice.")
    expect(row.locator(".bubble")).to_have_text("Here is your invoice.")
    link = row.locator("a.att-file")
    expect(link).to_contain_text("invoice-1042.pdf")
    href = link.get_attribute("href") or ""
    assert href.startswith(f"{desk.base}/files/"), href
    assert href.endswith("/invoice-1042.pdf"), href

    # it downloads: a click saves the file (in a new tab that the download closes)
    with visitor.context.expect_event("download", timeout=LIVE_MS) as download:
        link.click()
    assert download.value.suggested_filename == "invoice-1042.pdf"
    saved = Path(download.value.path())
    assert saved.read_bytes() == pdf()
    served = httpx.get(href, timeout=15)
    assert served.status_code == 200
    assert served.headers["content-disposition"].startswith("attachment")


def test_a_file_over_the_limit_shows_the_servers_words_and_nothing_is_sent(
    desk: Desk, web_inbox: Any, new_page: Callable[..., Page]
) -> None:
    with serving({"ATTACHMENT_MAX_BYTES": "100000"}) as small:
        url = desk.widget_page(web_inbox.inbox_key, helpdesk=small)
        visitor = new_page()
        open_widget(visitor, url)
        attach_in_widget(visitor, "scan.tiff", "image/tiff", b"\0" * 120_000)
        chip = visitor.locator(W + ".chip").filter(has_text="scan.tiff")
        expect(chip).to_have_attribute("data-state", "failed")
        # the server's message (413 attachment_too_large), in the visitor's language: the
        # words the server gives the same upload
        token = visitor.evaluate(
            "(key) => JSON.parse(localStorage.getItem(`helpdesk-widget:v1:${key}`)).token",
            web_inbox.inbox_key,
        )
        answer = httpx.post(
            f"{small}/api/widget/v1/attachments",
            files={"file": ("scan.tiff", b"\0" * 120_000, "image/tiff")},
            headers={
                "Authorization": f"Bearer {token}",
                "Accept-Language": "en",
                "Origin": desk.site.origin,
            },
            timeout=15,
        )
        assert answer.status_code == 413, answer.text
        error = answer.json()["error"]
        assert error["code"] == "attachment_too_large"
        expect(chip.locator(".chip-err")).to_have_text(error["message"])
        assert "0.1 MiB" in error["message"]
        expect(chip.locator(".chip-err")).to_have_attribute("role", "alert")
        expect(visitor.locator(W + "button.send")).to_be_disabled()
        visitor.locator(W + "textarea.ta").press("Enter")
        assert_accessible(visitor, "the widget with a failed upload")

        # removed, the chip is gone and the send stays off until there is text
        chip.locator(".chip-x").click()
        expect(visitor.locator(W + ".chip")).to_have_count(0)
        expect(visitor.locator(W + "button.send")).to_be_disabled()
        visitor.wait_for_timeout(500)
    assert not Message.objects.exists()
    assert not Conversation.objects.exists()


def test_a_reply_that_failed_to_leave_shows_why_with_retry(
    desk: Desk, web_inbox: Any, new_page: Callable[..., Page]
) -> None:
    from chats.services import authors, messages

    contact_side = httpx.post(
        f"{desk.base}/api/widget/v1/sessions",
        json={
            "inbox_key": web_inbox.inbox_key,
            "visitor_token": None,
            "locale": "en",
            "page": {"url": f"{desk.site.origin}/shop.html", "title": "Shop"},
            "identity": None,
        },
        headers={"Origin": desk.site.origin},
        timeout=15,
    )
    assert contact_side.status_code in (200, 201), contact_side.text
    token = contact_side.json()["visitor_token"]
    first = httpx.post(
        f"{desk.base}/api/widget/v1/messages",
        json={"client_id": "c-1", "body": "Is my parcel on its way?"},
        headers={"Authorization": f"Bearer {token}", "Origin": desk.site.origin},
        timeout=15,
    ).json()
    conversation = first["conversation"]
    reply, _created = messages.message_create(
        conversation_id=conversation,
        author=authors.Author.of_operator(desk.olga),
        body="It left the warehouse this morning.",
    )
    Message.objects.filter(pk=reply.pk).update(
        delivery="failed", delivery_error="Forbidden: bot was blocked by the user"
    )
    delivered, _created = messages.message_create(
        conversation_id=conversation,
        author=authors.Author.of_operator(desk.olga),
        body="The tracking number is 1042.",
    )
    Message.objects.filter(pk=delivered.pk).update(delivery="sent")

    operator = new_page()
    log_in(operator, desk.base)
    open_conversation(operator, conversation)
    failed = operator.get_by_test_id(f"message-{reply.pk}")
    expect(failed).to_have_attribute("data-delivery", "failed")
    state = failed.get_by_test_id("delivery")
    expect(state).to_contain_text("Not delivered")
    expect(failed.get_by_test_id("delivery-error")).to_have_text(
        "Forbidden: bot was blocked by the user"
    )
    color = state.evaluate("(node) => getComputedStyle(node).color")
    assert color == "rgb(197, 48, 48)", color  # the danger colour
    retry = failed.get_by_test_id("delivery-retry")
    expect(retry).to_have_text("Retry")
    ok = operator.get_by_test_id(f"message-{delivered.pk}").get_by_test_id("delivery")
    expect(ok).to_have_attribute("data-delivery", "sent")
    assert_accessible(operator, "a reply that failed to leave")

    # Retry asks the server to send it again: it is pending once more, in place (no copy)
    retry.click()
    expect(failed).to_have_attribute("data-delivery", "pending")
    expect(failed.get_by_test_id("delivery-retry")).to_have_count(0)
    expect(operator.locator(f"[data-testid=message-{reply.pk}]")).to_have_count(1)
    assert Message.objects.get(pk=reply.pk).delivery == "pending"


def test_a_telegram_group_conversation_shows_its_channel_and_hides_a_message(
    desk: Desk, new_page: Callable[..., Page]
) -> None:
    from django.utils import timezone

    from chats.models import Contact, TelegramBot, TelegramChat
    from chats.services import authors, conversations, messages

    inbox = InboxFactory(team=desk.team, name="Acme Telegram", channel="telegram", routing="manual")
    bot = TelegramBot.objects.create(
        inbox=inbox, token="1:test", bot_id=1, username="acme_bot", webhook_secret="s"
    )
    contact = Contact.objects.create(name="Maria K")
    chat = TelegramChat.objects.create(
        bot=bot,
        chat_id=-100500,
        user_id=777001,
        kind="group",
        contact=contact,
        username="maria_k",
        title="Acme buyers",
        blocked=True,
    )
    conversation = conversations.conversation_open(inbox=inbox, contact=contact, telegram_chat=chat)
    author = authors.Author.of_contact(contact)
    spam, _created = messages.message_create(
        conversation_id=conversation.pk, author=author, body="Cheap watches at example.com"
    )
    edited, _created = messages.message_create(
        conversation_id=conversation.pk, author=author, body="Where is my order?"
    )
    Message.objects.filter(pk=edited.pk).update(edited_at=timezone.now())

    operator = new_page()
    log_in(operator, desk.base)
    open_conversation(operator, conversation.pk)
    mark = operator.get_by_test_id("channel-mark")
    expect(mark).to_have_attribute("data-channel", "telegram")
    expect(mark).to_contain_text("Telegram")
    expect(mark).to_contain_text("@maria_k")
    expect(mark).to_contain_text("Group: Acme buyers")
    assert mark.get_attribute("title") == "Telegram · @maria_k · Group: Acme buyers"
    header = operator.locator(".conv-header")
    expect(header.get_by_test_id("telegram-blocked")).to_have_text("Blocked the bot")
    expect(header.get_by_test_id("telegram-blocked")).to_be_in_viewport()
    panel = operator.get_by_test_id("panel-channel")
    expect(panel).to_contain_text("Telegram")
    expect(panel).to_contain_text("@maria_k")
    expect(panel).to_contain_text("Group: Acme buyers")

    edited_mark = operator.get_by_test_id(f"message-{edited.pk}").get_by_test_id("edited")
    expect(edited_mark).to_contain_text("edited")
    assert (edited_mark.get_attribute("title") or "").startswith("Edited ")

    # hide: a hover action, a confirmation (Escape cancels it), then hidden and marked
    row = operator.get_by_test_id(f"message-{spam.pk}")
    row.hover()
    row.get_by_test_id("hide-message").click()
    confirm = row.get_by_test_id("hide-confirm")
    expect(confirm).to_contain_text("Delete this message from the Telegram group?")
    expect(row.get_by_test_id("hide-yes")).to_be_focused()
    assert_accessible(operator, "hiding a group message")
    operator.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(row.get_by_test_id("hide-message")).to_be_focused()
    assert not Message.objects.get(pk=spam.pk).hidden
    row.get_by_test_id("hide-message").click()
    row.get_by_test_id("hide-yes").click()
    expect(row).to_have_attribute("data-hidden", "true")
    expect(row.get_by_test_id("hidden-mark")).to_have_text("Hidden from the group")
    expect(row.get_by_test_id("hide-message")).to_have_count(0)
    expect(operator.locator(f"[data-testid=message-{spam.pk}]")).to_have_count(1)
    assert Message.objects.get(pk=spam.pk).hidden
    # the contact's other message may still be hidden; an operator's reply never may
    other = operator.get_by_test_id(f"message-{edited.pk}")
    expect(other.get_by_test_id("hide-message")).to_have_count(1)
    field = operator.get_by_test_id("composer-input")
    field.fill("We are on it.")
    field.press("Enter")
    reply = operator.locator("[data-testid^=message-]", has_text="We are on it.")
    expect(reply).to_have_attribute("data-delivery", "pending")  # a reply through Telegram
    expect(reply.get_by_test_id("delivery")).to_have_attribute("title", "Delivering…")
    expect(reply.get_by_test_id("hide-message")).to_have_count(0)


PNG_IN_PAGE = """([b64, name, type]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    return transfer;
}"""


def test_files_come_by_paste_and_drop_too(
    desk: Desk, web_inbox: Any, new_page: Callable[..., Page]
) -> None:
    import base64

    image = base64.b64encode(png(40, 30)).decode()
    visitor = new_page()
    open_widget(visitor, desk.widget_page(web_inbox.inbox_key))
    # a file dropped on the open panel: the hint shows while it is dragged, then it uploads
    transfer = visitor.evaluate_handle(PNG_IN_PAGE, [image, "dropped.png", "image/png"])
    panel = visitor.locator(W + ".panel")
    panel.dispatch_event("dragenter", {"dataTransfer": transfer})
    expect(visitor.locator(W + ".drop")).to_be_visible()
    panel.dispatch_event("drop", {"dataTransfer": transfer})
    expect(visitor.locator(W + ".drop")).to_be_hidden()
    expect(visitor.locator(W + ".chip").filter(has_text="dropped.png")).to_have_attribute(
        "data-state", "done"
    )
    composer = visitor.locator(W + "textarea.ta")
    composer.fill("Here is the label")
    composer.press("Enter")
    visitor.locator(W + ".row.mine[data-status=sent] .att-img").wait_for()
    conversation = wait_until(
        lambda: next(iter(desk.api.conversations()), {}).get("id"), what="a conversation"
    )
    [sent] = desk.api.messages(conversation)
    assert sent["body"] == "Here is the label"
    assert [item["name"] for item in sent["attachments"]] == ["dropped.png"]

    # the operator pastes an image into a private note
    operator = new_page()
    log_in(operator, desk.base)
    open_conversation(operator, conversation)
    operator.get_by_test_id("mode-note").click()
    field = operator.get_by_test_id("composer-input")
    field.evaluate(
        """(node, [b64, name]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "image/png" }));
            node.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: transfer, bubbles: true, cancelable: true,
            }));
        }""",
        [image, "image.png"],
    )
    expect(operator.get_by_test_id("upload-chip")).to_have_attribute("data-state", "done")
    expect(operator.get_by_test_id("send")).to_be_enabled()
    field.press("Enter")
    note = operator.locator("[data-private=true]")
    expect(note.get_by_test_id("attachment-image")).to_be_visible()
    expect(note).to_contain_text("Private note")
    notes = [item for item in desk.api.messages(conversation) if item["private"]]
    assert [item["attachments"][0]["name"] for item in notes] == ["image.png"]
    assert notes[0]["body"] == ""
    # a dropped file goes to the open conversation's composer
    dropped = operator.evaluate_handle(PNG_IN_PAGE, [image, "second.png", "image/png"])
    pane = operator.get_by_test_id("conversation")
    pane.dispatch_event("dragenter", {"dataTransfer": dropped})
    expect(operator.get_by_test_id("drop-overlay")).to_be_visible()
    pane.dispatch_event("drop", {"dataTransfer": dropped})
    expect(operator.get_by_test_id("drop-overlay")).to_have_count(0)
    chip = operator.get_by_test_id("upload-chip")
    expect(chip).to_contain_text("second.png")
    chip.get_by_test_id("upload-remove").click()
    expect(operator.get_by_test_id("upload-chip")).to_have_count(0)
    # the visitor never sees the note
    visitor.wait_for_timeout(500)
    expect(visitor.locator(W + ".row[data-author=operator]")).to_have_count(0)
