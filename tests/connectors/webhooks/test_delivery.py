"""Deliveries reach a real receiver on loopback, signed, once per fact, in order per
conversation, retried with the same id, never through a redirect or to an address inside."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from chats.connectors.webhooks import fan_out
from chats.models import Conversation, Webhook, WebhookDelivery, WebhookEvent
from chats.services.conversations import conversation_open
from operators.models import Operator
from tests.fakes.webhook_receiver import Answer, Receiver, verify

pytestmark = pytest.mark.django_db(transaction=True)


def _reply(client: Any, conversation: Conversation, body: str, **extra: Any) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": body, **extra}, format="json"
    )
    assert response.status_code == 201, response.json()
    return dict(response.json())


def _due_now(webhook: Webhook) -> None:
    """As if the back-off had passed: the endpoint's pause and its deliveries' waits."""
    now = timezone.now()
    Webhook.objects.filter(pk=webhook.pk).update(paused_until=now)
    WebhookDelivery.objects.filter(webhook=webhook, state="pending").update(next_attempt_at=now)


def test_an_operators_reply_is_delivered_once_and_signed(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    webhook = make_webhook(receiver, ["message.created"])
    message = _reply(client_for(agent), conversation, "Your order ships today.")
    deliver()
    deliver()  # nothing is delivered twice
    [request] = receiver.wait_for(1)
    assert verify(request, webhook.secret)
    assert request.headers["content-type"] == "application/json"
    assert request.event == "message.created"
    payload = request.json
    assert payload["id"] == request.delivery_id
    assert payload["event"] == "message.created"
    assert payload["data"] == message
    assert payload["created_at"] == message["created_at"]
    assert len(receiver.received) == 1
    assert WebhookEvent.objects.count() == 0


def test_a_forged_signature_fails_the_receivers_check(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    make_webhook(receiver, ["message.created"])
    _reply(client_for(agent), conversation, "Hello")
    deliver()
    [request] = receiver.wait_for(1)
    assert not verify(request, "another secret")


def test_private_notes_reach_only_the_webhooks_that_ask_for_them(
    receiver: Receiver,
    second_receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    make_webhook(receiver, ["message.created"])
    make_webhook(second_receiver, ["message.created"], include_private=True)
    client = client_for(agent)
    note = _reply(client, conversation, "VIP, be nice", private=True)
    reply = _reply(client, conversation, "Hi there")
    deliver()
    second_receiver.wait_for(2)
    assert [r.json["data"]["id"] for r in second_receiver.received] == [note["id"], reply["id"]]
    assert [r.json["data"]["id"] for r in receiver.wait_for(1)] == [reply["id"]]


def test_a_failed_delivery_is_retried_with_the_same_id_and_body(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    admin: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    webhook = make_webhook(receiver, ["message.created"])
    receiver.answer(Answer(status=500))
    _reply(client_for(agent), conversation, "Refund approved")
    deliver()
    receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=5)
    deliver()  # not yet due: nothing is sent
    assert len(receiver.received) == 1
    _due_now(webhook)
    deliver()
    first, second = receiver.wait_for(2)
    assert second.delivery_id == first.delivery_id == str(delivery.uid)
    assert second.body == first.body and verify(second, webhook.secret)
    log = client_for(admin).get(f"/api/v1/webhooks/{webhook.pk}/deliveries").json()
    [row] = log["results"]
    assert row["id"] == str(delivery.uid)
    assert row["status"] == "delivered" and row["attempts"] == 2
    assert row["next_attempt_at"] is None
    assert [attempt["response_code"] for attempt in row["tries"]] == [200, 500]
    assert row["tries"][1]["error"] == "answered 500"


def test_deliveries_keep_the_order_of_their_conversation(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    webhook = make_webhook(receiver, ["message.created"])
    receiver.answer(Answer(status=503))
    client = client_for(agent)
    first = _reply(client, conversation, "one")
    second = _reply(client, conversation, "two")
    third = _reply(client, conversation, "three")
    deliver()
    assert [r.json["data"]["id"] for r in receiver.wait_for(1)] == [first["id"]]
    _due_now(webhook)
    deliver()
    bodies = [r.json["data"]["id"] for r in receiver.wait_for(4)]
    assert bodies == [first["id"], first["id"], second["id"], third["id"]]


def test_a_receiver_that_never_answers_holds_neither_the_chat_nor_other_webhooks(
    receiver: Receiver,
    second_receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
    settings: Any,
) -> None:
    settings.WEBHOOK_TIMEOUT = 5
    make_webhook(receiver, ["message.created"])  # dead: never answers
    make_webhook(second_receiver, ["message.created"])
    receiver.hang()
    client = client_for(agent)
    _reply(client, conversation, "first")
    sending = threading.Thread(target=deliver)
    sending.start()
    receiver.wait_for(1)  # the dead endpoint holds its request ...
    reply = _reply(client, conversation, "second")  # ... while the chat goes on
    assert not receiver.released.is_set()
    healthy = second_receiver.wait_for(1)  # ... and the other endpoint is served
    assert not receiver.released.is_set()
    assert healthy[0].json["data"]["body"] == "first"
    receiver.release()
    sending.join(timeout=30)
    deliver()
    assert [r.json["data"]["id"] for r in second_receiver.wait_for(2)][1] == reply["id"]


def test_a_redirect_is_not_followed(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    make_webhook(receiver, ["message.created"])
    receiver.answer(Answer(status=302, location="http://169.254.169.254/latest/meta-data/"))
    _reply(client_for(agent), conversation, "Hello")
    deliver()
    assert len(receiver.wait_for(1)) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending"
    assert delivery.response_code == 302
    assert "redirects are not followed" in delivery.error


def test_a_name_that_turns_to_an_inside_address_is_refused_at_delivery(
    receiver: Receiver,
    deliver: Callable[[], None],
    agent: Operator,
    admin: Operator,
    client_for: Any,
    conversation: Conversation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: public when registered, 127.0.0.1 (where the receiver listens) when
    delivered."""
    answers = {"crm.example.com": "93.184.216.34"}
    real = socket.getaddrinfo

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    url = f"http://crm.example.com:{receiver.port}/hook"
    created = client_for(admin).post(
        "/api/v1/webhooks", {"url": url, "events": ["message.created"]}, format="json"
    )
    assert created.status_code == 201
    answers["crm.example.com"] = "127.0.0.1"
    _reply(client_for(agent), conversation, "Hello")
    deliver()
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "pending" and delivery.response_code is None
    assert "127.0.0.1" in delivery.error and "not allowed" in delivery.error


