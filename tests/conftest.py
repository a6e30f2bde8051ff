"""Shared fixtures. The suite runs against real PostgreSQL and Redis (`make test`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from chats import broadcast
from chats.models import Contact, Conversation, Inbox
from operators.models import Operator, Role, Team
from operators.services import token_issue
from tests.factories import (
    ContactFactory,
    InboxFactory,
    OperatorFactory,
    TeamFactory,
    visitor_for,
)


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        assert settings.USES_POSTGRES, "REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL"
        assert settings.REDIS_URL, "REQUIRE_SERVICES=1 but REDIS_URL is not set"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with full buckets, as a new visitor would."""
    from helpdesk import ratelimit

    ratelimit._local._state.clear()
    client = ratelimit._sync_client()
    if client is not None:
        keys = list(client.scan_iter("helpdesk:rl:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture
def team() -> Team:
    return TeamFactory()


@pytest.fixture
def other_team() -> Team:
    return TeamFactory()


@pytest.fixture
def inbox(team: Team) -> Inbox:
    return InboxFactory(team=team)


@pytest.fixture
def make_operator() -> Callable[..., Operator]:
    def make(role: str = Role.AGENT, teams: list[Team] | None = None, **fields: Any) -> Operator:
        return OperatorFactory(role=role, teams=teams or [], **fields)

    return make


@pytest.fixture
def agent(make_operator: Callable[..., Operator], team: Team) -> Operator:
    return make_operator(Role.AGENT, [team])


@pytest.fixture
def admin(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator(Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def supervisor(make_operator: Callable[..., Operator]) -> Operator:
    return make_operator(Role.SUPERVISOR)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[Operator], APIClient]:
    """An API client authenticated with a fresh bearer token of `operator`."""

    def make(operator: Operator) -> APIClient:
        _token, key = token_issue(operator=operator)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        client.token = key  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def contact() -> Contact:
    return ContactFactory()


@pytest.fixture
def visitor(inbox: Inbox) -> tuple[Any, str]:
    return visitor_for(inbox)


@pytest.fixture
def conversation(inbox: Inbox, visitor: tuple[Any, str]) -> Conversation:
    from chats.services import conversation_open

    return conversation_open(inbox=inbox, contact=visitor[0].contact)


class PublishedEvents(list):  # type: ignore[type-arg]
    def to(self, group: str) -> list[dict[str, Any]]:
        return [event for name, event in self if name == group]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> PublishedEvents:
    """Every event published (group, event), captured instead of sent."""
    captured = PublishedEvents()
    monkeypatch.setattr(broadcast, "publish", lambda group, event: captured.append((group, event)))
    return captured
