"""Every channel of issue 15 through the real product: uvicorn, a Celery worker and beat,
against dovecot and aiosmtpd on loopback and a webhook receiver, driven through the public API
alone (contract section 0).

- An external system brings a customer in through an API inbox; the operator's reply reaches
  the system's webhook, signed with the secret it was shown once.
- A mail arrives in the mailbox; beat's poll turns it into a conversation; the operator's reply
  leaves by SMTP threaded under it; its delivery becomes `sent`.
- An admin's webhook hears both conversations open, signed, each delivery once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bench.stack import Stack, _executable, free_ports
from tests.connectors.email import mails
from tests.e2e.routing_deployment import wait_for
from tests.fakes.webhook_receiver import Receiver, start_receiver, verify
from tests.mail_servers import MailServers, mail_servers  # noqa: F401

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "Admin-pass-123!"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found, server = start_receiver()
    yield found
    found.release()
    server.shutdown()
    server.server_close()


@pytest.fixture
def stack(mail_servers: MailServers) -> Iterator[Stack]:  # noqa: F811
    deployed = Stack(
        ports=free_ports(1),
        rate_limits=False,
        access_log=False,
        celery_concurrency=2,
        extra_env={
            "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_CA_FILE": mail_servers.tls.ca_file,
            "EMAIL_POLL_SECONDS": "1",
        },
    )
    try:
        deployed.start()
        deployed._spawn(
            "beat",
            [
                *_executable("celery"),
                "-A",
                "helpdesk",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(deployed.log_dir / "beat-schedule"),
            ],
        )
        yield deployed
    except BaseException:
        print(deployed.logs(80))
        raise
    finally:
        deployed.close()


def _admin(stack: Stack) -> httpx.Client:
    stack.create_superuser("admin", ADMIN_PASSWORD)
    http = httpx.Client(base_url=stack.base_url(0), timeout=30)
    token = http.post("/api/v1/auth/token", json={"username": "admin", "password": ADMIN_PASSWORD})
    http.headers["Authorization"] = f"Bearer {token.json()['token']}"
    return http


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


def _messages(http: httpx.Client, conversation_id: int) -> list[dict[str, Any]]:
    page = http.get(f"/api/v1/conversations/{conversation_id}/messages").json()
    return list(page["results"])


def test_api_email_and_webhooks_through_the_running_product(
    stack: Stack,
    receiver: Receiver,
    mail_servers: MailServers,  # noqa: F811
) -> None:
    admin = _admin(stack)
    team = _created(admin.post("/api/v1/teams", json={"name": "Support"}))
    watcher = _created(
        admin.post(
            "/api/v1/webhooks",
            json={"url": receiver.url + "/all", "events": ["conversation.created"]},
        )
    )
    crm = _created(
        admin.post(
            "/api/v1/inboxes",
            json={
                "name": "CRM",
                "channel": "api",
                "team": team["id"],
                "api": {"webhook_url": receiver.url + "/crm"},
            },
        )
    )
    address = mail_servers.mailbox()
    _created(
        admin.post(
            "/api/v1/inboxes",
            json={
                "name": "Mail",
                "channel": "email",
                "team": team["id"],
                "email": mail_servers.inbox_settings(address),
            },
        )
    )

    # the external system brings a customer in; the operator answers
    system = httpx.Client(
        base_url=stack.base_url(0),
        timeout=30,
        headers={"Authorization": f"Bearer {crm['inbox_token']}"},
    )
    _created(system.post("/api/channel/v1/contacts", json={"external_id": "c-1", "name": "Ivan"}))
    from_crm = _created(system.post("/api/channel/v1/conversations", json={"contact": "c-1"}))
    _created(
        system.post(
            f"/api/channel/v1/conversations/{from_crm['id']}/messages",
            json={"body": "Is my order ready?", "client_id": "crm-1"},
        )
    )
    reply = _created(
        admin.post(
            f"/api/v1/conversations/{from_crm['id']}/messages",
            json={"body": "Yes, pick it up today."},
        )
    )
    crm_delivery = wait_for(
        lambda: [r for r in receiver.received if r.path == "/hook/crm"] or None,
        "the operator's reply reaches the system's webhook",
        timeout=60,
    )
    assert len(crm_delivery) == 1
    assert verify(crm_delivery[0], crm["webhook_secret"])
    assert crm_delivery[0].json["data"]["id"] == reply["id"]

    # a mail arrives; beat's poll brings it in; the reply leaves threaded
    mail_servers.imap.deliver(address, mails.plain(address))
    by_mail = wait_for(
        lambda: next(
            (
                row
                for row in admin.get("/api/v1/conversations").json()["results"]
                if row["channel"] == "email"
            ),
            None,
        ),
        "beat's poll opens the mail's conversation",
        timeout=60,
    )
    assert by_mail["subject"] == "Order 1042 is late"
    answer = _created(
        admin.post(f"/api/v1/conversations/{by_mail['id']}/messages", json={"body": "On its way."})
    )
    [sent] = mail_servers.smtp.capture.wait_for(1, timeout=60)
    assert sent["In-Reply-To"] == "<plain-1@customer.example>"
    assert sent["Subject"] == "Re: Order 1042 is late"
    wait_for(
        lambda: next(
            (
                True
                for row in _messages(admin, by_mail["id"])
                if row["id"] == answer["id"] and row["delivery"] == "sent"
            ),
            None,
        ),
        "the reply's delivery becomes sent",
        timeout=30,
    )

    # the admin's webhook heard both conversations open, once each
    opened = wait_for(
        lambda: (
            [r for r in receiver.received if r.path == "/hook/all"]
            if len([r for r in receiver.received if r.path == "/hook/all"]) >= 2
            else None
        ),
        "the admin's webhook hears both conversations",
        timeout=60,
    )
    assert sorted(r.json["data"]["id"] for r in opened) == sorted([from_crm["id"], by_mail["id"]])
    assert all(verify(r, watcher["secret"]) for r in opened)
    assert len({r.delivery_id for r in opened}) == 2
