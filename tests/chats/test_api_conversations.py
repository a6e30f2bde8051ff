"""The operator REST API of the chats domain: inboxes, conversations, messages, assignment,
status, labels and contacts (`/api/v1/`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chats.models import Conversation, ConversationStatus, Inbox, Label, Message
from chats.services.authors import Author
from chats.services.conversations import conversation_labels_set, conversation_open
from chats.services.messages import message_create
from operators.models import Role, Status
from tests.factories import ContactFactory, InboxFactory
from tests.helpers import CONVERSATION_CONTRACT_FIELDS, MESSAGE_FIELDS, assert_error

pytestmark = pytest.mark.django_db

CONVERSATION_FIELDS = CONVERSATION_CONTRACT_FIELDS | {
    # additive extensions (tests/chats/test_conversation_fields.py)
    "last_message",
    "last_seq",
    "agent_read_seq",
    "page_url",
}


@pytest.fixture
def other_inbox(other_team) -> Inbox:
    return InboxFactory(team=other_team)


@pytest.fixture
def foreign_conversation(other_inbox) -> Conversation:
    """A conversation of another team's inbox."""
    return conversation_open(inbox=other_inbox, contact=ContactFactory())


def open_in(inbox: Inbox, **fields: object) -> Conversation:
    conversation = conversation_open(inbox=inbox, contact=ContactFactory())
    if fields:
        for name, value in fields.items():
            setattr(conversation, name, value)
        conversation.save()
    return conversation


def say(conversation: Conversation, author: Author, body: str, **kwargs: object) -> Message:
    message, _created = message_create(
        conversation_id=conversation.pk, author=author, body=body, **kwargs
    )
    return message


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def is_utc_iso(text: str) -> bool:
    return text.endswith(("Z", "+00:00")) and "T" in text


# --- inboxes ----------------------------------------------------------------------------------


