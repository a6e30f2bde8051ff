"""Bad input on every REST path answers the contract's error, never a 500 or an HTML page;
rate limits stop floods and never a human pace."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from chats.models import Conversation, Message
from operators.models import Team
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

SQL = "'; DROP TABLE chats_message; -- \" OR 1=1 /*"
HTML = '<script>alert("x")</script><img src=x onerror=alert(1)><b>bold</b> &amp; &lt;'


@pytest.fixture
def agent_client(client_for, agent):
    return client_for(agent)


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


@pytest.fixture
def visitor_client(visitor, widget_client_for):
    return widget_client_for(visitor[1])


def raw(client: APIClient, method: str, path: str, data: bytes | str, content_type: str):
    return getattr(client, method)(path, data=data, content_type=content_type)


def operator_writes(conversation, agent, team) -> list[tuple[str, str]]:
    """Every operator endpoint that takes a JSON body (method, path)."""
    base = f"/api/v1/conversations/{conversation.pk}"
    return [
        ("patch", "/api/v1/me"),
        ("post", "/api/v1/operators"),
        ("patch", f"/api/v1/operators/{agent.pk}"),
        ("post", "/api/v1/teams"),
        ("post", "/api/v1/inboxes"),
        ("patch", f"/api/v1/inboxes/{conversation.inbox_id}"),
        ("post", f"{base}/messages"),
        ("post", f"{base}/assign"),
        ("post", f"{base}/status"),
        ("post", f"{base}/labels"),
        ("post", f"{base}/priority"),
        ("patch", f"/api/v1/contacts/{conversation.contact_id}"),
    ]


WIDGET_WRITES = [
    ("post", "/api/widget/v1/messages"),
    ("post", "/api/widget/v1/csat"),
]


@pytest.fixture
def every_write(conversation, admin, admin_client, visitor_client, team):
    """(client, method, path) for every endpoint with a JSON body, each with a caller allowed
    to use it."""
    calls = [(admin_client, m, p) for m, p in operator_writes(conversation, admin, team)]
    calls += [(visitor_client, m, p) for m, p in WIDGET_WRITES]
    calls.append((APIClient(), "post", "/api/widget/v1/sessions"))
    calls.append((APIClient(), "post", "/api/v1/auth/token"))
    return calls


# --- malformed bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{",
        '{"body": "unterminated}',
        "{'body': 'single quotes'}",
        '{"body": "x",}',
        "not json at all",
        '{"body": NaN}',
        '{"rating": Infinity}',
    ],
)
def test_malformed_json_answers_400_malformed_json_everywhere(every_write, text):
    for client, method, path in every_write:
        response = raw(client, method, path, text, "application/json")
        assert_error(response, 400, "malformed_json")


def test_a_body_that_is_not_utf8_answers_400(every_write):
    for client, method, path in every_write:
        response = raw(client, method, path, b'{"body": "\xff\xfe\xfa"}', "application/json")
        assert_error(response, 400, "malformed_json")


def test_deeply_nested_json_answers_400_not_500(every_write):
    nested = "[" * 100_000 + "]" * 100_000
    for client, method, path in every_write:
        response = raw(client, method, path, nested, "application/json")
        assert response.status_code == 400, (path, response.status_code)
        assert response.json()["error"]["code"] in ("malformed_json", "invalid")


@pytest.mark.parametrize("body", ["[]", '[{"body": "hi"}]', "5", '"hi"', "null", "true"])
def test_a_body_that_is_not_a_json_object_answers_400(every_write, body):
    for client, method, path in every_write:
        response = raw(client, method, path, body, "application/json")
        assert_error(response, 400, "invalid")


def test_an_empty_body_is_refused(admin_client, conversation):
    response = raw(
        admin_client,
        "post",
        f"/api/v1/conversations/{conversation.pk}/messages",
        "",
        "application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid", "malformed_json")
    assert not Message.objects.exists()


# --- wrong types and missing fields -----------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"body": 42}, "invalid_body"),
        ({"body": 4.2}, "invalid_body"),
        ({"body": True}, "invalid_body"),
        ({"body": None}, "invalid"),
        ({"body": ["hi"]}, "invalid_body"),
        ({"body": {"text": "hi"}}, "invalid_body"),
        ({}, "invalid"),
        ({"text": "hi"}, "invalid"),
        ({"body": "hi", "private": "maybe"}, "invalid"),
        ({"body": "hi", "private": [True]}, "invalid"),
        ({"body": "hi", "client_id": 12}, "invalid_client_id"),
        ({"body": "hi", "client_id": ""}, "invalid_client_id"),
        ({"body": "hi", "client_id": "c" * 65}, "invalid_client_id"),
        ({"body": "hi", "client_id": {"id": 1}}, "invalid_client_id"),
        ({"body": "hi\x00there"}, "invalid_body"),
    ],
)
def test_wrong_message_fields_are_refused(
    agent_client, visitor_client, conversation, payload, code
):
    operator = agent_client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", payload, format="json"
    )
    assert_error(operator, 400, code)
    if "private" not in payload:
        widget = visitor_client.post("/api/widget/v1/messages", payload, format="json")
        assert_error(widget, 400, code)
    assert not Message.objects.exists()


def test_a_client_id_of_exactly_64_characters_is_accepted(agent_client, conversation):
    response = agent_client.post(
        f"/api/v1/conversations/{conversation.pk}/messages",
        {"body": "hi", "client_id": "c" * 64},
        format="json",
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("suffix", "payload"),
    [
        ("/labels", {"labels": "delivery"}),
        ("/labels", {"labels": {"a": 1}}),
        ("/labels", {"labels": 7}),
        ("/labels", {}),
        ("/status", {"status": 1}),
        ("/status", {"status": ["open"]}),
        ("/status", {}),
        ("/assign", {"operator": "abc"}),
        ("/assign", {"operator": [1]}),
        ("/assign", {"team": {"id": 1}}),
        ("/assign", {}),
        ("/assign", {"note": ["a", "list"]}),
        ("/priority", {"priority": 3}),
    ],
)
def test_wrong_action_fields_are_refused(agent_client, conversation, suffix, payload):
    response = agent_client.post(
        f"/api/v1/conversations/{conversation.pk}{suffix}", payload, format="json"
    )

    assert_error(response, 400, "invalid")


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/widget/v1/sessions", {}),
        ("/api/widget/v1/sessions", {"inbox_key": ["k"]}),
        ("/api/widget/v1/sessions", {"inbox_key": "k", "page": "https://x"}),
        ("/api/widget/v1/sessions", {"inbox_key": "k", "identity": "customer-1"}),
        ("/api/widget/v1/sessions", {"inbox_key": "k", "identity": {"external_id": "c"}}),
        ("/api/v1/auth/token", {"username": "x"}),
        ("/api/v1/auth/token", {"username": ["x"], "password": "y"}),
        ("/api/v1/auth/token", {}),
    ],
)
def test_wrong_public_fields_are_refused(path, payload):
    assert_error(APIClient().post(path, payload, format="json"), 400, "invalid")


@pytest.mark.parametrize(
    "payload",
    [{"rating": "five"}, {"rating": 3.5}, {"rating": [5]}, {"rating": 5, "comment": ["x"]}],
)
def test_wrong_csat_fields_are_refused(visitor_client, conversation, payload):
    response = visitor_client.post("/api/widget/v1/csat", payload, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid", "malformed_json")


@pytest.mark.parametrize(
    "query",
    [
        "after_seq=abc",
        "after_seq=-1",
        "after_seq=1.5",
        "after_seq=99999999999999999999",
        "limit=0",
        "limit=abc",
    ],
)
def test_bad_message_list_parameters_answer_400(agent_client, visitor_client, conversation, query):
    operator = agent_client.get(f"/api/v1/conversations/{conversation.pk}/messages?{query}")
    widget = visitor_client.get(f"/api/widget/v1/messages?{query}")

    assert_error(operator, 400, "invalid")
    assert_error(widget, 400, "invalid")


@pytest.mark.parametrize(
    "query",
    [
        "team=%C2%B2",  # "²" is a digit to str.isdigit() but not to int()
        "inbox=%C2%B2",
        "assignee=%C2%B2",
        "team=99999999999999999999999",
        "assignee=99999999999999999999999",
        "q=%00",
        "label=%00",
        "q=a%00b",
        "cursor=%00",
    ],
)
def test_odd_list_parameters_never_answer_500(agent_client, conversation, query):
    response = agent_client.get(f"/api/v1/conversations?{query}")

    assert response.status_code in (200, 400), (query, response.status_code)
    if response.status_code == 400:
        assert response.json()["error"]["code"] in ("invalid", "invalid_cursor")
    else:
        assert response.json()["results"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/conversations/99999999999999999999999",
        "/api/v1/conversations/99999999999999999999999/messages",
        "/api/v1/contacts/99999999999999999999999",
    ],
)
def test_out_of_range_ids_answer_404(agent_client, path):
    assert_error(agent_client.get(path), 404, "not_found")


def test_out_of_range_ids_in_bodies_never_answer_500(admin_client, conversation, team):
    huge = 10**30
    base = f"/api/v1/conversations/{conversation.pk}"

    assert admin_client.post(f"{base}/assign", {"operator": huge}, format="json").status_code in (
        400,
        404,
    )
    assert admin_client.post(f"{base}/assign", {"team": huge}, format="json").status_code in (
        400,
        404,
    )
    assert_error(
        admin_client.patch(
            f"/api/v1/contacts/{conversation.contact_id}", {"account_manager": huge}, format="json"
        ),
        404,
        "operator_not_found",
    )
    assert_error(
        admin_client.post(
            "/api/v1/inboxes", {"name": "x", "channel": "web", "team": huge}, format="json"
        ),
        404,
        "team_not_found",
    )


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/v1/auth/token", {"username": "a\x00b", "password": "x"}),
        ("/api/widget/v1/sessions", {"inbox_key": "a\x00b"}),
    ],
)
def test_nul_characters_in_public_fields_answer_400(path, payload):
    assert_error(APIClient().post(path, payload, format="json"), 400, "invalid")


# --- body size --------------------------------------------------------------------------------


def test_a_body_of_10001_characters_is_refused_and_10000_accepted(
    agent_client, visitor_client, conversation
):
    url = f"/api/v1/conversations/{conversation.pk}/messages"

    assert_error(
        agent_client.post(url, {"body": "a" * 10_001}, format="json"), 400, "body_too_long"
    )
    assert_error(
        visitor_client.post("/api/widget/v1/messages", {"body": "a" * 10_001}, format="json"),
        400,
        "body_too_long",
    )
    assert not Message.objects.exists()

    operator = agent_client.post(url, {"body": "a" * 10_000}, format="json")
    widget = visitor_client.post("/api/widget/v1/messages", {"body": "b" * 10_000}, format="json")

    assert operator.status_code == 201 and len(operator.json()["body"]) == 10_000
    assert widget.status_code == 201 and len(widget.json()["body"]) == 10_000


def test_the_length_limit_counts_code_points_not_bytes(agent_client, conversation):
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    emoji = "\U0001f600"  # 4 bytes in UTF-8, 2 units in UTF-16, 1 code point

    accepted = agent_client.post(url, {"body": emoji * 10_000}, format="json")
    refused = agent_client.post(url, {"body": "я" * 10_001}, format="json")

    assert accepted.status_code == 201
    assert accepted.json()["body"] == emoji * 10_000
    assert_error(refused, 400, "body_too_long")


def test_a_handoff_note_over_10000_characters_is_refused(agent_client, conversation, other_team):
    response = agent_client.post(
        f"/api/v1/conversations/{conversation.pk}/assign",
        {"team": other_team.pk, "note": "n" * 10_001},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] in ("invalid", "body_too_long")


def test_a_request_body_over_1_mib_answers_413(every_write, agent_client):
    big = json.dumps({"body": "x" * (1024 * 1024 + 10)})
    for client, method, path in every_write:
        assert_error(raw(client, method, path, big, "application/json"), 413, "too_large")
    assert_error(
        raw(agent_client, "post", "/api/v1/no-such-path", big, "application/json"), 413, "too_large"
    )
    assert not Message.objects.exists()


def test_a_body_just_under_1_mib_is_parsed(agent_client, conversation):
    body = json.dumps({"body": "x" * (1024 * 1024 - 100)})
    assert len(body.encode()) <= 1024 * 1024

    response = raw(
        agent_client,
        "post",
        f"/api/v1/conversations/{conversation.pk}/messages",
        body,
        "application/json",
    )

    assert_error(response, 400, "body_too_long")  # parsed, then refused for its length


@pytest.mark.parametrize("body", ["", " ", "   ", "\n", "\t\n \r\n", "\u00a0\u2003", "\u3000"])
def test_an_empty_or_whitespace_only_body_is_refused(
    agent_client, visitor_client, conversation, body
):
    operator = agent_client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": body}, format="json"
    )
    widget = visitor_client.post("/api/widget/v1/messages", {"body": body}, format="json")

    assert_error(operator, 400, "empty_body")
    assert_error(widget, 400, "empty_body")
    assert not Message.objects.exists()
    assert Conversation.objects.count() == 1  # the widget opened nothing for a refused body


# --- content type and methods -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", "body=hi&status=open"),
        ("text/plain", '{"body": "hi"}'),
        (
            "multipart/form-data; boundary=BoUnDaRy",
            '--BoUnDaRy\r\nContent-Disposition: form-data; name="body"\r\n\r\n'
            "hi\r\n--BoUnDaRy--\r\n",
        ),
        ("application/xml", "<body>hi</body>"),
    ],
)
def test_a_wrong_content_type_answers_415(every_write, content_type, data):
    for client, method, path in every_write:
        response = raw(client, method, path, data, content_type)
        assert_error(response, 415, "unsupported_media_type")
    assert not Message.objects.exists()


def test_json_with_a_charset_is_accepted(agent_client, conversation):
    response = raw(
        agent_client,
        "post",
        f"/api/v1/conversations/{conversation.pk}/messages",
        json.dumps({"body": "привет"}).encode(),
        "application/json; charset=utf-8",
    )

    assert response.status_code == 201
    assert response.json()["body"] == "привет"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/me"),
        ("delete", "/api/v1/me"),
        ("get", "/api/v1/auth/token"),
        ("put", "/api/v1/auth/token"),
        ("delete", "/api/v1/teams"),
        ("put", "/api/v1/conversations"),
        ("delete", "/api/v1/conversations/{conversation}"),
        ("patch", "/api/v1/conversations/{conversation}"),
        ("get", "/api/v1/conversations/{conversation}/assign"),
        ("get", "/api/v1/conversations/{conversation}/status"),
        ("delete", "/api/v1/conversations/{conversation}/labels"),
        ("put", "/api/v1/conversations/{conversation}/messages"),
        ("delete", "/api/v1/contacts/{contact}"),
        ("delete", "/api/v1/inboxes"),
    ],
)
def test_a_wrong_method_answers_405(admin_client, conversation, method, path):
    url = path.format(conversation=conversation.pk, contact=conversation.contact_id)

    response = getattr(admin_client, method)(url, {}, format="json")

    assert_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/widget/v1/sessions"),
        ("put", "/api/widget/v1/messages"),
        ("delete", "/api/widget/v1/messages"),
        ("get", "/api/widget/v1/csat"),
    ],
)
def test_a_wrong_method_on_the_widget_api_answers_405(visitor_client, method, path):
    assert_error(getattr(visitor_client, method)(path), 405, "method_not_allowed")


# --- unknown paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/v1/",
        "/api/v1/nope",
        "/api/v1/nope/",
        "/api/v2/conversations",
        "/api/widget/v1/nope",
        "/api/widget/v2/sessions",
        "/api/v1/conversations/abc",
        "/api/v1/conversations/1/unknown",
        "/api/v1/conversations/-1",
        "/api/v1/operators/me",
        "/api/%3Cscript%3E",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_answers_404_json_never_html(agent_client, path, method):
    for client in (agent_client, APIClient()):
        response = getattr(client, method)(path, {}, format="json")
        assert_error(response, 404, "not_found")
        assert not response.content.lstrip().startswith(b"<")


# --- authentication and permission ------------------------------------------------------------


def operator_reads(conversation) -> list[tuple[str, str]]:
    base = f"/api/v1/conversations/{conversation.pk}"
    return [
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("get", "/api/v1/operators"),
        ("post", "/api/v1/operators"),
        ("get", "/api/v1/teams"),
        ("post", "/api/v1/teams"),
        ("get", "/api/v1/inboxes"),
        ("post", "/api/v1/inboxes"),
        ("patch", f"/api/v1/inboxes/{conversation.inbox_id}"),
        ("get", "/api/v1/conversations"),
        ("get", base),
        ("get", f"{base}/messages"),
        ("post", f"{base}/messages"),
        ("post", f"{base}/assign"),
        ("post", f"{base}/status"),
        ("post", f"{base}/labels"),
        ("get", f"/api/v1/contacts/{conversation.contact_id}"),
        ("patch", f"/api/v1/contacts/{conversation.contact_id}"),
        ("delete", "/api/v1/auth/token"),
    ]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer not-a-real-token",
        "Bearer " + "x" * 500,
        "Token abc",
        "Basic dXNlcjpwYXNz",
        "bearer",
    ],
)
def test_no_or_an_invalid_bearer_answers_401(conversation, authorization):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    for method, path in operator_reads(conversation):
        response = getattr(client, method)(path, {"body": "hi"}, format="json")
        assert_error(response, 401, "not_authenticated")
    assert not Message.objects.exists()


def test_a_401_says_how_to_authenticate(conversation):
    response = APIClient().get("/api/v1/me")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/api/v1/operators", {"username": "x", "password": "a-long-Passw0rd-1"}),
        ("get", "/api/v1/operators", None),
        ("patch", "/api/v1/operators/{agent}", {"role": "admin"}),
        ("post", "/api/v1/teams", {"name": "Evil"}),
        ("post", "/api/v1/inboxes", {"name": "x", "channel": "web", "team": "{team}"}),
    ],
)
def test_an_agent_calling_admin_endpoints_gets_403(
    agent_client, agent, team, method, path, payload
):
    url = path.format(agent=agent.pk)
    if payload and payload.get("team") == "{team}":
        payload = {**payload, "team": team.pk}

    response = getattr(agent_client, method)(url, payload, format="json")

    assert_error(response, 403, "forbidden")
    agent.refresh_from_db()
    assert agent.role == "agent"
    assert not Team.objects.filter(name="Evil").exists()


# --- payloads stored and returned verbatim ----------------------------------------------------


@pytest.mark.parametrize("text", [HTML, SQL, f"{HTML}\n{SQL}", "  leading and trailing  \n\n"])
def test_html_and_sql_in_messages_are_stored_and_returned_verbatim(
    agent_client, visitor_client, conversation, text
):
    operator = agent_client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": text}, format="json"
    )
    widget = visitor_client.post("/api/widget/v1/messages", {"body": text}, format="json")

    assert operator.status_code == 201 and widget.status_code == 201
    assert operator.json()["body"] == text and widget.json()["body"] == text
    assert operator["Content-Type"].startswith("application/json")
    listed = agent_client.get(f"/api/v1/conversations/{conversation.pk}/messages").json()
    assert [m["body"] for m in listed["results"]] == [text, text]
    assert [m["body"] for m in visitor_client.get("/api/widget/v1/messages").json()["results"]] == [
        text,
        text,
    ]
    assert list(Message.objects.values_list("body", flat=True)) == [text, text]


def test_html_and_sql_in_names_and_labels_are_stored_verbatim(
    agent_client, admin_client, conversation
):
    contact = agent_client.patch(
        f"/api/v1/contacts/{conversation.contact_id}", {"name": HTML[:200]}, format="json"
    )
    labels = agent_client.post(
        f"/api/v1/conversations/{conversation.pk}/labels", {"labels": [SQL[:50]]}, format="json"
    )
    team = admin_client.post("/api/v1/teams", {"name": SQL}, format="json")

    assert contact.json()["name"] == HTML[:200]
    assert labels.json()["labels"] == [SQL[:50].strip()]
    assert team.json()["name"] == SQL
    found = agent_client.get("/api/v1/conversations", {"q": SQL}).status_code
    assert found == 200


# --- resilience -------------------------------------------------------------------------------


def test_after_many_bad_requests_the_server_still_serves_a_good_one(
    agent_client, visitor_client, conversation
):
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    bad = [
        lambda: raw(agent_client, "post", url, "{", "application/json"),
        lambda: raw(agent_client, "post", url, "[" * 50_000, "application/json"),
        lambda: raw(agent_client, "post", url, b"\xff\xfe", "application/json"),
        lambda: raw(agent_client, "post", url, "body=x", "application/x-www-form-urlencoded"),
        lambda: agent_client.get("/api/v1/nope"),
        lambda: agent_client.put("/api/v1/me"),
        lambda: agent_client.get(f"{url}?after_seq=abc"),
        lambda: agent_client.get("/api/v1/conversations?q=%00"),
        lambda: agent_client.post("/api/v1/teams", {"name": "x"}, format="json"),
        lambda: APIClient().get("/api/v1/me"),
        lambda: raw(visitor_client, "post", "/api/widget/v1/csat", "}", "application/json"),
        lambda: visitor_client.get("/api/widget/v1/messages?conversation=abc"),
    ]
    statuses = set()
    for _round in range(3):
        for call in bad:
            response = call()
            assert 400 <= response.status_code < 500
            statuses.add(response.status_code)

    assert statuses >= {400, 401, 403, 404, 405, 415}
    good = agent_client.post(url, {"body": "still here"}, format="json")
    assert good.status_code == 201
    assert agent_client.get(url).json()["results"][0]["body"] == "still here"
    assert (
        visitor_client.post(
            "/api/widget/v1/messages", {"body": "me too"}, format="json"
        ).status_code
        == 201
    )


def test_an_unexpected_error_on_an_api_path_answers_json_not_html(agent, monkeypatch):
    from django.test import Client

    from chats import selectors

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "conversation_list", explode)
    browser = Client(raise_request_exception=False)
    browser.force_login(agent)

    response = browser.get("/api/v1/conversations")

    assert_error(response, 500, "server_error")
    assert b"boom" not in response.content  # no internals leak
    assert b"Traceback" not in response.content


# --- rate limits ------------------------------------------------------------------------------


def test_an_operator_bursting_past_20_messages_gets_429(agent_client, conversation, rate_clock):
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    for index in range(20):
        response = agent_client.post(url, {"body": f"burst {index}"}, format="json")
        assert response.status_code == 201, index

    limited = agent_client.post(url, {"body": "one too many"}, format="json")

    assert_error(limited, 429, "rate_limited")
    assert Message.objects.count() == 20
    assert agent_client.get(url).status_code == 200  # reading is not limited by sending
    rate_clock.advance(1.0)
    assert agent_client.post(url, {"body": "a second later"}, format="json").status_code == 201


def test_the_operator_limit_is_per_operator(
    agent_client, client_for, make_operator, team, conversation, rate_clock
):
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    for index in range(21):
        agent_client.post(url, {"body": f"burst {index}"}, format="json")

    colleague = client_for(make_operator("agent", [team]))

    assert colleague.post(url, {"body": "my own bucket"}, format="json").status_code == 201


def test_the_operator_limit_spans_conversations(agent_client, agent, inbox, rate_clock):
    from chats.services.conversations import conversation_open
    from tests.factories import ContactFactory

    conversations = [conversation_open(inbox=inbox, contact=ContactFactory()) for _ in range(3)]
    for index in range(20):
        target = conversations[index % 3]
        response = agent_client.post(
            f"/api/v1/conversations/{target.pk}/messages", {"body": "x"}, format="json"
        )
        assert response.status_code == 201

    response = agent_client.post(
        f"/api/v1/conversations/{conversations[0].pk}/messages", {"body": "x"}, format="json"
    )
    assert_error(response, 429, "rate_limited")


def test_a_visitor_bursting_past_20_messages_gets_429(visitor_client, rate_clock):
    for index in range(20):
        response = visitor_client.post(
            "/api/widget/v1/messages", {"body": f"burst {index}"}, format="json"
        )
        assert response.status_code == 201, index

    limited = visitor_client.post("/api/widget/v1/messages", {"body": "flood"}, format="json")

    assert_error(limited, 429, "rate_limited")
    assert Message.objects.count() == 20
    assert visitor_client.get("/api/widget/v1/messages").status_code == 200


def test_the_visitor_limit_is_per_visitor(inbox, visitor_client, widget_client_for, rate_clock):
    from tests.factories import visitor_for

    for index in range(21):
        visitor_client.post("/api/widget/v1/messages", {"body": f"{index}"}, format="json")
    _other, other_token = visitor_for(inbox)

    response = widget_client_for(other_token).post(
        "/api/widget/v1/messages", {"body": "hello"}, format="json"
    )

    assert response.status_code == 201


def test_a_human_pace_of_one_message_a_second_is_never_limited(
    agent_client, visitor_client, conversation, rate_clock
):
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    for index in range(60):
        operator = agent_client.post(url, {"body": f"op {index}"}, format="json")
        widget = visitor_client.post(
            "/api/widget/v1/messages", {"body": f"v {index}"}, format="json"
        )
        assert (operator.status_code, widget.status_code) == (201, 201), index
        rate_clock.advance(1.0)


def test_a_burst_then_a_steady_second_pace_is_never_limited(agent_client, conversation, rate_clock):
    url = f"/api/v1/conversations/{conversation.pk}/messages"
    for index in range(20):
        assert agent_client.post(url, {"body": f"b{index}"}, format="json").status_code == 201
    for index in range(30):
        rate_clock.advance(1.0)
        assert agent_client.post(url, {"body": f"s{index}"}, format="json").status_code == 201


def test_rate_limits_can_be_turned_off(agent_client, conversation, rate_clock, settings):
    settings.RATE_LIMITS_ENABLED = False
    url = f"/api/v1/conversations/{conversation.pk}/messages"

    for index in range(30):
        assert agent_client.post(url, {"body": f"{index}"}, format="json").status_code == 201
