"""The operator's pages: the login page (django-axes applies), logout, the console page and its
bootstrap data, under the Content-Security-Policy."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable

import pytest
from django.test import Client

from operators.models import Operator, Role, Team
from tests.factories import PASSWORD, TeamFactory
from tests.settings_probe import run_probe

pytestmark = pytest.mark.django_db


def usernames_offered(client: Client) -> set[str]:
    operators = config_of(client.get("/console/").content.decode())["operators"]
    assert isinstance(operators, list)
    return {item["username"] for item in operators}


def config_of(html: str, block: str = "console-config") -> dict[str, object]:
    """The page's bootstrap data block (the console's unless told)."""
    match = re.search(rf'<script id="{block}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"the page carries its data block {block}"
    return dict(json.loads(match.group(1)))


def assert_no_inline_script(html: str) -> None:
    """Only script files and JSON data blocks: the CSP runs no inline script."""
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attributes, body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert "src=" not in attributes or not body.strip()


def test_the_console_sends_an_anonymous_visitor_to_the_login_page(client: Client) -> None:
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/console/"


def test_the_login_page_is_a_form_under_a_strict_csp(client: Client) -> None:
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Войти" in html  # the page speaks the browser's language
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script" not in html


def test_an_operator_logs_in_and_gets_the_console(
    client: Client, make_operator: Callable[..., Operator], team: Team
) -> None:
    olga = make_operator(Role.AGENT, [team], username="olga", name="Olga")
    response = client.post(
        "/login/?next=/console/", {"username": "olga", "password": PASSWORD, "next": "/console/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    page = client.get("/console/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<script type="module" src="/static/console/console\.js\?v=\w+">', html)
    assert 'href="/static/console/console.css?v=' in html
    assert_no_inline_script(html)
    config = config_of(html)
    assert config["me"] == {
        "id": olga.pk,
        "username": "olga",
        "name": "Olga",
        "role": "agent",
        "status": olga.status,
        "teams": [team.pk],
    }
    assert page.cookies.get("csrftoken") or client.cookies.get("csrftoken")
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_an_agent_sees_team_mates_and_supervisors_not_other_teams(
    client: Client, make_operator: Callable[..., Operator], team: Team
) -> None:
    olga = make_operator(Role.AGENT, [team], username="olga")
    make_operator(Role.AGENT, [team], username="mate")
    boss = make_operator(Role.SUPERVISOR, [], username="boss")
    make_operator(Role.AGENT, [TeamFactory()], username="stranger")
    make_operator(Role.AGENT, [team], username="gone", is_active=False)
    client.force_login(olga)
    usernames = usernames_offered(client)
    assert {"olga", "mate", "boss"} <= usernames
    assert "stranger" not in usernames and "gone" not in usernames
    client.force_login(boss)
    everyone = usernames_offered(client)
    assert {"olga", "mate", "boss", "stranger"} <= everyone


def test_a_wrong_password_shows_an_error_and_repeated_failures_lock_out(
    client: Client, make_operator: Callable[..., Operator]
) -> None:
    make_operator(Role.AGENT, [], username="olga")
    response = client.post("/login/", {"username": "olga", "password": "wrong"})
    assert response.status_code == 200
    assert 'class="login-error"' in response.content.decode()
    for _attempt in range(10):
        response = client.post("/login/", {"username": "olga", "password": "wrong"})
        if response.status_code == 429:
            break
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html and "<form" in html  # a page, not JSON
    # Locked out, even the right password is refused for now.
    again = client.post("/login/", {"username": "olga", "password": PASSWORD})
    assert again.status_code == 429


def test_the_api_lockout_answer_stays_json(
    client: Client, make_operator: Callable[..., Operator]
) -> None:
    make_operator(Role.AGENT, [], username="olga")
    for _attempt in range(10):
        response = client.post(
            "/api/v1/auth/token",
            {"username": "olga", "password": "wrong"},
            content_type="application/json",
        )
        if response.status_code == 429:
            break
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"


def test_logout_is_a_post_and_ends_the_session(
    client: Client, make_operator: Callable[..., Operator]
) -> None:
    client.force_login(make_operator(Role.AGENT, []))
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/console/").status_code == 302


def test_insecure_cookies_only_with_the_tests_exact_opt_in() -> None:
    probe = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]))"
    )

    def secure_flags(extra: dict[str, str]) -> list[bool]:
        env = {
            k: v for k, v in os.environ.items() if k not in {"DEBUG", "INSECURE_COOKIES_FOR_TESTS"}
        }
        env.update({"SECRET_KEY": "k" * 50, "DJANGO_SETTINGS_MODULE": "helpdesk.settings", **extra})
        result = run_probe(probe, env)
        assert result.returncode == 0, result.stderr
        return list(json.loads(result.stdout))

    assert secure_flags({}) == [True, True]
    assert secure_flags({"INSECURE_COOKIES_FOR_TESTS": "true"}) == [True, True]
    assert secure_flags({"INSECURE_COOKIES_FOR_TESTS": "1"}) == [False, False]
