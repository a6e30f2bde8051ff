"""A changed password ends the operator's old API tokens and closes their console sockets,
whichever way it was changed: the operators API, Django admin's password form, `manage.py
changepassword`, or the form of Django's password reset (`SetPasswordForm`, which its confirm
view uses; the reset views themselves are not wired into the URLs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from operators.models import ApiToken, Operator, Role
from operators.services import token_issue
from tests.factories import OperatorFactory
from tests.helpers import assert_error
from tests.ws_helpers import expect_close, on_db, ping_pong

NEW_PASSWORD = "a-brand-new-passphrase-77"
CLOSE_UNAUTHORIZED = 4401


def _an_admin() -> Operator:
    admin = OperatorFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    assert isinstance(admin, Operator)
    return admin


def by_the_operators_api(operator: Operator) -> None:
    admin_client = APIClient()
    admin_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(operator=_an_admin())[1]}")
    response = admin_client.patch(
        f"/api/v1/operators/{operator.pk}", {"password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content


def by_the_admin_sites_password_form(operator: Operator) -> None:
    browser = Client()
    browser.force_login(_an_admin())
    response = browser.post(
        f"/admin/operators/operator/{operator.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content[:2000]


def by_manage_py_changepassword(operator: Operator) -> None:
    with mock.patch("getpass.getpass", return_value=NEW_PASSWORD):
        call_command("changepassword", operator.username, stdout=mock.Mock())


def by_the_password_reset_form(operator: Operator) -> None:
    form = SetPasswordForm(operator, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid(), form.errors
    form.save()


WAYS: list[Callable[[Operator], None]] = [
    by_the_operators_api,
    by_the_admin_sites_password_form,
    by_manage_py_changepassword,
    by_the_password_reset_form,
]


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("change_password", WAYS, ids=lambda way: way.__name__)
def test_a_token_issued_before_a_password_change_answers_401_whoever_changed_it(
    agent: Operator, change_password: Callable[[Operator], None]
) -> None:
    old_token = token_issue(operator=agent)[1]
    assert bearer(old_token).get("/api/v1/me").status_code == 200

    change_password(Operator.objects.get(pk=agent.pk))

    assert_error(bearer(old_token).get("/api/v1/me"), 401, "not_authenticated")
    login = APIClient().post(
        "/api/v1/auth/token",
        {"username": agent.username, "password": NEW_PASSWORD},
        format="json",
    )
    assert login.status_code == 201
    assert bearer(login.json()["token"]).get("/api/v1/me").json()["id"] == agent.pk
    # the old password's tokens are gone with the next login
    assert ApiToken.objects.filter(operator=agent).count() == 1


@pytest.mark.django_db
def test_tokens_issued_before_this_change_keep_working_when_nothing_changed(agent):
    """Saving the operator (a name, a status) leaves the password and its tokens alone."""
    token = token_issue(operator=agent)[1]
    agent.name = "Renamed"
    agent.save()

    assert bearer(token).get("/api/v1/me").status_code == 200


def _session_cookie(operator: Operator) -> str:
    browser = Client()
    browser.force_login(operator)
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"


def _change_a_fresh_copy(change_password: Callable[[Operator], None], pk: int) -> None:
    change_password(Operator.objects.get(pk=pk))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change_password", WAYS[1:], ids=lambda way: way.__name__)
async def test_a_password_changed_outside_the_api_closes_the_operators_sockets_4401(
    ws: Any,
    agent: Operator,
    make_operator: Callable[..., Operator],
    team: Any,
    change_password: Callable[[Operator], None],
) -> None:
    colleague = await on_db(make_operator, Role.AGENT, [team])
    by_token = await ws.connect_console((await on_db(token_issue, operator=agent))[1])
    by_cookie = await ws.connect_console(cookie=await on_db(_session_cookie, agent))
    colleagues = await ws.connect_console((await on_db(token_issue, operator=colleague))[1])

    await on_db(_change_a_fresh_copy, change_password, agent.pk)

    await expect_close(by_token, CLOSE_UNAUTHORIZED, timeout=5)
    await expect_close(by_cookie, CLOSE_UNAUTHORIZED, timeout=5)
    await ping_pong(colleagues)
