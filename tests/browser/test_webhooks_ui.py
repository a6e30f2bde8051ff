"""The admins' Webhooks view in a real Chromium, against webhooks delivered for real: an admin adds
a webhook in the console (an address inside the network is refused in the server's words beside
the field), copies its secret, and watches its delivery log: an operator's reply is posted to a
receiver on loopback that answers 500 once, the log shows it pending with that answer, "Send
again" delivers it, and the receiver got the same delivery id twice, signed with the secret the
console showed. An agent's console has no Webhooks entry, nor a way in by the address bar.

The product runs as in production: uvicorn and a real Celery worker (no beat: the server asks the
worker for the fan-out and the sending), on a Redis database of their own, with the receiver's
host trusted (WEBHOOK_ALLOWED_HOSTS=127.0.0.1).

Run: python -m pytest tests/browser/test_webhooks_ui.py (Debian's Chromium at /usr/bin/chromium).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
import redis
from django.utils import timezone

pytest.importorskip("playwright")
from playwright.sync_api import Browser, Page, expect

from chats.models import Webhook, WebhookDelivery
from chats.services.conversations import conversation_open
from operators.models import Role, Status
from operators.services import token_issue
from tests.browser.helpers import OperatorApi, assert_accessible, wait_until
from tests.browser.telegram_deployment import own_redis_url, pages
from tests.factories import PASSWORD, ContactFactory, InboxFactory, OperatorFactory, TeamFactory
from tests.fakes.webhook_receiver import Answer, Receiver, start_receiver, verify
from tests.live_server import celery_worker, serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_MS = 20_000
# The log is polled every 10 s: a change shows within this much.
POLLED_MS = 30_000
# A Redis database no other test uses (the Telegram tests have 11 and 12): the worker below
# takes every task it finds there.
OWN_REDIS_DB = 13
ZONE = "Europe/Moscow"


@dataclass
class WebhookDesk:
    base: str
    receiver: Receiver
    conversation_id: int
    agent_api: OperatorApi


@pytest.fixture
def webhook_desk() -> Iterator[WebhookDesk]:
    redis_url = own_redis_url(OWN_REDIS_DB)
    redis.Redis.from_url(redis_url).flushdb()
    env = {"REDIS_URL": redis_url, "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
    team = TeamFactory(name="Support")
    inbox = InboxFactory(team=team, name="Shop website", routing="manual")
    OperatorFactory(username="ada", name="Ada Admin", role=Role.ADMIN, teams=[team])
    agent = OperatorFactory(
        username="olga", name="Olga Operator", teams=[team], status=Status.ONLINE, max_chats=20
    )
    conversation = conversation_open(inbox=inbox, contact=ContactFactory(name="Maria Ivanova"))
    receiver, server = start_receiver()
    try:
        with serving(env) as base, celery_worker(env):
            api = OperatorApi(base, token_issue(operator=agent)[1])
            yield WebhookDesk(
                base=base, receiver=receiver, conversation_id=conversation.pk, agent_api=api
            )
            api.http.close()
            time.sleep(1.0)  # let the server finish writing what closing the pages asked
    finally:
        receiver.release()
        server.shutdown()
        server.server_close()


@pytest.fixture
def new_page(shared_chromium: Browser) -> Iterator[Callable[[], Page]]:
    with pages(shared_chromium, zone=ZONE, timeout_ms=LIVE_MS) as make:
        yield make


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/console/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_test_id("me-menu")).to_be_visible()


def pause_over(webhook_id: int) -> bool:
    """The endpoint's pause after a failed attempt is over (the sender posts to it again)."""
    paused_until = Webhook.objects.get(pk=webhook_id).paused_until
    return paused_until is None or paused_until <= timezone.now()


