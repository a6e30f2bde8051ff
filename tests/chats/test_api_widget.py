"""The widget's REST API (`/api/widget/v1/`): sessions, messages, CSAT, origins and CORS."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from rest_framework.test import APIClient

from chats.models import Contact, Conversation, ConversationStatus, CsatResponse, Message, Visitor
from chats.services.authors import Author
from chats.services.conversations import conversation_open, conversation_status_set
from chats.services.messages import message_create
from operators.models import Role, Status
from tests.factories import InboxFactory, visitor_for
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

SESSIONS = "/api/widget/v1/sessions"
MESSAGES = "/api/widget/v1/messages"
CSAT = "/api/widget/v1/csat"
SHOP = "https://shop.example.com"


def signed(inbox, external_id: str, **fields: str) -> dict[str, str]:
    digest = hmac.new(inbox.identity_secret.encode(), external_id.encode(), hashlib.sha256)
    return {"external_id": external_id, "hash": digest.hexdigest(), **fields}


def start(inbox, origin: str | None = None, **payload: object):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return APIClient().post(
        SESSIONS, {"inbox_key": inbox.inbox_key, **payload}, format="json", **headers
    )


@pytest.fixture
def shop_inbox(team):
    return InboxFactory(team=team, allowed_origins=[SHOP])


# --- sessions ---------------------------------------------------------------------------------


def test_a_new_visitor_gets_201_and_a_token(inbox, agent):
    response = start(
        inbox, visitor_token=None, locale="en", page={"url": f"{SHOP}/cart", "title": "Cart"}
    )

    assert response.status_code == 201
    body = response.json()
    assert {"visitor_token", "inbox", "conversation"} <= set(body)
    assert isinstance(body["visitor_token"], str) and len(body["visitor_token"]) >= 32
    assert {key: body["inbox"][key] for key in ("name", "greeting", "online", "locale")} == {
        "name": inbox.name,
        "greeting": inbox.greeting,
        "online": True,
        "locale": "en",
    }
    assert body["conversation"] is None
    visitor = Visitor.objects.get()
    assert (visitor.inbox_id, visitor.page_url, visitor.page_title) == (
        inbox.pk,
        f"{SHOP}/cart",
        "Cart",
    )


def test_a_new_visitors_session_does_not_look_for_a_conversation(inbox):
    """A new visitor is a new contact: the session answers `conversation: null` without asking
    the database (the first request of every new conversation, on the routing path)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert start(inbox).json()["conversation"] is None

    assert not [q for q in queries.captured_queries if "chats_conversation" in q["sql"]]


def test_a_session_says_offline_when_no_operator_of_the_team_is_online(inbox, make_operator, team):
    make_operator(Role.AGENT, [team], status=Status.AWAY)

    assert start(inbox).json()["inbox"]["online"] is False


