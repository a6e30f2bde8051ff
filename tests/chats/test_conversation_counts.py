"""`GET /api/v1/conversations/counts`: the console's unread counters, counted by the server
for every list the operator sees, under the visibility rule of `GET /api/v1/conversations`."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats import selectors
from chats.models import Conversation, ConversationStatus, Inbox
from chats.services.authors import Author
from chats.services.conversations import conversation_labels_set, conversation_open
from chats.services.messages import message_create
from chats.services.reading import conversation_read_by_operator
from operators.models import Operator, Role
from tests.factories import ContactFactory, InboxFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/v1/conversations/counts"
LIST_FIELDS = {"unread", "open", "pending"}


@pytest.fixture
def other_inbox(other_team) -> Inbox:
    return InboxFactory(team=other_team)


def conversation_in(inbox: Inbox, **fields: Any) -> Conversation:
    conversation = conversation_open(inbox=inbox, contact=ContactFactory())
    if fields:
        Conversation.objects.filter(pk=conversation.pk).update(**fields)
        conversation.refresh_from_db()
    return conversation


def visitor_says(conversation: Conversation, body: str = "Где мой заказ?") -> None:
    message_create(
        conversation_id=conversation.pk,
        author=Author.of_contact(conversation.contact),
        body=body,
        client_id=None,
        private=False,
    )


def system_says(conversation: Conversation, body: str) -> None:
    message_create(
        conversation_id=conversation.pk,
        author=Author.system(),
        body=body,
        client_id=None,
        private=False,
    )


def operator_says(conversation: Conversation, operator: Operator, *, private: bool = False) -> None:
    message_create(
        conversation_id=conversation.pk,
        author=Author.of_operator(operator),
        body="Проверяю",
        client_id=None,
        private=private,
    )


def operators_read(conversation: Conversation, seq: int | None = None) -> None:
    conversation.refresh_from_db()
    conversation_read_by_operator(
        conversation=conversation, seq=conversation.last_seq if seq is None else seq
    )


def unread_conversation_in(inbox: Inbox, **fields: Any) -> Conversation:
    """A conversation whose contact wrote once; `fields` are set afterwards (the contact's
    message reopens a pending conversation)."""
    conversation = conversation_in(inbox)
    visitor_says(conversation)
    if fields:
        Conversation.objects.filter(pk=conversation.pk).update(**fields)
    conversation.refresh_from_db()
    return conversation


def counts_for(client_for, operator: Operator) -> dict[str, Any]:
    response = client_for(operator).get(URL)
    assert response.status_code == 200, response.content
    return response.json()


def by_key(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, int]]:
    return {row[key]: {name: row[name] for name in LIST_FIELDS} for row in rows}


def test_the_counts_give_every_list_of_the_console(client_for, agent, inbox, team):
    unread_conversation_in(inbox, assignee=agent)

    body = counts_for(client_for, agent)

    assert set(body) == {"mine", "unassigned", "all", "resolved", "teams", "labels"}
    for name in ("mine", "unassigned", "all"):
        assert set(body[name]) == LIST_FIELDS
    assert body["resolved"] == {"unread": 0}
    assert body["teams"] == [{"id": team.pk, "unread": 1, "open": 1, "pending": 0}]
    assert body["labels"] == []
    assert body["mine"] == {"unread": 1, "open": 1, "pending": 0}
    assert body["unassigned"] == {"unread": 0, "open": 0, "pending": 0}
    assert body["all"] == {"unread": 1, "open": 1, "pending": 0}


def test_a_conversation_is_unread_while_the_contacts_message_is_unread(client_for, agent, inbox):
    conversation = unread_conversation_in(inbox)
    assert counts_for(client_for, agent)["unassigned"]["unread"] == 1

    operators_read(conversation, seq=1)

    assert counts_for(client_for, agent)["unassigned"] == {"unread": 0, "open": 1, "pending": 0}
    visitor_says(conversation, "Ещё вопрос")
    assert counts_for(client_for, agent)["unassigned"]["unread"] == 1


def test_an_operators_reply_or_note_marks_the_conversation_read(
    client_for, agent, make_operator, team, inbox
):
    colleague = make_operator(Role.AGENT, [team])
    replied = unread_conversation_in(inbox)
    noted = unread_conversation_in(inbox)

    operator_says(replied, colleague)
    operator_says(noted, colleague, private=True)

    assert counts_for(client_for, agent)["all"] == {"unread": 0, "open": 2, "pending": 0}


def test_system_messages_and_a_new_conversation_without_messages_are_not_unread(
    client_for, agent, inbox
):
    conversation_in(inbox)
    read = unread_conversation_in(inbox)
    operators_read(read)
    system_says(read, "Переназначено")

    assert counts_for(client_for, agent)["all"] == {"unread": 0, "open": 2, "pending": 0}


def test_only_a_message_past_the_read_mark_counts(client_for, agent, inbox):
    """Read up to the contact's message, then a system message: nothing from the contact is
    past the mark, although `last_seq` is."""
    conversation = unread_conversation_in(inbox)
    system_says(conversation, "Назначено")
    assert counts_for(client_for, agent)["all"]["unread"] == 1

    operators_read(conversation, seq=1)

    assert counts_for(client_for, agent)["all"]["unread"] == 0


def test_mine_unassigned_and_all_count_open_and_pending_but_not_resolved(
    client_for, agent, make_operator, team, inbox
):
    colleague = make_operator(Role.AGENT, [team])
    unread_conversation_in(inbox, assignee=agent)
    unread_conversation_in(inbox, assignee=agent, status=ConversationStatus.PENDING)
    conversation_in(inbox, assignee=agent)
    unread_conversation_in(inbox)
    unread_conversation_in(inbox, assignee=colleague)
    unread_conversation_in(inbox, assignee=agent, status=ConversationStatus.RESOLVED)
    unread_conversation_in(inbox, status=ConversationStatus.RESOLVED)
    read_resolved = unread_conversation_in(inbox, status=ConversationStatus.RESOLVED)
    operators_read(read_resolved)

    body = counts_for(client_for, agent)

    assert body["mine"] == {"unread": 2, "open": 2, "pending": 1}
    assert body["unassigned"] == {"unread": 1, "open": 1, "pending": 0}
    assert body["all"] == {"unread": 4, "open": 4, "pending": 1}
    assert body["resolved"] == {"unread": 2}


def test_an_agent_never_counts_another_teams_conversations(
    client_for, agent, inbox, other_inbox, other_team, team
):
    unread_conversation_in(inbox)
    unread_conversation_in(other_inbox)
    unread_conversation_in(other_inbox, status=ConversationStatus.RESOLVED)
    foreign_labelled = unread_conversation_in(other_inbox)
    conversation_labels_set(conversation=foreign_labelled, labels=["secret"])

    body = counts_for(client_for, agent)

    assert body["all"] == {"unread": 1, "open": 1, "pending": 0}
    assert body["unassigned"]["unread"] == 1
    assert body["resolved"] == {"unread": 0}
    assert [row["id"] for row in body["teams"]] == [team.pk]
    assert body["labels"] == []


def test_an_agent_counts_what_it_may_see_of_another_team(
    client_for, agent, inbox, other_inbox, other_team, team
):
    """Visible by assignment (another team's inbox, assigned to the agent) or by the
    conversation's team (transferred to the agent's team), as `GET /conversations` shows."""
    unread_conversation_in(other_inbox, assignee=agent)
    unread_conversation_in(other_inbox, team=team)

    body = counts_for(client_for, agent)

    assert body["mine"]["unread"] == 1
    assert body["all"]["unread"] == 2
    assert by_key(body["teams"], "id") == {
        team.pk: {"unread": 1, "open": 1, "pending": 0},
        other_team.pk: {"unread": 1, "open": 1, "pending": 0},
    }
    listed = client_for(agent).get("/api/v1/conversations").json()["results"]
    assert len(listed) == body["all"]["open"]


def test_supervisors_and_admins_count_every_team(
    client_for, supervisor, admin, inbox, other_inbox, team, other_team
):
    unread_conversation_in(inbox)
    unread_conversation_in(other_inbox, status=ConversationStatus.PENDING)

    for operator in (supervisor, admin):
        body = counts_for(client_for, operator)
        assert body["all"] == {"unread": 2, "open": 1, "pending": 1}
        assert body["mine"] == {"unread": 0, "open": 0, "pending": 0}
        assert by_key(body["teams"], "id") == {
            team.pk: {"unread": 1, "open": 1, "pending": 0},
            other_team.pk: {"unread": 1, "open": 0, "pending": 1},
        }


def test_labels_count_their_conversations_that_are_not_resolved(client_for, agent, inbox):
    first = unread_conversation_in(inbox)
    second = conversation_in(inbox, status=ConversationStatus.PENDING)
    resolved = unread_conversation_in(inbox, status=ConversationStatus.RESOLVED)
    conversation_labels_set(conversation=first, labels=["доставка", "vip"])
    conversation_labels_set(conversation=second, labels=["доставка"])
    conversation_labels_set(conversation=resolved, labels=["возврат"])

    body = counts_for(client_for, agent)

    assert [row["name"] for row in body["labels"]] == sorted(["vip", "доставка"])
    assert by_key(body["labels"], "name") == {
        "доставка": {"unread": 1, "open": 1, "pending": 1},
        "vip": {"unread": 1, "open": 1, "pending": 0},
    }
    assert body["all"] == {"unread": 1, "open": 1, "pending": 1}


def test_sixty_unread_conversations_count_sixty_beyond_the_first_page(client_for, agent, inbox):
    for _ in range(60):
        unread_conversation_in(inbox)

    body = counts_for(client_for, agent)

    assert body["unassigned"] == {"unread": 60, "open": 60, "pending": 0}
    assert len(client_for(agent).get("/api/v1/conversations").json()["results"]) < 60


def test_the_counts_cost_the_same_queries_for_many_conversations(
    client_for, agent, make_operator, team, inbox, other_inbox, django_assert_max_num_queries
):
    client = client_for(agent)
    colleague = make_operator(Role.AGENT, [team])

    def make_rows(count: int) -> None:
        for index in range(count):
            conversation = unread_conversation_in(
                inbox if index % 3 else other_inbox,
                assignee=agent if index % 2 else colleague,
            )
            conversation_labels_set(conversation=conversation, labels=[f"l{index}", "common"])

    make_rows(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    make_rows(40)

    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(URL).json()
    assert body["all"]["unread"] > 2
    with django_assert_max_num_queries(3):
        selectors.conversation_counts(operator=agent)


def test_the_counts_of_a_supervisor_take_two_queries(
    supervisor, inbox, django_assert_max_num_queries
):
    for _ in range(5):
        unread_conversation_in(inbox)

    with django_assert_max_num_queries(2):
        counts = selectors.conversation_counts(operator=supervisor)
    assert counts["all"]["unread"] == 5


def test_anonymous_callers_answer_401(api_client):
    assert_error(api_client.get(URL), 401, "not_authenticated")


def test_a_revoked_token_answers_401(client_for, agent):
    client = client_for(agent)
    assert client.delete("/api/v1/auth/token").status_code in (200, 204)

    assert_error(client.get(URL), 401, "not_authenticated")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get_is_allowed(client_for, agent, method):
    response = getattr(client_for(agent), method)(URL, {"counts": 1}, format="json")

    assert_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "team=abc",
        "assignee=%C2%B2",
        "label=%00",
        "q=" + "x" * 5000,
        "limit=-1&limit=99999999999999999999",
        "%00=%00",
    ],
)
def test_query_parameters_are_ignored(client_for, agent, inbox, query):
    unread_conversation_in(inbox)
    client = client_for(agent)
    plain = client.get(URL).json()

    response = client.get(f"{URL}?{query}")

    assert response.status_code == 200
    assert response.json() == plain


def test_a_repeated_call_answers_the_same(client_for, agent, inbox):
    unread_conversation_in(inbox)
    client = client_for(agent)

    assert client.get(URL).json() == client.get(URL).json()


def test_the_path_is_not_taken_for_a_conversation_id(client_for, agent):
    assert_error(client_for(agent).get(f"{URL}/messages"), 404, "not_found")


def test_the_openapi_document_describes_the_answer(client_for, agent, inbox, team):
    conversation_labels_set(conversation=unread_conversation_in(inbox), labels=["vip"])
    schema = client_for(agent).get("/api/v1/schema/").json()
    components = schema["components"]["schemas"]

    def fields(ref: dict[str, Any]) -> set[str]:
        return set(components[ref["$ref"].rsplit("/", 1)[1]]["required"])

    operation = schema["paths"]["/api/v1/conversations/counts"]["get"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    top = components[answer["$ref"].rsplit("/", 1)[1]]
    body = counts_for(client_for, agent)

    assert set(body) == set(top["required"])
    for name in ("mine", "unassigned", "all", "resolved"):
        assert set(body[name]) == fields(top["properties"][name])
    assert set(body["teams"][0]) == fields(top["properties"]["teams"]["items"])
    assert set(body["labels"][0]) == fields(top["properties"]["labels"]["items"])
