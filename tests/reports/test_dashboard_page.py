"""The reports dashboard's page `/reports/`: for supervisors and admins, with its bootstrap
data; an agent gets a 403 page, a stranger the login page. Its figures come from the reports
API (tests/reports/test_report_api.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client, override_settings

from operators.models import Operator, Role
from tests.operators.test_console_pages import assert_no_inline_script, config_of

pytestmark = pytest.mark.django_db


def signed_in(operator: Operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def test_a_stranger_is_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/reports/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/reports/"


def test_an_agent_gets_a_403_page_not_the_dashboard(agent: Operator) -> None:
    response = signed_in(agent).get("/reports/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "reports-config" not in html and "reports.js" not in html
    assert 'href="/console/"' in html


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
@override_settings(CURRENCY="EUR", REPORTS_TIME_ZONE="Asia/Yekaterinburg")
def test_supervisors_and_admins_get_the_dashboard_with_its_data(
    make_operator: Callable[..., Operator], role: str
) -> None:
    boss = make_operator(role, name="Vera Boss")

    response = signed_in(boss).get("/reports/")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert re.search(r'<script type="module" src="/static/reports/reports\.js\?v=\w+">', html)
    assert 'href="/static/reports/reports.css?v=' in html
    assert_no_inline_script(html)
    config = config_of(html, "reports-config")
    assert config["me"] == {"id": boss.pk, "name": "Vera Boss", "role": role}
    assert config["currency"] == "EUR"
    assert config["time_zone"] == "Asia/Yekaterinburg"
    assert config["urls"] == {"api": "/api/v1/", "console": "/console/", "logout": "/logout/"}
    assert config["csrf_token"]


def test_the_dashboard_page_speaks_russian(supervisor: Operator) -> None:
    html = signed_in(supervisor).get("/reports/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Отчёты" in html


def test_the_console_links_the_dashboard_for_supervisors_only(
    supervisor: Operator, agent: Operator
) -> None:
    def console_urls(operator: Operator) -> object:
        config = config_of(signed_in(operator).get("/console/").content.decode())
        urls = config["urls"]
        assert isinstance(urls, dict)
        return urls["reports"]

    assert console_urls(supervisor) == "/reports/"
    assert console_urls(agent) is None