def test_the_session_locale_follows_the_request(inbox):
    assert start(inbox, locale="ru").json()["inbox"]["locale"] == "ru"
    from_header = APIClient().post(
        SESSIONS, {"inbox_key": inbox.inbox_key}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert from_header.json()["inbox"]["locale"] == "ru"


def test_a_visitor_token_resumes_the_same_visitor_with_200(inbox):
    token = start(inbox).json()["visitor_token"]

    response = start(inbox, visitor_token=token)

    assert response.status_code == 200
    assert response.json()["visitor_token"] == token
    assert Visitor.objects.count() == 1
    assert Contact.objects.count() == 1


def test_a_resumed_session_carries_the_current_conversation(inbox, widget_client_for):
    token = start(inbox).json()["visitor_token"]
    sent = widget_client_for(token).post(MESSAGES, {"body": "hi"}, format="json").json()

    conversation = start(inbox, visitor_token=token).json()["conversation"]

    assert conversation == {
        "id": sent["conversation"],
        "status": "open",
        "assignee": None,
        "queue_position": None,
    }


def test_a_visitor_never_sees_the_teams_labels(inbox, widget_client_for, client_for, agent):
    token = start(inbox).json()["visitor_token"]
    sent = widget_client_for(token).post(MESSAGES, {"body": "hi"}, format="json").json()
    client_for(agent).post(
        f"/api/v1/conversations/{sent['conversation']}/labels",
        {"labels": ["difficult-customer"]},
        format="json",
    )

    resumed = start(inbox, visitor_token=token)

    assert "labels" not in resumed.json()["conversation"]
    assert "difficult-customer" not in resumed.content.decode()


@pytest.mark.parametrize("token", ["made-up-token", ""])
def test_an_unknown_or_empty_visitor_token_starts_a_new_visitor(inbox, token):
    response = start(inbox, visitor_token=token)

    assert response.status_code == 201
    assert response.json()["visitor_token"] not in ("", token)
    assert Visitor.objects.count() == 1


def test_an_over_long_visitor_token_is_refused(inbox):
    assert_error(start(inbox, visitor_token="x" * 300), 400, "invalid")
    assert not Visitor.objects.exists()


def test_a_token_of_another_inbox_does_not_resume_there(inbox, team):
    token = start(inbox).json()["visitor_token"]
    elsewhere = InboxFactory(team=team)

    response = start(elsewhere, visitor_token=token)

    assert response.status_code == 201
    assert response.json()["visitor_token"] != token


def test_an_unknown_inbox_key_answers_404():
    response = APIClient().post(SESSIONS, {"inbox_key": "no-such-inbox"}, format="json")

    assert_error(response, 404, "inbox_not_found")
    assert not Visitor.objects.exists()


def test_a_first_signed_in_visit_makes_a_new_visitor(inbox):
    response = start(inbox, identity=signed(inbox, "customer-1", name="Anna", email="a@x.io"))

    assert response.status_code == 201
    contact = Contact.objects.get(external_id="customer-1")
    assert (contact.name, contact.email) == ("Anna", "a@x.io")


def test_a_signed_identity_resumes_the_same_contact_and_history_on_another_device(
    inbox, widget_client_for
):
    identity = signed(inbox, "customer-7", name="Boris")
    laptop = start(inbox, identity=identity).json()["visitor_token"]
    first = widget_client_for(laptop).post(MESSAGES, {"body": "from my laptop"}, format="json")
    assert first.status_code == 201

    phone_session = start(inbox, identity=identity)

    assert phone_session.status_code == 200
    body = phone_session.json()
    phone = body["visitor_token"]
    assert phone != laptop
    assert body["conversation"]["id"] == first.json()["conversation"]
    assert Contact.objects.filter(external_id="customer-7").count() == 1
    assert {v.contact_id for v in Visitor.objects.all()} == {
        Contact.objects.get(external_id="customer-7").pk
    }
    history = widget_client_for(phone).get(MESSAGES).json()["results"]
    assert [m["body"] for m in history] == ["from my laptop"]
    reply = widget_client_for(phone).post(MESSAGES, {"body": "and my phone"}, format="json")
    assert reply.json()["conversation"] == first.json()["conversation"]
    assert [m["body"] for m in widget_client_for(laptop).get(MESSAGES).json()["results"]] == [
        "from my laptop",
        "and my phone",
    ]


def test_an_anonymous_visitor_who_signs_in_keeps_their_history(inbox, widget_client_for):
    anonymous = start(inbox).json()["visitor_token"]
    widget_client_for(anonymous).post(MESSAGES, {"body": "before signing in"}, format="json")

    response = start(inbox, visitor_token=anonymous, identity=signed(inbox, "customer-9"))

    assert response.status_code == 200
    token = response.json()["visitor_token"]
    history = widget_client_for(token).get(MESSAGES).json()["results"]
    assert [m["body"] for m in history] == ["before signing in"]


def test_the_identity_hash_is_accepted_in_upper_case(inbox):
    identity = signed(inbox, "customer-3")
    identity["hash"] = identity["hash"].upper()

    assert start(inbox, identity=identity).status_code == 201


def test_a_wrong_identity_hash_answers_401(inbox):
    identity = signed(inbox, "customer-1")
    identity["hash"] = "0" * 64

    response = start(inbox, identity=identity)

    assert_error(response, 401, "identity_invalid")
    assert not Contact.objects.filter(external_id="customer-1").exists()
    assert not Visitor.objects.exists()


def test_a_hash_made_with_another_inboxs_secret_answers_401(inbox, team):
    elsewhere = InboxFactory(team=team)

    response = start(inbox, identity=signed(elsewhere, "customer-1"))

    assert_error(response, 401, "identity_invalid")


def test_a_wrong_hash_never_takes_over_a_known_contact(inbox, widget_client_for):
    owner = start(inbox, identity=signed(inbox, "customer-5")).json()["visitor_token"]
    widget_client_for(owner).post(MESSAGES, {"body": "my secret order"}, format="json")
    forged = signed(inbox, "customer-5")
    forged["hash"] = forged["hash"][::-1]

    response = start(inbox, identity=forged)

    assert_error(response, 401, "identity_invalid")
    assert Visitor.objects.count() == 1


@pytest.mark.parametrize("bad_hash", ["not-hex", "abc", "", None])
def test_a_malformed_identity_hash_answers_400(inbox, bad_hash):
    response = start(inbox, identity={"external_id": "customer-1", "hash": bad_hash})

    assert_error(response, 400, "invalid")


# --- origins and CORS -------------------------------------------------------------------------


def test_an_allowed_origin_may_start_a_session(shop_inbox):
    assert start(shop_inbox, origin=SHOP).status_code == 201
    assert start(shop_inbox, origin=f"{SHOP}/").status_code == 201


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example.com", "http://shop.example.com", "https://shop.example.com.evil.io"],
)
def test_another_origin_may_not_start_a_session(shop_inbox, origin):
    response = start(shop_inbox, origin=origin)

    assert_error(response, 403, "origin_not_allowed")
    assert not Visitor.objects.exists()