def test_an_address_given_as_the_host_is_checked_at_delivery_too(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
    settings: Any,
) -> None:
    make_webhook(receiver, ["message.created"])
    settings.WEBHOOK_ALLOWED_HOSTS = []  # the admin no longer trusts it
    _reply(client_for(agent), conversation, "Hello")
    deliver()
    assert receiver.received == []
    assert "not an address webhooks may be sent to" in WebhookDelivery.objects.get().error


def test_a_delivery_given_up_after_a_day_is_sent_again_by_hand(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    admin: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    webhook = make_webhook(receiver, ["message.created"])
    receiver.answer(Answer(status=500))
    _reply(client_for(agent), conversation, "Hello")
    deliver()
    receiver.wait_for(1)
    WebhookDelivery.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    _due_now(webhook)
    receiver.answer(Answer(status=500))
    deliver()
    receiver.wait_for(2)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == 2
    admin_client = client_for(admin)
    path = f"/api/v1/webhooks/{webhook.pk}/deliveries/{delivery.uid}"
    detail = admin_client.get(path).json()
    assert detail["status"] == "failed" and detail["body"] == receiver.received[0].body.decode()
    failed = admin_client.get(f"/api/v1/webhooks/{webhook.pk}/deliveries?status=failed").json()
    assert [row["id"] for row in failed["results"]] == [str(delivery.uid)]
    Webhook.objects.filter(pk=webhook.pk).update(paused_until=timezone.now() + timedelta(hours=1))
    resent = admin_client.post(f"{path}/resend")  # the admin's resend probes a paused endpoint
    assert resent.status_code == 200 and resent.json()["status"] == "pending"
    deliver()
    third = receiver.wait_for(3)[2]
    assert third.delivery_id == str(delivery.uid)
    assert admin_client.get(path).json()["status"] == "delivered"


def test_every_subscribed_fact_is_delivered_with_its_object(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    inbox: Any,
    visitor: tuple[Any, str],
    widget_client_for: Any,
) -> None:
    make_webhook(receiver)  # every event
    client = client_for(agent)
    opened = conversation_open(inbox=inbox, contact=visitor[0].contact)
    path = f"/api/v1/conversations/{opened.pk}"
    assigned = client.post(f"{path}/assign", {"operator": agent.pk}, format="json")
    assert assigned.status_code == 200, assigned.json()
    _reply(client, opened, "Done")
    client.post(f"{path}/status", {"status": "resolved"}, format="json")
    widget = widget_client_for(visitor[1])
    assert widget.post("/api/widget/v1/csat", {"rating": 5}, format="json").status_code in (
        200,
        201,
    )
    client.post(f"{path}/status", {"status": "open"}, format="json")
    contact_id = visitor[0].contact_id
    client.patch(f"/api/v1/contacts/{contact_id}", {"name": "Anna"}, format="json")
    deliver()
    received = receiver.wait_for(7)
    # the conversation's in their order; the contact's (of no conversation) alongside
    assert [r.event for r in received if r.event != "contact.updated"] == [
        "conversation.created",
        "conversation.assigned",
        "message.created",
        "conversation.resolved",
        "csat.created",
        "conversation.reopened",
    ]
    assert len(receiver.of_event("contact.updated")) == 1
    by_event = {r.event: r.json["data"] for r in received}
    assert by_event["conversation.assigned"]["id"] == opened.pk
    assert by_event["csat.created"]["csat"]["rating"] == 5
    assert by_event["conversation.reopened"]["status"] == "open"
    assert by_event["contact.updated"]["id"] == contact_id
    assert by_event["contact.updated"]["name"] == "Anna"
    assert "conversations" not in by_event["contact.updated"]


def test_a_fact_that_rolls_back_leaves_nothing_to_deliver(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    make_webhook(receiver, ["message.created"])
    refused = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "  "}, format="json"
    )
    assert refused.status_code == 400
    assert WebhookEvent.objects.count() == 0
    assert fan_out.fan_out() == (0, 0)


