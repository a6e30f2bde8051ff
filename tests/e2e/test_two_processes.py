"""Two real uvicorn processes and a real Celery worker on one PostgreSQL and one Redis: what a
visitor on one process and an operator on the other see of each other, live and on resume.

The deployment is made the way section 0 of the contract says (migrate, createsuperuser
--noinput, then only the public REST API), on a fresh database that is dropped afterwards.
Environment: E2E_ADMIN_DATABASE_URL (a PostgreSQL URL allowed to create databases) and
E2E_REDIS_URL (default redis://127.0.0.1:6379/5); see bench/stack.py.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from bench.drive_public_api import (
    Socket,
    console_socket,
    is_message,
    run_checks,
    send_and_ack,
    widget_socket,
)
from bench.stack import Stack, free_ports

pytestmark = pytest.mark.e2e

LIVE = 2.0  # seconds a live frame may take, process to process
SITE = "https://shop.example.com"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-e2e-pass-4821"


@dataclass
class Deployment:
    stack: Stack
    a: str  # http base of process A
    b: str  # http base of process B
    ws_a: str
    ws_b: str
    admin_token: str
    team_id: int
    agent_id: int
    agent_token: str
    inbox_key: str


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    stack = Stack(ports=free_ports(2))
    try:
        stack.start()
        stack.create_superuser(ADMIN_USERNAME, ADMIN_PASSWORD)
        a, b = stack.base_url(0), stack.base_url(1)
        with httpx.Client(base_url=b, timeout=15) as http:
            response = http.post(
                "/api/v1/auth/token", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
            )
            assert response.status_code == 201, response.text
            admin = {"Authorization": f"Bearer {response.json()['token']}"}
            team = http.post("/api/v1/teams", json={"name": "Support"}, headers=admin)
            assert team.status_code == 201, team.text
            team_id = team.json()["id"]
            agent = http.post(
                "/api/v1/operators",
                json={
                    "username": "agent1",
                    "password": "agent-e2e-pass-7730",
                    "name": "Agent One",
                    "role": "agent",
                    "teams": [team_id],
                    "max_chats": 100,
                },
                headers=admin,
            )
            assert agent.status_code == 201, agent.text
            inbox = http.post(
                "/api/v1/inboxes",
                json={"name": "Shop", "channel": "web", "team": team_id, "allowed_origins": [SITE]},
                headers=admin,
            )
            assert inbox.status_code == 201, inbox.text
            token = http.post(
                "/api/v1/auth/token",
                json={"username": "agent1", "password": "agent-e2e-pass-7730"},
            )
            assert token.status_code == 201, token.text
        yield Deployment(
            stack=stack,
            a=a,
            b=b,
            ws_a=stack.ws_url(0),
            ws_b=stack.ws_url(1),
            admin_token=admin["Authorization"].split()[1],
            team_id=team_id,
            agent_id=agent.json()["id"],
            agent_token=token.json()["token"],
            inbox_key=inbox.json()["inbox_key"],
        )
    except BaseException:
        print(stack.logs(60))
        raise
    finally:
        stack.close()


async def new_visitor(deployment: Deployment, base: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=15, headers={"Origin": SITE}) as http:
        response = await http.post(
            "/api/widget/v1/sessions",
            json={"inbox_key": deployment.inbox_key, "visitor_token": None, "locale": "en"},
        )
    assert response.status_code == 201, response.text
    return str(response.json()["visitor_token"])


async def open_conversation(deployment: Deployment, visitor: Socket) -> dict:
    message, _ack = await send_and_ack(
        visitor, {"type": "message", "client_id": uuid.uuid4().hex, "body": "Hello?"}
    )
    return message


def test_healthz_answers_ok_on_both_processes(deployment: Deployment) -> None:
    for base in (deployment.a, deployment.b):
        response = httpx.get(f"{base}/healthz", timeout=5)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


def sessions_so_far(deployment: Deployment) -> int:
    """PostgreSQL sessions opened on the deployment's database since it was made."""
    import psycopg

    time.sleep(1.5)  # server processes report their statistics at most once a second
    with psycopg.connect(deployment.stack.database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_web_process_reuses_its_pooled_database_connections(deployment: Deployment) -> None:
    """200 requests to one process open a handful of PostgreSQL sessions at most, where a
    connection per request would have forked a server process per request."""
    headers = {"Authorization": f"Bearer {deployment.admin_token}"}
    with httpx.Client(base_url=deployment.a, timeout=15, headers=headers) as http:
        http.get("/api/v1/teams").raise_for_status()
        before = sessions_so_far(deployment)
        for _ in range(200):
            http.get("/api/v1/teams").raise_for_status()
        opened = sessions_so_far(deployment) - before
    assert opened <= 10, f"{opened} sessions opened for 200 requests"


def test_the_worker_reuses_its_database_connections_from_task_to_task(
    deployment: Deployment,
) -> None:
    """A visitor opens 15 conversations one after another (each resolved before the next), in
    a team of its own with nobody to take them: 15 routing tasks for the worker, which open a
    handful of PostgreSQL sessions at most. Celery's Django fixup used to close the worker's
    connections around every task: a new session per task."""
    admin = {"Authorization": f"Bearer {deployment.admin_token}"}
    with httpx.Client(base_url=deployment.a, timeout=15) as http:
        team = http.post("/api/v1/teams", json={"name": "Nobody here"}, headers=admin)
        assert team.status_code == 201, team.text
        team_id = team.json()["id"]
        inbox = http.post(
            "/api/v1/inboxes",
            json={"name": "Quiet", "channel": "web", "team": team_id},
            headers=admin,
        )
        assert inbox.status_code == 201, inbox.text
        session = http.post(
            "/api/widget/v1/sessions", json={"inbox_key": inbox.json()["inbox_key"]}
        )
        assert session.status_code == 201, session.text
        visitor = {"Authorization": f"Bearer {session.json()['visitor_token']}"}

        def open_and_resolve() -> dict:
            sent = http.post("/api/widget/v1/messages", json={"body": "hi"}, headers=visitor)
            assert sent.status_code == 201, sent.text
            conversation = wait_until_queued(sent.json()["conversation"])
            resolved = http.post(
                f"/api/v1/conversations/{conversation['id']}/status",
                json={"status": "resolved"},
                headers=admin,
            )
            assert resolved.status_code == 200, resolved.text
            return conversation

        def wait_until_queued(conversation_id: int) -> dict:
            for _ in range(100):
                found = http.get(f"/api/v1/conversations/{conversation_id}", headers=admin)
                if found.json()["queue_position"] == 1:
                    return dict(found.json())
                time.sleep(0.05)
            raise AssertionError(f"conversation {conversation_id} never queued")

        open_and_resolve()  # the pool and the worker have their connections by now
        before = sessions_so_far(deployment)
        opened_conversations = [open_and_resolve() for _ in range(15)]
        opened = sessions_so_far(deployment) - before
    assert len({c["id"] for c in opened_conversations}) == 15
    assert opened <= 6, f"{opened} sessions opened for 15 routing tasks"


async def test_visitor_on_a_and_operator_on_b_talk_live_both_ways(
    deployment: Deployment,
) -> None:
    console = await console_socket(deployment.ws_b, deployment.b, deployment.agent_token)
    token = await new_visitor(deployment, deployment.a)
    visitor = await widget_socket(deployment.ws_a, deployment.inbox_key, token, 0, SITE)
    try:
        start = len(console.frames)
        sent = time.monotonic()
        question, _ack = await send_and_ack(
            visitor, {"type": "message", "client_id": "q1", "body": "Where is my order?"}
        )
        frame, arrived = await console.wait_for(
            is_message(question["id"]), within=LIVE, start=start
        )
        assert frame["message"]["body"] == "Where is my order?"
        assert frame["message"]["author"]["kind"] == "visitor"
        assert arrived - sent < LIVE

        start = len(visitor.frames)
        sent = time.monotonic()
        answer, _ack = await send_and_ack(
            console,
            {
                "type": "message",
                "conversation": question["conversation"],
                "client_id": "a1",
                "body": "It ships today.\nTracking follows.",
            },
        )
        frame, arrived = await visitor.wait_for(is_message(answer["id"]), within=LIVE, start=start)
        assert frame["message"]["body"] == "It ships today.\nTracking follows."
        assert frame["message"]["author"]["kind"] == "operator"
        assert frame["message"]["seq"] == question["seq"] + 1
        assert arrived - sent < LIVE
    finally:
        await visitor.close()
        await console.close()


async def test_widget_rest_fallback_message_reaches_the_console_on_the_other_process(
    deployment: Deployment,
) -> None:
    console = await console_socket(deployment.ws_b, deployment.b, deployment.agent_token)
    token = await new_visitor(deployment, deployment.a)
    try:
        headers = {"Origin": SITE, "Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=deployment.a, timeout=15, headers=headers) as http:
            sent = time.monotonic()
            response = await http.post(
                "/api/widget/v1/messages", json={"client_id": "rest-1", "body": "Sockets blocked"}
            )
            assert response.status_code == 201, response.text
            message = response.json()
            frame, arrived = await console.wait_for(is_message(message["id"]), within=LIVE)
            assert frame["message"]["body"] == "Sockets blocked"
            assert arrived - sent < LIVE

            again = await http.post(
                "/api/widget/v1/messages", json={"client_id": "rest-1", "body": "Sockets blocked"}
            )
            assert again.status_code == 200
            assert again.json()["id"] == message["id"]
    finally:
        await console.close()


async def test_reconnect_to_the_other_process_replays_exactly_the_missed_messages(
    deployment: Deployment,
) -> None:
    token = await new_visitor(deployment, deployment.a)
    visitor = await widget_socket(deployment.ws_a, deployment.inbox_key, token, 0, SITE)
    console = await console_socket(deployment.ws_b, deployment.b, deployment.agent_token)
    try:
        first = await open_conversation(deployment, visitor)
        conversation = first["conversation"]
        seen, _ack = await send_and_ack(
            console,
            {"type": "message", "conversation": conversation, "client_id": "s1", "body": "seen"},
        )
        await visitor.wait_for(is_message(seen["id"]))
        last_seq = seen["seq"]
        await visitor.close()

        missed = []
        for n in range(5):
            message, _ack = await send_and_ack(
                console,
                {
                    "type": "message",
                    "conversation": conversation,
                    "client_id": f"m{n}",
                    "body": f"missed {n}",
                    "private": n == 2,  # a note: the visitor's replay skips it
                },
            )
            missed.append(message)

        visitor = await widget_socket(deployment.ws_b, deployment.inbox_key, token, last_seq, SITE)
        public = [m for m in missed if not m["private"]]
        await visitor.wait_for(is_message(public[-1]["id"]))
        replayed = [f["message"] for f in visitor.frames if f["type"] == "message"]
        assert [m["id"] for m in replayed] == [m["id"] for m in public]
        assert [m["seq"] for m in replayed] == sorted(m["seq"] for m in replayed)

        # and it is live again, across processes: the console is on B, the visitor now too,
        # so answer from a console on A
        console_a = await console_socket(deployment.ws_a, deployment.a, deployment.agent_token)
        try:
            live, _ack = await send_and_ack(
                console_a,
                {
                    "type": "message",
                    "conversation": conversation,
                    "client_id": "l1",
                    "body": "live",
                },
            )
            await visitor.wait_for(is_message(live["id"]), within=LIVE)
        finally:
            await console_a.close()
        repeats = [f for f in visitor.frames if f["type"] == "message"]
        assert len({f["message"]["id"] for f in repeats}) == len(repeats), "a duplicate delivery"

        # the console has no replay: it catches up over REST with after_seq, on either process
        async with httpx.AsyncClient(
            base_url=deployment.a,
            timeout=15,
            headers={"Authorization": f"Bearer {deployment.agent_token}"},
        ) as http:
            response = await http.get(
                f"/api/v1/conversations/{conversation}/messages", params={"after_seq": last_seq}
            )
        assert response.status_code == 200
        caught_up = response.json()["results"]
        assert [m["id"] for m in caught_up] == [m["id"] for m in missed] + [live["id"]]
    finally:
        await visitor.close()
        await console.close()


async def test_section0_path_routes_to_the_online_operator_through_the_public_api_only(
    deployment: Deployment,
) -> None:
    """Team, operator, inbox, session, messages both ways, routing within a second: only REST
    and the two websockets (bench/drive_public_api.py, also run by scripts/section0_check.sh)."""
    report = await run_checks(
        [deployment.a, deployment.b], ADMIN_USERNAME, ADMIN_PASSWORD, echo=False
    )
    assert report.ok, "\n".join(report.failures())
    assert report.timings["routing latency"] < 1.0
    assert report.timings["visitor->operator latency"] < LIVE
    assert report.timings["operator->visitor latency"] < LIVE
