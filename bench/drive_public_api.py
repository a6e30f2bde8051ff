"""Drive a running helpdesk through its public API only (REST and both websockets) and print one
PASS/FAIL line per check. Exits 1 if any check failed.

    python bench/drive_public_api.py --base http://127.0.0.1:18101 --base http://127.0.0.1:18102 \
        --admin-username admin --admin-password '...'

With two `--base` URLs (two processes of one deployment) the visitor talks to the first and the
operator to the second, so every live frame has to cross processes through Redis. It needs only
the standard library and `websockets` (which `pip install .` brings along with uvicorn), so it runs
from the product's own virtualenv. `run_checks()` is the same thing for tests.

Path: healthz on every process; admin token; create a team, an agent in it and a web inbox; the
agent goes online and opens a console; a visitor opens a session and writes over the widget
socket; routing assigns the conversation to the agent within a second; replies both ways over
both sockets and REST; a private note never reaches the visitor; the widget REST fallback; a resend
with the same client_id is stored once; a reconnect with last_seq to the other process replays
exactly what was missed; the REST histories agree.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

Frame = dict[str, Any]
LIVE_TIMEOUT = 2.0  # a live frame must arrive within this many seconds
ROUTING_TIMEOUT = 1.0  # the contract: assigned within a second


class CheckFailed(AssertionError):
    pass


def ws_base(http_base: str) -> str:
    parts = urlsplit(http_base)
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


# --- REST -------------------------------------------------------------------------------------


@dataclass
class Rest:
    base: str
    token: str | None = None
    origin: str | None = None

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.origin:
            headers["Origin"] = self.origin
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        return status, payload

    async def acall(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return await asyncio.to_thread(self.call, method, path, body)

    async def expect(self, method: str, path: str, body: Any, status: int | tuple[int, ...]) -> Any:
        wanted = (status,) if isinstance(status, int) else status
        got, payload = await self.acall(method, path, body)
        if got not in wanted:
            raise CheckFailed(f"{method} {path} answered {got}, not {wanted}: {payload}")
        return payload


# --- websockets -------------------------------------------------------------------------------


@dataclass
class Socket:
    """A websocket whose incoming frames are collected in order, to be waited for."""

    connection: ClientConnection
    frames: list[Frame] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    _new: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, url: str, *, origin: str | None = None) -> Socket:
        connection = await connect(
            url,
            origin=Origin(origin) if origin else None,
            open_timeout=10,
            ping_interval=None,
        )
        socket = cls(connection)
        socket._reader = asyncio.create_task(socket._read())
        return socket

    async def _read(self) -> None:
        try:
            async for raw in self.connection:
                self.frames.append(json.loads(raw))
                self.arrived.append(time.monotonic())
                self._new.set()
        except Exception:
            pass
        finally:
            self.closed.set()
            self._new.set()

    async def send(self, frame: Frame) -> None:
        await self.connection.send(json.dumps(frame))

    async def wait_for(
        self, predicate: Callable[[Frame], bool], *, within: float = LIVE_TIMEOUT, start: int = 0
    ) -> tuple[Frame, float]:
        """The first frame (from index `start`) that matches, and when it arrived."""
        deadline = time.monotonic() + within
        index = start
        while True:
            while index < len(self.frames):
                if predicate(self.frames[index]):
                    return self.frames[index], self.arrived[index]
                index += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.closed.is_set() and index >= len(self.frames)):
                raise CheckFailed(f"no matching frame within {within}s; got {self.frames[-5:]}")
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), remaining)

    def matching(self, predicate: Callable[[Frame], bool], start: int = 0) -> list[Frame]:
        return [frame for frame in self.frames[start:] if predicate(frame)]

    async def close(self) -> None:
        await self.connection.close()
        if self._reader is not None:
            await asyncio.wait({self._reader}, timeout=5)


def is_message(message_id: int) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") == "message" and f["message"]["id"] == message_id


def is_ack(client_id: str) -> Callable[[Frame], bool]:
    return lambda f: f.get("type") in ("ack", "error") and f.get("client_id") == client_id


async def widget_socket(ws: str, inbox_key: str, token: str, last_seq: int, origin: str) -> Socket:
    socket = await Socket.open(f"{ws}/ws/widget/v1/?inbox_key={inbox_key}", origin=origin)
    await socket.send({"type": "hello", "visitor_token": token, "last_seq": last_seq})
    await socket.wait_for(lambda f: f.get("type") == "welcome", within=10)
    return socket


async def console_socket(ws: str, http_base: str, token: str) -> Socket:
    socket = await Socket.open(f"{ws}/ws/console/v1/", origin=http_base)
    await socket.send({"type": "hello", "token": token})
    welcome, _at = await socket.wait_for(lambda f: f.get("type") in ("welcome", "error"), within=10)
    if welcome["type"] != "welcome":
        raise CheckFailed(f"console refused: {welcome}")
    return socket


async def send_and_ack(socket: Socket, frame: Frame) -> tuple[Frame, float]:
    start = len(socket.frames)
    sent_at = time.monotonic()
    await socket.send(frame)
    reply, at = await socket.wait_for(is_ack(frame["client_id"]), within=10, start=start)
    if reply["type"] != "ack":
        raise CheckFailed(f"message refused: {reply}")
    return reply["message"], at - sent_at


# --- the checks -------------------------------------------------------------------------------


@dataclass
class Report:
    results: list[tuple[str, bool, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    echo: bool = True

    def add(self, name: str, ok: bool, detail: str = "") -> None:
        self.results.append((name, ok, detail))
        if self.echo:
            print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(ok for _n, ok, _d in self.results)

    def failures(self) -> list[str]:
        return [f"{name}: {detail}" for name, ok, detail in self.results if not ok]


async def run_checks(
    bases: list[str], admin_username: str, admin_password: str, *, echo: bool = True
) -> Report:
    """Every check of the module docstring, against one deployment. Never raises for a failed
    check: the report says which failed (later checks that depend on a failed one are skipped)."""
    report = Report(echo=echo)
    try:
        await _run(bases, admin_username, admin_password, report)
    except CheckFailed as error:
        report.add("aborted", False, str(error))
    except Exception as error:
        report.add("aborted", False, f"{type(error).__name__}: {error}")
    return report


async def _check(report: Report, name: str, coroutine: Any) -> Any:
    started = time.monotonic()
    try:
        result = await coroutine
    except CheckFailed as error:
        report.add(name, False, str(error))
        raise
    report.timings[name] = time.monotonic() - started
    detail = result if isinstance(result, str) else ""
    report.add(name, True, detail)
    return result


async def _run(bases: list[str], admin_username: str, admin_password: str, report: Report) -> None:
    visitor_base = bases[0]
    operator_base = bases[-1]
    other_base = bases[1] if len(bases) > 1 else bases[0]
    run = uuid.uuid4().hex[:8]
    site = "https://shop.example.com"

    async def healthz() -> str:
        for base in bases:
            status, payload = await Rest(base).acall("GET", "/healthz")
            if status != 200 or payload != {"status": "ok"}:
                raise CheckFailed(f"{base}/healthz answered {status} {payload}")
        return f"{len(bases)} process(es)"

    await _check(report, "healthz answers 200 ok on every process", healthz())

    admin = Rest(operator_base)

    async def admin_login() -> str:
        payload = await admin.expect(
            "POST",
            "/api/v1/auth/token",
            {"username": admin_username, "password": admin_password},
            201,
        )
        admin.token = payload["token"]
        me = await admin.expect("GET", "/api/v1/me", None, 200)
        if me["role"] != "admin":
            raise CheckFailed(f"the superuser's role is {me['role']!r}, not admin")
        return "superuser is an admin"

    await _check(report, "createsuperuser makes an admin who gets a token", admin_login())

    ids: dict[str, Any] = {}

    async def setup() -> str:
        team = await admin.expect("POST", "/api/v1/teams", {"name": f"Support {run}"}, 201)
        ids["team"] = team["id"]
        password = f"agent-pass-{run}-x9"
        agent = await admin.expect(
            "POST",
            "/api/v1/operators",
            {
                "username": f"agent{run}",
                "password": password,
                "name": f"Agent {run}",
                "role": "agent",
                "teams": [team["id"]],
                "max_chats": 5,
            },
            201,
        )
        ids["agent"] = agent["id"]
        inbox = await admin.expect(
            "POST",
            "/api/v1/inboxes",
            {
                "name": f"Site {run}",
                "channel": "web",
                "team": team["id"],
                "allowed_origins": [site],
                "greeting": "Hello!",
                "routing": "least_busy",
            },
            201,
        )
        for key in ("id", "inbox_key", "identity_secret"):
            if key not in inbox:
                raise CheckFailed(f"the created inbox has no {key!r}: {inbox}")
        ids["inbox_key"] = inbox["inbox_key"]
        token = await Rest(operator_base).expect(
            "POST", "/api/v1/auth/token", {"username": f"agent{run}", "password": password}, 201
        )
        ids["agent_token"] = token["token"]
        return f"team {team['id']}, agent {agent['id']}, inbox {inbox['id']}"

    await _check(report, "admin creates a team, an agent and a web inbox", setup())

    agent = Rest(operator_base, token=ids["agent_token"])

    async def go_online() -> str:
        me = await agent.expect("PATCH", "/api/v1/me", {"status": "online"}, 200)
        if me["status"] != "online":
            raise CheckFailed(f"status is {me['status']}")
        return "online"

    await _check(report, "the agent goes online (PATCH /api/v1/me)", go_online())
    console = await console_socket(ws_base(operator_base), operator_base, ids["agent_token"])
    widget_rest = Rest(visitor_base, origin=site)
    sockets: list[Socket] = [console]
    try:

        async def session() -> str:
            payload = await widget_rest.expect(
                "POST",
                "/api/widget/v1/sessions",
                {
                    "inbox_key": ids["inbox_key"],
                    "visitor_token": None,
                    "locale": "en",
                    "page": {"url": f"{site}/cart", "title": "Cart"},
                    "identity": None,
                },
                201,
            )
            ids["visitor_token"] = payload["visitor_token"]
            if payload["inbox"]["online"] is not True:
                raise CheckFailed(f"the inbox does not say online: {payload['inbox']}")
            return "201, inbox online"

        await _check(report, "a visitor opens a widget session", session())
        widget_rest.token = ids["visitor_token"]
        visitor = await widget_socket(
            ws_base(visitor_base), ids["inbox_key"], ids["visitor_token"], 0, site
        )
        sockets.append(visitor)

        async def visitor_writes() -> str:
            start = len(console.frames)
            message, ack_s = await send_and_ack(
                visitor, {"type": "message", "client_id": f"v1-{run}", "body": "Where is my order?"}
            )
            acked = time.monotonic()
            sent = acked - ack_s
            ids["conversation"] = message["conversation"]
            ids["first_ack_at"] = acked
            _frame, at = await console.wait_for(is_message(message["id"]), start=start)
            report.timings["visitor->operator latency"] = at - sent
            return f"ack {ack_s * 1000:.0f} ms, on the console after {(at - sent) * 1000:.0f} ms"

        await _check(report, "visitor's widget message reaches the console", visitor_writes())

        async def routed() -> str:
            conversation_id = ids["conversation"]
            # the console streams the assignment (timed from the ack of the first message,
            # which is sent after the commit that opened the conversation); REST confirms it
            _frame, at = await console.wait_for(
                lambda f: (
                    f.get("type") == "conversation"
                    and f["conversation"]["id"] == conversation_id
                    and (f["conversation"].get("assignee") or {}).get("id") == ids["agent"]
                ),
                within=ROUTING_TIMEOUT + 2.0,
            )
            routing_s = max(0.0, at - ids["first_ack_at"])
            report.timings["routing latency"] = routing_s
            path = f"/api/v1/conversations/{conversation_id}"
            detail = await agent.expect("GET", path, None, 200)
            if (detail.get("assignee") or {}).get("id") != ids["agent"]:
                raise CheckFailed(f"REST shows assignee {detail.get('assignee')}")
            if detail.get("queue_position") is not None:
                raise CheckFailed(f"assigned but queue_position {detail['queue_position']}")
            if routing_s > ROUTING_TIMEOUT:
                raise CheckFailed(f"assigned, but only after {routing_s * 1000:.0f} ms")
            return f"assigned to agent {ids['agent']} after {routing_s * 1000:.0f} ms"

        await _check(
            report, "routing assigns the conversation to the online agent within 1 s", routed()
        )

        async def operator_replies_ws() -> str:
            start = len(visitor.frames)
            message, ack_s = await send_and_ack(
                console,
                {
                    "type": "message",
                    "conversation": ids["conversation"],
                    "client_id": f"o1-{run}",
                    "body": "It ships today.",
                },
            )
            sent = time.monotonic() - ack_s
            _frame, at = await visitor.wait_for(is_message(message["id"]), start=start)
            report.timings["operator->visitor latency"] = at - sent
            return f"ack {ack_s * 1000:.0f} ms, at the visitor after {(at - sent) * 1000:.0f} ms"

        await _check(report, "operator's console reply reaches the visitor", operator_replies_ws())

        async def private_note() -> str:
            v_start, c_start = len(visitor.frames), len(console.frames)
            note = await agent.expect(
                "POST",
                f"/api/v1/conversations/{ids['conversation']}/messages",
                {"body": "VIP, be nice", "client_id": f"n1-{run}", "private": True},
                201,
            )
            await console.wait_for(is_message(note["id"]), start=c_start)
            public = await agent.expect(
                "POST",
                f"/api/v1/conversations/{ids['conversation']}/messages",
                {"body": "Anything else?", "client_id": f"o2-{run}"},
                201,
            )
            await visitor.wait_for(is_message(public["id"]), start=v_start)
            leaked = visitor.matching(lambda f: "VIP" in json.dumps(f, ensure_ascii=False), v_start)
            if leaked:
                raise CheckFailed(f"the visitor got the private note: {leaked}")
            return "the note reached the console only; the REST reply reached the visitor"

        await _check(report, "a private note never reaches the visitor", private_note())

        async def rest_fallback() -> str:
            c_start = len(console.frames)
            sent = time.monotonic()
            message = await widget_rest.expect(
                "POST",
                "/api/widget/v1/messages",
                {"client_id": f"v2-{run}", "body": "Thanks, via REST"},
                201,
            )
            _frame, at = await console.wait_for(is_message(message["id"]), start=c_start)
            again = await widget_rest.expect(
                "POST",
                "/api/widget/v1/messages",
                {"client_id": f"v2-{run}", "body": "a different body"},
                200,
            )
            if again["id"] != message["id"]:
                raise CheckFailed(f"a repeated client_id made a new message: {again}")
            return f"on the console after {(at - sent) * 1000:.0f} ms; the resend answered 200"

        await _check(report, "the widget REST fallback reaches the console", rest_fallback())

        async def ws_resend() -> str:
            client_id = f"v3-{run}"
            first, _s = await send_and_ack(
                visitor, {"type": "message", "client_id": client_id, "body": "once"}
            )
            second, _s = await send_and_ack(
                visitor, {"type": "message", "client_id": client_id, "body": "once"}
            )
            if second["id"] != first["id"]:
                raise CheckFailed("a websocket resend made a second message")
            return f"message {first['id']} acked twice, stored once"

        await _check(report, "a resend with the same client_id is stored once", ws_resend())

        async def resume_elsewhere() -> str:
            # what this socket knows: messages streamed to it, and its own, acked
            seen = visitor.matching(lambda f: f.get("type") in ("message", "ack"))
            last_seq = max(f["message"]["seq"] for f in seen)
            await visitor.close()
            sockets.remove(visitor)
            missed = []
            for n in range(3):
                missed.append(
                    await agent.expect(
                        "POST",
                        f"/api/v1/conversations/{ids['conversation']}/messages",
                        {"body": f"while you were away {n}", "client_id": f"m{n}-{run}"},
                        201,
                    )
                )
            resumed = await widget_socket(
                ws_base(other_base), ids["inbox_key"], ids["visitor_token"], last_seq, site
            )
            sockets.append(resumed)
            await resumed.wait_for(is_message(missed[-1]["id"]))
            got = [f["message"]["id"] for f in resumed.matching(lambda f: f["type"] == "message")]
            if got != [m["id"] for m in missed]:
                raise CheckFailed(f"replayed {got}, missed {[m['id'] for m in missed]}")
            return f"last_seq {last_seq}: replayed exactly the {len(missed)} missed messages"

        await _check(
            report,
            "a reconnect with last_seq to the other process replays the missed",
            resume_elsewhere(),
        )

        async def histories() -> str:
            full = await agent.expect(
                "GET",
                f"/api/v1/conversations/{ids['conversation']}/messages?after_seq=0&limit=500",
                None,
                200,
            )
            seqs = [m["seq"] for m in full["results"]]
            if seqs != list(range(1, len(seqs) + 1)):
                raise CheckFailed(f"seqs are {seqs}")
            public = await widget_rest.expect(
                "GET", "/api/widget/v1/messages?after_seq=0&limit=500", None, 200
            )
            expected = [m["id"] for m in full["results"] if not m["private"]]
            if [m["id"] for m in public["results"]] != expected:
                raise CheckFailed("the widget history is not the public part of the full one")
            return f"{len(seqs)} messages, seq 1..{len(seqs)}, {len(expected)} public"

        await _check(report, "REST histories: seqs 1..n, the visitor's without notes", histories())
    finally:
        for socket in sockets:
            with contextlib.suppress(Exception):
                await socket.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", action="append", required=True, help="http://host:port")
    parser.add_argument("--admin-username", required=True)
    parser.add_argument("--admin-password", required=True)
    args = parser.parse_args()
    report = asyncio.run(run_checks(args.base, args.admin_username, args.admin_password))
    for name, seconds in report.timings.items():
        if "latency" in name:
            print(f"     {name}: {seconds * 1000:.0f} ms")
    print("RESULT", "PASS" if report.ok else "FAIL", flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