def test_a_conversations_last_note_reaches_only_webhooks_that_take_notes(
    receiver: Receiver,
    second_receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
) -> None:
    make_webhook(receiver, ["conversation.resolved", "contact.updated"])
    make_webhook(
        second_receiver, ["conversation.resolved", "contact.updated"], include_private=True
    )
    client = client_for(agent)
    _reply(client, conversation, "All done, goodbye")
    _reply(client, conversation, "SECRET internal note", private=True)
    client.post(
        f"/api/v1/conversations/{conversation.pk}/status", {"status": "resolved"}, format="json"
    )
    client.patch(
        f"/api/v1/contacts/{conversation.contact_id}", {"notes": "SECRET about them"}, format="json"
    )
    deliver()
    public = receiver.wait_for(2)
    team = second_receiver.wait_for(2)
    assert all("SECRET" not in request.body.decode() for request in public)
    resolved = next(r for r in public if r.event == "conversation.resolved").json["data"]
    assert resolved["last_message"]["body"] == "All done, goodbye"
    assert "notes" not in next(r for r in public if r.event == "contact.updated").json["data"]
    internal = next(r for r in team if r.event == "conversation.resolved").json["data"]
    assert internal["last_message"]["body"] == "SECRET internal note"
    assert next(r for r in team if r.event == "contact.updated").json["data"]["notes"] == (
        "SECRET about them"
    )


def test_a_delivery_the_receiver_keeps_refusing_keeps_its_back_off(
    receiver: Receiver,
    make_webhook: Callable[..., Webhook],
    deliver: Callable[[], None],
    agent: Operator,
    client_for: Any,
    conversation: Conversation,
    inbox: Any,
) -> None:
    """Another conversation's deliveries get through meanwhile: the refused one is still
    tried only when its own back-off has passed."""
    webhook = make_webhook(receiver, ["message.created"])
    receiver.answer(Answer(status=422))
    _reply(client_for(agent), conversation, "refused")
    deliver()
    receiver.wait_for(1)
    refused = WebhookDelivery.objects.get()
    waits_until = refused.next_attempt_at
    Webhook.objects.filter(pk=webhook.pk).update(paused_until=timezone.now())
    other = conversation_open(inbox=inbox, contact=conversation.contact)
    _reply(client_for(agent), other, "accepted")
    deliver()
    receiver.wait_for(2)
    refused.refresh_from_db()
    assert refused.state == "pending" and refused.next_attempt_at == waits_until
    assert Webhook.objects.get(pk=webhook.pk).failures_in_row == 0
