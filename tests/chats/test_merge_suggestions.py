"""A supervisor opening a contact is told of others with the same email or phone (the same
person met on another channel) and may merge them; an agent is told nothing."""

from __future__ import annotations

from typing import Any

import pytest

from chats.services.conversations import conversation_open
from operators.models import Operator
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _suggested(client: Any, contact_id: int) -> list[int]:
    response = client.get(f"/api/v1/contacts/{contact_id}")
    assert response.status_code == 200
    return [row["id"] for row in response.json()["merge_suggestions"]]


def test_the_same_email_or_phone_written_otherwise_is_suggested(
    supervisor: Operator, client_for: Any
) -> None:
    telegram = ContactFactory(name="Olga (Telegram)", email="", phone="+7 900 123-45-67")
    site = ContactFactory(name="Olga", email="Olga@Customer.example", phone="")
    mail = ContactFactory(name="O. P.", email="olga@customer.example", phone="8 (900) 123-45-67")
    ContactFactory(name="Somebody else", email="other@customer.example", phone="+7 900 765-43-21")
    client = client_for(supervisor)
    assert _suggested(client, mail.pk) == [telegram.pk, site.pk]
    assert _suggested(client, telegram.pk) == [mail.pk]
    merged = client.post(f"/api/v1/contacts/{mail.pk}/merge", {"other": telegram.pk}, format="json")
    assert merged.status_code == 200
    assert merged.json()["merge_suggestions"] == [
        {"id": site.pk, "name": "Olga", "email": "Olga@Customer.example", "phone": ""}
    ]


def test_a_contact_with_nothing_to_match_has_no_suggestions(
    supervisor: Operator, client_for: Any
) -> None:
    lonely = ContactFactory(email="", phone="12")
    ContactFactory(email="", phone="12")
    assert _suggested(client_for(supervisor), lonely.pk) == []


def test_an_agent_is_never_told_of_other_contacts(
    agent: Operator, client_for: Any, inbox: Any
) -> None:
    mine = ContactFactory(email="olga@customer.example")
    ContactFactory(email="olga@customer.example")  # known to another team, maybe
    conversation_open(inbox=inbox, contact=mine)
    assert _suggested(client_for(agent), mine.pk) == []