def test_an_admin_creates_an_inbox_and_sees_its_identity_secret(client_for, admin, team):
    response = client_for(admin).post(
        "/api/v1/inboxes",
        {
            "name": "Shop widget",
            "channel": "web",
            "team": team.pk,
            "allowed_origins": ["https://shop.example.com/"],
            "greeting": "Hi! How can we help?",
            "routing": "round_robin",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    inbox = Inbox.objects.get(pk=body["id"])
    assert body["inbox_key"] == inbox.inbox_key and len(inbox.inbox_key) >= 16
    assert body["identity_secret"] == inbox.identity_secret and len(inbox.identity_secret) >= 32
    assert body["name"] == "Shop widget"
    assert body["channel"] == "web"
    assert body["team"] == team.pk
    assert body["allowed_origins"] == ["https://shop.example.com"]
    assert body["greeting"] == "Hi! How can we help?"
    assert body["routing"] == "round_robin"


def test_an_inbox_routes_least_busy_by_default(client_for, admin, team):
    response = client_for(admin).post(
        "/api/v1/inboxes", {"name": "Bot", "channel": "api", "team": team.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["routing"] == "least_busy"


def test_two_inboxes_get_different_keys_and_secrets(client_for, admin, team):
    client = client_for(admin)
    first = client.post(
        "/api/v1/inboxes", {"name": "A", "channel": "web", "team": team.pk}, format="json"
    ).json()
    second = client.post(
        "/api/v1/inboxes", {"name": "B", "channel": "web", "team": team.pk}, format="json"
    ).json()

    assert first["inbox_key"] != second["inbox_key"]
    assert first["identity_secret"] != second["identity_secret"]


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_only_an_admin_creates_inboxes(client_for, make_operator, team, role):
    response = client_for(make_operator(role, [team])).post(
        "/api/v1/inboxes", {"name": "X", "channel": "web", "team": team.pk}, format="json"
    )

    assert_error(response, 403, "forbidden")
    assert not Inbox.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"channel": "fax"},
        {"team": None},
        {"routing": "random"},
        {"allowed_origins": "https://shop.example.com"},
        {"allowed_origins": ["not an origin"]},
        {"name": ""},
    ],
)
def test_bad_inbox_fields_are_refused(client_for, admin, team, overrides):
    payload = {"name": "Widget", "channel": "web", "team": team.pk, **overrides}

    response = client_for(admin).post("/api/v1/inboxes", payload, format="json")

    assert_error(response, 400, "invalid")
    assert not Inbox.objects.exists()


def test_an_agent_lists_its_teams_inboxes_without_secrets(client_for, agent, inbox, other_inbox):
    response = client_for(agent).get("/api/v1/inboxes")

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert [row["id"] for row in body["results"]] == [inbox.pk]
    row = body["results"][0]
    assert row["inbox_key"] == inbox.inbox_key
    assert "identity_secret" not in row


def test_a_supervisor_lists_every_inbox_without_secrets(client_for, supervisor, inbox, other_inbox):
    body = client_for(supervisor).get("/api/v1/inboxes").json()

    assert [row["id"] for row in body["results"]] == [inbox.pk, other_inbox.pk]
    assert all("identity_secret" not in row for row in body["results"])


def test_an_admin_lists_every_inbox_with_its_secret(client_for, admin, inbox, other_inbox):
    body = client_for(admin).get("/api/v1/inboxes").json()

    secrets = {row["id"]: row["identity_secret"] for row in body["results"]}
    assert secrets == {inbox.pk: inbox.identity_secret, other_inbox.pk: other_inbox.identity_secret}


def test_an_agent_without_teams_sees_no_inboxes(client_for, make_operator, inbox):
    assert client_for(make_operator()).get("/api/v1/inboxes").json()["results"] == []


# --- conversation list: visibility -------------------------------------------------------------


def test_an_agent_lists_only_the_conversations_it_may_see(
    client_for, agent, team, inbox, other_inbox, other_team
):
    own = open_in(inbox)
    foreign = open_in(other_inbox)
    assigned_to_agent = open_in(other_inbox, assignee=agent)
    transferred_to_team = open_in(other_inbox, team=team)
    other_teams_in_own_inbox = open_in(inbox, team=other_team)  # the inbox is still ours

    listed = set(ids(client_for(agent).get("/api/v1/conversations")))

    assert listed == {
        own.pk,
        assigned_to_agent.pk,
        transferred_to_team.pk,
        other_teams_in_own_inbox.pk,
    }
    assert foreign.pk not in listed


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_a_supervisor_and_an_admin_list_every_conversation(
    client_for, make_operator, inbox, other_inbox, role
):
    expected = {open_in(inbox).pk, open_in(other_inbox).pk, open_in(other_inbox).pk}

    assert set(ids(client_for(make_operator(role)).get("/api/v1/conversations"))) == expected


def test_a_listed_conversation_is_the_contract_object(client_for, agent, inbox):
    conversation = open_in(inbox, assignee=agent)
    conversation_labels_set(conversation=conversation, labels=["vip-lead"])

    row = client_for(agent).get("/api/v1/conversations").json()["results"][0]

    assert set(row) >= CONVERSATION_FIELDS
    assert row["id"] == conversation.pk
    assert row["inbox"] == inbox.pk
    assert row["status"] == "open"
    assert row["assignee"] == {"id": agent.pk, "name": agent.display_name}
    assert row["team"] == inbox.team_id
    assert row["labels"] == ["vip-lead"]
    contact = conversation.contact
    assert {key: row["contact"][key] for key in ("id", "name", "email", "vip")} == {
        "id": contact.pk,
        "name": contact.name,
        "email": contact.email,
        "vip": False,
    }
    assert is_utc_iso(row["created_at"]) and is_utc_iso(row["last_activity_at"])
    assert row["queue_position"] is None


# --- conversation list: filters ---------------------------------------------------------------


def test_conversations_filter_by_status(client_for, agent, inbox):
    open_one = open_in(inbox)
    pending = open_in(inbox, status=ConversationStatus.PENDING)
    resolved = open_in(inbox, status=ConversationStatus.RESOLVED)
    client = client_for(agent)

    assert ids(client.get("/api/v1/conversations", {"status": "open"})) == [open_one.pk]
    assert ids(client.get("/api/v1/conversations", {"status": "pending"})) == [pending.pk]
    assert ids(client.get("/api/v1/conversations", {"status": "resolved"})) == [resolved.pk]


def test_conversations_filter_by_assignee_me_none_and_id(
    client_for, agent, make_operator, inbox, team
):
    colleague = make_operator(Role.AGENT, [team])
    mine = open_in(inbox, assignee=agent)
    theirs = open_in(inbox, assignee=colleague)
    nobodys = open_in(inbox)
    client = client_for(agent)

    assert ids(client.get("/api/v1/conversations", {"assignee": "me"})) == [mine.pk]
    assert ids(client.get("/api/v1/conversations", {"assignee": "none"})) == [nobodys.pk]
    assert ids(client.get("/api/v1/conversations", {"assignee": colleague.pk})) == [theirs.pk]


def test_conversations_filter_by_team_and_inbox(
    client_for, supervisor, inbox, other_inbox, other_team
):
    in_inbox = open_in(inbox)
    in_other_inbox = open_in(other_inbox)
    client = client_for(supervisor)

    assert ids(client.get("/api/v1/conversations", {"inbox": inbox.pk})) == [in_inbox.pk]
    assert ids(client.get("/api/v1/conversations", {"team": other_team.pk})) == [in_other_inbox.pk]


def test_conversations_filter_by_label(client_for, agent, inbox):
    delivery = open_in(inbox)
    both = open_in(inbox)
    open_in(inbox)
    conversation_labels_set(conversation=delivery, labels=["delivery"])
    conversation_labels_set(conversation=both, labels=["delivery", "complaint"])
    client = client_for(agent)

    assert ids(client.get("/api/v1/conversations", {"label": "delivery"})) == [both.pk, delivery.pk]
    assert ids(client.get("/api/v1/conversations", {"label": "complaint"})) == [both.pk]
    assert ids(client.get("/api/v1/conversations", {"label": "nothing"})) == []


def test_filters_combine(client_for, agent, inbox):
    target = open_in(inbox, assignee=agent, status=ConversationStatus.PENDING)
    open_in(inbox, assignee=agent)
    open_in(inbox, status=ConversationStatus.PENDING)

    response = client_for(agent).get(
        "/api/v1/conversations", {"assignee": "me", "status": "pending", "inbox": inbox.pk}
    )

    assert ids(response) == [target.pk]


def test_full_text_search_finds_russian_words_in_any_form(client_for, agent, inbox):
    visitor_conversation = open_in(inbox)
    say(
        visitor_conversation,
        Author.of_contact(visitor_conversation.contact),
        "Здравствуйте! Где моя доставка? Жду уже неделю.",
    )
    unrelated = open_in(inbox)
    say(unrelated, Author.of_contact(unrelated.contact), "Хочу вернуть товар")
    client = client_for(agent)

    assert ids(client.get("/api/v1/conversations", {"q": "доставкой"})) == [visitor_conversation.pk]
    assert ids(client.get("/api/v1/conversations", {"q": "доставки неделя"})) == [
        visitor_conversation.pk
    ]
    assert ids(client.get("/api/v1/conversations", {"q": "вернуть"})) == [unrelated.pk]


def test_full_text_search_finds_english_words_in_any_form(client_for, agent, inbox):
    delayed = open_in(inbox)
    say(delayed, Author.of_contact(delayed.contact), "My orders were delayed twice")
    other = open_in(inbox)
    say(other, Author.of_contact(other.contact), "How do I change my password?")
    client = client_for(agent)

    assert ids(client.get("/api/v1/conversations", {"q": "order delay"})) == [delayed.pk]
    assert ids(client.get("/api/v1/conversations", {"q": "passwords"})) == [other.pk]
    assert ids(client.get("/api/v1/conversations", {"q": "refund"})) == []


def test_search_includes_private_notes_and_contact_names(client_for, agent, inbox):
    noted = open_in(inbox)
    say(noted, Author.of_operator(agent), "chargeback suspected", private=True)
    named = open_in(inbox)
    named.contact.name = "Svetlana Ivanova"
    named.contact.save()
    client = client_for(agent)

    assert ids(client.get("/api/v1/conversations", {"q": "chargeback"})) == [noted.pk]
    assert ids(client.get("/api/v1/conversations", {"q": "Ivanova"})) == [named.pk]


def test_search_never_reveals_conversations_the_agent_may_not_see(
    client_for, agent, inbox, other_inbox
):
    foreign = open_in(other_inbox)
    say(foreign, Author.of_contact(foreign.contact), "secret merger plans")

    assert ids(client_for(agent).get("/api/v1/conversations", {"q": "merger"})) == []


def test_search_with_query_syntax_characters_does_not_fail(client_for, agent, inbox):
    conversation = open_in(inbox)
    say(conversation, Author.of_contact(conversation.contact), "order 42 is late")

    for text in ['"order', "order & | ! (", "':*", "-", "or or or", "\\"]:
        response = client_for(agent).get("/api/v1/conversations", {"q": text})
        assert response.status_code == 200, (text, response.content)


@pytest.mark.parametrize(
    "params",
    [
        {"status": "closed"},
        {"assignee": "somebody"},
        {"team": "sales"},
        {"inbox": "-1"},
        {"limit": "0"},
        {"limit": "1000"},
        {"cursor": "not-a-cursor"},
        {"q": "x" * 201},
    ],
)
def test_bad_list_parameters_answer_400(client_for, agent, inbox, params):
    open_in(inbox)

    response = client_for(agent).get("/api/v1/conversations", params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid", "invalid_cursor")


# --- conversation list: order and pagination --------------------------------------------------


def test_conversations_are_listed_newest_activity_first(client_for, agent, inbox):
    first, second, third = open_in(inbox), open_in(inbox), open_in(inbox)
    base = timezone.now() - timedelta(hours=1)
    for minutes, conversation in enumerate([first, second, third]):
        Conversation.objects.filter(pk=conversation.pk).update(
            last_activity_at=base + timedelta(minutes=minutes)
        )
    client = client_for(agent)
    assert ids(client.get("/api/v1/conversations")) == [third.pk, second.pk, first.pk]

    say(first, Author.of_contact(first.contact), "anyone there?")

    assert ids(client.get("/api/v1/conversations")) == [first.pk, third.pk, second.pk]


def test_next_follows_on_through_every_page_without_repeats_or_gaps(client_for, agent, inbox):
    conversations = [open_in(inbox) for _ in range(7)]
    base = timezone.now() - timedelta(days=1)
    for minutes, conversation in enumerate(conversations):
        Conversation.objects.filter(pk=conversation.pk).update(
            last_activity_at=base + timedelta(minutes=minutes)
        )
    client = client_for(agent)

    seen: list[int] = []
    pages = 0
    url: str | None = "/api/v1/conversations?limit=3"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert len(body["results"]) <= 3
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
        pages += 1
        assert pages <= 5

    assert pages == 3
    assert seen == [c.pk for c in reversed(conversations)]


def test_pagination_handles_equal_activity_times(client_for, agent, inbox):
    conversations = [open_in(inbox) for _ in range(5)]
    same_moment = timezone.now()
    Conversation.objects.update(last_activity_at=same_moment)
    client = client_for(agent)

    seen: list[int] = []
    url: str | None = "/api/v1/conversations?limit=2"
    while url:
        body = client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]

    assert seen == sorted((c.pk for c in conversations), reverse=True)


def test_next_keeps_the_filters(client_for, agent, inbox):
    mine = [open_in(inbox, assignee=agent) for _ in range(3)]
    for _ in range(3):
        open_in(inbox)
    client = client_for(agent)

    first = client.get("/api/v1/conversations", {"assignee": "me", "limit": 2}).json()
    assert "assignee=me" in first["next"]
    second = client.get(first["next"]).json()

    assert {row["id"] for row in first["results"] + second["results"]} == {c.pk for c in mine}
    assert second["next"] is None


def test_an_exactly_full_last_page_has_no_next(client_for, agent, inbox):
    for _ in range(2):
        open_in(inbox)

    body = client_for(agent).get("/api/v1/conversations", {"limit": 2}).json()

    assert len(body["results"]) == 2
    assert body["next"] is None


def test_the_conversation_list_costs_the_same_queries_for_many_rows(
    client_for, agent, make_operator, team, inbox, django_assert_max_num_queries
):
    client = client_for(agent)
    colleague = make_operator(Role.AGENT, [team])

    def make_rows(count: int) -> None:
        for index in range(count):
            conversation = open_in(inbox, assignee=colleague if index % 2 else agent)
            conversation_labels_set(conversation=conversation, labels=[f"l{index}", "common"])

    make_rows(2)
    with CaptureQueriesContext(connection) as few:
        assert len(ids(client.get("/api/v1/conversations", {"limit": 100}))) == 2
    make_rows(40)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ids(client.get("/api/v1/conversations", {"limit": 100}))) == 42
    assert len(few.captured_queries) <= 8


