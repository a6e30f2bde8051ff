"""Sign-in attempts are limited per client address, whatever the username (django-axes only
locks a (username, address) pair): `POST /api/v1/auth/token`, `/login/` and `/admin/login/`
share one bucket per address, answer 429 with `Retry-After` when it is empty, and an office of
fifty people behind one address, signing in at a human pace, never meets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from operators.models import ApiToken, Operator, Role
from tests.conftest import FakeClock
from tests.factories import PASSWORD
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.7"  # one NAT address for everyone behind it
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings: Any) -> None:
    """The limit is about counting attempts; Argon2's 100 MiB per check would only slow the
    test down (the users below are made after this, with this hasher)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(path: str, username: str, password: str, address: str = OFFICE) -> Any:
    client = Client(REMOTE_ADDR=address)
    if path.startswith("/api/"):
        data = {"username": username, "password": password}
        return client.post(path, data, content_type="application/json")
    return client.post(path, {"username": username, "password": password})


SIGN_IN_PATHS = ["/api/v1/auth/token", "/login/", "/admin/login/"]


def assert_rate_limited(response: Any, path: str) -> int:
    assert response.status_code == 429, (response.status_code, response.content[:300])
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 60
    if path.startswith("/api/"):
        error = assert_error(response, 429, "rate_limited")
        assert error["retry_after"] == seconds
    else:
        assert "Too many sign-in attempts" in response.content.decode()
    return seconds


@pytest.fixture
def small_budget(settings: Any) -> int:
    """A budget of 20 attempts instead of 100: the same refusal, five times fewer requests."""
    settings.LOGIN_RATE_BURST = 20
    return 20


def test_with_the_default_budget_the_101st_username_from_one_address_is_refused(
    rate_clock: FakeClock, make_operator: Callable[..., Operator]
) -> None:
    make_operator(Role.AGENT, [], username="olga")
    for number in range(100):
        response = sign_in("/api/v1/auth/token", f"user{number}", "Winter2026!")
        assert_error(response, 401, "invalid_credentials")

    assert_rate_limited(sign_in("/api/v1/auth/token", "olga", PASSWORD), "/api/v1/auth/token")
    assert assert_rate_limited(sign_in("/login/", "olga", PASSWORD), "/login/") == 6
    in_russian = Client(REMOTE_ADDR=OFFICE).post(
        "/api/v1/auth/token",
        {"username": "olga", "password": PASSWORD},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert "Слишком много попыток входа" in assert_error(in_russian, 429, "rate_limited")["message"]


@pytest.mark.parametrize("path", SIGN_IN_PATHS)
def test_one_address_spraying_many_usernames_is_stopped_with_429_and_retry_after(
    path: str, make_operator: Callable[..., Operator], small_budget: int, rate_clock: FakeClock
) -> None:
    victim = make_operator(Role.ADMIN, [], username="victim", is_staff=True, is_superuser=True)
    for number in range(small_budget):
        response = sign_in(path, f"user{number}", "Winter2026!")
        assert response.status_code in (200, 401), response.status_code  # a wrong password

    refused = sign_in(path, victim.username, PASSWORD)

    assert_rate_limited(refused, path)
    assert not ApiToken.objects.exists()
    # another address is not concerned
    assert sign_in(path, victim.username, PASSWORD, address=ELSEWHERE).status_code in (201, 302)


def test_a_spray_from_every_address_of_one_ipv6_64_shares_one_budget(
    small_budget: int, rate_clock: FakeClock, make_operator: Callable[..., Operator]
) -> None:
    victim = make_operator(Role.AGENT, [], username="victim")
    for number in range(small_budget):
        own_address = f"2001:db8:77:1::{number + 1:x}"
        sign_in("/api/v1/auth/token", f"user{number}", "Winter2026!", address=own_address)

    refused = sign_in(
        "/api/v1/auth/token", victim.username, PASSWORD, address="2001:db8:77:1::ffff"
    )

    assert_rate_limited(refused, "/api/v1/auth/token")
    assert (
        sign_in(
            "/api/v1/auth/token", victim.username, PASSWORD, address="2001:db8:77:2::1"
        ).status_code
        == 201
    )  # the neighbouring /64 is another subscriber


def test_the_token_endpoint_and_the_login_forms_share_one_budget_per_address(
    small_budget: int, rate_clock: FakeClock, make_operator: Callable[..., Operator]
) -> None:
    make_operator(Role.AGENT, [], username="olga")
    for number in range(small_budget):
        sign_in(SIGN_IN_PATHS[number % 2], f"user{number}", "guess")

    assert_rate_limited(sign_in("/admin/login/", "olga", PASSWORD), "/admin/login/")
    assert_rate_limited(sign_in("/api/v1/auth/token", "olga", PASSWORD), "/api/v1/auth/token")


def test_after_retry_after_seconds_the_address_may_try_again(
    small_budget: int, rate_clock: FakeClock, make_operator: Callable[..., Operator]
) -> None:
    make_operator(Role.AGENT, [], username="olga")
    for number in range(small_budget):
        sign_in("/login/", f"user{number}", "guess")
    seconds = assert_rate_limited(sign_in("/login/", "olga", PASSWORD), "/login/")

    rate_clock.advance(seconds)

    assert sign_in("/login/", "olga", PASSWORD).status_code == 302


def test_an_office_of_fifty_behind_one_address_signing_in_at_a_human_pace_is_never_refused(
    rate_clock: FakeClock, make_operator: Callable[..., Operator]
) -> None:
    staff = [make_operator(Role.AGENT, [], username=f"colleague{n}") for n in range(50)]
    answers: list[int] = []

    # 9:00: everyone arrives within a minute; each mistypes their password once first
    for operator in staff:
        answers.append(sign_in("/login/", operator.username, "mistyped").status_code)
        answers.append(sign_in("/login/", operator.username, PASSWORD).status_code)
        rate_clock.advance(1.2)
    # the rest of the morning: sessions lapse, tokens are renewed; everyone signs in hourly
    for _hour in range(3):
        for operator in staff:
            rate_clock.advance(72)
            path = "/api/v1/auth/token" if operator.pk % 2 else "/login/"
            answers.append(sign_in(path, operator.username, PASSWORD).status_code)

    assert 429 not in answers
    assert answers.count(200) == 50  # the mistyped ones: the form again, with the error
