"""Admins register webhooks; nobody else sees them. Targets inside the network are refused
when registered (and again when delivered: test_ssrf_at_delivery)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from chats.models import Webhook
from helpdesk.ssrf import address_allowed, literal_address
from operators.models import Operator

pytestmark = pytest.mark.django_db

EVENTS = ["message.created", "conversation.resolved"]


def _public_dns(monkeypatch: pytest.MonkeyPatch, mapping: dict[str, str]) -> None:
    """Names resolve as `mapping` says (a public site, or one that points inside)."""
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in mapping:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (mapping[host], port or 443))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_an_admin_registers_a_webhook_and_gets_its_secret(
    admin: Operator, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _public_dns(monkeypatch, {"crm.example.com": "93.184.216.34"})
    client = client_for(admin)
    response = client.post(
        "/api/v1/webhooks",
        {"url": "https://crm.example.com/hooks/helpdesk", "events": EVENTS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["url"] == "https://crm.example.com/hooks/helpdesk"
    assert body["events"] == sorted(EVENTS)
    assert body["include_private"] is False
    assert len(body["secret"]) == 64
    assert body["inbox"] is None and body["failing"] is False
    listed = client.get("/api/v1/webhooks").json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert listed["next"] is None


def test_agents_and_supervisors_cannot_see_or_register_webhooks(
    agent: Operator, supervisor: Operator, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _public_dns(monkeypatch, {"crm.example.com": "93.184.216.34"})
    webhook = Webhook.objects.create(url="https://crm.example.com/h", events=EVENTS, secret="s")
    for operator in (agent, supervisor):
        client = client_for(operator)
        assert client.get("/api/v1/webhooks").status_code == 403
        assert client.get(f"/api/v1/webhooks/{webhook.pk}").status_code == 403
        assert client.get(f"/api/v1/webhooks/{webhook.pk}/deliveries").status_code == 403
        created = client.post(
            "/api/v1/webhooks",
            {"url": "https://crm.example.com/x", "events": EVENTS},
            format="json",
        )
        assert created.status_code == 403
    assert Webhook.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/hook",
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8080/hook",
        "http://10.0.0.1/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://224.0.0.1/hook",
        "http://0.0.0.0/hook",
        "http://inside.example.com/hook",  # a public-looking name that resolves to 10.1.2.3
        "http://metadata.example.com/hook",  # ... and one to the metadata service
    ],
)
def test_targets_inside_the_network_are_refused(
    url: str, admin: Operator, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _public_dns(
        monkeypatch,
        {"inside.example.com": "10.1.2.3", "metadata.example.com": "169.254.169.254"},
    )
    response = client_for(admin).post(
        "/api/v1/webhooks", {"url": url, "events": EVENTS}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_url_not_allowed"
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize(
    "url", ["ftp://crm.example.com/x", "http://user:pw@crm.example.com/x", "not a url"]
)
def test_only_plain_http_urls_are_taken(url: str, admin: Operator, client_for: Any) -> None:
    response = client_for(admin).post(
        "/api/v1/webhooks", {"url": url, "events": EVENTS}, format="json"
    )
    assert response.status_code == 400
    assert Webhook.objects.count() == 0


def test_hosts_the_admin_trusts_may_be_private(
    admin: Operator, client_for: Any, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "crm.internal"]
    response = client_for(admin).post(
        "/api/v1/webhooks", {"url": "http://127.0.0.1:9000/hook", "events": EVENTS}, format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://crm.example.com/x", "events": ["message.sent"]},
        {"url": "https://crm.example.com/x", "events": []},
        {"url": "https://crm.example.com/x", "events": "message.created"},
        {"url": "https://crm.example.com/x"},
        {"events": EVENTS},
        {"url": "https://crm.example.com/" + "x" * 600, "events": EVENTS},
        {"url": "https://crm.example.com/x", "events": EVENTS, "secret": "mine"},
        {"url": "https://crm.example.com/x", "events": EVENTS, "include_private": "yes"},
    ],
)
def test_malformed_registrations_are_refused_and_store_nothing(
    body: dict[str, Any], admin: Operator, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _public_dns(monkeypatch, {"crm.example.com": "93.184.216.34"})
    response = client_for(admin).post("/api/v1/webhooks", body, format="json")
    assert response.status_code == 400
    assert "error" in response.json()
    assert Webhook.objects.count() == 0


def test_a_webhook_is_changed_rotated_and_deleted(
    admin: Operator, client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _public_dns(monkeypatch, {"crm.example.com": "93.184.216.34", "evil.example.com": "10.0.0.7"})
    client = client_for(admin)
    created = client.post(
        "/api/v1/webhooks", {"url": "https://crm.example.com/a", "events": EVENTS}, format="json"
    ).json()
    path = f"/api/v1/webhooks/{created['id']}"
    changed = client.patch(
        path, {"events": ["csat.created"], "include_private": True}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["events"] == ["csat.created"]
    assert changed.json()["include_private"] is True
    refused = client.patch(path, {"url": "https://evil.example.com/a"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "webhook_url_not_allowed"
    assert client.get(path).json()["url"] == "https://crm.example.com/a"
    rotated = client.post(f"{path}/secret").json()
    assert rotated["secret"] != created["secret"]
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert client.delete(path).status_code == 404


@pytest.mark.parametrize(
    "address",
    [
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::a9fe:a9fe",  # ... 169.254.169.254
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata service
        "64:ff9b::a9fe:a9fe",  # NAT64 of it
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::a00:1",  # local NAT64
        "::ffff:0:7f00:1",  # IPv4-translated
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "fec0::1",  # site-local
        "fc00::1",  # unique local
        "ff02::1",  # multicast
        "::ffff:10.0.0.1",  # IPv4-mapped private
    ],
)
def test_ipv6_that_reaches_inside_is_refused(
    address: str, admin: Operator, client_for: Any
) -> None:
    response = client_for(admin).post(
        "/api/v1/webhooks", {"url": f"http://[{address}]/hook", "events": EVENTS}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_url_not_allowed"


def test_public_addresses_of_both_families_are_taken() -> None:
    assert address_allowed("93.184.216.34")
    assert address_allowed("2606:2800:220:1:248:1893:25c8:1946")
    assert not address_allowed("2002:5db8:d822::1")  # 6to4, even of a public address


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("crm.example.com", None),
        ("1.example", None),
    ],
)
def test_hosts_that_are_addresses_in_disguise_are_read_as_addresses(
    host: str, address: str | None
) -> None:
    assert literal_address(host) == address