# --- conversation detail ----------------------------------------------------------------------


def test_the_detail_is_the_conversation_object_with_its_contact(client_for, agent, conversation):
    response = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= CONVERSATION_FIELDS
    assert body["id"] == conversation.pk
    assert body["contact"]["id"] == conversation.contact_id
    assert body["assignee"] is None


def test_an_unknown_conversation_answers_404(client_for, agent):
    assert_error(client_for(agent).get("/api/v1/conversations/999999"), 404, "not_found")


# --- the 404 of a conversation the caller may not see ------------------------------------------


PER_CONVERSATION_CALLS = [
    ("get", "", None),
    ("get", "/messages", None),
    ("get", "/messages?after_seq=0", None),
    ("post", "/messages", {"body": "hello", "client_id": "c-1"}),
    ("post", "/messages", {"body": "note", "private": True}),
    ("post", "/assign", {"team": None, "operator": None}),
    ("post", "/status", {"status": "resolved"}),
    ("post", "/labels", {"labels": ["x"]}),
    ("post", "/priority", {"priority": "high"}),
]


@pytest.mark.parametrize(("method", "suffix", "payload"), PER_CONVERSATION_CALLS)
def test_an_agent_of_another_team_gets_404_exactly_as_for_a_nonexistent_conversation(
    client_for, agent, foreign_conversation, method, suffix, payload
):
    say(foreign_conversation, Author.of_contact(foreign_conversation.contact), "private matter")
    client = client_for(agent)
    missing_id = Conversation.objects.order_by("-id").first().pk + 1000

    def call(conversation_id: int):
        url = f"/api/v1/conversations/{conversation_id}{suffix}"
        if method == "get":
            return client.get(url)
        return client.post(url, payload, format="json")

    hidden = call(foreign_conversation.pk)
    missing = call(missing_id)

    assert_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()
    assert hidden.status_code == missing.status_code
    foreign_conversation.refresh_from_db()
    assert foreign_conversation.status == "open"
    assert foreign_conversation.last_seq == 1
    assert list(foreign_conversation.labels.all()) == []