def test_an_admin_adds_a_webhook_and_sends_a_failed_delivery_again_until_delivered(
    webhook_desk: WebhookDesk, new_page: Callable[[], Page]
) -> None:
    desk = webhook_desk
    admin = new_page()
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(admin, desk.base, "ada")

    admin.get_by_test_id("nav-webhooks").click()
    view = admin.get_by_test_id("webhooks-view")
    expect(view).to_be_visible()
    expect(admin).to_have_url(re.compile(r"#view=webhooks$"))
    expect(view).to_contain_text("No webhooks yet.")

    # An address inside the network is refused, in the server's words beside the field.
    admin.get_by_test_id("webhook-add").click()
    url = admin.get_by_test_id("webhook-url")
    expect(url).to_be_focused()
    url.fill("http://10.0.0.5/hook")
    admin.get_by_test_id("webhook-event-message.created").check()
    admin.get_by_test_id("webhook-save").click()
    refused = admin.get_by_test_id("webhook-url-error")
    expect(refused).to_contain_text("10.0.0.5")
    expect(refused).to_contain_text("private")
    expect(url).to_have_attribute("aria-invalid", "true")
    assert Webhook.objects.count() == 0
    assert_accessible(admin, "the webhook form with a refused address")

    url.fill(desk.receiver.url)
    expect(refused).to_have_count(0)
    admin.get_by_test_id("webhook-save").click()

    detail = admin.get_by_test_id("webhook-detail")
    expect(detail).to_be_visible()
    webhook = Webhook.objects.get()
    assert webhook.events == ["message.created"] and not webhook.include_private
    expect(admin).to_have_url(re.compile(rf"#view=webhooks&webhook={webhook.pk}$"))
    expect(detail.get_by_test_id("webhook-url-shown")).to_have_text(desk.receiver.url)
    expect(admin.get_by_test_id("webhook-secret-fresh")).to_be_visible()
    secret = admin.get_by_test_id("webhook-secret-value").input_value()
    assert secret == webhook.secret and re.fullmatch(r"[0-9a-f]{64}", secret)
    expect(admin.get_by_test_id("webhook-secret-hint")).to_contain_text(
        "X-Helpdesk-Signature is sha256="
    )
    copy = admin.get_by_test_id("webhook-secret-copy")
    expect(copy).to_be_focused()
    copy.click()
    expect(admin.locator(".toast", has_text="Secret copied")).to_be_visible()
    assert admin.evaluate("() => navigator.clipboard.readText()") == secret
    listed = admin.get_by_test_id(f"webhook-{webhook.pk}")
    expect(listed).to_contain_text("message.created")
    expect(listed.get_by_test_id("webhook-private")).to_have_text("Private notes: no")
    expect(admin.get_by_test_id("webhook-log")).to_contain_text("No deliveries yet.")

    # The receiver answers 500 once; an operator replies.
    desk.receiver.answer(Answer(status=500))
    desk.agent_api.reply(desk.conversation_id, "Your parcel ships today.")
    [first] = desk.receiver.wait_for(1, timeout=30)
    assert first.event == "message.created"

    row = admin.locator("[data-testid=webhook-deliveries] tbody[data-delivery]")
    expect(row).to_have_count(1, timeout=POLLED_MS)
    expect(row).to_have_attribute("data-status", "pending", timeout=POLLED_MS)
    expect(row.get_by_test_id("delivery-answer")).to_have_text("answered 500", timeout=POLLED_MS)
    expect(row.get_by_test_id("delivery-status")).to_have_text("Pending")
    expect(row.get_by_test_id("delivery-attempts")).to_have_text("1")
    expect(row.get_by_test_id("delivery-next-try")).to_be_visible()
    expect(listed.get_by_test_id("webhook-failing")).to_be_visible(timeout=POLLED_MS)
    delivery_id = row.get_attribute("data-delivery") or ""
    assert delivery_id == first.delivery_id
    stored = WebhookDelivery.objects.get()
    shown_at = row.get_by_test_id("delivery-last-attempt").get_attribute("datetime") or ""
    assert datetime.fromisoformat(shown_at) == stored.last_attempt_at

    # The row opens to its tries and the body it posted, exactly, as text.
    row.get_by_test_id("delivery-toggle").click()
    expect(row.get_by_test_id("delivery-toggle")).to_have_attribute("aria-expanded", "true")
    expect(row.get_by_test_id("delivery-try")).to_contain_text("answered 500")
    body = row.get_by_test_id("delivery-body")
    expect(body).to_have_text(first.body.decode())
    assert body.evaluate("(node) => node.tagName") == "PRE"
    assert_accessible(admin, "a webhook with its secret and an open delivery")

    # After the endpoint's pause (no beat here to try it again), "Send again" delivers it.
    wait_until(lambda: pause_over(webhook.pk), timeout=20, what="the endpoint's pause over")
    resend = row.get_by_test_id("delivery-resend")
    resend.click()
    expect(row).to_have_attribute("data-status", "delivered", timeout=POLLED_MS)
    expect(row.get_by_test_id("delivery-status")).to_have_text("Delivered")
    expect(row.get_by_test_id("delivery-answer")).to_have_text("200")
    expect(row.get_by_test_id("delivery-attempts")).to_have_text("2")
    expect(resend).to_be_focused()
    expect(listed.get_by_test_id("webhook-failing")).to_have_count(0, timeout=POLLED_MS)

    requests = desk.receiver.wait_for(2, timeout=10)
    assert len(requests) == 2
    assert {request.delivery_id for request in requests} == {delivery_id}
    assert all(verify(request, secret) for request in requests)
    assert requests[0].body == requests[1].body
    assert WebhookDelivery.objects.get().state == "delivered"

    # The delivery's conversation opens in the console.
    row.get_by_test_id("delivery-conversation").click()
    conversation = admin.get_by_test_id("conversation")
    expect(conversation).to_have_attribute("data-conversation", str(desk.conversation_id))
    expect(conversation).to_contain_text("Your parcel ships today.")
    expect(view).to_have_count(0)
    expect(admin).to_have_url(re.compile(rf"conversation={desk.conversation_id}"))


def test_an_agents_console_has_no_webhooks_view(
    webhook_desk: WebhookDesk, new_page: Callable[[], Page]
) -> None:
    desk = webhook_desk
    agent = new_page()
    log_in(agent, desk.base, "olga")
    expect(agent.get_by_test_id("folder-mine")).to_be_visible()
    expect(agent.get_by_test_id("nav-webhooks")).to_have_count(0)
    # Nor by the address bar: the console opens on the conversations.
    agent.goto(f"{desk.base}/console/#view=webhooks")
    expect(agent.get_by_test_id("me-menu")).to_be_visible()
    expect(agent.get_by_test_id("folder-mine")).to_be_visible()
    expect(agent.get_by_test_id("webhooks-view")).to_have_count(0)
    expect(agent.get_by_test_id("nav-webhooks")).to_have_count(0)
    assert desk.agent_api.http.get("/api/v1/webhooks").status_code == 403
