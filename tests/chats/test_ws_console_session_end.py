"""A console socket opened with the session cookie of the console's login lives as long as that
login session: a logout (the console's or Django admin's), an expiry or a flush closes it with
4401, as a revoked token closes the sockets opened with it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from operators.models import Operator, Role
from operators.services import token_issue
from tests.ws_helpers import expect_close, on_db, ping_pong

pytestmark = pytest.mark.django_db(transaction=True)

CLOSE_UNAUTHORIZED = 4401


def _signed_in_browser(operator: Operator) -> Client:
    browser = Client()
    browser.force_login(operator)
    return browser


def _cookie(browser: Client) -> str:
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"


def _session_key(browser: Client) -> str:
    return str(browser.cookies[settings.SESSION_COOKIE_NAME].value)


async def _console_of(ws: Any, browser: Client) -> Any:
    return await ws.connect_console(cookie=_cookie(browser))


@pytest.mark.parametrize("logout_path", ["/logout/", "/admin/logout/"], ids=["console", "admin"])
async def test_logging_out_closes_the_console_socket_of_that_session_at_once(
    ws: Any, make_operator: Any, team: Any, logout_path: str, settings: Any
) -> None:
    settings.WS_REVALIDATE_SECONDS = 60  # not the periodic re-check: the logout itself
    operator = await on_db(make_operator, Role.ADMIN, [team], is_staff=True, is_superuser=True)
    browser = await on_db(_signed_in_browser, operator)
    other_browser = await on_db(_signed_in_browser, operator)
    this_session = await _console_of(ws, browser)
    other_session = await _console_of(ws, other_browser)
    by_token = await ws.connect_console((await on_db(token_issue, operator=operator))[1])

    response = await on_db(browser.post, logout_path)
    assert response.status_code in (200, 302)

    await expect_close(this_session, CLOSE_UNAUTHORIZED, timeout=2)
    await ping_pong(other_session)  # the operator's other browser stays signed in
    await ping_pong(by_token)


async def test_a_logout_attempt_that_is_refused_closes_nothing(
    ws: Any, agent: Operator, settings: Any
) -> None:
    settings.WS_REVALIDATE_SECONDS = 0.2
    browser = await on_db(_signed_in_browser, agent)
    console = await _console_of(ws, browser)

    assert (await on_db(browser.get, "/logout/")).status_code == 405  # POST only

    await expect_no_close_within(console, seconds=1)


async def expect_no_close_within(console: Any, *, seconds: float) -> None:
    assert await console.receive_nothing(timeout=seconds)
    await ping_pong(console)


def _expire(session_key: str) -> None:
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


def _flush(session_key: str) -> None:
    Session.objects.filter(session_key=session_key).delete()


@pytest.mark.parametrize("end", [_expire, _flush], ids=["expired", "flushed"])
async def test_a_session_that_expires_or_is_flushed_closes_its_console_socket(
    ws: Any, agent: Operator, settings: Any, end: Any
) -> None:
    settings.WS_REVALIDATE_SECONDS = 0.2
    browser = await on_db(_signed_in_browser, agent)
    other_browser = await on_db(_signed_in_browser, agent)
    console = await _console_of(ws, browser)
    other = await _console_of(ws, other_browser)

    await on_db(end, _session_key(browser))

    await expect_close(console, CLOSE_UNAUTHORIZED, timeout=3)
    await ping_pong(other)
