"""Mail in by IMAP and replies out by SMTP, against dovecot and aiosmtpd on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chats.connectors.email import inbound
from chats.models import (
    Attachment,
    Contact,
    Conversation,
    EmailAccount,
    EmailMessage,
    Inbox,
    Message,
)
from operators.models import Operator, Team
from tests.connectors.email import mails
from tests.connectors.email.conftest import MailInbox, make_email_inbox
from tests.mail_servers import PASSWORD, MailServers

pytestmark = pytest.mark.django_db(transaction=True)


def _reply(client: Any, conversation: Conversation, body: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": body}, format="json"
    )
    assert response.status_code == 201, response.json()
    return dict(response.json())


def test_a_mail_opens_a_conversation_and_the_reply_goes_back_threaded(
    email_inbox: MailInbox, agent: Operator, client_for: Any
) -> None:
    email_inbox.receive(mails.plain(email_inbox.address))
    assert email_inbox.poll() == 1
    conversation = Conversation.objects.get()
    assert conversation.inbox == email_inbox.inbox
    assert conversation.subject == "Order 1042 is late"
    assert conversation.contact.email == mails.CUSTOMER
    assert conversation.contact.name == "Olga Petrova"
    [message] = Message.objects.filter(conversation=conversation)
    assert message.body == "Hello,\nmy order 1042 has not arrived.\nOlga"
    assert message.author_kind == "visitor"

    client = client_for(agent)
    shown = client.get(f"/api/v1/conversations/{conversation.pk}").json()
    assert shown["channel"] == "email" and shown["subject"] == "Order 1042 is late"
    reply = _reply(client, conversation, "We are sorry!\nIt ships today.")
    assert reply["delivery"] == "pending"

    [sent] = email_inbox.servers.smtp.capture.wait_for(1)
    assert sent["From"].addresses[0].addr_spec == email_inbox.address
    assert sent["To"].addresses[0].addr_spec == mails.CUSTOMER
    assert sent["Subject"] == "Re: Order 1042 is late"
    assert sent["In-Reply-To"] == "<plain-1@customer.example>"
    assert "<plain-1@customer.example>" in sent["References"]
    assert sent["Message-ID"].endswith("@shop.test>")
    assert sent["X-Helpdesk-Conversation"] == str(conversation.pk)
    plain_part = sent.get_body(preferencelist=("plain",))
    html_part = sent.get_body(preferencelist=("html",))
    assert plain_part is not None and html_part is not None
    text = plain_part.get_content().replace("\r\n", "\n")
    assert text.startswith("We are sorry!\nIt ships today.")
    assert f"#{conversation.pk}" in text and email_inbox.inbox.team.name in text
    assert "We are sorry!<br>" in html_part.get_content()
    assert Message.objects.get(pk=reply["id"]).delivery == "sent"
    record = EmailMessage.objects.get(chat_message_id=reply["id"])
    assert record.message_id == sent["Message-ID"] and record.sent_at is not None

    # the customer answers the reply: the same conversation, the quote trimmed
    email_inbox.receive(mails.reply_to(email_inbox.address, sent["Message-ID"]))
    assert email_inbox.poll() == 1
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation=conversation).last().body == "Thank you, that helps!"


def test_an_html_only_mail_becomes_safe_text(email_inbox: MailInbox) -> None:
    email_inbox.receive(mails.html_only(email_inbox.address))
    email_inbox.poll()
    body = Message.objects.get().body
    assert "Where is invoice 77?" in body
    assert "https://customer.example/acct" in body
    assert "<p>" not in body and "<b>" not in body
    assert "alert" not in body and "color:red" not in body and "pixel.gif" not in body


def test_attachments_and_inline_images_are_kept(email_inbox: MailInbox) -> None:
    email_inbox.receive(mails.with_attachment(email_inbox.address))
    email_inbox.poll()
    message = Message.objects.get()
    assert message.body == "The parcel came damaged, photos attached."
    files = Attachment.objects.filter(message=message).order_by("id")
    assert [(item.kind, item.content_type) for item in files] == [
        ("image", "image/png"),
        ("file", "application/pdf"),
    ]
    assert files[1].name == "receipt.pdf"


def test_a_koi8r_mail_reads_in_russian(email_inbox: MailInbox) -> None:
    email_inbox.receive(mails.koi8r(email_inbox.address))
    email_inbox.poll()
    conversation = Conversation.objects.get()
    assert conversation.subject == "Заказ не пришёл"
    assert conversation.contact.name == "Ольга"
    assert Message.objects.get().body == "Здравствуйте! Заказ 1042 не пришёл."


def test_a_malformed_mail_is_kept_and_the_mail_after_it_still_arrives(
    email_inbox: MailInbox,
) -> None:
    email_inbox.receive(mails.malformed(), mails.plain(email_inbox.address))
    assert email_inbox.poll() == 2
    assert Conversation.objects.count() == 1
    assert EmailMessage.objects.filter(kind="unreadable").count() == 1
    assert Message.objects.get().body.startswith("Hello,")


def test_an_auto_reply_joins_its_conversation_and_is_never_answered(
    email_inbox: MailInbox, agent: Operator, client_for: Any
) -> None:
    email_inbox.receive(mails.plain(email_inbox.address))
    email_inbox.poll()
    conversation = Conversation.objects.get()
    _reply(client_for(agent), conversation, "It ships today.")
    [sent] = email_inbox.servers.smtp.capture.wait_for(1)
    email_inbox.receive(
        mails.auto_reply(email_inbox.address, sent["Message-ID"]),
        mails.auto_reply(email_inbox.address, "<unknown@elsewhere>").replace(
            b"<auto-1@customer.example>", b"<auto-2@customer.example>"
        ),
    )
    assert email_inbox.poll() == 2
    assert Conversation.objects.count() == 1  # the unmatched one opened nothing
    assert Message.objects.filter(conversation=conversation).last().body == (
        "I am on holiday until Monday."
    )
    assert EmailMessage.objects.filter(kind="auto_reply").count() == 2
    assert len(email_inbox.servers.smtp.capture.mails) == 1  # nothing answered it


def test_a_bounce_fails_the_reply_it_returns(
    email_inbox: MailInbox, agent: Operator, client_for: Any
) -> None:
    email_inbox.receive(mails.plain(email_inbox.address))
    email_inbox.poll()
    conversation = Conversation.objects.get()
    reply = _reply(client_for(agent), conversation, "It ships today.")
    [sent] = email_inbox.servers.smtp.capture.wait_for(1)
    email_inbox.receive(mails.bounce(email_inbox.address, sent["Message-ID"]))
    email_inbox.poll()
    returned = Message.objects.get(pk=reply["id"])
    assert returned.delivery == "failed"
    assert "550 5.1.1 mailbox unknown" in returned.delivery_error
    assert Conversation.objects.count() == 1
    assert len(email_inbox.servers.smtp.capture.mails) == 1


def test_mail_from_the_inbox_itself_opens_nothing(email_inbox: MailInbox) -> None:
    own = mails.plain(email_inbox.address).replace(
        f"Olga Petrova <{mails.CUSTOMER}>".encode(), f"Support <{email_inbox.address}>".encode()
    )
    email_inbox.receive(own)
    email_inbox.poll()
    assert Conversation.objects.count() == 0
    assert EmailMessage.objects.get().kind == "own"


def test_a_forged_in_reply_to_naming_another_inbox_opens_a_new_conversation(
    email_inbox: MailInbox,
    mail: MailServers,
    admin: Operator,
    client_for: Any,
    other_team: Team,
) -> None:
    address, created = make_email_inbox(client_for(admin), other_team, mail)
    other = MailInbox(Inbox.objects.get(pk=created.json()["id"]), address, mail)
    other.receive(mails.plain(address, message_id="<secret-thread@customer.example>"))
    other.poll()
    foreign = Conversation.objects.get(inbox=other.inbox)
    email_inbox.receive(mails.forged(email_inbox.address, "<secret-thread@customer.example>"))
    email_inbox.poll()
    mine = Conversation.objects.get(inbox=email_inbox.inbox)
    assert mine.pk != foreign.pk
    assert Message.objects.filter(conversation=foreign).count() == 1
    assert Message.objects.get(conversation=mine).body == "Let me into that chat"


def test_a_poll_killed_halfway_loses_and_doubles_nothing(
    email_inbox: MailInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    email_inbox.receive(
        mails.plain(email_inbox.address, message_id="<m1@customer.example>"),
        mails.plain(email_inbox.address, message_id="<m2@customer.example>", subject="Second"),
        mails.plain(email_inbox.address, message_id="<m3@customer.example>", subject="Third"),
    )
    real = inbound.mail_receive
    calls = {"n": 0}

    class WorkerKilled(BaseException):
        pass

    def dies_on_the_second(**kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise WorkerKilled
        return real(**kwargs)

    monkeypatch.setattr(inbound, "mail_receive", dies_on_the_second)
    with pytest.raises(WorkerKilled):
        email_inbox.poll()
    assert Conversation.objects.count() == 1
    monkeypatch.setattr(inbound, "mail_receive", real)
    # the lease of the dead poll runs out, the next poll goes on
    EmailAccount.objects.update(polling_until=None)
    assert email_inbox.poll() == 2
    assert email_inbox.poll() == 0
    subjects = sorted(Conversation.objects.values_list("subject", flat=True))
    assert subjects == ["Order 1042 is late", "Second", "Third"]
    assert Message.objects.count() == 3


def test_mail_already_in_the_mailbox_when_the_inbox_is_made_is_left_alone(
    mail: MailServers, admin: Operator, client_for: Any, team: Team, eager_celery: None
) -> None:
    address = mail.mailbox()
    mail.imap.deliver(address, mails.plain(address))
    response = client_for(admin).post(
        "/api/v1/inboxes",
        {
            "name": "Sales mail",
            "channel": "email",
            "team": team.pk,
            "email": mail.inbox_settings(address),
        },
        format="json",
    )
    inbox = MailInbox(Inbox.objects.get(pk=response.json()["id"]), address, mail)
    assert inbox.poll() == 0
    inbox.receive(mails.plain(address, message_id="<new@customer.example>"))
    assert inbox.poll() == 1


def test_an_inbox_with_a_wrong_password_is_not_made(
    mail: MailServers, admin: Operator, client_for: Any, team: Team
) -> None:
    _address, response = make_email_inbox(
        client_for(admin), team, mail, imap_password="wrong-password"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "email_server_unusable"
    assert "IMAP" in response.json()["error"]["message"]
    assert Inbox.objects.filter(channel="email").count() == 0


def test_the_passwords_are_never_shown_again(
    email_inbox: MailInbox, admin: Operator, client_for: Any
) -> None:
    client = client_for(admin)
    shown = client.get(f"/api/v1/inboxes/{email_inbox.inbox.pk}").json()
    assert shown["email"]["address"] == email_inbox.address
    assert shown["email"]["imap_tls"] is True and shown["email"]["last_error"] == ""
    assert PASSWORD not in str(shown) and PASSWORD not in str(client.get("/api/v1/inboxes").json())


def test_a_refused_recipient_fails_the_reply_with_the_servers_words(
    email_inbox: MailInbox, agent: Operator, client_for: Any
) -> None:
    email_inbox.receive(mails.plain(email_inbox.address))
    email_inbox.poll()
    email_inbox.servers.smtp.capture.refuse[mails.CUSTOMER] = "550 5.1.1 no such user here"
    reply = _reply(client_for(agent), Conversation.objects.get(), "Hello?")
    failed = Message.objects.get(pk=reply["id"])
    assert failed.delivery == "failed"
    assert "no such user here" in failed.delivery_error


def test_another_teams_agent_finds_nothing_of_an_email_conversation(
    email_inbox: MailInbox, make_operator: Any, other_team: Team, client_for: Any
) -> None:
    email_inbox.receive(mails.plain(email_inbox.address))
    email_inbox.poll()
    conversation = Conversation.objects.get()
    outsider = client_for(make_operator("agent", [other_team]))
    assert outsider.get("/api/v1/conversations").json()["results"] == []
    assert outsider.get("/api/v1/conversations", {"q": "1042"}).json()["results"] == []
    assert outsider.get(f"/api/v1/conversations/{conversation.pk}").status_code == 404
    assert outsider.get(f"/api/v1/inboxes/{email_inbox.inbox.pk}").status_code == 404
    assert Contact.objects.count() == 1


POISON = {
    "a header the parser refuses": (
        b"From: =?utf-8?q?a=0d=0aBcc=3a_x?= <a@x.example>\r\nSubject: hi\r\n"
        b"Message-ID: <p1@x.example>\r\n\r\nhello\r\n"
    ),
    "an address too long to keep": (
        b"From: "
        + b"a" * 300
        + b"@x.example\r\nSubject: hi\r\nMessage-ID: <p2@x.example>\r\n\r\nhi\r\n"
    ),
    "a NUL in the subject": (
        b"From: a@x.example\r\nSubject: =?utf-8?q?a=00b?=\r\n"
        b"Message-ID: <p3@x.example>\r\n\r\nhi\r\n"
    ),
    "a Message-ID too long to index": (
        b"From: a@x.example\r\nSubject: hi\r\nMessage-ID: <"
        + ("\u4e2d" * 900).encode()
        + b"@x.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"
    ),
    "a line the quote finder could choke on": (
        b"From: a@x.example\r\nSubject: hi\r\nMessage-ID: <p5@x.example>\r\n\r\n2026"
        + b"@" * 9000
        + b"\r\n"
    ),
}


@pytest.mark.parametrize("raw", POISON.values(), ids=list(POISON))
def test_a_poisonous_mail_never_stops_the_mail_behind_it(
    email_inbox: MailInbox, raw: bytes
) -> None:
    email_inbox.receive(raw, mails.plain(email_inbox.address))
    email_inbox.poll()
    assert Message.objects.filter(body__startswith="Hello,").count() == 1
    assert EmailAccount.objects.get(inbox=email_inbox.inbox).polling_until is None
    assert email_inbox.poll() == 0  # nothing is read twice


def test_a_mail_too_large_is_kept_by_its_headers_with_a_word_for_the_operators(
    email_inbox: MailInbox, settings: Any
) -> None:
    settings.EMAIL_MAX_BYTES = 500
    email_inbox.receive(mails.with_attachment(email_inbox.address))
    email_inbox.poll()
    conversation = Conversation.objects.get()
    assert conversation.subject == "Damaged parcel"
    body = Message.objects.get().body
    assert "too large for the helpdesk" in body
    assert Attachment.objects.count() == 0


def test_files_over_the_size_limit_are_named_not_kept(
    email_inbox: MailInbox, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 40
    email_inbox.receive(mails.with_attachment(email_inbox.address))
    email_inbox.poll()
    body = Message.objects.get().body
    assert "Files not kept:" in body and "receipt.pdf" in body
    assert Attachment.objects.filter(message__isnull=False).count() == 0


def test_a_visitor_who_types_someones_email_never_gets_their_mail_or_the_replies(
    email_inbox: MailInbox, agent: Operator, client_for: Any, inbox: Any
) -> None:
    impostor = Contact.objects.create(name="Impostor", email=mails.CUSTOMER)
    email_inbox.receive(mails.plain(email_inbox.address))
    email_inbox.poll()
    conversation = Conversation.objects.get(inbox=email_inbox.inbox)
    assert conversation.contact_id != impostor.pk  # a new contact, suggested for merging
    Contact.objects.filter(pk=conversation.contact_id).update(email="attacker@evil.example")
    _reply(client_for(agent), conversation, "Your order ships today.")
    [sent] = email_inbox.servers.smtp.capture.wait_for(1)
    assert sent["To"].addresses[0].addr_spec == mails.CUSTOMER  # where the mail came from
    # the same sender writes again: the same contact as before
    email_inbox.receive(mails.plain(email_inbox.address, message_id="<again@customer.example>"))
    email_inbox.poll()
    assert Conversation.objects.filter(inbox=email_inbox.inbox).count() == 2
    assert set(
        Conversation.objects.filter(inbox=email_inbox.inbox).values_list("contact", flat=True)
    ) == {conversation.contact_id}


def test_agents_see_an_inbox_s_address_never_its_servers(
    email_inbox: MailInbox, agent: Operator, client_for: Any
) -> None:
    shown = client_for(agent).get(f"/api/v1/inboxes/{email_inbox.inbox.pk}").json()
    assert shown["email"] == {"address": email_inbox.address}


def test_a_reply_carries_its_files(
    email_inbox: MailInbox, agent: Operator, client_for: Any
) -> None:
    email_inbox.receive(mails.plain(email_inbox.address))
    email_inbox.poll()
    client = client_for(agent)
    upload = client.post(
        "/api/v1/attachments",
        {"file": SimpleUploadedFile("label.pdf", mails.PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    sent = client.post(
        f"/api/v1/conversations/{Conversation.objects.get().pk}/messages",
        {"body": "Here is your return label.", "attachments": [upload.json()["id"]]},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    [mail_out] = email_inbox.servers.smtp.capture.wait_for(1)
    [attached] = list(mail_out.iter_attachments())
    assert attached.get_filename() == "label.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == mails.PDF
