"""An email inbox made through the API against the real mail servers of `tests.mail_servers`;
`poll()` reads its mailbox as beat's task does. Celery runs eagerly: a reply is sent over SMTP
before the test goes on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from chats.connectors.email.inbound import mailbox_poll
from chats.models import EmailAccount, Inbox
from operators.models import Operator, Team
from tests.mail_servers import MailServers, mail, mail_servers  # noqa: F401


@dataclass
class MailInbox:
    inbox: Inbox
    address: str
    servers: MailServers

    def receive(self, *mails: bytes) -> None:
        self.servers.imap.deliver(self.address, *mails)

    def poll(self) -> int:
        return mailbox_poll(account_id=EmailAccount.objects.get(inbox=self.inbox).pk)


def make_email_inbox(client: Any, team: Team, servers: MailServers, **changes: Any) -> Any:
    address = servers.mailbox()
    response = client.post(
        "/api/v1/inboxes",
        {
            "name": "Support mail",
            "channel": "email",
            "team": team.pk,
            "email": servers.inbox_settings(address, **changes),
        },
        format="json",
    )
    return address, response


@pytest.fixture
def email_inbox(
    mail: MailServers,  # noqa: F811
    admin: Operator,
    client_for: Any,
    team: Team,
    eager_celery: None,
) -> MailInbox:
    address, response = make_email_inbox(client_for(admin), team, mail)
    assert response.status_code == 201, response.json()
    return MailInbox(Inbox.objects.get(pk=response.json()["id"]), address, mail)
