"""The new channels' facts in the operator console, in a real Chromium against a real server
(tests/live_server.py): an email conversation shows its subject and an email mark in the list
and the header, an API one its mark; a contact written to from two inboxes with the same phone
number written two ways is offered to a supervisor to merge (asked first, in place), and once
merged the contact panel lists the conversations of both. An agent is offered nothing. The
pages pass axe-core with no serious or critical violation.

The data is made through the services, as a mail or an API call would have made it.

Run: python -m pytest tests/browser/test_channels_ui.py (Debian's Chromium at /usr/bin/chromium).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

pytest.importorskip("playwright")
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from chats.models import Contact, Conversation
from chats.services.authors import Author
from chats.services.conversations import conversation_open
from chats.services.messages import message_create
from operators.models import Role, Status
from tests.browser.helpers import assert_accessible, record_page_errors
from tests.factories import PASSWORD, ContactFactory, InboxFactory, OperatorFactory, TeamFactory
from tests.live_server import live_server_url  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_MS = 15_000
SUBJECT = "Order 1042 is late"
# A subject is the sender's words: shown as text, never as markup.
MARKUP_SUBJECT = "Invoice <b>#77</b> <img src=x onerror=alert(1)>"


@dataclass
class ChannelsDesk:
    base: str
    email_conversation: int
    markup_conversation: int
    api_conversation: int
    web_conversation: int
    maria: int
    duplicate: int


def say(conversation: Conversation, contact: Contact, body: str) -> None:
    message_create(conversation_id=conversation.pk, author=Author.of_contact(contact), body=body)


@pytest.fixture
def channels_desk(live_server_url: str) -> ChannelsDesk:  # noqa: F811
    team = TeamFactory(name="Support")
    web = InboxFactory(team=team, name="Shop website", channel="web")
    mail = InboxFactory(team=team, name="Support mail", channel="email")
    api = InboxFactory(team=team, name="Mobile app", channel="api")
    OperatorFactory(
        username="sam", name="Sam Supervisor", role=Role.SUPERVISOR, status=Status.ONLINE
    )
    OperatorFactory(
        username="olga", name="Olga Operator", teams=[team], status=Status.ONLINE, max_chats=20
    )
    # One person, written down twice: once from an email, once on the website.
    maria = ContactFactory(
        name="Maria Ivanova", email="maria@example.com", phone="+7 900 123-45-67"
    )
    duplicate = ContactFactory(
        name="M. Ivanova", email="m.ivanova@example.org", phone="8 (900) 123-45-67"
    )
    by_email = conversation_open(inbox=mail, contact=maria, subject=SUBJECT)
    say(by_email, maria, "Hello, my order 1042 has not arrived yet.")
    on_the_site = conversation_open(inbox=web, contact=duplicate)
    say(on_the_site, duplicate, "Is there a discount on a second order?")
    petr = ContactFactory(name="Petr Sidorov", email="petr@example.com")
    markup = conversation_open(inbox=mail, contact=petr, subject=MARKUP_SUBJECT)
    say(markup, petr, "The invoice is attached.")
    anna = ContactFactory(name="Anna from the app", email="anna@example.com")
    from_the_app = conversation_open(inbox=api, contact=anna)
    say(from_the_app, anna, "The app will not load my orders.")
    return ChannelsDesk(
        base=live_server_url,
        email_conversation=by_email.pk,
        markup_conversation=markup.pk,
        api_conversation=from_the_app.pk,
        web_conversation=on_the_site.pk,
        maria=maria.pk,
        duplicate=duplicate.pk,
    )


@pytest.fixture
def new_page(shared_chromium: Browser) -> Iterator[Callable[[], Page]]:
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

        def on_dialog(dialog: Dialog) -> None:
            errors.append(f"dialog: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
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
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("me-menu")).to_be_visible()
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=connection-banner]')", timeout=LIVE_MS
    )


def open_in_all(page: Page, conversation_id: int) -> None:
    page.get_by_test_id("folder-all").click()
    page.get_by_test_id(f"conversation-{conversation_id}").click()
    expect(page.get_by_test_id("conversation")).to_have_attribute(
        "data-conversation", str(conversation_id)
    )
    expect(page.get_by_test_id("contact-panel")).to_be_visible()


def test_a_supervisor_sees_an_emails_subject_and_merges_the_same_person_into_one_history(
    channels_desk: ChannelsDesk, new_page: Callable[[], Page]
) -> None:
    desk = channels_desk
    page = new_page()
    log_in(page, desk.base, "sam")
    page.get_by_test_id("folder-all").click()

    # The list: an email's subject is its row's first line, with the email mark.
    row = page.get_by_test_id(f"conversation-{desk.email_conversation}")
    expect(row.get_by_test_id("row-subject")).to_have_text(SUBJECT)
    expect(row.get_by_test_id("channel-icon")).to_have_attribute("data-channel", "email")
    expect(row.get_by_test_id("channel-icon")).to_have_attribute("aria-label", "Email")
    expect(row).to_contain_text("Maria Ivanova")
    # The sender's markup stays words.
    markup_row = page.get_by_test_id(f"conversation-{desk.markup_conversation}")
    expect(markup_row.get_by_test_id("row-subject")).to_have_text(MARKUP_SUBJECT)
    expect(markup_row.locator("b, img")).to_have_count(0)
    # An API conversation has its mark and no subject; the website's neither.
    api_row = page.get_by_test_id(f"conversation-{desk.api_conversation}")
    expect(api_row.get_by_test_id("channel-icon")).to_have_attribute("data-channel", "api")
    expect(api_row.get_by_test_id("row-subject")).to_have_count(0)
    web_row = page.get_by_test_id(f"conversation-{desk.web_conversation}")
    expect(web_row.get_by_test_id("channel-icon")).to_have_count(0)
    expect(web_row.get_by_test_id("row-subject")).to_have_count(0)
    assert_accessible(page, "the list with email and API conversations")

    # The header: the subject beside the contact's name, the email mark among its facts.
    row.click()
    header = page.locator(".conv-header")
    expect(page.get_by_test_id("header-name")).to_have_text("Maria Ivanova")
    expect(page.get_by_test_id("header-subject")).to_contain_text(SUBJECT)
    expect(header.get_by_test_id("channel-mark")).to_have_attribute("data-channel", "email")
    expect(header.get_by_test_id("channel-mark")).to_contain_text("Email")

    # The contact panel offers the same person, written down from the website.
    panel = page.get_by_test_id("contact-panel")
    notice = panel.get_by_test_id("merge-suggestions")
    expect(notice).to_contain_text("Possibly the same person")
    suggestion = notice.get_by_test_id(f"merge-suggestion-{desk.duplicate}")
    expect(suggestion).to_contain_text("M. Ivanova")
    expect(suggestion).to_contain_text("8 (900) 123-45-67")
    expect(suggestion).to_contain_text("m.ivanova@example.org")
    history = panel.get_by_test_id("contact-history")
    expect(history.get_by_role("button")).to_have_count(1)
    expect(history.get_by_test_id(f"history-{desk.email_conversation}")).to_have_attribute(
        "aria-current", "true"
    )
    assert_accessible(page, "an email conversation with a merge suggestion")

    # Merge asks first, in place; Cancel takes it back.
    merge = suggestion.get_by_role("button", name="Merge M. Ivanova into this contact")
    merge.click()
    confirm = suggestion.get_by_test_id("merge-confirm")
    expect(confirm).to_contain_text("Merge M. Ivanova into Maria Ivanova?")
    expect(suggestion.get_by_test_id("merge-yes")).to_be_focused()
    assert_accessible(page, "the merge asked in place")
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_have_count(0)
    assert Contact.objects.filter(pk=desk.duplicate).exists()

    merge.click()
    suggestion.get_by_test_id("merge-yes").click()

    # The panel shows the answer: no more suggestion, the history of both.
    expect(notice).to_have_count(0)
    expect(history.get_by_role("button")).to_have_count(2)
    website = history.get_by_test_id(f"history-{desk.web_conversation}")
    expect(website).to_contain_text("Is there a discount on a second order?")
    expect(website).to_contain_text("Shop website")
    expect(website.get_by_test_id("channel-icon")).to_have_attribute("aria-label", "Website")
    by_email = history.get_by_test_id(f"history-{desk.email_conversation}")
    expect(by_email.get_by_test_id("history-line")).to_have_text(SUBJECT)
    expect(by_email.get_by_test_id("channel-icon")).to_have_attribute("data-channel", "email")
    expect(page.locator(".toasts")).to_contain_text("M. Ivanova merged into this contact")
    assert not Contact.objects.filter(pk=desk.duplicate).exists()
    assert Conversation.objects.get(pk=desk.web_conversation).contact_id == desk.maria
    assert_accessible(page, "the contact panel with the merged history")

    # A conversation of the history opens on a click, the same contact beside it.
    website.click()
    expect(page.get_by_test_id("conversation")).to_have_attribute(
        "data-conversation", str(desk.web_conversation)
    )
    expect(page.get_by_test_id("header-name")).to_have_text("Maria Ivanova")
    expect(page.get_by_test_id("header-subject")).to_have_count(0)
    expect(history.get_by_test_id(f"history-{desk.web_conversation}")).to_have_attribute(
        "aria-current", "true"
    )


def test_an_agent_is_not_offered_to_merge_contacts(
    channels_desk: ChannelsDesk, new_page: Callable[[], Page]
) -> None:
    desk = channels_desk
    page = new_page()
    log_in(page, desk.base, "olga")

    open_in_all(page, desk.email_conversation)

    panel = page.get_by_test_id("contact-panel")
    history = panel.get_by_test_id("contact-history")
    expect(history.get_by_test_id(f"history-{desk.email_conversation}")).to_be_visible()
    expect(page.get_by_test_id("header-subject")).to_contain_text(SUBJECT)
    expect(panel.get_by_test_id("merge-suggestions")).to_have_count(0)
    expect(panel.get_by_role("button", name="Merge", exact=False)).to_have_count(0)
    assert Contact.objects.filter(pk=desk.duplicate).exists()
