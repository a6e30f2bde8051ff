"""A person who writes from Telegram and from the website is one contact once merged: the
merged history is shown to whoever may see each conversation (contract section 4)."""

from __future__ import annotations

import itertools

import pytest

from chats.models import Contact, Conversation, TelegramChat, Visitor
from chats.services.messages import visitor_message_send
from operators.models import Role
from tests.factories import InboxFactory, visitor_for
from tests.fakes import telegram_updates as tg
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db(transaction=True)

update_ids = itertools.count(600_001)


@pytest.fixture
def two_contacts(bot, customer, team):
    bot.post(
        tg.text_message(
            next(update_ids),
            chat=tg.private_chat(customer),
            from_=customer,
            text="Пишу из Телеграма",
            message_id=1,
        )
    )
    telegram_contact = Contact.objects.get()
    site = InboxFactory(team=team, name="Site")
    visitor, _token = visitor_for(site)
    Contact.objects.filter(pk=visitor.contact_id).update(
        name="", email="maria@example.com", phone="+7 900 000-00-01"
    )
    visitor_message_send(visitor=visitor, body="А теперь с сайта", client_id="w1")
    return telegram_contact, Contact.objects.get(pk=visitor.contact_id)


def merge(client, contact, other):
    return client.post(f"/api/v1/contacts/{contact.pk}/merge", {"other": other.pk}, format="json")


def test_a_supervisor_merges_the_telegram_and_website_contacts(
    two_contacts, supervisor, client_for
):
    telegram_contact, web_contact = two_contacts

    merged = merge(client_for(supervisor), telegram_contact, web_contact)

    assert merged.status_code == 200, merged.content
    body = merged.json()
    assert (body["name"], body["email"], body["phone"]) == (
        "Мария Иванова",
        "maria@example.com",
        "+7 900 000-00-01",
    )
    assert body["telegram"] == {"id": 5550001, "username": "maria_iv", "blocked": False}
    assert len(body["conversations"]) == 2
    assert not Contact.objects.filter(pk=web_contact.pk).exists()
    assert set(Conversation.objects.values_list("contact_id", flat=True)) == {telegram_contact.pk}
    assert Visitor.objects.get().contact_id == telegram_contact.pk
    assert TelegramChat.objects.get().contact_id == telegram_contact.pk


def test_an_agent_sees_only_the_merged_conversations_of_its_teams(
    two_contacts, supervisor, make_operator, other_team, client_for, bot
):
    telegram_contact, _web_contact = two_contacts
    elsewhere = InboxFactory(team=other_team, name="Other team's site")
    visitor, _token = visitor_for(elsewhere)
    visitor_message_send(visitor=visitor, body="secret of the other team", client_id="o1")
    merge(client_for(supervisor), telegram_contact, Contact.objects.get(pk=visitor.contact_id))
    agent_of_first_team = make_operator(Role.AGENT, [bot.inbox.team])

    shown = client_for(agent_of_first_team).get(f"/api/v1/contacts/{telegram_contact.pk}").json()

    assert {c["inbox"] for c in shown["conversations"]} == {bot.inbox.pk}
    assert "secret of the other team" not in str(shown)


def test_agents_may_not_merge(two_contacts, agent, client_for):
    telegram_contact, web_contact = two_contacts

    assert merge(client_for(agent), telegram_contact, web_contact).status_code == 403
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"other": "2"}, 400, "invalid"),
        ({"other": 987654321}, 404, "not_found"),
    ],
)
def test_a_bad_merge_is_refused(two_contacts, supervisor, client_for, body, status, code):
    telegram_contact, _web = two_contacts

    answer = client_for(supervisor).post(
        f"/api/v1/contacts/{telegram_contact.pk}/merge", body, format="json"
    )

    assert_error(answer, status, code)
    assert Contact.objects.count() == 2


def test_a_contact_is_not_merged_with_itself(two_contacts, supervisor, client_for):
    telegram_contact, _web = two_contacts

    assert_error(
        merge(client_for(supervisor), telegram_contact, telegram_contact), 409, "same_contact"
    )
