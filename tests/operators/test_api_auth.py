"""`POST /api/v1/auth/token` and `DELETE /api/v1/auth/token`: bearer tokens of the operator API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from operators.models import ApiToken
from tests.factories import PASSWORD
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def login(username: str, password: str) -> object:
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_the_right_password_issues_a_token_that_authenticates_the_operator(agent):
    response = login(agent.username, PASSWORD)

    assert response.status_code == 201
    body = response.json()
    assert "token" in body
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    me = bearer(body["token"]).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["id"] == agent.pk


def test_only_the_hash_of_a_token_is_stored(agent):
    token = login(agent.username, PASSWORD).json()["token"]

    stored = ApiToken.objects.get(operator=agent)
    assert stored.key_hash != token
    assert token not in stored.key_hash


def test_each_login_issues_a_new_token(agent):
    first = login(agent.username, PASSWORD).json()["token"]
    second = login(agent.username, PASSWORD).json()["token"]

    assert first != second
    assert bearer(first).get("/api/v1/me").status_code == 200
    assert bearer(second).get("/api/v1/me").status_code == 200


def test_a_wrong_password_answers_401(agent):
    response = login(agent.username, "not-the-password")

    assert_error(response, 401, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_an_unknown_username_answers_401_like_a_wrong_password(agent):
    unknown = login("nobody-by-this-name", PASSWORD)
    wrong = login(agent.username, "not-the-password")

    assert_error(unknown, 401, "invalid_credentials")
    assert unknown.json() == wrong.json()


def test_a_deactivated_operator_gets_no_token(make_operator):
    operator = make_operator(is_active=False)

    assert_error(login(operator.username, PASSWORD), 401, "invalid_credentials")


def test_missing_credentials_answer_400(agent):
    response = APIClient().post(TOKEN_URL, {"username": agent.username}, format="json")

    error = assert_error(response, 400, "invalid")
    assert "password" in error["message"]


def test_after_five_failed_logins_the_account_is_locked_out_even_with_the_right_password(agent):
    for _attempt in range(4):
        assert_error(login(agent.username, "wrong-password"), 401, "invalid_credentials")
    assert_error(login(agent.username, "wrong-password"), 429, "locked_out")  # the fifth

    locked = login(agent.username, PASSWORD)

    assert_error(locked, 429, "locked_out")
    assert not ApiToken.objects.filter(operator=agent).exists()


def test_four_failed_logins_do_not_lock_the_account_out(agent):
    for _attempt in range(4):
        assert_error(login(agent.username, "wrong-password"), 401, "invalid_credentials")

    assert login(agent.username, PASSWORD).status_code == 201


def test_a_lockout_of_one_username_does_not_lock_out_another(agent, make_operator):
    colleague = make_operator()
    for _attempt in range(6):
        login(agent.username, "wrong-password")

    assert_error(login(agent.username, PASSWORD), 429, "locked_out")
    assert login(colleague.username, PASSWORD).status_code == 201


def test_delete_revokes_the_token(agent):
    token = login(agent.username, PASSWORD).json()["token"]
    client = bearer(token)

    response = client.delete(TOKEN_URL)

    assert response.status_code == 204
    assert response.content == b""
    assert not ApiToken.objects.filter(operator=agent).exists()
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_a_revoked_token_cannot_be_revoked_again(agent):
    token = login(agent.username, PASSWORD).json()["token"]
    client = bearer(token)
    assert client.delete(TOKEN_URL).status_code == 204

    assert_error(client.delete(TOKEN_URL), 401, "not_authenticated")


def test_revoking_one_token_keeps_the_operators_other_tokens(agent):
    kept = login(agent.username, PASSWORD).json()["token"]
    revoked = login(agent.username, PASSWORD).json()["token"]

    assert bearer(revoked).delete(TOKEN_URL).status_code == 204

    assert bearer(kept).get("/api/v1/me").status_code == 200
    assert_error(bearer(revoked).get("/api/v1/me"), 401, "not_authenticated")


def test_delete_without_a_token_answers_401():
    assert_error(APIClient().delete(TOKEN_URL), 401, "not_authenticated")


def test_delete_with_an_unknown_token_answers_401(agent):
    login(agent.username, PASSWORD)

    assert_error(bearer("made-up-token").delete(TOKEN_URL), 401, "not_authenticated")
    assert ApiToken.objects.filter(operator=agent).count() == 1


def test_a_made_up_token_answers_401():
    assert_error(bearer("x" * 43).get("/api/v1/me"), 401, "not_authenticated")


def test_a_deactivated_operators_token_stops_working(agent, client_for):
    client = client_for(agent)
    assert client.get("/api/v1/me").status_code == 200
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_token_endpoint_refuses_get(agent):
    assert_error(APIClient().get(TOKEN_URL), 405, "method_not_allowed")


def test_the_consoles_session_cookie_authenticates_and_writes_need_csrf(agent, conversation):
    from django.test import Client

    from chats.models import Message

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent)
    url = f"/api/v1/conversations/{conversation.pk}/messages"

    assert browser.get("/api/v1/me").json()["id"] == agent.pk
    refused = browser.post(url, {"body": "no csrf"}, content_type="application/json")
    assert_error(refused, 403, "forbidden")
    assert not Message.objects.exists()

    secret = "a" * 32
    browser.cookies["csrftoken"] = secret
    accepted = browser.post(
        url, {"body": "with csrf"}, content_type="application/json", HTTP_X_CSRFTOKEN=secret
    )
    assert accepted.status_code == 201
    assert accepted.json()["author"]["id"] == agent.pk


def test_a_bearer_token_needs_no_csrf(agent, client_for, conversation):
    client = client_for(agent)
    client.enforce_csrf_checks = True  # a script is not a browser: the token is the proof

    response = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages", {"body": "hi"}, format="json"
    )

    assert response.status_code == 201
