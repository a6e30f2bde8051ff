"""Load generator: N visitor websockets and M operator consoles, visitors sending at a fixed
total rate, every console delivery timestamped and counted.

One target per run:
- `product`: consoles log in (`POST /api/v1/auth/token`) and open `/ws/console/v1/`; visitors
  open a widget session (`POST /api/widget/v1/sessions`) and `/ws/widget/v1/`; both say `hello`.
- `bare` / `naive`: the reference consumers of `bench.echo_app` (`/ws/bench/<target>/`).

Clients are spread over the teams (visitor i and console j belong to team i % T, j % T) and over
the servers (half on each of two). Visitors send open-loop (Poisson or evenly spaced arrivals, a
unique `client_id` each) at a total rate R; every send, ack and console delivery is timestamped
with `time.monotonic()` (Linux's CLOCK_MONOTONIC is one clock for every process of the machine,
so `--procs K` worker processes share it). Per phase the report gives: sent, acked, committed
(rows in the database), deliveries expected (each message to each console of its team, exactly
once) vs received, lost, duplicated (raw, before any dedupe by message id), misrouted (a console
that got another team's message), latency percentiles of visitor send -> operator receive, and
the achieved rate.

    python bench/load.py --target product --urls http://127.0.0.1:18201,http://127.0.0.1:18202 \
        --seed /tmp/seed.json --visitors 50 --consoles 10 --rates 20 --duration 10 \
        --database-url postgres://postgres@127.0.0.1:5432/helpdesk_bench
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import math
import multiprocessing
import os
import random
import re
import resource
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import websockets
from websockets.asyncio.client import connect

clock = time.monotonic  # CLOCK_MONOTONIC: system-wide on Linux, so comparable across processes

# The consoles match deliveries with a regex instead of a JSON parse: the generator must stay
# far cheaper than the servers it loads. Every bench client_id starts with "bm".
CLIENT_ID_RE = re.compile(r'"client_id": ?"(bm[^"]*)"')

CONNECT_CONCURRENCY = 32
# A send later than this behind its schedule means the generator, not the server, is the limit.
GENERATOR_LAG_LIMIT_MS = 100.0
PRIMER = 0.1  # the share of clients connected before the memory baseline
HTTP_CONCURRENCY = 16


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def ws_url(http_url: str, path: str) -> str:
    parts = urlsplit(http_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{path}"


# --- the plan: who connects where ------------------------------------------------------------


@dataclass
class Client:
    gid: int  # global id: visitors 0..N-1, consoles N..N+M-1
    kind: str  # "visitor" | "console"
    team: int  # team index (0..T-1)
    server: int  # index into the server URL list
    url: str  # websocket URL
    origin: str
    team_key: int = 0  # the team's database id (the echo consumers' group name)
    token: str = ""  # operator token or visitor token (product only)


@dataclass
class Plan:
    target: str
    urls: list[str]
    clients: list[Client]
    team_console_count: dict[int, int] = field(default_factory=dict)


def _assign(index: int, teams: int, servers: int) -> tuple[int, int]:
    """Client `index` of a kind: its team and its server; each team's clients alternate over
    the servers (so a team's consoles are not all in one process)."""
    return index % teams, (index // teams) % servers


async def _http_all(
    calls: list[Callable[[httpx.AsyncClient], Awaitable[str]]], label: str
) -> list[str]:
    limit = asyncio.Semaphore(HTTP_CONCURRENCY)
    done = 0
    async with httpx.AsyncClient(timeout=120) as http:

        async def one(call: Callable[[httpx.AsyncClient], Awaitable[str]]) -> str:
            nonlocal done
            async with limit:
                for attempt in range(5):
                    try:
                        result = await call(http)
                        break
                    except (httpx.HTTPError, RuntimeError) as error:
                        if attempt == 4:
                            raise RuntimeError(f"{label}: {error}") from error
                        await asyncio.sleep(0.5 * (attempt + 1))
                done += 1
                return result

        return await asyncio.gather(*(one(call) for call in calls))


async def make_plan(
    *, target: str, urls: list[str], seed: dict[str, Any], visitors: int, consoles: int
) -> Plan:
    teams = seed["teams"]
    team_count = len(teams)
    clients: list[Client] = []
    for index in range(visitors):
        team, server = _assign(index, team_count, len(urls))
        if target == "product":
            path = f"/ws/widget/v1/?inbox_key={teams[team]['inbox_key']}"
        else:
            path = f"/ws/bench/{target}/?team={teams[team]['id']}&role=visitor"
        clients.append(
            Client(
                index,
                "visitor",
                team,
                server,
                ws_url(urls[server], path),
                urls[server],
                team_key=teams[team]["id"],
            )
        )
    for number in range(consoles):
        team, server = _assign(number, team_count, len(urls))
        if target == "product":
            path = "/ws/console/v1/"
        else:
            path = f"/ws/bench/{target}/?team={teams[team]['id']}&role=console"
        clients.append(
            Client(
                visitors + number,
                "console",
                team,
                server,
                ws_url(urls[server], path),
                urls[server],
                team_key=teams[team]["id"],
            )
        )
    plan = Plan(target=target, urls=urls, clients=clients)
    for client in clients:
        if client.kind == "console":
            plan.team_console_count[client.team] = plan.team_console_count.get(client.team, 0) + 1
    if target == "product":
        await _product_credentials(plan, seed)
    return plan


async def _product_credentials(plan: Plan, seed: dict[str, Any]) -> None:
    teams = seed["teams"]
    password = seed["password"]
    used: dict[int, int] = collections.Counter()
    calls: list[Callable[[httpx.AsyncClient], Awaitable[str]]] = []
    for client in plan.clients:
        base = plan.urls[client.server]
        if client.kind == "console":
            operators = teams[client.team]["operators"]
            if used[client.team] >= len(operators):
                raise SystemExit(f"team {client.team} has too few seeded operators")
            username = operators[used[client.team]]
            used[client.team] += 1

            async def login(http: httpx.AsyncClient, base: str = base, user: str = username) -> str:
                response = await http.post(
                    f"{base}/api/v1/auth/token", json={"username": user, "password": password}
                )
                if response.status_code != 201:
                    raise RuntimeError(f"login {user}: {response.status_code} {response.text}")
                return str(response.json()["token"])

            calls.append(login)
        else:
            key = teams[client.team]["inbox_key"]

            async def session(http: httpx.AsyncClient, base: str = base, key: str = key) -> str:
                response = await http.post(
                    f"{base}/api/widget/v1/sessions",
                    json={
                        "inbox_key": key,
                        "visitor_token": None,
                        "locale": "en",
                        "page": {"url": "https://bench.example/", "title": "bench"},
                        "identity": None,
                    },
                    headers={"Origin": "https://bench.example"},
                )
                if response.status_code not in (200, 201):
                    raise RuntimeError(f"session: {response.status_code} {response.text}")
                return str(response.json()["visitor_token"])

            calls.append(session)
    tokens = await _http_all(calls, "credentials")
    for client, token in zip(plan.clients, tokens, strict=True):
        client.token = token


# --- the worker: holds connections, sends, records ----------------------------------------------


@dataclass
class PhaseSpec:
    name: str
    rate: float  # total messages per second over every worker
    duration: float
    start_at: float  # clock() time at which every worker starts sending
    arrival: str  # "poisson" | "even"
    body_chars: int
    once_each: bool = False  # warm-up: every visitor sends exactly one message
    drain_quiet: float = 2.0
    drain_timeout: float = 30.0


class Conn:
    __slots__ = ("client", "close_code", "closed_at", "ws")

    def __init__(self, client: Client) -> None:
        self.client = client
        self.ws: Any = None
        self.close_code: int | None = None
        self.closed_at: float | None = None


class Worker:
    def __init__(self, wid: int, procs: int, target: str, clients: list[Client], run_id: str):
        self.wid = wid
        self.procs = procs
        self.target = target
        self.clients = clients
        self.run_id = run_id
        self.conns: list[Conn] = []
        self.visitors: list[Conn] = []
        self.consoles: list[Conn] = []
        # client_id -> [team, intended, sent, acked, error, acks]
        self.sends: dict[str, list[Any]] = {}
        self.recv: list[tuple[int, str, float]] = []  # (console gid, client_id, time)
        self.other_frames = 0
        self.last_delivery = 0.0
        self.connect_errors: list[str] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.rng = random.Random(wid * 7919 + 17)

    # connections

    async def connect_all(self, span: tuple[float, float] = (0.0, 1.0)) -> dict[str, Any]:
        """Open the clients in `span` (fractions of this worker's list); report the totals."""
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
        low, high = (round(bound * len(self.clients)) for bound in span)

        async def one(client: Client) -> None:
            async with limit:
                conn = Conn(client)
                try:
                    conn.ws = await self._open(client)
                except Exception as error:
                    self.connect_errors.append(f"{client.kind} {client.gid}: {error!r}"[:300])
                    return
                self.conns.append(conn)
                (self.visitors if client.kind == "visitor" else self.consoles).append(conn)
                reader = self._visitor_reader if client.kind == "visitor" else self._console_reader
                self.tasks.append(asyncio.create_task(reader(conn)))

        await asyncio.gather(*(one(client) for client in self.clients[low:high]))
        self.visitors.sort(key=lambda c: c.client.gid)
        per_server: dict[int, int] = collections.Counter(c.client.server for c in self.conns)
        return {
            "connected": len(self.conns),
            "visitors": len(self.visitors),
            "consoles": len(self.consoles),
            "per_server": dict(per_server),
            "console_gids": [c.client.gid for c in self.consoles],
            "errors": self.connect_errors[:20],
            "error_count": len(self.connect_errors),
        }

    async def _open(self, client: Client) -> Any:
        ws = await connect(
            client.url,
            origin=client.origin,  # type: ignore[arg-type]
            compression=None,
            ping_interval=None,
            max_size=2**22,
            max_queue=None,
            open_timeout=60,
            close_timeout=2,
        )
        if self.target != "product":
            return ws
        if client.kind == "console":
            hello = {"type": "hello", "token": client.token}
        else:
            hello = {"type": "hello", "visitor_token": client.token, "last_seq": 0}
        await ws.send(json.dumps(hello))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            if frame.get("type") == "welcome":
                return ws
            if frame.get("type") == "error":
                await ws.close()
                raise RuntimeError(f"hello refused: {frame}")

    async def _visitor_reader(self, conn: Conn) -> None:
        try:
            async for raw in conn.ws:
                now = clock()
                try:
                    frame = json.loads(raw)
                except ValueError:
                    continue
                kind = frame.get("type")
                if kind == "ack":
                    record = self.sends.get(frame.get("client_id"))
                    if record is not None:
                        record[5] += 1
                        if record[3] is None:
                            record[3] = now
                elif kind == "error":
                    record = self.sends.get(frame.get("client_id"))
                    if record is not None and record[4] is None:
                        record[4] = str(frame.get("code"))
                    else:
                        self.other_frames += 1
        except websockets.ConnectionClosed:
            pass
        finally:
            self._closed(conn)

    async def _console_reader(self, conn: Conn) -> None:
        gid = conn.client.gid
        append = self.recv.append
        search = CLIENT_ID_RE.search
        try:
            async for raw in conn.ws:
                now = clock()
                found = search(raw) if isinstance(raw, str) else None
                if found is None:
                    self.other_frames += 1
                    continue
                append((gid, found.group(1), now))
                self.last_delivery = now
        except websockets.ConnectionClosed:
            pass
        finally:
            self._closed(conn)

    def _closed(self, conn: Conn) -> None:
        if conn.closed_at is None:
            conn.closed_at = clock()
            if conn.ws is not None and conn.ws.close_code is not None:
                conn.close_code = conn.ws.close_code

    # sending

    def _body(self, client_id: str, chars: int) -> str:
        text = f"bench {client_id} "
        return (text * (chars // len(text) + 1))[:chars]

    async def run_phase(self, spec: PhaseSpec) -> dict[str, Any]:
        prefix = f"bm{self.run_id}-{spec.name}-w{self.wid}-"
        visitors = self.visitors
        lags: list[float] = []
        sent = 0
        skipped_closed = 0
        first_send = last_send = None
        if spec.once_each:
            schedule_count = len(visitors)
            gap = spec.duration / max(1, schedule_count)
        else:
            schedule_count = None
            gap = self.procs / spec.rate
        now = clock()
        if spec.start_at > now:
            await asyncio.sleep(spec.start_at - now)
        end_at = spec.start_at + spec.duration
        intended = spec.start_at
        order = itertools.cycle(range(len(visitors))) if visitors else iter(())
        if spec.once_each:
            intended -= gap
        for number in itertools.count():
            if schedule_count is not None and number >= schedule_count:
                break
            if spec.arrival == "poisson" and not spec.once_each:
                intended += self.rng.expovariate(1.0 / gap)
            else:
                intended += gap
            if schedule_count is None and intended >= end_at:
                break
            delay = intended - clock()
            if delay > 0:
                await asyncio.sleep(delay)
            index = next(order, None)
            if index is None:
                break
            conn = visitors[index]
            if conn.closed_at is not None:
                skipped_closed += 1
                continue
            client_id = f"{prefix}{number}"
            team = conn.client.team
            if self.target == "product":
                payload = {"type": "message", "client_id": client_id}
            else:
                payload = {"client_id": client_id, "team": conn.client.team_key}
            payload["body"] = self._body(client_id, spec.body_chars)
            frame = json.dumps(payload, separators=(",", ":"))
            t_send = clock()
            lags.append(t_send - intended)
            self.sends[client_id] = [team, intended, t_send, None, None, 0]
            try:
                await conn.ws.send(frame)
            except websockets.ConnectionClosed:
                self.sends[client_id][4] = "closed"
            sent += 1
            first_send = first_send if first_send is not None else t_send
            last_send = t_send
        send_end = clock()
        await self._drain(spec, send_end, prefix)
        mine = {cid: rec for cid, rec in self.sends.items() if cid.startswith(prefix)}
        for cid in mine:
            del self.sends[cid]
        recv = self.recv[:]
        self.recv.clear()  # in place: the console readers hold its bound append
        lags.sort()
        return {
            "sends": mine,
            "recv": recv,
            "sent": sent,
            "skipped_closed": skipped_closed,
            "first_send": first_send,
            "last_send": last_send,
            "send_lag_p99": _percentile(lags, 99) if lags else 0.0,
            "send_lag_max": lags[-1] if lags else 0.0,
            "closed": [
                {"gid": c.client.gid, "kind": c.client.kind, "code": c.close_code}
                for c in self.conns
                if c.closed_at is not None
            ],
            "other_frames": self.other_frames,
        }

    async def _drain(self, spec: PhaseSpec, send_end: float, prefix: str) -> None:
        """Wait for the acks of this worker's sends and for the consoles to go quiet."""
        while True:
            await asyncio.sleep(0.2)
            now = clock()
            if now - send_end > spec.drain_timeout:
                return
            pending = any(
                rec[3] is None and rec[4] is None
                for cid, rec in self.sends.items()
                if cid.startswith(prefix)
            )
            quiet = now - max(self.last_delivery, send_end) >= spec.drain_quiet
            if not pending and quiet:
                return

    async def close_all(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(
            *(c.ws.close() for c in self.conns if c.ws is not None), return_exceptions=True
        )


def _percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, math.ceil(pct / 100 * len(ordered)) - 1))  # nearest rank
    return ordered[rank]


# --- worker processes ----------------------------------------------------------------------------


async def _worker_loop(worker: Worker, receive: Callable[[], Awaitable[Any]], reply: Any) -> None:
    while True:
        command, payload = await receive()
        if command == "connect":
            await reply(await worker.connect_all(payload))
        elif command == "phase":
            await reply(await worker.run_phase(payload))
        elif command == "close":
            await worker.close_all()
            await reply({"closed": True})
            return


def _worker_process(
    conn: Any, wid: int, procs: int, target: str, clients: list[Client], run_id: str
) -> None:
    raise_fd_limit()
    worker = Worker(wid, procs, target, clients, run_id)

    async def main() -> None:
        loop = asyncio.get_running_loop()

        async def receive() -> Any:
            return await loop.run_in_executor(None, conn.recv)

        async def reply(message: Any) -> None:
            await loop.run_in_executor(None, conn.send, message)

        await _worker_loop(worker, receive, reply)

    _run(main())


def _run(coro: Awaitable[Any]) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)  # type: ignore[arg-type]
    return uvloop.run(coro)  # type: ignore[arg-type]


class WorkerHandle:
    """One worker, in this process (procs == 1) or in a child process."""

    def __init__(self, wid: int, procs: int, target: str, clients: list[Client], run_id: str):
        self.inline = procs == 1
        if self.inline:
            self.worker = Worker(wid, procs, target, clients, run_id)
        else:
            context = multiprocessing.get_context("spawn")
            self.pipe, child = context.Pipe()
            self.process = context.Process(
                target=_worker_process,
                args=(child, wid, procs, target, clients, run_id),
                daemon=True,
            )
            self.process.start()

    async def call(self, command: str, payload: Any = None) -> Any:
        if self.inline:
            if command == "connect":
                return await self.worker.connect_all(payload)
            if command == "phase":
                return await self.worker.run_phase(payload)
            await self.worker.close_all()
            return {"closed": True}
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.pipe.send, (command, payload))
        return await loop.run_in_executor(None, self.pipe.recv)

    def join(self) -> None:
        if not self.inline:
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.kill()


# --- analysis ------------------------------------------------------------------------------------


def analyse(
    spec: PhaseSpec,
    parts: list[dict[str, Any]],
    console_team: dict[int, int],
    committed: dict[str, int] | None,
) -> dict[str, Any]:
    sends: dict[str, list[Any]] = {}
    recv: list[tuple[int, str, float]] = []
    for part in parts:
        sends.update(part["sends"])
        recv.extend(part["recv"])
    consoles_per_team: dict[int, int] = collections.Counter(console_team.values())
    expected = sum(consoles_per_team.get(rec[0], 0) for rec in sends.values())
    counts: dict[tuple[int, str], int] = collections.Counter()
    first: dict[tuple[int, str], float] = {}
    stray = 0
    misrouted = 0
    for gid, cid, at in recv:
        rec = sends.get(cid)
        if rec is None:
            stray += 1  # a late delivery of an earlier phase, or a message of nobody's
            continue
        if console_team.get(gid) != rec[0]:
            misrouted += 1
            continue
        key = (gid, cid)
        counts[key] += 1
        if key not in first:
            first[key] = at
    received = len(counts)
    duplicates = sum(n - 1 for n in counts.values())
    latencies = sorted(at - sends[cid][2] for (gid, cid), at in first.items())
    acked = [rec for rec in sends.values() if rec[3] is not None]
    ack_latencies = sorted(rec[3] - rec[2] for rec in acked)
    errors = collections.Counter(rec[4] for rec in sends.values() if rec[4] is not None)
    sent = len(sends)
    firsts = [p["first_send"] for p in parts if p["first_send"] is not None]
    lasts = [p["last_send"] for p in parts if p["last_send"] is not None]
    window = (max(lasts) - min(firsts)) if firsts and lasts else 0.0
    # the spec's duration is the honest denominator: a generator that fell behind shows up
    # as an achieved rate below the target
    duration = spec.duration
    delivered_to_someone = {cid for (_gid, cid) in counts}
    lost_messages = sum(
        1
        for cid, rec in sends.items()
        if consoles_per_team.get(rec[0], 0) and cid not in delivered_to_someone
    )

    def ms(values: list[float], pct: float) -> float:
        return round(_percentile(values, pct) * 1000, 2) if values else float("nan")

    closed = [c for p in parts for c in p["closed"]]
    result: dict[str, Any] = {
        "phase": spec.name,
        "target_rate": spec.rate,
        "duration_s": spec.duration,
        "sent": sent,
        "achieved_rate": round(sent / duration, 2) if duration else 0.0,
        "send_window_s": round(window, 3),
        "acked": len(acked),
        "unacked": sent - len(acked),
        "duplicate_acks": sum(max(0, rec[5] - 1) for rec in sends.values()),
        "errors": dict(errors),
        "deliveries_expected": expected,
        "deliveries_received": received,
        "lost": expected - received,
        "lost_messages": lost_messages,
        "duplicated": duplicates,
        "misrouted": misrouted,
        "stray": stray,
        "latency_ms": {
            "p50": ms(latencies, 50),
            "p90": ms(latencies, 90),
            "p99": ms(latencies, 99),
            "max": round(latencies[-1] * 1000, 2) if latencies else float("nan"),
        },
        "ack_latency_ms": {
            "p50": ms(ack_latencies, 50),
            "p99": ms(ack_latencies, 99),
            "max": round(ack_latencies[-1] * 1000, 2) if ack_latencies else float("nan"),
        },
        "generator_lag_ms": {
            "p99": round(max((p["send_lag_p99"] for p in parts), default=0.0) * 1000, 2),
            "max": round(max((p["send_lag_max"] for p in parts), default=0.0) * 1000, 2),
        },
        "connections_closed": len(closed),
        "closed_codes": dict(collections.Counter(str(c["code"]) for c in closed)),
        "skipped_closed": sum(p["skipped_closed"] for p in parts),
    }
    if committed is not None:
        result["committed"] = committed["rows"]
        result["committed_distinct"] = committed["distinct"]
        result["committed_rate"] = round(committed["rows"] / duration, 2) if duration else 0.0
    return result


def phase_ok(result: dict[str, Any], *, p99_limit_ms: float = 500.0) -> tuple[bool, str]:
    """Sustained: everything sent at the asked rate, acked, delivered once, p99 under limit."""
    reasons = []
    if result["phase"] != "warmup":
        # Poisson arrivals: the count over the phase may fall short by chance, not by 3 sigma
        expected = result["target_rate"] * result["duration_s"]
        if result["sent"] < expected - 3 * math.sqrt(expected) - 1:
            reasons.append(f"sent only {result['achieved_rate']}/s")
    if result["generator_lag_ms"]["p99"] > GENERATOR_LAG_LIMIT_MS:
        reasons.append(f"generator behind (lag p99 {result['generator_lag_ms']['p99']} ms)")
    if result["unacked"]:
        reasons.append(f"{result['unacked']} unacked")
    if result["lost"]:
        reasons.append(f"{result['lost']} deliveries lost")
    if result["duplicated"]:
        reasons.append(f"{result['duplicated']} duplicated")
    if result["misrouted"]:
        reasons.append(f"{result['misrouted']} misrouted")
    p99 = result["latency_ms"]["p99"]
    if not p99 < p99_limit_ms:  # NaN fails too
        reasons.append(f"p99 {p99} ms")
    if "committed" in result and result["committed"] != result["acked"]:
        reasons.append(f"committed {result['committed']} != acked {result['acked']}")
    return (not reasons, "; ".join(reasons) or "ok")


# --- the driver ----------------------------------------------------------------------------------


@dataclass
class LoadConfig:
    target: str
    urls: list[str]
    seed: dict[str, Any]
    visitors: int
    consoles: int
    rates: list[float]
    duration: float
    procs: int = 1
    arrival: str = "poisson"
    body_chars: int = 64
    warmup_rate: float = 100.0
    warmup: bool = True
    stop_on_fail: bool = False
    retries: int = 0  # how many times a rate that was not sustained is tried again
    p99_limit_ms: float = 500.0
    drain_timeout: float = 30.0
    database_url: str | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:6])


