"""`GET /healthz`: 200 when the database and Redis answer, 503 naming the failing part."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from helpdesk import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_everything_answers():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_names_the_database_when_it_fails(monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert "database" in response.json()["failing"]
    assert "redis" not in response.json()["failing"]


def test_healthz_names_redis_when_it_fails(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = Client().get("/healthz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["redis"]
    assert response.json()["status"] != "ok"


def test_healthz_needs_no_login_and_sets_no_cookie():
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert not response.cookies