def test_an_agent_of_another_team_gets_404_for_the_contact(client_for, agent, foreign_conversation):
    missing = client_for(agent).get("/api/v1/contacts/999999")
    hidden = client_for(agent).get(f"/api/v1/contacts/{foreign_conversation.contact_id}")
    hidden_patch = client_for(agent).patch(
        f"/api/v1/contacts/{foreign_conversation.contact_id}", {"vip": True}, format="json"
    )

    assert_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()
    assert_error(hidden_patch, 404, "not_found")
    foreign_conversation.contact.refresh_from_db()
    assert foreign_conversation.contact.vip is False


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_a_supervisor_and_an_admin_use_any_conversation(
    client_for, make_operator, foreign_conversation, role
):
    client = client_for(make_operator(role))
    base = f"/api/v1/conversations/{foreign_conversation.pk}"

    assert client.get(base).status_code == 200
    assert client.post(f"{base}/messages", {"body": "on it"}, format="json").status_code == 201
    assert client.get(f"{base}/messages").json()["results"][0]["body"] == "on it"
    assert client.post(f"{base}/status", {"status": "pending"}, format="json").status_code == 200
    assert client.get(f"/api/v1/contacts/{foreign_conversation.contact_id}").status_code == 200


def test_an_agent_sees_a_conversation_of_another_team_once_assigned_to_it(
    client_for, agent, foreign_conversation
):
    client = client_for(agent)
    url = f"/api/v1/conversations/{foreign_conversation.pk}"
    assert client.get(url).status_code == 404

    Conversation.objects.filter(pk=foreign_conversation.pk).update(assignee=agent)

    assert client.get(url).status_code == 200