Hook = Callable[[dict[str, Any]], Awaitable[None] | None]
# called with ("start", spec, None) just before a phase and ("end", spec, result) after it
PhaseHook = Callable[[str, PhaseSpec, dict[str, Any] | None], Awaitable[None] | None]


def count_committed(database_url: str, prefix: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(database_url) as db:
        row = db.execute(
            "SELECT count(*), count(DISTINCT client_id) FROM chats_message WHERE client_id LIKE %s",
            [prefix.replace("_", r"\_") + "%"],
        ).fetchone()
    assert row is not None
    return {"rows": int(row[0]), "distinct": int(row[1])}


async def _maybe_phase(
    hook: PhaseHook | None, event: str, spec: PhaseSpec, result: dict[str, Any] | None
) -> None:
    if hook is not None:
        outcome = hook(event, spec, result)
        if asyncio.iscoroutine(outcome):
            await outcome


async def _maybe(hook: Hook | None, info: dict[str, Any]) -> None:
    if hook is not None:
        outcome = hook(info)
        if asyncio.iscoroutine(outcome):
            await outcome


async def run_load(
    config: LoadConfig,
    *,
    before_connect: Hook | None = None,
    primed: Hook | None = None,
    connected: Hook | None = None,
    phase_hook: PhaseHook | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    raise_fd_limit()
    started = clock()
    plan = await make_plan(
        target=config.target,
        urls=config.urls,
        seed=config.seed,
        visitors=config.visitors,
        consoles=config.consoles,
    )
    log(f"[{config.target}] credentials ready in {clock() - started:.1f}s")
    await _maybe(before_connect, {})
    procs = max(1, config.procs)
    shares: list[list[Client]] = [[] for _ in range(procs)]
    for index, client in enumerate(plan.clients):
        shares[index % procs].append(client)
    for share in shares:  # visitors and consoles mixed, so the primer share has both
        random.Random(42).shuffle(share)
    handles = [
        WorkerHandle(wid, procs, config.target, share, config.run_id)
        for wid, share in enumerate(shares)
    ]
    output: dict[str, Any] = {"target": config.target, "config": _public(config), "phases": []}
    try:
        began = clock()
        # A primer share first, so that the memory per connection is measured on the rest,
        # without the one-time costs of a process's first sockets.
        reports = await asyncio.gather(*(h.call("connect", (0.0, PRIMER)) for h in handles))
        primed_info = _connect_info(config, reports, began)
        await asyncio.sleep(1.0)
        await _maybe(primed, primed_info)
        reports = await asyncio.gather(*(h.call("connect", (PRIMER, 1.0)) for h in handles))
        connect_info = _connect_info(config, reports, began)
        connect_info["primed_per_server"] = primed_info["per_server"]
        connect_info["generator_pids"] = [os.getpid()] + [
            h.process.pid for h in handles if not h.inline
        ]
        log(
            f"[{config.target}] connected {connect_info['connected']} "
            f"({connect_info['visitors']} visitors, {connect_info['consoles']} consoles) "
            f"in {connect_info['seconds']}s, {connect_info['connect_errors']} errors"
        )
        for sample in connect_info["error_samples"]:
            log(f"    {sample}")
        output["connections"] = connect_info
        console_gids = {gid for r in reports for gid in r["console_gids"]}
        console_team = {c.gid: c.team for c in plan.clients if c.gid in console_gids}
        await asyncio.sleep(1.0)  # let the handshakes' allocations settle before measuring
        await _maybe(connected, connect_info)

        phases: list[PhaseSpec] = []
        if config.warmup:
            phases.append(
                PhaseSpec(
                    name="warmup",
                    rate=config.warmup_rate,
                    duration=max(1.0, config.visitors / config.warmup_rate),
                    start_at=0.0,
                    arrival="even",
                    body_chars=config.body_chars,
                    once_each=True,
                    drain_timeout=config.drain_timeout,
                )
            )
        for rate in config.rates:
            phases.append(
                PhaseSpec(
                    name=f"r{int(rate)}",
                    rate=rate,
                    duration=config.duration,
                    start_at=0.0,
                    arrival=config.arrival,
                    body_chars=config.body_chars,
                    drain_timeout=config.drain_timeout,
                )
            )
        queue = list(phases)
        attempts: dict[float, int] = {}
        while queue:
            spec = queue.pop(0)
            spec.start_at = clock() + 1.0
            await _maybe_phase(phase_hook, "start", spec, None)
            parts = await asyncio.gather(*(h.call("phase", spec) for h in handles))
            committed = None
            if config.database_url and config.target != "bare":
                committed = count_committed(config.database_url, f"bm{config.run_id}-{spec.name}-")
            result = analyse(spec, parts, console_team, committed)
            ok, why = phase_ok(result, p99_limit_ms=config.p99_limit_ms)
            result["sustained"] = ok
            result["verdict"] = why
            await _maybe_phase(phase_hook, "end", spec, result)
            output["phases"].append(result)
            log(summary_line(config.target, result))
            if ok or spec.name == "warmup":
                continue
            tried = attempts.get(spec.rate, 0)
            if tried < config.retries:
                # a busy moment of the machine should not end a ramp: the same rate once more,
                # after the backlog has drained
                attempts[spec.rate] = tried + 1
                await asyncio.sleep(5)
                queue.insert(0, replace(spec, name=f"{spec.name.split('x')[0]}x{tried + 1}"))
            elif config.stop_on_fail:
                break
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                asyncio.gather(*(h.call("close") for h in handles), return_exceptions=True), 30
            )
        for handle in handles:
            handle.join()
    rates_ok = [
        p["target_rate"] for p in output["phases"] if p["phase"] != "warmup" and p["sustained"]
    ]
    output["highest_sustained_rate"] = max(rates_ok) if rates_ok else None
    return output


def _connect_info(
    config: LoadConfig, reports: list[dict[str, Any]], began: float
) -> dict[str, Any]:
    per_server: dict[int, int] = collections.Counter()
    for report in reports:
        per_server.update({int(k): v for k, v in report["per_server"].items()})
    return {
        "connected": sum(r["connected"] for r in reports),
        "visitors": sum(r["visitors"] for r in reports),
        "consoles": sum(r["consoles"] for r in reports),
        "per_server": {config.urls[k]: v for k, v in sorted(per_server.items())},
        "connect_errors": sum(r["error_count"] for r in reports),
        "error_samples": [e for r in reports for e in r["errors"]][:10],
        "seconds": round(clock() - began, 2),
    }


def _public(config: LoadConfig) -> dict[str, Any]:
    data = asdict(config)
    data.pop("seed", None)
    return data


def summary_line(target: str, r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    text = (
        f"[{target}] {r['phase']:>7}: rate {r['target_rate']:g}/s sent {r['sent']} "
        f"({r['achieved_rate']}/s) acked {r['acked']}"
    )
    if "committed" in r:
        text += f" committed {r['committed']}"
    text += (
        f" | deliveries {r['deliveries_received']}/{r['deliveries_expected']} lost {r['lost']} "
        f"dup {r['duplicated']} misrouted {r['misrouted']} stray {r['stray']}"
        f" | latency ms p50 {lat['p50']} p90 {lat['p90']} p99 {lat['p99']} max {lat['max']}"
        f" | ack p99 {r['ack_latency_ms']['p99']} | gen lag p99 {r['generator_lag_ms']['p99']}"
        f" | closed {r['connections_closed']} errors {r['errors'] or 0}"
        f" | {'SUSTAINED' if r['sustained'] else 'NOT sustained: ' + r['verdict']}"
    )
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--target", choices=["product", "bare", "naive"], required=True)
    parser.add_argument("--urls", required=True, help="comma-separated server base URLs")
    parser.add_argument("--seed", type=Path, required=True, help="JSON written by bench/seed.py")
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--consoles", type=int, default=100)
    parser.add_argument("--rates", default="100", help="comma-separated msg/s, one phase each")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--arrival", choices=["poisson", "even"], default="poisson")
    parser.add_argument("--body-chars", type=int, default=64)
    parser.add_argument("--no-warmup", action="store_true")
    parser.add_argument("--stop-on-fail", action="store_true")
    parser.add_argument("--retries", type=int, default=0, help="tries again of a failed rate")
    parser.add_argument("--database-url", default=None, help="to count committed rows")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    config = LoadConfig(
        target=args.target,
        urls=[u.rstrip("/") for u in args.urls.split(",") if u],
        seed=json.loads(args.seed.read_text()),
        visitors=args.visitors,
        consoles=args.consoles,
        rates=[float(r) for r in args.rates.split(",") if r],
        duration=args.duration,
        procs=args.procs,
        arrival=args.arrival,
        body_chars=args.body_chars,
        warmup=not args.no_warmup,
        stop_on_fail=args.stop_on_fail,
        retries=args.retries,
        database_url=args.database_url,
    )
    result = _run(run_load(config, log=lambda line: print(line, file=sys.stderr, flush=True)))
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
