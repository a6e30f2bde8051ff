"""A deployment for the routing end-to-end tests, made and inspected through the public API only:
teams with one inbox each, operators of given capacities, conversations opened by widget
visitors (a session and a first message over the widget REST API), and the state read back
with `GET /api/v1/conversations` and `GET /api/v1/operators`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from bench.stack import Stack

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-e2e-pass-4821"
OPERATOR_PASSWORD = "operator-e2e-pass-5519"
SETTLE_TIMEOUT = 30.0  # how long a test waits for routing to reach the state it expects

T = TypeVar("T")


@dataclass
class OperatorSpec:
    username: str
    team: int  # index into the deployment's teams
    max_chats: int
    online: bool = True


@dataclass
class Deployed:
    stack: Stack
    admin: dict[str, str]
    team_ids: list[int]
    inbox_keys: list[str]
    operators: dict[str, int] = field(default_factory=dict)  # username -> id
    tokens: dict[str, str] = field(default_factory=dict)  # username -> bearer token

    def base(self, index: int = 0) -> str:
        return self.stack.base_url(index % len(self.stack.ports))

    def client(self, index: int = 0, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else dict(self.admin)
        return httpx.Client(base_url=self.base(index), timeout=30, headers=headers)

    def set_status(self, username: str, status: str) -> None:
        with self.client(token=self.tokens[username]) as http:
            response = http.patch("/api/v1/me", json={"status": status})
            assert response.status_code == 200, response.text

    def operators_state(self) -> dict[int, dict[str, Any]]:
        with self.client() as http:
            rows = _all_pages(http, "/api/v1/operators")
        return {row["id"]: row for row in rows}

    def conversations(self, team_index: int) -> list[dict[str, Any]]:
        with self.client() as http:
            return _all_pages(
                http, "/api/v1/conversations", {"team": self.team_ids[team_index], "limit": 100}
            )

    def queue(self, team_index: int) -> list[dict[str, Any]]:
        """The team's waiting conversations, by `queue_position`."""
        waiting = [c for c in self.conversations(team_index) if c["queue_position"] is not None]
        return sorted(waiting, key=lambda c: c["queue_position"])


def _all_pages(
    http: httpx.Client, path: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    response = http.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        rows.extend(body["results"])
        if not body.get("next"):
            return rows
        response = http.get(body["next"])


def deploy(
    stack: Stack, *, teams: list[str], routing: list[str], operators: list[OperatorSpec]
) -> Deployed:
    """Superuser by `createsuperuser --noinput`, then everything else by the REST API."""
    stack.create_superuser(ADMIN_USERNAME, ADMIN_PASSWORD)
    with httpx.Client(base_url=stack.base_url(0), timeout=30) as http:
        token = http.post(
            "/api/v1/auth/token", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        )
        assert token.status_code == 201, token.text
        admin = {"Authorization": f"Bearer {token.json()['token']}"}
        team_ids, inbox_keys = [], []
        for name, strategy in zip(teams, routing, strict=True):
            team = http.post("/api/v1/teams", json={"name": name}, headers=admin)
            assert team.status_code == 201, team.text
            team_ids.append(team.json()["id"])
            inbox = http.post(
                "/api/v1/inboxes",
                json={"name": name, "channel": "web", "team": team_ids[-1], "routing": strategy},
                headers=admin,
            )
            assert inbox.status_code == 201, inbox.text
            inbox_keys.append(inbox.json()["inbox_key"])
        deployed = Deployed(stack=stack, admin=admin, team_ids=team_ids, inbox_keys=inbox_keys)
        for spec in operators:
            created = http.post(
                "/api/v1/operators",
                json={
                    "username": spec.username,
                    "password": OPERATOR_PASSWORD,
                    "name": spec.username,
                    "role": "agent",
                    "teams": [team_ids[spec.team]],
                    "max_chats": spec.max_chats,
                },
                headers=admin,
            )
            assert created.status_code == 201, created.text
            deployed.operators[spec.username] = created.json()["id"]
            login = http.post(
                "/api/v1/auth/token",
                json={"username": spec.username, "password": OPERATOR_PASSWORD},
            )
            assert login.status_code == 201, login.text
            deployed.tokens[spec.username] = login.json()["token"]
    for spec in operators:
        if spec.online:
            deployed.set_status(spec.username, "online")
    return deployed


# Requests in flight at once. Each HTTP request runs its sync view on a thread (and a database
# connection) of its own under ASGI, and PostgreSQL here allows 100 connections, shared with
# other work: 200 requests at once fail with "too many clients".
IN_FLIGHT = 32


async def open_conversations(deployed: Deployed, teams: list[int]) -> list[int]:
    """One new visitor per entry of `teams` (a team index), all started at once (at most
    IN_FLIGHT requests in flight), alternating between the web processes: a widget session,
    then a first message. Answers the conversation ids, in the order of `teams`."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(number: int, team_index: int) -> int:
        async with gate, httpx.AsyncClient(base_url=deployed.base(number), timeout=60) as http:
            session = await http.post(
                "/api/widget/v1/sessions",
                json={
                    "inbox_key": deployed.inbox_keys[team_index],
                    "visitor_token": None,
                    "locale": "en",
                },
            )
            assert session.status_code == 201, session.text
            token = session.json()["visitor_token"]
            message = await http.post(
                "/api/widget/v1/messages",
                json={"client_id": uuid.uuid4().hex, "body": f"Hello from visitor {number}"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert message.status_code == 201, message.text
            return int(message.json()["conversation"])

    return list(await asyncio.gather(*(one(n, t) for n, t in enumerate(teams))))


def wait_for(check: Callable[[], T | None], what: str, timeout: float = SETTLE_TIMEOUT) -> T:
    """Poll `check` until it answers something other than None (a state to reach, not a speed
    to prove: the timeout only keeps a broken run from hanging)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"routing did not reach: {what}")
        time.sleep(0.2)