def test_an_inbox_without_allowed_origins_accepts_any_origin(inbox):
    assert start(inbox, origin="https://anywhere.example.org").status_code == 201


def test_another_origin_may_not_read_or_send_messages(shop_inbox, widget_client_for):
    token = start(shop_inbox, origin=SHOP).json()["visitor_token"]
    evil = widget_client_for(token, origin="https://evil.example.com")

    assert_error(evil.get(MESSAGES), 403, "origin_not_allowed")
    assert_error(evil.post(MESSAGES, {"body": "hi"}, format="json"), 403, "origin_not_allowed")
    assert_error(evil.post(CSAT, {"rating": 5}, format="json"), 403, "origin_not_allowed")
    assert not Message.objects.exists()
    allowed = widget_client_for(token, origin=SHOP)
    assert allowed.post(MESSAGES, {"body": "hi"}, format="json").status_code == 201
    assert allowed.get(MESSAGES).status_code == 200


@pytest.mark.parametrize("path", [SESSIONS, MESSAGES, CSAT])
def test_a_cors_preflight_is_answered(path):
    response = APIClient().options(
        path,
        HTTP_ORIGIN=SHOP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )

    assert response.status_code in (200, 204)
    assert response["Access-Control-Allow-Origin"] == SHOP
    methods = {m.strip() for m in response["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    allowed_headers = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers


def test_widget_answers_carry_the_cors_header(inbox):
    response = start(inbox, origin=SHOP)

    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "Origin" in response["Vary"]


def test_widget_errors_carry_the_cors_header_so_the_widget_can_read_them(shop_inbox):
    response = start(shop_inbox, origin="https://evil.example.com")

    assert response.status_code == 403
    assert response["Access-Control-Allow-Origin"] == "https://evil.example.com"


def test_the_operator_api_sends_no_cors_header():
    response = APIClient().options("/api/v1/me", HTTP_ORIGIN=SHOP)

    assert "Access-Control-Allow-Origin" not in response


# --- messages ---------------------------------------------------------------------------------


def test_a_visitor_without_a_conversation_reads_an_empty_list(visitor, widget_client_for):
    response = widget_client_for(visitor[1]).get(MESSAGES)

    assert response.status_code == 200
    assert response.json() == {"results": [], "next": None}


def test_the_first_message_opens_a_conversation(inbox, visitor, widget_client_for):
    client = widget_client_for(visitor[1])

    response = client.post(MESSAGES, {"body": "Hello!", "client_id": "w-1"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["seq"] == 1
    assert body["body"] == "Hello!"
    assert body["private"] is False
    assert body["client_id"] == "w-1"
    assert body["author"]["kind"] == "visitor"
    assert body["author"]["id"] == visitor[0].contact_id
    conversation = Conversation.objects.get()
    assert body["conversation"] == conversation.pk
    assert (conversation.contact_id, conversation.inbox_id) == (visitor[0].contact_id, inbox.pk)
    assert conversation.status == ConversationStatus.OPEN


def test_later_messages_go_into_the_open_conversation(visitor, widget_client_for):
    client = widget_client_for(visitor[1])
    first = client.post(MESSAGES, {"body": "one"}, format="json").json()

    second = client.post(MESSAGES, {"body": "two"}, format="json").json()

    assert second["conversation"] == first["conversation"]
    assert second["seq"] == 2
    assert Conversation.objects.count() == 1


def test_a_message_after_resolution_opens_a_new_conversation(visitor, widget_client_for):
    client = widget_client_for(visitor[1])
    first = client.post(MESSAGES, {"body": "one"}, format="json").json()
    Conversation.objects.filter(pk=first["conversation"]).update(status=ConversationStatus.RESOLVED)

    again = client.post(MESSAGES, {"body": "a new question"}, format="json")

    assert again.status_code == 201
    assert again.json()["conversation"] != first["conversation"]
    assert again.json()["seq"] == 1
    assert [m["body"] for m in client.get(MESSAGES).json()["results"]] == ["a new question"]
    old = client.get(MESSAGES, {"conversation": first["conversation"]}).json()["results"]
    assert [m["body"] for m in old] == ["one"]


def test_a_visitor_message_reopens_a_pending_conversation(conversation, visitor, widget_client_for):
    Conversation.objects.filter(pk=conversation.pk).update(status=ConversationStatus.PENDING)

    response = widget_client_for(visitor[1]).post(MESSAGES, {"body": "still there?"}, format="json")

    assert response.json()["conversation"] == conversation.pk
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN


def test_a_repeated_client_id_answers_200_with_the_first_message(visitor, widget_client_for):
    client = widget_client_for(visitor[1])
    first = client.post(MESSAGES, {"body": "one", "client_id": "w-7"}, format="json")

    again = client.post(MESSAGES, {"body": "changed", "client_id": "w-7"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Message.objects.count() == 1


def test_a_visitors_client_id_equal_to_an_operators_is_another_message(
    conversation, visitor, agent, widget_client_for
):
    message_create(
        conversation_id=conversation.pk,
        author=Author.of_operator(agent),
        body="operator's",
        client_id="same",
    )

    response = widget_client_for(visitor[1]).post(
        MESSAGES, {"body": "visitor's", "client_id": "same"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["seq"] == 2


def test_two_visitors_may_use_the_same_client_id(inbox, widget_client_for):
    _first_visitor, first_token = visitor_for(inbox)
    _second_visitor, second_token = visitor_for(inbox)

    a = widget_client_for(first_token).post(
        MESSAGES, {"body": "a", "client_id": "1"}, format="json"
    )
    b = widget_client_for(second_token).post(
        MESSAGES, {"body": "b", "client_id": "1"}, format="json"
    )

    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["conversation"] != b.json()["conversation"]


def test_the_widget_never_shows_private_notes(conversation, visitor, agent, widget_client_for):
    visitor_author = Author.of_contact(visitor[0].contact)
    for author, body, private in [
        (visitor_author, "my order is late", False),
        (Author.of_operator(agent), "they ordered twice, refund one", True),
        (Author.of_operator(agent), "Sorry! Refunding now.", False),
        (Author.of_operator(agent), "done, ticket #55", True),
    ]:
        message_create(conversation_id=conversation.pk, author=author, body=body, private=private)

    response = widget_client_for(visitor[1]).get(MESSAGES)

    rows = response.json()["results"]
    assert [(m["seq"], m["body"]) for m in rows] == [
        (1, "my order is late"),
        (3, "Sorry! Refunding now."),
    ]
    assert all(m["private"] is False for m in rows)
    assert "refund one" not in response.content.decode()
    after = widget_client_for(visitor[1]).get(MESSAGES, {"after_seq": 1}).json()["results"]
    assert [m["seq"] for m in after] == [3]
    explicit = widget_client_for(visitor[1]).get(MESSAGES, {"conversation": conversation.pk})
    assert [m["seq"] for m in explicit.json()["results"]] == [1, 3]


def test_widget_message_pages_follow_on(conversation, visitor, widget_client_for):
    for index in range(5):
        message_create(
            conversation_id=conversation.pk,
            author=Author.of_contact(visitor[0].contact),
            body=f"m{index}",
        )
    client = widget_client_for(visitor[1])

    seqs: list[int] = []
    url: str | None = f"{MESSAGES}?limit=2"
    while url:
        body = client.get(url).json()
        seqs.extend(m["seq"] for m in body["results"])
        url = body["next"]

    assert seqs == [1, 2, 3, 4, 5]


def test_the_widget_message_list_costs_the_same_queries_for_many_rows(
    conversation, visitor, agent, widget_client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = widget_client_for(visitor[1])
    url = f"{MESSAGES}?limit=500"
    authors = [Author.of_contact(visitor[0].contact), Author.of_operator(agent)]
    message_create(conversation_id=conversation.pk, author=authors[0], body="first")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).json()["results"]) == 1
    for index in range(40):
        message_create(conversation_id=conversation.pk, author=authors[index % 2], body=f"{index}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()["results"]) == 41


def test_a_visitor_token_never_gives_access_to_another_visitors_conversation(
    inbox, conversation, visitor, widget_client_for
):
    message_create(
        conversation_id=conversation.pk,
        author=Author.of_contact(visitor[0].contact),
        body="my address is 1 Main St",
    )
    _intruder, intruder_token = visitor_for(inbox)
    intruder = widget_client_for(intruder_token)

    assert intruder.get(MESSAGES).json()["results"] == []
    assert_error(intruder.get(MESSAGES, {"conversation": conversation.pk}), 404, "not_found")
    sent = intruder.post(MESSAGES, {"body": "hi"}, format="json").json()
    assert sent["conversation"] != conversation.pk
    conversation.refresh_from_db()
    assert conversation.last_seq == 1


def test_a_visitor_token_is_not_an_operator_token(visitor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {visitor[1]}")

    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")
    assert_error(client.get("/api/v1/conversations"), 401, "not_authenticated")


def test_an_operator_token_is_not_a_visitor_token(agent, client_for, widget_client_for):
    operator_token = client_for(agent).token

    assert_error(widget_client_for(operator_token).get(MESSAGES), 401, "not_authenticated")


def test_the_widget_api_needs_a_visitor_token():
    assert_error(APIClient().get(MESSAGES), 401, "not_authenticated")
    assert_error(
        APIClient().post(MESSAGES, {"body": "hi"}, format="json"), 401, "not_authenticated"
    )
    assert_error(APIClient().post(CSAT, {"rating": 5}, format="json"), 401, "not_authenticated")


def test_an_unknown_visitor_token_answers_401(widget_client_for):
    assert_error(widget_client_for("forged-token").get(MESSAGES), 401, "not_authenticated")


def test_the_widget_may_not_write_private_notes(visitor, widget_client_for):
    response = widget_client_for(visitor[1]).post(
        MESSAGES, {"body": "hi", "private": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["private"] is False


# --- CSAT -------------------------------------------------------------------------------------


def resolve(conversation):
    return conversation_status_set(
        conversation=conversation, actor=None, status=ConversationStatus.RESOLVED
    )


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_a_visitor_rates_their_latest_conversation(
    inbox, conversation, visitor, widget_client_for, rating
):
    older_then_newer = conversation_open(inbox=inbox, contact=visitor[0].contact)
    resolve(older_then_newer)

    response = widget_client_for(visitor[1]).post(
        CSAT, {"rating": rating, "comment": "Спасибо!"}, format="json"
    )

    assert response.status_code == 201
    assert response.json() == {
        "conversation": older_then_newer.pk,
        "rating": rating,
        "comment": "Спасибо!",
    }
    stored = CsatResponse.objects.get()
    assert (stored.conversation_id, stored.rating) == (older_then_newer.pk, rating)


def test_an_open_conversation_is_not_rated_yet(conversation, visitor, widget_client_for):
    response = widget_client_for(visitor[1]).post(CSAT, {"rating": 5}, format="json")

    assert_error(response, 409, "not_resolved")
    assert not CsatResponse.objects.exists()


def test_rating_again_changes_the_rating(conversation, visitor, widget_client_for):
    resolve(conversation)
    client = widget_client_for(visitor[1])
    assert client.post(CSAT, {"rating": 2}, format="json").status_code == 201

    response = client.post(CSAT, {"rating": 4, "comment": "better now"}, format="json")

    assert response.status_code == 200
    assert response.json()["rating"] == 4
    assert CsatResponse.objects.get().rating == 4


@pytest.mark.parametrize(
    "payload", [{"rating": 0}, {"rating": 6}, {"rating": "great"}, {}, {"rating": None}]
)
def test_a_rating_outside_one_to_five_is_refused(conversation, visitor, widget_client_for, payload):
    response = widget_client_for(visitor[1]).post(CSAT, payload, format="json")

    assert_error(response, 400, "invalid")
    assert not CsatResponse.objects.exists()


def test_rating_without_a_conversation_answers_409(visitor, widget_client_for):
    response = widget_client_for(visitor[1]).post(CSAT, {"rating": 5}, format="json")

    assert_error(response, 409, "no_conversation")
