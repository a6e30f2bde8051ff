"""A method a path does not take answers a JSON 405 in the error format, with `Allow`, on every
kind of path: the API, the OpenAPI document, pages, health (never a 500, never an HTML page)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

SAMPLE = [
    ("delete", "/api/v1/schema/", "GET"),
    ("put", "/api/v1/schema/", "GET"),
    ("post", "/healthz", "GET"),
    ("put", "/", "GET"),
    ("delete", "/login/", "POST"),
    ("post", "/console/", "GET"),
    ("patch", "/widget/v1/loader.js", "GET"),
    ("get", "/api/widget/v1/sessions", "POST"),
    ("get", "/api/v1/auth/token", "POST"),
]


@pytest.mark.parametrize(("method", "path", "allowed"), SAMPLE)
@pytest.mark.parametrize("accept", [None, "application/json"])
def test_a_wrong_method_answers_a_json_405_naming_the_right_ones(method, path, allowed, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = getattr(Client(), method)(path, **headers)

    assert_error(response, 405, "method_not_allowed")
    assert allowed in response["Allow"]


def test_a_wrong_method_on_an_operators_path_answers_405(client_for, agent):
    response = client_for(agent).put("/api/v1/me", {"status": "online"}, format="json")

    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"].startswith("GET, PATCH")


def test_the_schema_is_served_to_a_client_that_accepts_application_json():
    # The schema view knew only its own media types: this answered 406, rewritten into a 500.
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["openapi"].startswith("3.")


def test_the_schema_refuses_a_client_that_accepts_only_html_with_406():
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="text/html")

    assert_error(response, 406, "not_acceptable")


def test_the_login_page_takes_no_put():
    # Django's form views treat PUT as POST; the login form is only shown and posted.
    response = Client().put("/login/")

    assert_error(response, 405, "method_not_allowed")
    assert "PUT" not in response["Allow"]
