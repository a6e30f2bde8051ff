"""A widget visitor who left their email while nobody was online gets the operator's reply by
email, and their email answer comes back into the same conversation."""

from __future__ import annotations

from typing import Any

import pytest

from chats.models import Contact, Conversation, Message
from chats.services.conversations import conversation_open
from operators.models import Operator
from tests.connectors.email import mails
from tests.connectors.email.conftest import MailInbox
from tests.factories import InboxFactory, visitor_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def web_conversation(email_inbox: MailInbox) -> Conversation:
    """A chat on the site of the mailbox's team; the visitor left their email."""
    web = InboxFactory(team=email_inbox.inbox.team, channel="web")
    visitor, _token = visitor_for(web)
    Contact.objects.filter(pk=visitor.contact_id).update(email=mails.CUSTOMER, name="Olga")
    return conversation_open(inbox=web, contact=Contact.objects.get(pk=visitor.contact_id))


def _reply(client: Any, conversation: Conversation, body: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": body}, format="json"
    )
    assert response.status_code == 201, response.json()
    return dict(response.json())


def test_an_unread_reply_goes_by_email_and_the_answer_comes_back(
    email_inbox: MailInbox, web_conversation: Conversation, agent: Operator, client_for: Any
) -> None:
    client = client_for(agent)
    _reply(client, web_conversation, "We found your order: it ships today.")
    [sent] = email_inbox.servers.smtp.capture.wait_for(1)
    assert sent["To"].addresses[0].addr_spec == mails.CUSTOMER
    assert sent["From"].addresses[0].addr_spec == email_inbox.address
    assert sent["Subject"] == f"New reply from {web_conversation.team.name}"
    text = sent.get_body(preferencelist=("plain",)).get_content()
    assert "it ships today." in text

    email_inbox.receive(
        mails.reply_to(email_inbox.address, sent["Message-ID"], body="Great, thanks a lot!")
    )
    email_inbox.poll()
    assert Conversation.objects.count() == 1  # no new conversation in the mail inbox
    last = Message.objects.filter(conversation=web_conversation).order_by("seq").last()
    assert last.body == "Great, thanks a lot!" and last.author_kind == "visitor"


def test_a_reply_the_visitor_read_in_the_widget_is_not_emailed(
    email_inbox: MailInbox, web_conversation: Conversation, agent: Operator, client_for: Any
) -> None:
    Conversation.objects.filter(pk=web_conversation.pk).update(visitor_last_read_seq=10)
    _reply(client_for(agent), web_conversation, "Hello again")
    assert email_inbox.servers.smtp.capture.mails == []


def test_nothing_is_emailed_to_a_visitor_who_left_no_email(
    email_inbox: MailInbox, web_conversation: Conversation, agent: Operator, client_for: Any
) -> None:
    Contact.objects.filter(pk=web_conversation.contact_id).update(email="")
    _reply(client_for(agent), web_conversation, "Hello?")
    assert email_inbox.servers.smtp.capture.mails == []


def test_private_notes_never_go_by_email(
    email_inbox: MailInbox, web_conversation: Conversation, agent: Operator, client_for: Any
) -> None:
    client = client_for(agent)
    client.post(
        f"/api/v1/conversations/{web_conversation.pk}/messages",
        {"body": "internal: VIP", "private": True},
        format="json",
    )
    _reply(client, web_conversation, "Public answer")
    [sent] = email_inbox.servers.smtp.capture.wait_for(1)
    text = sent.get_body(preferencelist=("plain",)).get_content()
    assert "Public answer" in text and "internal" not in text