# --- messages ---------------------------------------------------------------------------------


def test_messages_come_in_seq_order_with_private_notes(client_for, agent, conversation):
    visitor = Author.of_contact(conversation.contact)
    say(conversation, visitor, "hello")
    say(conversation, Author.of_operator(agent), "check their order", private=True)
    say(conversation, Author.of_operator(agent), "Hi! Looking into it.")

    response = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}/messages")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(m["seq"], m["body"], m["private"]) for m in rows] == [
        (1, "hello", False),
        (2, "check their order", True),
        (3, "Hi! Looking into it.", False),
    ]
    assert rows[0]["author"] == {
        "kind": "visitor",
        "id": conversation.contact_id,
        "name": "Visitor",  # a contact who gave no name
    }
    assert rows[1]["author"] == {"kind": "operator", "id": agent.pk, "name": agent.display_name}
    assert all(set(row) >= MESSAGE_FIELDS for row in rows)
    assert response.json()["next"] is None


def test_after_seq_gives_only_what_follows(client_for, agent, conversation):
    for index in range(5):
        say(conversation, Author.of_operator(agent), f"m{index + 1}", private=index == 2)

    response = client_for(agent).get(
        f"/api/v1/conversations/{conversation.pk}/messages", {"after_seq": 2}
    )

    assert [m["seq"] for m in response.json()["results"]] == [3, 4, 5]
    empty = client_for(agent).get(
        f"/api/v1/conversations/{conversation.pk}/messages", {"after_seq": 5}
    )
    assert empty.json() == {"results": [], "next": None}


def test_message_pages_follow_on_by_seq(client_for, agent, conversation):
    for index in range(5):
        say(conversation, Author.of_operator(agent), f"m{index + 1}")
    client = client_for(agent)

    seqs: list[int] = []
    url: str | None = f"/api/v1/conversations/{conversation.pk}/messages?limit=2"
    while url:
        body = client.get(url).json()
        seqs.extend(m["seq"] for m in body["results"])
        url = body["next"]

    assert seqs == [1, 2, 3, 4, 5]


def test_the_message_list_costs_the_same_queries_for_many_rows(
    client_for, agent, make_operator, team, conversation, django_assert_max_num_queries
):
    client = client_for(agent)
    url = f"/api/v1/conversations/{conversation.pk}/messages?limit=500"
    authors = [
        Author.of_operator(agent),
        Author.of_operator(make_operator(Role.AGENT, [team])),
        Author.of_contact(conversation.contact),
    ]
    say(conversation, authors[0], "first")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).json()["results"]) == 1
    for index in range(60):
        author = authors[index % 3]
        say(conversation, author, f"message {index}", private=author.operator is not None)

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()["results"]) == 61
    assert len(few.captured_queries) <= 6


