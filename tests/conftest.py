"""Shared fixtures. The suite runs against real PostgreSQL and Redis (`make test`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from chats import broadcast
from chats.connectors.webhooks import subscriptions
from chats.events.dispatch import Listener, registry
from chats.events.domain import DomainEvent
from chats.models import Contact, Conversation, Inbox
from helpdesk.celery import app as celery_app
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
    # Uploaded files go to a folder of this run (the servers the tests start inherit it).
    media = tempfile.mkdtemp(prefix="helpdesk-media-")
    os.environ["MEDIA_ROOT"] = media
    settings.MEDIA_ROOT = media
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
def agent_token(agent: Operator) -> str:
    """A bearer token of `agent`, for the REST API or the console socket's `hello`."""
    return token_issue(operator=agent)[1]


@pytest.fixture
def contact() -> Contact:
    return ContactFactory()


@pytest.fixture
def visitor(inbox: Inbox) -> tuple[Any, str]:
    return visitor_for(inbox)


@pytest.fixture
def conversation(inbox: Inbox, visitor: tuple[Any, str]) -> Conversation:
    from chats.services.conversations import conversation_open

    return conversation_open(inbox=inbox, contact=visitor[0].contact)


class PublishedEvents(list):  # type: ignore[type-arg]
    def to(self, group: str) -> list[dict[str, Any]]:
        return [event for name, event in self if name == group]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> PublishedEvents:
    """Every event published (group, event), captured instead of sent."""
    captured = PublishedEvents()
    monkeypatch.setattr(broadcast, "publish", lambda group, event: captured.append((group, event)))
    monkeypatch.setattr(broadcast, "publish_batch", captured.extend)
    return captured


@pytest.fixture
def widget_client_for() -> Callable[..., APIClient]:
    """An API client of the widget REST API with a visitor's bearer token (and an `Origin`)."""

    def make(token: str, origin: str | None = None) -> APIClient:
        client = APIClient()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if origin is not None:
            headers["HTTP_ORIGIN"] = origin
        client.credentials(**headers)
        return client

    return make


class FakeClock:
    """A clock for `helpdesk.ratelimit`: frozen until the test `advance`s it."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def rate_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Freezes the rate-limit buckets' clock, so refills happen only when the test says."""
    from helpdesk import ratelimit

    clock = FakeClock()
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


@pytest.fixture
async def ws(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """Opens websocket communicators on the real ASGI application (`tests.ws_helpers`) and
    disconnects every one of them when the test ends."""
    from tests.ws_helpers import WsClients

    # Consumers run the ORM on a thread pool whose connections would outlive the test (and
    # block dropping the test database): let each call close its connection.
    monkeypatch.setitem(settings.DATABASES["default"], "CONN_MAX_AGE", 0)
    clients = WsClients()
    yield clients
    await clients.close_all()


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> list[DomainEvent]:
    """Every domain event dispatched after a commit, in order (a listener registered last)."""
    events: list[DomainEvent] = []
    listener = Listener(name="test-heard", event_types=(DomainEvent,), handle=events.extend)
    monkeypatch.setattr(registry, "listeners", [*registry.listeners, listener])
    return events


@pytest.fixture(autouse=True)
def _webhook_subscriptions_read_afresh() -> None:
    """What the webhooks want is cached per process: each test starts without a guess."""
    subscriptions.forget()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Tasks run in the test, as they are asked for (as the embedded default runs them)."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before
