"""The ownership watchdog with real processes: an agent who goes offline leaving a visitor
unanswered loses the conversation to a colleague once the grace period is over, through the
countdown task that a real Celery worker runs (the grace is 2 seconds here)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from bench.stack import Stack, free_ports

pytestmark = pytest.mark.e2e

ADMIN = {"username": "admin", "password": "admin-watchdog-pass-5521"}
AGENTS = [
    {"username": "agent1", "password": "agent-watchdog-pass-7713"},
    {"username": "agent2", "password": "agent-watchdog-pass-8824"},
]
RETURNED_WITHIN = 30.0  # seconds: generous, the machine is shared


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Stack, str, dict[str, str]]]:
    stack = Stack(
        ports=free_ports(1),
        own_redis_port=free_ports(1, 18190, 18199)[0],
        extra_env={"OWNERSHIP_RETURN_GRACE_SECONDS": "2"},
    )
    try:
        stack.start()
        stack.create_superuser(ADMIN["username"], ADMIN["password"])
        tokens: dict[str, str] = {}
        with httpx.Client(base_url=stack.base_url(0), timeout=15) as http:
            admin_token = http.post("/api/v1/auth/token", json=ADMIN).json()["token"]
            admin = {"Authorization": f"Bearer {admin_token}"}
            team = http.post("/api/v1/teams", json={"name": "Support"}, headers=admin).json()
            for agent in AGENTS:
                created = http.post(
                    "/api/v1/operators",
                    json={**agent, "role": "agent", "teams": [team["id"]], "max_chats": 5},
                    headers=admin,
                )
                assert created.status_code == 201, created.text
                token = http.post("/api/v1/auth/token", json=agent).json()["token"]
                online = http.patch(
                    "/api/v1/me",
                    json={"status": "online"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert online.status_code == 200, online.text
                tokens[str(created.json()["id"])] = token
            inbox = http.post(
                "/api/v1/inboxes",
                json={"name": "Shop", "channel": "web", "team": team["id"]},
                headers=admin,
            ).json()
        yield stack, inbox["inbox_key"], tokens
    except BaseException:
        print(stack.logs(60))
        raise
    finally:
        stack.close()


def poll(http: httpx.Client, path: str, until, within: float) -> dict:
    started = time.monotonic()
    body: dict = {}
    while time.monotonic() - started < within:
        response = http.get(path)
        if response.status_code == 200:
            body = response.json()
            if until(body):
                return body
        time.sleep(0.3)
    raise AssertionError(f"{path} never got there: {body}")


def test_an_agent_who_goes_offline_loses_the_unanswered_conversation_to_a_colleague(stack):
    deployment, inbox_key, tokens = stack
    with httpx.Client(base_url=deployment.base_url(0), timeout=30) as http:
        session = http.post("/api/widget/v1/sessions", json={"inbox_key": inbox_key})
        assert session.status_code == 201, session.text
        visitor = {"Authorization": f"Bearer {session.json()['visitor_token']}"}
        sent = http.post(
            "/api/widget/v1/messages",
            json={"client_id": "q1", "body": "Where is my parcel?"},
            headers=visitor,
        )
        assert sent.status_code == 201, sent.text
        conversation = sent.json()["conversation"]
        any_agent = {"Authorization": f"Bearer {next(iter(tokens.values()))}"}
        path = f"/api/v1/conversations/{conversation}"
        http.headers.update(any_agent)
        routed = poll(http, path, lambda body: body["assignee"] is not None, RETURNED_WITHIN)
        first = str(routed["assignee"]["id"])
        (second,) = set(tokens) - {first}

        went = http.patch(
            "/api/v1/me",
            json={"status": "offline"},
            headers={"Authorization": f"Bearer {tokens[first]}"},
        )
        assert went.status_code == 200, went.text

        http.headers.update({"Authorization": f"Bearer {tokens[second]}"})
        moved = poll(
            http,
            path,
            lambda body: body["assignee"] is not None and str(body["assignee"]["id"]) == second,
            RETURNED_WITHIN,
        )
        assert moved["status"] == "open"
        notes = http.get(
            "/api/v1/notifications", headers={"Authorization": f"Bearer {tokens[first]}"}
        ).json()["results"]
        assert [(n["kind"], n["conversation"]) for n in notes] == [("reassigned", conversation)]