def test_an_operator_sends_a_message(client_for, agent, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": "  Hello,\nhow can I help?  ", "client_id": "tab-1-0001"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) >= MESSAGE_FIELDS
    assert body["conversation"] == conversation.pk
    assert body["seq"] == 1
    assert body["body"] == "  Hello,\nhow can I help?  "
    assert body["private"] is False
    assert body["client_id"] == "tab-1-0001"
    assert body["attachments"] == []
    assert body["author"] == {"kind": "operator", "id": agent.pk, "name": agent.display_name}
    assert is_utc_iso(body["created_at"])
    stored = Message.objects.get(pk=body["id"])
    assert stored.body == "  Hello,\nhow can I help?  "


def test_a_message_without_client_id_has_null_client_id(client_for, agent, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "hi"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["client_id"] is None


def test_a_repeated_client_id_answers_200_with_the_first_message(client_for, agent, conversation):
    client = client_for(agent)
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    first = client.post(url, {"body": "one", "client_id": "c-42"}, format="json")

    again = client.post(url, {"body": "two", "client_id": "c-42"}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Message.objects.filter(conversation=conversation).count() == 1
    conversation.refresh_from_db()
    assert conversation.last_seq == 1


def test_a_client_id_repeated_from_another_token_of_the_same_operator_is_the_same_message(
    client_for, agent, conversation
):
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    first = client_for(agent).post(url, {"body": "one", "client_id": "c-1"}, format="json")

    again = client_for(agent).post(url, {"body": "one", "client_id": "c-1"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_another_senders_equal_client_id_is_another_message(
    client_for, agent, make_operator, team, conversation
):
    colleague = make_operator(Role.AGENT, [team])
    url = f"/api/v1/conversations/{conversation.pk}/messages"

    mine = client_for(agent).post(url, {"body": "mine", "client_id": "c-1"}, format="json")
    theirs = client_for(colleague).post(url, {"body": "theirs", "client_id": "c-1"}, format="json")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert [mine.json()["seq"], theirs.json()["seq"]] == [1, 2]


def test_the_same_client_id_in_another_conversation_is_another_message(client_for, agent, inbox):
    first, second = open_in(inbox), open_in(inbox)
    client = client_for(agent)

    a = client.post(
        f"/api/v1/conversations/{first.pk}/messages", {"body": "x", "client_id": "c"}, format="json"
    )
    b = client.post(
        f"/api/v1/conversations/{second.pk}/messages",
        {"body": "x", "client_id": "c"},
        format="json",
    )

    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["conversation"] == first.pk and b.json()["conversation"] == second.pk


def test_an_operator_writes_a_private_note(client_for, agent, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": "VIP, be nice", "private": True},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["private"] is True
    assert Message.objects.get(pk=response.json()["id"]).private is True


def test_sending_bumps_the_conversation_to_the_top(client_for, agent, inbox):
    older, newer = open_in(inbox), open_in(inbox)
    Conversation.objects.filter(pk=older.pk).update(
        last_activity_at=timezone.now() - timedelta(hours=1)
    )
    client = client_for(agent)
    assert ids(client.get("/api/v1/conversations"))[0] == newer.pk

    client.post(f"/api/v1/conversations/{older.pk}/messages", {"body": "ping"}, format="json")

    assert ids(client.get("/api/v1/conversations"))[0] == older.pk


# --- assignment -------------------------------------------------------------------------------


def test_an_agent_assigns_a_conversation_to_itself(client_for, agent, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign", {"operator": agent.pk}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= CONVERSATION_FIELDS
    assert body["assignee"] == {"id": agent.pk, "name": agent.display_name}
    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk


def test_an_agent_hands_over_to_an_online_teammate_with_a_private_note(
    client_for, agent, make_operator, team, conversation, widget_client_for, visitor
):
    teammate = make_operator(Role.AGENT, [team], status=Status.ONLINE)
    client = client_for(agent)

    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"operator": teammate.pk, "note": "Customer wants a refund, order #123"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == teammate.pk
    messages = client.get(f"/api/v1/conversations/{conversation.pk}/messages").json()["results"]
    assert [(m["body"], m["private"], m["author"]["id"]) for m in messages] == [
        ("Customer wants a refund, order #123", True, agent.pk)
    ]
    widget = widget_client_for(visitor[1]).get("/api/widget/v1/messages").json()
    assert widget["results"] == []


def test_an_agent_may_not_hand_over_to_an_offline_teammate(
    client_for, agent, make_operator, team, conversation
):
    teammate = make_operator(Role.AGENT, [team], status=Status.OFFLINE)

    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign", {"operator": teammate.pk}, format="json"
    )

    assert_error(response, 400, "operator_not_online")
    conversation.refresh_from_db()
    assert conversation.assignee_id is None


def test_an_agent_may_not_hand_over_to_an_operator_of_another_team(
    client_for, agent, make_operator, other_team, conversation
):
    stranger = make_operator(Role.AGENT, [other_team])

    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"operator": stranger.pk, "note": "over to you"},
        format="json",
    )

    assert_error(response, 400, "operator_not_in_team")
    assert not Message.objects.exists()  # a refused handover leaves no note behind


def test_an_agent_may_not_assign_past_capacity_but_a_supervisor_may(
    client_for, agent, supervisor, make_operator, team, inbox
):
    busy = make_operator(Role.AGENT, [team], max_chats=1)
    open_in(inbox, assignee=busy)
    conversation = open_in(inbox)
    url = f"/api/v1/conversations/{conversation.pk}/assign"

    assert_error(
        client_for(agent).post(url, {"operator": busy.pk}, format="json"), 409, "over_capacity"
    )
    response = client_for(supervisor).post(url, {"operator": busy.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == busy.pk


def test_a_conversation_is_transferred_to_a_team_with_a_handoff_note(
    client_for, agent, other_team, conversation
):
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent)
    client = client_for(agent)

    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"team": other_team.pk, "note": "Billing question"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["team"] == other_team.pk
    assert body["assignee"] is None
    note = Message.objects.get(conversation=conversation)
    assert (note.body, note.private, note.author_operator_id) == (
        "Billing question",
        True,
        agent.pk,
    )


def test_a_whitespace_only_handoff_note_is_refused(client_for, agent, other_team, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"team": other_team.pk, "note": "   "},
        format="json",
    )

    assert_error(response, 400, "empty_body")
    conversation.refresh_from_db()
    assert conversation.team_id != other_team.pk


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"operator": None, "team": None}, 400, "invalid"),
        ({"operator": 999_999}, 404, "operator_not_found"),
        ({"team": 999_999}, 404, "team_not_found"),
        ({"operator": "me"}, 400, "invalid"),
    ],
)
def test_a_bad_assignment_is_refused(client_for, agent, conversation, payload, status, code):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign", payload, format="json"
    )

    assert_error(response, status, code)
    conversation.refresh_from_db()
    assert conversation.assignee_id is None


