"""`GET /api/v1/contacts?q=`: the contacts the caller may see, searched by name, email and
phone, newest first, paged, in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.models import Conversation
from chats.services.conversations import conversation_open
from operators.models import Role
from tests.factories import ContactFactory, InboxFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"
CONTACT_FIELDS = {
    "id",
    "name",
    "email",
    "phone",
    "vip",
    "account_manager",
    "notes",
    "telegram",
    "avatar_url",
    "conversations",
    "merge_suggestions",
}


@pytest.fixture
def other_inbox(other_team):
    return InboxFactory(team=other_team)


def customer(inbox, **fields):
    """A contact with one conversation in `inbox`."""
    contact = ContactFactory(**fields)
    conversation_open(inbox=inbox, contact=contact)
    return contact


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"results", "next"}
    return [row["id"] for row in body["results"]]


def test_an_agent_finds_the_contacts_of_conversations_it_may_see(
    client_for, agent, inbox, other_inbox
):
    mine = customer(inbox, name="Мария Иванова")
    customer(other_inbox, name="Мария Петрова")

    response = client_for(agent).get(URL, {"q": "мария"})

    assert ids(response) == [mine.pk]
    row = response.json()["results"][0]
    assert set(row) == CONTACT_FIELDS
    assert row["conversations"] == []
    assert row["name"] == "Мария Иванова"


def test_a_supervisor_finds_every_contact(client_for, supervisor, inbox, other_inbox):
    first = customer(inbox, name="Alex One")
    second = customer(other_inbox, name="Alex Two")

    assert ids(client_for(supervisor).get(URL, {"q": "alex"})) == [second.pk, first.pk]


def test_another_teams_contact_is_visible_once_its_conversation_is_assigned_to_the_agent(
    client_for, agent, other_inbox
):
    contact = customer(other_inbox, name="Zed")
    client = client_for(agent)
    assert ids(client.get(URL, {"q": "zed"})) == []

    Conversation.objects.filter(contact=contact).update(assignee=agent)

    assert ids(client.get(URL, {"q": "zed"})) == [contact.pk]


@pytest.mark.parametrize(
    ("q", "expected"),
    [("IVANOVA@", "email"), ("+7 916", "phone"), ("ivan", "name_and_email"), ("nobody", "none")],
)
def test_q_matches_name_email_or_phone_ignoring_case(client_for, agent, inbox, q, expected):
    by_name = customer(inbox, name="Ivan", email="x@example.com", phone="")
    by_email = customer(inbox, name="M", email="m.ivanova@example.ru", phone="")
    by_phone = customer(inbox, name="P", email="p@example.com", phone="+7 916 000-00-00")
    wanted = {
        "email": [by_email.pk],
        "phone": [by_phone.pk],
        "name_and_email": [by_email.pk, by_name.pk],
        "none": [],
    }[expected]

    assert ids(client_for(agent).get(URL, {"q": q})) == wanted


def test_without_q_every_visible_contact_is_listed_newest_first(client_for, agent, inbox):
    contacts = [customer(inbox) for _ in range(3)]

    assert ids(client_for(agent).get(URL)) == [c.pk for c in reversed(contacts)]


def test_a_contact_with_several_conversations_is_listed_once(client_for, agent, inbox):
    contact = customer(inbox, name="Twice")
    conversation_open(inbox=inbox, contact=contact)

    assert ids(client_for(agent).get(URL, {"q": "twice"})) == [contact.pk]


def test_the_search_does_not_look_into_messages(client_for, agent, inbox):
    from chats.services.authors import Author
    from chats.services.messages import message_create

    contact = customer(inbox, name="Plain")
    conversation = Conversation.objects.get(contact=contact)
    message_create(
        conversation_id=conversation.pk, author=Author.of_contact(contact), body="unicorn"
    )

    assert ids(client_for(agent).get(URL, {"q": "unicorn"})) == []


def test_the_list_pages_with_next(client_for, agent, inbox):
    contacts = [customer(inbox, name=f"Page {index}") for index in range(5)]
    client = client_for(agent)

    seen: list[int] = []
    url: str | None = f"{URL}?q=page&limit=2"
    while url:
        body = client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]

    assert seen == [c.pk for c in reversed(contacts)]


def test_the_same_search_twice_answers_the_same(client_for, agent, inbox):
    customer(inbox, name="Same")
    client = client_for(agent)

    assert client.get(URL, {"q": "same"}).json() == client.get(URL, {"q": "same"}).json()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"q": "nul\x00"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
    ],
)
def test_malformed_or_oversized_parameters_answer_400(client_for, agent, params):
    assert_error(client_for(agent).get(URL, params), 400, "invalid")


@pytest.mark.parametrize("cursor", ["nope", "WyJ4Il0=", "WzFd" + "x", "bnVsbA=="])
def test_a_bad_cursor_answers_400(client_for, agent, cursor):
    assert_error(client_for(agent).get(URL, {"cursor": cursor}), 400, "invalid_cursor")


def test_a_body_over_1_mib_answers_413_and_a_post_405(client_for, agent):
    client = client_for(agent)

    assert_error(client.post(URL, {"x": "y" * (1024 * 1024)}, format="json"), 413, "too_large")
    assert_error(client.post(URL, {}, format="json"), 405, "method_not_allowed")


def test_anonymous_callers_answer_401(api_client):
    assert_error(api_client.get(URL), 401, "not_authenticated")


def test_the_search_costs_the_same_queries_for_many_rows(
    client_for, agent, make_operator, team, inbox, django_assert_max_num_queries
):
    client = client_for(agent)
    manager = make_operator(Role.AGENT, [team])
    customer(inbox, name="Row", account_manager=manager)
    with CaptureQueriesContext(connection) as few:
        assert len(ids(client.get(URL, {"q": "row", "limit": 100}))) == 1
    for index in range(40):
        customer(inbox, name=f"Row {index}", account_manager=manager if index % 2 else None)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ids(client.get(URL, {"q": "row", "limit": 100}))) == 41
    assert len(few.captured_queries) <= 6
