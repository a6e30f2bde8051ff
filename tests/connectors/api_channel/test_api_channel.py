"""An external system (a CRM, a shop) brings its customers' messages in through an API inbox
and hears the operators' replies at its webhook."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from chats.connectors.webhooks import tasks
from chats.models import Contact, Conversation, Message, WebhookDelivery
from operators.models import Operator, Team
from tests.fakes.webhook_receiver import Receiver, receiver, verify  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def _api_inbox(admin_client: APIClient, team: Team, webhook_url: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "CRM", "channel": "api", "team": team.pk}
    if webhook_url is not None:
        body["api"] = {"webhook_url": webhook_url}
    response = admin_client.post("/api/v1/inboxes", body, format="json")
    assert response.status_code == 201, response.json()
    return dict(response.json())


def _system(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def crm(receiver: Receiver, admin: Operator, client_for: Any, team: Team) -> dict[str, Any]:  # noqa: F811
    return _api_inbox(client_for(admin), team, receiver.url)


def test_an_external_system_brings_a_customer_in_and_hears_the_reply(
    crm: dict[str, Any],
    receiver: Receiver,  # noqa: F811
    agent: Operator,
    client_for: Any,
) -> None:
    assert crm["channel"] == "api"
    assert crm["api"] == {"webhook_url": receiver.url}
    assert crm["inbox_token"].startswith("hdk_") and len(crm["webhook_secret"]) == 64
    system = _system(crm["inbox_token"])

    contact = system.post(
        "/api/channel/v1/contacts",
        {"external_id": "crm-42", "name": "Olga", "email": "olga@example.com"},
        format="json",
    )
    assert contact.status_code == 201
    assert contact.json()["external_id"] == "crm-42" and contact.json()["name"] == "Olga"
    conversation = system.post(
        "/api/channel/v1/conversations", {"contact": "crm-42"}, format="json"
    )
    assert conversation.status_code == 201
    conversation_id = conversation.json()["id"]
    assert conversation.json()["channel"] == "api"
    assert conversation.json()["contact"]["name"] == "Olga"
    messages = f"/api/channel/v1/conversations/{conversation_id}/messages"
    sent = system.post(messages, {"body": "Where is my order?", "client_id": "m1"}, format="json")
    assert sent.status_code == 201
    assert sent.json()["author"]["kind"] == "visitor"

    # the operators see it as any other conversation
    operator = client_for(agent)
    listed = operator.get("/api/v1/conversations").json()["results"]
    assert [row["id"] for row in listed] == [conversation_id]
    note = operator.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"body": "check the warehouse", "private": True},
        format="json",
    )
    reply = operator.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"body": "It ships today."},
        format="json",
    )
    assert note.status_code == reply.status_code == 201

    tasks.run_until_idle()
    [delivered] = receiver.wait_for(1)
    assert verify(delivered, crm["webhook_secret"])
    assert delivered.event == "message.created"
    assert delivered.json["data"]["id"] == reply.json()["id"]
    assert delivered.json["data"]["body"] == "It ships today."

    # the system reads the conversation back: never the note
    seen = system.get(f"/api/channel/v1/conversations/{conversation_id}").json()
    assert seen["last_message"]["body"] == "It ships today."
    internal = operator.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"body": "SECRET: refund later", "private": True},
        format="json",
    )
    assert internal.status_code == 201
    seen = system.get(f"/api/channel/v1/conversations/{conversation_id}").json()
    assert "SECRET" not in str(seen)
    read = system.get(f"{messages}?after_seq=0").json()
    assert [row["body"] for row in read["results"]] == ["Where is my order?", "It ships today."]
    after = system.get(f"{messages}?after_seq={sent.json()['seq']}").json()
    assert [row["body"] for row in after["results"]] == ["It ships today."]


def test_the_same_external_id_and_client_id_are_stored_once(
    crm: dict[str, Any],
    receiver: Receiver,  # noqa: F811
) -> None:
    system = _system(crm["inbox_token"])
    first = system.post("/api/channel/v1/contacts", {"external_id": "7"}, format="json")
    again = system.post(
        "/api/channel/v1/contacts", {"external_id": "7", "phone": "+7 900 000-00-00"}, format="json"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["phone"] == "+7 900 000-00-00"
    assert Contact.objects.count() == 1
    conversation_id = system.post(
        "/api/channel/v1/conversations", {"contact": "7"}, format="json"
    ).json()["id"]
    path = f"/api/channel/v1/conversations/{conversation_id}/messages"
    one = system.post(path, {"body": "Hello", "client_id": "x-1"}, format="json")
    two = system.post(path, {"body": "Hello again?", "client_id": "x-1"}, format="json")
    assert (one.status_code, two.status_code) == (201, 200)
    assert two.json()["id"] == one.json()["id"] and two.json()["body"] == "Hello"
    assert Message.objects.count() == 1
    # the visitor's own message never goes back to the system's webhook
    tasks.run_until_idle()
    assert receiver.received == [] and WebhookDelivery.objects.count() == 0


def test_a_token_of_another_inbox_finds_nothing_of_this_one(
    crm: dict[str, Any], admin: Operator, client_for: Any, other_team: Team
) -> None:
    shop = _api_inbox(client_for(admin), other_team, None)
    assert shop["api"] is None and shop["webhook_secret"] is None
    system = _system(crm["inbox_token"])
    system.post("/api/channel/v1/contacts", {"external_id": "a"}, format="json")
    conversation_id = system.post(
        "/api/channel/v1/conversations", {"contact": "a"}, format="json"
    ).json()["id"]
    intruder = _system(shop["inbox_token"])
    path = f"/api/channel/v1/conversations/{conversation_id}"
    assert intruder.get(path).status_code == 404
    assert intruder.get(f"{path}/messages").status_code == 404
    posted = intruder.post(f"{path}/messages", {"body": "hi"}, format="json")
    assert posted.status_code == 404
    refused = intruder.post("/api/channel/v1/conversations", {"contact": "a"}, format="json")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "contact_not_found"
    assert Message.objects.count() == 0 and Conversation.objects.count() == 1


@pytest.mark.parametrize(
    "header", [None, "Bearer nope", "Bearer hdk_forged", "Basic abc", "Bearer " + "x" * 5000]
)
def test_without_a_valid_inbox_token_nothing_is_answered(header: str | None) -> None:
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post("/api/channel/v1/contacts", {"external_id": "1"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"not_authenticated", "authentication_failed"}
    assert Contact.objects.count() == 0


def test_an_operator_token_is_not_an_inbox_token(agent_token: str) -> None:
    response = _system(agent_token).post(
        "/api/channel/v1/contacts", {"external_id": "1"}, format="json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("contacts", {}),
        ("contacts", {"external_id": ""}),
        ("contacts", {"external_id": "x" * 201}),
        ("contacts", {"external_id": 5}),
        ("contacts", {"external_id": "e", "email": "not-an-email"}),
        ("contacts", [1, 2]),
        ("conversations", {}),
        ("conversations", {"contact": ["a"]}),
        ("messages", {}),
        ("messages", {"body": "   "}),
        ("messages", {"body": "x" * 10_001}),
        ("messages", {"body": 42}),
        ("messages", {"body": "ok", "client_id": "c" * 65}),
    ],
)
def test_malformed_calls_are_refused_and_store_nothing(
    crm: dict[str, Any], path: str, body: Any
) -> None:
    system = _system(crm["inbox_token"])
    system.post("/api/channel/v1/contacts", {"external_id": "known"}, format="json")
    conversation_id = system.post(
        "/api/channel/v1/conversations", {"contact": "known"}, format="json"
    ).json()["id"]
    url = {
        "contacts": "/api/channel/v1/contacts",
        "conversations": "/api/channel/v1/conversations",
        "messages": f"/api/channel/v1/conversations/{conversation_id}/messages",
    }[path]
    response = system.post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]
    assert Contact.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 0


def test_an_oversized_body_is_refused_before_it_is_read(crm: dict[str, Any]) -> None:
    system = _system(crm["inbox_token"])
    response = system.post(
        "/api/channel/v1/contacts",
        '{"external_id": "' + "x" * (1024 * 1024 + 10) + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert Contact.objects.count() == 0


def test_a_message_to_a_resolved_conversation_reopens_it(
    crm: dict[str, Any], agent: Operator, client_for: Any
) -> None:
    system = _system(crm["inbox_token"])
    system.post("/api/channel/v1/contacts", {"external_id": "r"}, format="json")
    conversation_id = system.post(
        "/api/channel/v1/conversations", {"contact": "r"}, format="json"
    ).json()["id"]
    client_for(agent).post(
        f"/api/v1/conversations/{conversation_id}/status", {"status": "resolved"}, format="json"
    )
    system.post(
        f"/api/channel/v1/conversations/{conversation_id}/messages",
        {"body": "One more thing"},
        format="json",
    )
    assert system.get(f"/api/channel/v1/conversations/{conversation_id}").json()["status"] == "open"


def test_the_inbox_token_and_webhook_secret_are_never_shown_again(
    crm: dict[str, Any], admin: Operator, client_for: Any
) -> None:
    client = client_for(admin)
    shown = client.get(f"/api/v1/inboxes/{crm['id']}").json()
    assert "inbox_token" not in shown and "webhook_secret" not in shown
    assert crm["inbox_token"] not in str(client.get("/api/v1/inboxes").json())
    hooks = client.get("/api/v1/webhooks").json()["results"]
    assert [(hook["inbox"], hook["secret"]) for hook in hooks] == [(crm["id"], None)]
    changed = client.patch(
        f"/api/v1/webhooks/{hooks[0]['id']}", {"url": "http://127.0.0.1/x"}, format="json"
    )
    assert changed.status_code == 409


def test_an_inbox_webhook_url_is_checked_against_ssrf(
    admin: Operator, client_for: Any, team: Team, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    response = client_for(admin).post(
        "/api/v1/inboxes",
        {
            "name": "CRM",
            "channel": "api",
            "team": team.pk,
            "api": {"webhook_url": "http://169.254.169.254/x"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_url_not_allowed"


def test_an_inbox_given_a_webhook_later_shows_its_secret_once(
    admin: Operator,
    client_for: Any,
    team: Team,
    receiver: Receiver,  # noqa: F811
) -> None:
    client = client_for(admin)
    created = _api_inbox(client, team, None)
    changed = client.patch(
        f"/api/v1/inboxes/{created['id']}", {"api": {"webhook_url": receiver.url}}, format="json"
    )
    assert changed.status_code == 200
    assert len(changed.json()["webhook_secret"]) == 64
    again = client.patch(
        f"/api/v1/inboxes/{created['id']}",
        {"api": {"webhook_url": receiver.url + "2"}},
        format="json",
    ).json()
    assert again["webhook_secret"] is None and again["api"]["webhook_url"] == receiver.url + "2"


def test_repeated_calls_count_against_the_inboxs_rate_limit(
    crm: dict[str, Any], rate_clock: Any
) -> None:
    system = _system(crm["inbox_token"])
    codes = [system.get("/api/channel/v1/conversations/1").status_code for _ in range(605)]
    assert set(codes[:600]) == {404}
    assert set(codes[600:]) == {429}
    rate_clock.advance(1)
    assert system.get("/api/channel/v1/conversations/1").status_code == 404