def test_giving_both_an_operator_and_a_team_is_refused(client_for, agent, other_team, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"operator": agent.pk, "team": other_team.pk},
        format="json",
    )

    assert_error(response, 400, "invalid")


# --- status, labels, priority -----------------------------------------------------------------


def test_an_agent_moves_a_conversation_through_its_statuses(client_for, agent, conversation):
    client = client_for(agent)
    url = f"/api/v1/conversations/{conversation.pk}/status"

    for status in ["pending", "resolved", "open"]:
        response = client.post(url, {"status": status}, format="json")
        assert response.status_code == 200
        assert response.json()["status"] == status
        assert set(response.json()) >= CONVERSATION_FIELDS
        conversation.refresh_from_db()
        assert conversation.status == status


def test_setting_the_same_status_again_is_harmless(client_for, agent, conversation):
    url = f"/api/v1/conversations/{conversation.pk}/status"

    response = client_for(agent).post(url, {"status": "open"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "open"


@pytest.mark.parametrize("payload", [{"status": "closed"}, {"status": None}, {}, {"status": 1}])
def test_an_unknown_status_is_refused(client_for, agent, conversation, payload):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/status", payload, format="json"
    )

    assert_error(response, 400, "invalid")
    conversation.refresh_from_db()
    assert conversation.status == "open"


def test_labels_answer_the_whole_set_afterwards(client_for, agent, conversation):
    client = client_for(agent)
    url = f"/api/v1/conversations/{conversation.pk}/labels"

    first = client.post(url, {"labels": ["delivery", "complaint"]}, format="json")
    assert first.status_code == 200
    assert sorted(first.json()["labels"]) == ["complaint", "delivery"]

    second = client.post(url, {"labels": ["delivery", "refund", "delivery"]}, format="json")
    assert second.status_code == 200
    assert sorted(second.json()["labels"]) == ["delivery", "refund"]
    assert sorted(conversation.labels.values_list("name", flat=True)) == ["delivery", "refund"]

    cleared = client.post(url, {"labels": []}, format="json")
    assert cleared.json()["labels"] == []
    assert Label.objects.filter(name="complaint").exists()  # labels stay for other conversations


def test_labels_keep_unicode(client_for, agent, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/labels",
        {"labels": ["доставка", "жалоба"]},
        format="json",
    )

    assert sorted(response.json()["labels"]) == ["доставка", "жалоба"]


@pytest.mark.parametrize(
    "payload",
    [
        {"labels": "delivery"},
        {"labels": [["nested"]]},
        {"labels": [None]},
        {"labels": [True]},
        {"labels": [""]},
        {"labels": ["x" * 51]},
        {"labels": [f"l{n}" for n in range(31)]},
        {"labels": None},
        {},
    ],
)
def test_bad_labels_are_refused(client_for, agent, conversation, payload):
    conversation_labels_set(conversation=conversation, labels=["kept"])

    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/labels", payload, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid", "invalid_label", "too_many_labels")
    assert list(conversation.labels.values_list("name", flat=True)) == ["kept"]


def test_an_operator_sets_a_priority(client_for, agent, conversation):
    response = client_for(agent).post(
        f"/api/v1/conversations/{conversation.pk}/priority", {"priority": "urgent"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["priority"] == "urgent"
    assert_error(
        client_for(agent).post(
            f"/api/v1/conversations/{conversation.pk}/priority", {"priority": "meh"}, format="json"
        ),
        400,
        "invalid",
    )


# --- contacts ---------------------------------------------------------------------------------


def test_an_agent_reads_the_contact_of_a_conversation_with_its_conversations(
    client_for, agent, inbox, conversation
):
    later = conversation_open(inbox=inbox, contact=conversation.contact)

    response = client_for(agent).get(f"/api/v1/contacts/{conversation.contact_id}")

    assert response.status_code == 200
    body = response.json()
    assert {"id", "name", "email", "phone", "vip", "account_manager", "conversations"} <= set(body)
    assert body["id"] == conversation.contact_id
    assert body["vip"] is False
    assert body["account_manager"] is None
    assert [c["id"] for c in body["conversations"]] == [later.pk, conversation.pk]
    assert all(set(c) >= CONVERSATION_FIELDS for c in body["conversations"])


def test_an_agent_changes_a_contact(
    client_for, agent, supervisor, make_operator, team, conversation
):
    manager = make_operator(Role.AGENT, [team])
    client_for(supervisor).patch(
        f"/api/v1/contacts/{conversation.contact_id}",
        {"account_manager": manager.pk},
        format="json",
    )

    response = client_for(agent).patch(
        f"/api/v1/contacts/{conversation.contact_id}",
        {
            "name": "Анна Петрова",
            "email": "anna@example.com",
            "phone": "+7 900 000-00-00",
            "vip": True,
            "account_manager": manager.pk,
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Анна Петрова"
    assert body["email"] == "anna@example.com"
    assert body["phone"] == "+7 900 000-00-00"
    assert body["vip"] is True
    assert body["account_manager"] == manager.pk
    contact = conversation.contact
    contact.refresh_from_db()
    assert (contact.name, contact.vip, contact.account_manager_id) == (
        "Анна Петрова",
        True,
        manager.pk,
    )
    detail = client_for(agent).get(f"/api/v1/conversations/{conversation.pk}").json()
    assert {key: detail["contact"][key] for key in ("id", "name", "email", "vip")} == {
        "id": contact.pk,
        "name": "Анна Петрова",
        "email": "anna@example.com",
        "vip": True,
    }


def test_a_partial_contact_change_keeps_the_rest(client_for, agent, conversation):
    contact = conversation.contact
    original_name = contact.name

    response = client_for(agent).patch(
        f"/api/v1/contacts/{contact.pk}", {"vip": True}, format="json"
    )

    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.vip is True
    assert contact.name == original_name


def test_an_account_manager_can_be_cleared(client_for, agent, conversation):
    contact = conversation.contact
    contact.account_manager = agent
    contact.save()

    response = client_for(agent).patch(
        f"/api/v1/contacts/{contact.pk}", {"account_manager": None}, format="json"
    )

    assert response.json()["account_manager"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not an email"},
        {"vip": "sometimes"},
        {"name": "x" * 201},
        {"phone": 12345678901234567890 * 10**40},
    ],
)
def test_bad_contact_fields_are_refused(client_for, agent, conversation, payload):
    response = client_for(agent).patch(
        f"/api/v1/contacts/{conversation.contact_id}", payload, format="json"
    )

    assert_error(response, 400, "invalid")


def test_an_agent_may_not_name_a_contacts_account_manager(
    client_for, agent, make_operator, team, conversation
):
    """A manager gets the contact's conversations in every team: naming one is a side door."""
    colleague = make_operator(Role.AGENT, [team])
    for manager in (agent, colleague):
        response = client_for(agent).patch(
            f"/api/v1/contacts/{conversation.contact_id}",
            {"account_manager": manager.pk, "vip": True},
            format="json",
        )

        assert_error(response, 403, "forbidden")
    conversation.contact.refresh_from_db()
    assert conversation.contact.account_manager_id is None
    assert conversation.contact.vip is False  # nothing of a refused change is stored


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_name_and_clear_an_account_manager(
    client_for, make_operator, team, conversation, role
):
    boss = make_operator(role)
    manager = make_operator(Role.AGENT, [team])
    url = f"/api/v1/contacts/{conversation.contact_id}"

    named = client_for(boss).patch(url, {"account_manager": manager.pk}, format="json")
    cleared = client_for(boss).patch(url, {"account_manager": None}, format="json")

    assert named.json()["account_manager"] == manager.pk
    assert cleared.status_code == 200 and cleared.json()["account_manager"] is None


def test_an_unknown_contact_answers_404(client_for, agent):
    assert_error(client_for(agent).get("/api/v1/contacts/999999"), 404, "not_found")


def test_an_account_manager_who_does_not_exist_answers_404(client_for, agent, conversation):
    response = client_for(agent).patch(
        f"/api/v1/contacts/{conversation.contact_id}", {"account_manager": 999_999}, format="json"
    )

    assert_error(response, 404, "operator_not_found")
