"""Fault soak: visitors and operators chat over websockets while Redis restarts and a web process
is killed; afterwards every message is checked against the database and every client's log.

    python bench/soak.py --visitors 200 --operators 10 --duration 60

It starts everything itself (bench/stack.py): its own `redis-server` on `--redis-port`, two
`uvicorn helpdesk.asgi:application` processes, one `celery -A helpdesk worker`, on a fresh
PostgreSQL database (`--db-name`, default helpdesk_e2e_soak, dropped at the end), with
RATE_LIMITS=off. During the sending phase (`--duration` seconds) it kills Redis (SIGKILL) and
starts it again on the same port `--redis-restarts` times, and SIGKILLs one uvicorn and starts it
again `--web-kills` times.

Every client behaves like the product's protocol client should: `hello` with `last_seq`;
reconnect on any close or error with exponential back-off and jitter, to the other process first
(what a load balancer would do); dedupe by message id; deliver in `seq` order, asking REST for
what follows its `last_seq` when it sees a gap (a visitor's gap that stays was a private note);
re-send every un-acked message with the SAME `client_id` after a reconnect. Operators, whose
console socket has no replay, catch up over REST (`/api/v1/conversations`, then `after_seq`) after
each reconnect.

Verification, against the database and the clients' logs: every message is acked and stored
exactly once per (sender, client_id); every stored message reached every party that should see it
(its visitor unless private, every operator) exactly once after dedupe, in seq order, and no
private note reached a visitor; seqs have no gaps. Raw duplicate frames are counted and reported.
Exits 1 on any loss or failed check. `run_soak(SoakConfig(...))` is the same, for tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

if __package__ in (None, ""):  # run as a script: python bench/soak.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import Stack, free_ports

ADMIN_USERNAME = "soak-admin"
ADMIN_PASSWORD = "soak-admin-pass-3391"
OPERATOR_PASSWORD = "soak-operator-pass-5517"

GAP_GRACE = 0.3  # seconds a client waits for an out-of-order frame before asking REST
BACKOFF_BASE = 0.5  # full jitter: the n-th retry waits U(0, min(cap, base * 2**n))
BACKOFF_CAP = 8.0
OPEN_TIMEOUT = 15.0
HELLO_TIMEOUT = 20.0
MAX_UNACKED = 5  # a visitor types ahead at most this many messages


class SoakError(RuntimeError):
    pass


@dataclass
class SoakConfig:
    visitors: int = 200
    operators: int = 10
    duration: float = 60.0
    redis_restarts: int = 1
    web_kills: int = 1
    visitor_interval: float = 10.0  # mean seconds between one visitor's messages
    operator_interval: float = 3.0  # mean seconds between one operator's messages
    private_ratio: float = 0.1  # share of operator messages that are private notes
    redis_down: float = 2.0  # seconds Redis stays down
    web_down: float = 1.0  # seconds the killed web process stays down
    settle: float = 20.0  # after sending stops, wait for acks and deliveries while they progress
    settle_max: float = 180.0
    db_name: str = "helpdesk_e2e_soak"
    redis_port: int = 18190
    ports: list[int] | None = None
    seed: int | None = None
    verbose: bool = True


@dataclass
class Sent:
    client_id: str
    sender: str
    body: str
    private: bool
    conversation: int | None
    created: float
    attempts: int = 0
    errors: int = 0
    message: dict[str, Any] | None = None
    acked_at: float | None = None


@dataclass
class Delivery:
    conversation: int
    seq: int
    source: str  # "ws" (live or replay), "ack", "rest"
    at: float


# --- REST with retries ------------------------------------------------------------------------


class Net:
    def __init__(self, bases: list[str]) -> None:
        self.bases = bases
        logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
        self.http = httpx.AsyncClient(
            timeout=10, limits=httpx.Limits(max_connections=60, max_keepalive_connections=30)
        )
        self.retries = 0

    async def close(self) -> None:
        await self.http.aclose()

    async def rest(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        prefer: int = 0,
        origin: str | None = None,
    ) -> Any:
        """Idempotent calls only: retried on transport errors and 5xx, on the other process."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if origin:
            headers["Origin"] = origin
        for attempt in range(60):
            base = self.bases[(prefer + attempt) % len(self.bases)]
            try:
                response = await self.http.request(method, base + path, headers=headers, json=body)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code < 500:
                if response.status_code >= 400:
                    raise SoakError(
                        f"{method} {path}: {response.status_code} {response.text[:300]}"
                    )
                return response.json() if response.content else None
            self.retries += 1
            await asyncio.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
        raise SoakError(f"{method} {path}: no answer after retries")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- a protocol client ------------------------------------------------------------------------


class Party:
    """What the visitor widget and the operator console share: connection loop, back-off,
    resume, dedupe, in-order delivery with gap filling, re-sending un-acked messages."""

    kind = ""

    def __init__(self, soak: Soak, name: str, home: int) -> None:
        self.soak = soak
        self.name = name
        self.home = home
        self.rng = random.Random(f"{soak.config.seed}-{name}")
        self.ws: ClientConnection | None = None
        self.ready = False
        self.stopping = False
        self.delivered: dict[int, Delivery] = {}
        self.order: dict[int, list[int]] = defaultdict(list)  # conversation -> seqs delivered
        self.upto: dict[int, int] = defaultdict(int)  # conversation -> delivered through seq
        self.latest_at: dict[int, datetime] = {}  # conversation -> newest created_at delivered
        self.pending: dict[int, dict[int, tuple[dict[str, Any], str]]] = defaultdict(dict)
        self.gap_tasks: dict[int, asyncio.Task[None]] = {}
        self.unacked: dict[str, Sent] = {}
        self.raw_frames: Counter[int] = Counter()  # message id -> "message" frames received
        self.dedupe_drops = 0
        self.late = 0  # delivered below last_seq: an order violation
        self.gap_fills = 0
        self.connects = 0
        self.reconnect_times: list[float] = []
        self.disconnected_at: float | None = None
        self.failures: Counter[str] = Counter()
        self.tasks: list[asyncio.Task[Any]] = []
        self.events: list[tuple[float, str]] = []  # (monotonic time, what), for the report
        self.welcomed_at = 0.0

    # subclasses
    def url(self, index: int) -> str:
        raise NotImplementedError

    def origin(self, index: int) -> Origin | None:
        return None

    def hello(self) -> dict[str, Any]:
        raise NotImplementedError

    async def after_welcome(self, welcome: dict[str, Any], first: bool) -> None:
        pass

    def history_path(self, conversation: int, after_seq: int) -> str:
        raise NotImplementedError

    @property
    def token(self) -> str:
        raise NotImplementedError

    def on_frame(self, frame: dict[str, Any]) -> None:
        pass

    # connection loop
    async def run(self) -> None:
        attempt = 0
        index = self.home
        while not self.stopping:
            try:
                await self._session(index, first=self.connects == 0)
                attempt = 0
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.failures[type(error).__name__] += 1
                self.events.append((time.monotonic(), f"closed web{index}: {error!r}"[:160]))
            self.ws = None
            self.ready = False
            if self.stopping:
                break
            if self.disconnected_at is None:
                self.disconnected_at = time.monotonic()
            index = (index + 1) % len(self.soak.ws_bases)  # the other process first
            delay = 0.05 + self.rng.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))
            attempt += 1
            await asyncio.sleep(delay)

    async def _session(self, index: int, *, first: bool) -> None:
        async with connect(
            self.url(index),
            origin=self.origin(index),
            open_timeout=OPEN_TIMEOUT,
            ping_interval=20,
            ping_timeout=20,
            close_timeout=1,
            max_queue=None,
        ) as ws:
            await ws.send(json.dumps(self.hello()))
            async with asyncio.timeout(HELLO_TIMEOUT):
                while True:
                    frame = json.loads(await ws.recv())
                    if frame.get("type") == "welcome":
                        break
                    if frame.get("type") == "error":
                        raise SoakError(f"hello refused: {frame}")
            self.connects += 1
            self.events.append((time.monotonic(), f"welcome from web{index}"))
            self.welcomed_at = time.monotonic()
            if self.connects == 1:
                self.soak.on_first_connect()
            if self.disconnected_at is not None:
                self.reconnect_times.append(time.monotonic() - self.disconnected_at)
                self.disconnected_at = None
            self.ws = ws
            self.ready = True
            self.tasks.append(asyncio.create_task(self._resume(frame, first)))
            async for raw in ws:
                self.handle(json.loads(raw))

    async def _resume(self, welcome: dict[str, Any], first: bool) -> None:
        try:
            for sent in list(self.unacked.values()):
                await self.transmit(sent)
            await self.after_welcome(welcome, first)
        except Exception as error:
            self.failures[f"resume:{type(error).__name__}"] += 1

    def stop(self) -> None:
        self.stopping = True

    async def close(self) -> None:
        self.stopping = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        for task in [*self.tasks, *self.gap_tasks.values()]:
            task.cancel()

    # frames
    def handle(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "message":
            message = frame["message"]
            self.raw_frames[message["id"]] += 1
            self.offer(message, "ws")
        elif kind == "ack":
            self.on_ack(frame)
        elif kind == "error" and frame.get("client_id") in self.unacked:
            sent = self.unacked[frame["client_id"]]
            sent.errors += 1
            self.soak.error_codes[frame.get("code", "?")] += 1
            self.tasks.append(asyncio.create_task(self._retry_later(sent)))
        self.on_frame(frame)

    async def _retry_later(self, sent: Sent) -> None:
        await asyncio.sleep(1.0)
        if sent.client_id in self.unacked:
            await self.transmit(sent)

    def on_ack(self, frame: dict[str, Any]) -> None:
        sent = self.unacked.pop(str(frame.get("client_id")), None)
        message = frame["message"]
        if sent is not None and sent.message is None:
            sent.message = message
            sent.acked_at = time.monotonic()
            sent.conversation = message["conversation"]
        self.offer(message, "ack")

    # in-order delivery
    def offer(self, message: dict[str, Any], source: str) -> None:
        conversation, seq = message["conversation"], message["seq"]
        if message["id"] in self.delivered or seq in self.pending[conversation]:
            self.dedupe_drops += 1
            return
        if seq <= self.upto[conversation]:
            self.late += 1  # we had moved past it: it came too late to keep the order
            self._deliver(message, source)
            return
        self.pending[conversation][seq] = (message, source)
        self._drain(conversation)
        if self.pending[conversation]:
            self._schedule_gap_fill(conversation)

    def _drain(self, conversation: int) -> None:
        pending = self.pending[conversation]
        while self.upto[conversation] + 1 in pending:
            message, source = pending.pop(self.upto[conversation] + 1)
            self._deliver(message, source)

    def _deliver(self, message: dict[str, Any], source: str) -> None:
        conversation, seq = message["conversation"], message["seq"]
        now = time.monotonic()
        self.delivered[message["id"]] = Delivery(conversation, seq, source, now)
        self.order[conversation].append(seq)
        self.upto[conversation] = max(self.upto[conversation], seq)
        created = parse_time(message["created_at"])
        if conversation not in self.latest_at or created > self.latest_at[conversation]:
            self.latest_at[conversation] = created
        self.soak.note_delivery(self, message, source, now)

    def _schedule_gap_fill(self, conversation: int) -> None:
        task = self.gap_tasks.get(conversation)
        if task is None or task.done():
            self.gap_tasks[conversation] = asyncio.create_task(self._gap_fill(conversation))

    async def _gap_fill(self, conversation: int) -> None:
        await asyncio.sleep(GAP_GRACE)
        if not self.pending[conversation]:
            return
        self.gap_fills += 1
        try:
            await self.fetch_after(conversation)
        except Exception as error:
            self.failures[f"gap:{type(error).__name__}"] += 1
        if self.pending[conversation]:
            self.gap_tasks.pop(conversation, None)
            self._schedule_gap_fill(conversation)

    async def fetch_after(self, conversation: int) -> None:
        """Everything after our last_seq, from REST, delivered in order. For a visitor, the
        seqs REST does not return were private notes: the gap is closed."""
        after = self.upto[conversation]
        results: list[dict[str, Any]] = []
        path = self.history_path(conversation, after)
        while True:
            page = await self.soak.net.rest("GET", path, token=self.token, prefer=self.home)
            results.extend(page["results"])
            if not page["next"]:
                break
            path = path_of(page["next"])
        for message in results:
            seq = message["seq"]
            self.pending[conversation].pop(seq, None)
            if message["id"] in self.delivered:
                self.dedupe_drops += 1
                continue
            if seq <= self.upto[conversation]:
                self.late += 1
            self._deliver(message, "rest")
        # what arrived live while we asked, and follows on
        stale = [s for s in self.pending[conversation] if s <= self.upto[conversation]]
        for seq in stale:
            message, source = self.pending[conversation].pop(seq)
            if message["id"] not in self.delivered:
                self.late += 1
                self._deliver(message, source)
            else:
                self.dedupe_drops += 1
        self._drain(conversation)

    # sending
    async def send_new(self, body: str, *, conversation: int | None, private: bool) -> None:
        self.soak.counter += 1
        sent = Sent(
            client_id=f"{self.name}-{self.soak.counter}",
            sender=self.name,
            body=body,
            private=private,
            conversation=conversation,
            created=time.monotonic(),
        )
        self.soak.sent[sent.client_id] = sent
        self.unacked[sent.client_id] = sent
        if self.ready:
            await self.transmit(sent)

    def frame_for(self, sent: Sent) -> dict[str, Any]:
        raise NotImplementedError

    async def transmit(self, sent: Sent) -> None:
        ws = self.ws
        if ws is None or not self.ready:
            return  # sent again after the reconnect
        sent.attempts += 1
        with contextlib.suppress(Exception):
            await ws.send(json.dumps(self.frame_for(sent)))


class VisitorClient(Party):
    kind = "visitor"

    def __init__(self, soak: Soak, name: str, home: int, visitor_token: str) -> None:
        super().__init__(soak, name, home)
        self.visitor_token = visitor_token
        self.conversation: int | None = None
        self.contact_id: int | None = None

    @property
    def token(self) -> str:
        return self.visitor_token

    def url(self, index: int) -> str:
        return f"{self.soak.ws_bases[index]}/ws/widget/v1/?inbox_key={self.soak.inbox_key}"

    def hello(self) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "hello", "visitor_token": self.visitor_token}
        frame["last_seq"] = self.upto[self.conversation] if self.conversation else 0
        if self.conversation is not None:
            frame["conversation"] = self.conversation
        return frame

    def history_path(self, conversation: int, after_seq: int) -> str:
        return (
            f"/api/widget/v1/messages?conversation={conversation}&after_seq={after_seq}&limit=500"
        )

    def on_ack(self, frame: dict[str, Any]) -> None:
        message = frame["message"]
        self.conversation = self.conversation or message["conversation"]
        self.contact_id = self.contact_id or message["author"]["id"]
        super().on_ack(frame)

    def on_frame(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "message" and self.conversation is None:
            self.conversation = frame["message"]["conversation"]

    def frame_for(self, sent: Sent) -> dict[str, Any]:
        return {"type": "message", "client_id": sent.client_id, "body": sent.body}

    async def chat(self) -> None:
        interval = self.soak.config.visitor_interval
        await asyncio.sleep(self.rng.uniform(0, interval))
        n = 0
        while self.soak.sending:
            if len(self.unacked) < MAX_UNACKED:
                n += 1
                await self.send_new(f"{self.name} says {n}", conversation=None, private=False)
            await asyncio.sleep(self.rng.expovariate(1 / interval))


class OperatorClient(Party):
    kind = "operator"

    def __init__(self, soak: Soak, name: str, home: int, index: int, api_token: str) -> None:
        super().__init__(soak, name, home)
        self.index = index
        self.api_token = api_token
        self.operator_id: int | None = None
        self.conversations: set[int] = set()

    @property
    def token(self) -> str:
        return self.api_token

    def url(self, index: int) -> str:
        return f"{self.soak.ws_bases[index]}/ws/console/v1/"

    def origin(self, index: int) -> Origin | None:
        return Origin(self.soak.http_bases[index])

    def hello(self) -> dict[str, Any]:
        return {"type": "hello", "token": self.api_token}

    def history_path(self, conversation: int, after_seq: int) -> str:
        return f"/api/v1/conversations/{conversation}/messages?after_seq={after_seq}&limit=500"

    def on_frame(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "message":
            self.conversations.add(frame["message"]["conversation"])
        elif frame.get("type") == "conversation":
            self.conversations.add(frame["conversation"]["id"])

    async def after_welcome(self, welcome: dict[str, Any], first: bool) -> None:
        self.operator_id = welcome.get("operator", {}).get("id", self.operator_id)
        await self.catch_up()

    async def catch_up(self) -> None:
        """The console has no replay: list conversations (newest activity first) and fetch what
        follows our last_seq wherever there is activity we have not seen."""
        path = "/api/v1/conversations?limit=100"
        stale: list[int] = []
        while path:
            page = await self.soak.net.rest("GET", path, token=self.api_token, prefer=self.home)
            for conversation in page["results"]:
                cid = conversation["id"]
                self.conversations.add(cid)
                seen = self.latest_at.get(cid)
                if seen is None or parse_time(conversation["last_activity_at"]) > seen:
                    stale.append(cid)
            path = path_of(page["next"]) if page["next"] else ""
        self.soak.catch_up_fetches += len(stale)
        for cid in stale:
            await self.fetch_after(cid)

    def frame_for(self, sent: Sent) -> dict[str, Any]:
        return {
            "type": "message",
            "conversation": sent.conversation,
            "client_id": sent.client_id,
            "body": sent.body,
            "private": sent.private,
        }

    async def chat(self) -> None:
        interval = self.soak.config.operator_interval
        operators = self.soak.config.operators
        n = 0
        await asyncio.sleep(self.rng.uniform(0, interval))
        while self.soak.sending:
            mine = sorted(c for c in self.conversations if c % operators == self.index)
            if mine and len(self.unacked) < MAX_UNACKED:
                n += 1
                private = self.rng.random() < self.soak.config.private_ratio
                await self.send_new(
                    f"{self.name} {'notes' if private else 'answers'} {n}",
                    conversation=self.rng.choice(mine),
                    private=private,
                )
            await asyncio.sleep(self.rng.expovariate(1 / interval))


# --- the run ----------------------------------------------------------------------------------


@dataclass
class SoakResult:
    ok: bool
    summary: dict[str, Any]
    problems: list[str]
    faults: list[dict[str, Any]] = field(default_factory=list)

    def render(self) -> str:
        lines = ["", "=== soak summary ==="]
        lines += [f"{key:>32}: {value}" for key, value in self.summary.items()]
        lines.append("faults:")
        lines += [f"  {fault}" for fault in self.faults]
        lines.append("RESULT: " + ("PASS" if self.ok else "FAIL"))
        lines += [f"  problem: {problem}" for problem in self.problems[:50]]
        return "\n".join(lines)


class Soak:
    def __init__(self, config: SoakConfig) -> None:
        self.config = config
        self.stack = Stack(
            ports=config.ports or free_ports(2),
            db_name=config.db_name,
            own_redis_port=config.redis_port,
            rate_limits=False,
            access_log=False,
        )
        self.net: Net
        self.http_bases = [self.stack.base_url(i) for i in range(2)]
        self.ws_bases = [self.stack.ws_url(i) for i in range(2)]
        self.inbox_key = ""
        self.sending = False
        self.counter = 0
        self.sent: dict[str, Sent] = {}
        self.visitors: list[VisitorClient] = []
        self.operators: list[OperatorClient] = []
        self.latencies: list[float] = []
        self.replay_latencies: list[float] = []
        self.error_codes: Counter[str] = Counter()
        self.catch_up_fetches = 0
        self.faults: list[dict[str, Any]] = []
        self.started = time.monotonic()
        self.all_connected = asyncio.Event()
        self.admin_token = ""
        self.routing_after_faults: float | None = None
        self.probe_conversation: int | None = None
        self.max_loop_lag = 0.0

    async def watch_loop_lag(self) -> None:
        """How late this process's own event loop runs: if the clients are starved, their
        timeouts fire late and the figures measure the load generator, not the product."""
        while True:
            started = time.monotonic()
            await asyncio.sleep(0.5)
            self.max_loop_lag = max(self.max_loop_lag, time.monotonic() - started - 0.5)

    def on_first_connect(self) -> None:
        if all(p.connects > 0 for p in self.parties):
            self.all_connected.set()

    def log(self, text: str) -> None:
        if self.config.verbose:
            print(f"[soak {time.monotonic() - self.started:6.1f}s] {text}", flush=True)

    def note_delivery(self, party: Party, message: dict[str, Any], source: str, at: float) -> None:
        if source != "ws":
            return
        sent = self.sent.get(message.get("client_id") or "")
        if sent is not None and sent.sender != party.name:
            # live: the recipient's socket was up since the message was sent; otherwise it
            # came with the replay after a reconnect
            if party.welcomed_at <= sent.created:
                self.latencies.append(at - sent.created)
            else:
                self.replay_latencies.append(at - sent.created)

    @property
    def parties(self) -> list[Party]:
        return [*self.visitors, *self.operators]

    # setup
    async def setup(self) -> None:
        config = self.config
        base = self.http_bases[0]
        admin = await self.net.rest(
            "POST",
            "/api/v1/auth/token",
            body={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD},
        )
        admin_token = self.admin_token = admin["token"]
        team = await self.net.rest(
            "POST", "/api/v1/teams", token=admin_token, body={"name": "Soak"}
        )
        inbox = await self.net.rest(
            "POST",
            "/api/v1/inboxes",
            token=admin_token,
            body={"name": "Soak site", "channel": "web", "team": team["id"]},
        )
        self.inbox_key = inbox["inbox_key"]
        capacity = config.visitors // max(1, config.operators) + 10

        async def make_operator(index: int) -> OperatorClient:
            username = f"soak-op{index}"
            await self.net.rest(
                "POST",
                "/api/v1/operators",
                token=admin_token,
                body={
                    "username": username,
                    "password": OPERATOR_PASSWORD,
                    "name": f"Operator {index}",
                    "role": "agent",
                    "teams": [team["id"]],
                    "max_chats": capacity,
                },
            )
            token = await self.net.rest(
                "POST",
                "/api/v1/auth/token",
                body={"username": username, "password": OPERATOR_PASSWORD},
            )
            await self.net.rest(
                "PATCH", "/api/v1/me", token=token["token"], body={"status": "online"}
            )
            return OperatorClient(self, f"o{index}", index % 2, index, token["token"])

        self.operators = list(
            await asyncio.gather(*(make_operator(i) for i in range(config.operators)))
        )
        limiter = asyncio.Semaphore(20)

        async def make_visitor(index: int) -> VisitorClient:
            async with limiter:
                session = await self.net.rest(
                    "POST",
                    "/api/widget/v1/sessions",
                    body={"inbox_key": self.inbox_key, "visitor_token": None, "locale": "en"},
                    prefer=index,
                )
            return VisitorClient(self, f"v{index}", index % 2, session["visitor_token"])

        self.visitors = list(
            await asyncio.gather(*(make_visitor(i) for i in range(config.visitors)))
        )
        self.log(f"setup: {len(self.operators)} operators, {len(self.visitors)} visitors ({base})")

    # faults
    async def restart_redis(self) -> None:
        started = time.monotonic()
        self.log("fault: SIGKILL redis-server")
        await asyncio.to_thread(self.stack.kill, "redis")
        await asyncio.sleep(self.config.redis_down)
        await asyncio.to_thread(self.stack.start_redis)
        self.faults.append(
            {
                "fault": "redis restart",
                "at_s": round(started - self.started, 1),
                "down_s": round(time.monotonic() - started, 2),
            }
        )
        self.log(f"fault: redis-server back after {time.monotonic() - started:.1f}s")

    async def kill_web(self, index: int) -> None:
        started = time.monotonic()
        self.log(f"fault: SIGKILL web{index}")
        await asyncio.to_thread(self.stack.kill, f"web{index}")
        await asyncio.sleep(self.config.web_down)
        await asyncio.to_thread(self.stack.start_web, index)
        await asyncio.to_thread(self.stack.wait_healthy, index, 60.0)
        self.faults.append(
            {
                "fault": f"web{index} SIGKILL",
                "at_s": round(started - self.started, 1),
                "down_s": round(time.monotonic() - started, 2),
            }
        )
        self.log(f"fault: web{index} healthy again after {time.monotonic() - started:.1f}s")

    async def fault_plan(self) -> None:
        """The faults, alternating kinds (Redis first), spread over the middle half of the
        sending phase; killed web processes alternate too (web1, web0, ...)."""
        config = self.config
        redis_left, web_left = config.redis_restarts, config.web_kills
        plan: list[str] = []
        while redis_left or web_left:
            if redis_left:
                plan.append("redis")
                redis_left -= 1
            if web_left:
                plan.append("web")
                web_left -= 1
        start = time.monotonic()
        kills = 0
        for n, kind in enumerate(plan):
            share = 0.25 + 0.5 * n / (len(plan) - 1) if len(plan) > 1 else 0.4
            await asyncio.sleep(max(0.0, start + config.duration * share - time.monotonic()))
            if kind == "redis":
                await self.restart_redis()
            else:
                await self.kill_web(1 - kills % 2)
                kills += 1

    async def probe_routing(self) -> float | None:
        """After the faults, a new visitor's conversation must still be routed (the Celery
        worker survived Redis going away): seconds until it had an assignee, or None."""
        session = await self.net.rest(
            "POST",
            "/api/widget/v1/sessions",
            body={"inbox_key": self.inbox_key, "visitor_token": None, "locale": "en"},
        )
        message = await self.net.rest(
            "POST",
            "/api/widget/v1/messages",
            token=session["visitor_token"],
            body={"client_id": "routing-probe", "body": "anyone there?"},
        )
        sent = time.monotonic()
        self.probe_conversation = message["conversation"]
        path = f"/api/v1/conversations/{message['conversation']}"
        while time.monotonic() - sent < 10:
            conversation = await self.net.rest("GET", path, token=self.admin_token)
            if conversation["assignee"] is not None:
                waited = time.monotonic() - sent
                self.log(f"routing after the faults: assigned in {waited * 1000:.0f} ms")
                return waited
            await asyncio.sleep(0.05)
        self.log("routing after the faults: NOT assigned within 10 s")
        return None

    # the whole thing
    async def run(self) -> SoakResult:
        config = self.config
        self.net = Net(self.http_bases)
        try:
            await asyncio.to_thread(self.stack.start)
            await asyncio.to_thread(self.stack.create_superuser, ADMIN_USERNAME, ADMIN_PASSWORD)
            self.started = time.monotonic()
            await self.setup()
            runners = [asyncio.create_task(p.run()) for p in self.parties]
            runners.append(asyncio.create_task(self.watch_loop_lag()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.all_connected.wait(), 30)
            self.log(f"connected: {sum(p.connects > 0 for p in self.parties)}/{len(self.parties)}")
            self.sending = True
            self.send_started = time.monotonic()
            chatters = [asyncio.create_task(p.chat()) for p in self.parties]  # type: ignore[attr-defined]
            faults = asyncio.create_task(self.fault_plan())
            await asyncio.sleep(config.duration)
            self.sending = False
            self.log(f"sending stopped: {len(self.sent)} messages created")
            await faults
            self.routing_after_faults = await self.probe_routing()
            for chatter in chatters:
                chatter.cancel()
            await asyncio.gather(*chatters, return_exceptions=True)
            await self.settle()
            result = await asyncio.to_thread(self.verify)
            for party in self.parties:
                await party.close()
            for runner in runners:
                runner.cancel()
            await asyncio.gather(*runners, return_exceptions=True)
            return result
        except BaseException:
            if config.verbose:
                print(self.stack.logs(40), flush=True)
            raise
        finally:
            for party in self.parties:
                with contextlib.suppress(Exception):
                    await party.close()
            await self.net.close()
            await asyncio.to_thread(self.stack.close)

    def _missing(self) -> int:
        """Deliveries still missing, judged by the acked messages (the database is checked
        after)."""
        by_conversation: dict[int, VisitorClient] = {
            v.conversation: v for v in self.visitors if v.conversation is not None
        }
        missing = 0
        for sent in self.sent.values():
            if sent.message is None:
                missing += 1
                continue
            mid, cid = sent.message["id"], sent.message["conversation"]
            recipients: list[Party] = list(self.operators)
            visitor = by_conversation.get(cid)
            if visitor is not None and not sent.private:
                recipients.append(visitor)
            missing += sum(mid not in p.delivered for p in recipients)
        return missing

    async def settle(self) -> None:
        """Wait until every acked message reached everyone (judged by the clients), as long as
        that makes progress (acks or deliveries keep arriving): at most `settle` seconds
        without any, `settle_max` in all."""
        started = progress_at = time.monotonic()
        seen = -1
        while True:
            outstanding = sum(len(p.unacked) for p in self.parties) + self._missing()
            now = time.monotonic()
            if outstanding == 0:
                break
            done = sum(len(p.delivered) for p in self.parties)
            if done != seen:
                seen, progress_at = done, now
            if now - progress_at > self.config.settle or now - started > self.config.settle_max:
                self.log(f"giving up settling: {outstanding} acks or deliveries outstanding")
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1.0)  # late duplicates, if any, show up now
        self.settle_seconds = time.monotonic() - started
        self.log(f"settled in {self.settle_seconds:.1f}s")

    def write_report(self, rows: list[Any]) -> None:
        """Every party's deliveries and connection events, and the faults, as JSON (times in
        seconds from the start), for reading a failure after the fact."""
        t0 = self.started
        report = {
            "faults": self.faults,
            "messages": [
                {"id": r[0], "conversation": r[1], "seq": r[2], "private": r[3], "client_id": r[5]}
                for r in rows
            ],
            "sent": {
                s.client_id: {
                    "created": round(s.created - t0, 3),
                    "acked": round(s.acked_at - t0, 3) if s.acked_at else None,
                    "attempts": s.attempts,
                    "id": s.message["id"] if s.message else None,
                }
                for s in self.sent.values()
            },
            "parties": {
                p.name: {
                    "events": [(round(t - t0, 3), what) for t, what in p.events],
                    "deliveries": [
                        (round(d.at - t0, 3), mid, d.conversation, d.seq, d.source)
                        for mid, d in p.delivered.items()
                    ],
                }
                for p in self.parties
            },
        }
        path = self.stack.log_dir / "soak-report.json"
        path.write_text(json.dumps(report))
        self.log(f"report: {path}")

    def verify(self) -> SoakResult:
        import psycopg

        problems: list[str] = []
        if self.routing_after_faults is None:
            problems.append("a conversation opened after the faults was not routed within 10 s")
        if not self.stack.procs["celery"].running():
            problems.append("the Celery worker died:\n" + self.stack.procs["celery"].log_tail(20))
        with psycopg.connect(self.stack.database_url) as connection:
            rows = connection.execute(
                "SELECT id, conversation_id, seq, private, sender_key, client_id, body "
                "FROM chats_message ORDER BY conversation_id, seq"
            ).fetchall()
            conversations: dict[int, int] = dict(
                connection.execute("SELECT id, contact_id FROM chats_conversation").fetchall()
            )
            operator_ids: dict[str, int] = dict(
                connection.execute("SELECT username, id FROM operators_operator").fetchall()
            )

        # seqs: 1..n per conversation
        seqs: dict[int, list[int]] = defaultdict(list)
        for _id, cid, seq, *_rest in rows:
            seqs[cid].append(seq)
        for cid, values in seqs.items():
            if values != list(range(1, len(values) + 1)):
                problems.append(f"conversation {cid}: seqs {values[:20]} have gaps or repeats")

        # senders: party name -> sender_key
        sender_key: dict[str, str] = {}
        for op in self.operators:
            sender_key[op.name] = f"o{operator_ids[f'soak-op{op.index}']}"
        for visitor in self.visitors:
            if visitor.contact_id is not None:
                sender_key[visitor.name] = f"c{visitor.contact_id}"
        stored: Counter[tuple[str, str]] = Counter()
        stored_id: dict[tuple[str, str], int] = {}
        for mid, _cid, _seq, _private, key, client_id, _body in rows:
            if client_id is None:
                problems.append(f"message {mid} has no client_id (every soak message has one)")
                continue
            stored[(key, client_id)] += 1
            stored_id[(key, client_id)] = mid
        duplicates_stored = sum(n - 1 for n in stored.values() if n > 1)
        if duplicates_stored:
            problems.append(f"{duplicates_stored} rows repeat a (sender, client_id)")

        acked = [s for s in self.sent.values() if s.message is not None]
        unacked = [s for s in self.sent.values() if s.message is None]
        retried = [s for s in self.sent.values() if s.attempts > 1]
        never_sent = [s for s in self.sent.values() if s.attempts == 0]
        for sent in unacked:
            problems.append(
                f"{sent.client_id} never acked ({sent.attempts} attempts, {sent.errors} errors)"
            )
        for sent in acked:
            assert sent.message is not None
            key = (sender_key.get(sent.sender, "?"), sent.client_id)
            if stored.get(key, 0) != 1:
                problems.append(f"{sent.client_id} acked but stored {stored.get(key, 0)} times")
            elif stored_id[key] != sent.message["id"]:
                problems.append(f"{sent.client_id} acked as {sent.message['id']}, stored otherwise")
        retried_stored_once = sum(
            stored.get((sender_key.get(s.sender, "?"), s.client_id), 0) == 1 for s in retried
        )

        # deliveries
        visitor_of_contact = {v.contact_id: v for v in self.visitors if v.contact_id is not None}
        expected = delivered = lost = leaked = 0
        lost_examples: list[str] = []
        for mid, cid, seq, private, _key, _client_id, _body in rows:
            recipients: list[Party] = list(self.operators)
            owner = visitor_of_contact.get(conversations.get(cid, -1))
            if owner is None:
                if cid != self.probe_conversation:
                    problems.append(f"conversation {cid} belongs to no soak visitor")
            elif private:
                if mid in owner.delivered:
                    leaked += 1
                    problems.append(f"private note {mid} reached visitor {owner.name}")
            else:
                recipients.append(owner)
            for party in recipients:
                expected += 1
                if mid in party.delivered:
                    delivered += 1
                else:
                    lost += 1
                    if len(lost_examples) < 20:
                        lost_examples.append(
                            f"{party.name} missed message {mid} (conv {cid} seq {seq}; it "
                            f"delivered seqs {party.order.get(cid, [])[-8:]}, holds "
                            f"{sorted(party.pending.get(cid, {}))[:8]}, connected "
                            f"{party.connects} times)"
                        )
        problems.extend(lost_examples)
        self.write_report(rows)
        if lost > len(lost_examples):
            problems.append(f"... {lost - len(lost_examples)} more lost deliveries")

        dupes_after_dedupe = 0
        order_violations = 0
        for party in self.parties:
            for order in party.order.values():
                dupes_after_dedupe += len(order) - len(set(order))
                order_violations += sum(1 for a, b in itertools.pairwise(order) if b <= a)
            order_violations += party.late
        if dupes_after_dedupe:
            problems.append(f"{dupes_after_dedupe} duplicate deliveries after dedupe")
        if order_violations:
            problems.append(f"{order_violations} deliveries out of seq order")
        raw_duplicates = sum(
            n - 1 for party in self.parties for n in party.raw_frames.values() if n > 1
        )
        reconnect_times = [t for p in self.parties for t in p.reconnect_times]
        failures: Counter[str] = Counter()
        for party in self.parties:
            failures.update(party.failures)
        latencies = sorted(self.latencies)
        replayed = sorted(self.replay_latencies)

        def pct(values: list[float], q: float) -> str:
            if not values:
                return "-"
            return f"{values[min(len(values) - 1, int(q * len(values)))] * 1000:.0f} ms"

        summary = {
            "visitors / operators": f"{len(self.visitors)} / {len(self.operators)}",
            "sending phase": f"{self.config.duration:.0f} s",
            "messages sent (client_ids)": len(self.sent),
            "send attempts": sum(s.attempts for s in self.sent.values()),
            "acked": len(acked),
            "not acked": len(unacked),
            "retried (same client_id)": len(retried),
            "retried and stored once": retried_stored_once,
            "queued, never transmitted": len(never_sent),
            "error frames": dict(self.error_codes) or 0,
            "rows in chats_message": len(rows),
            "rows repeating a client_id": duplicates_stored,
            "expected deliveries": expected,
            "delivered": delivered,
            "lost": lost,
            "duplicates after dedupe": dupes_after_dedupe,
            "raw duplicate frames (deduped)": raw_duplicates,
            "dedupe drops (all sources)": sum(p.dedupe_drops for p in self.parties),
            "out of seq order": order_violations,
            "private notes leaked": leaked,
            "gap fills over REST": sum(p.gap_fills for p in self.parties),
            "console catch-up fetches": self.catch_up_fetches,
            "reconnects": len(reconnect_times),
            "max reconnect time": f"{max(reconnect_times):.2f} s" if reconnect_times else "-",
            "median reconnect time": (
                f"{statistics.median(reconnect_times):.2f} s" if reconnect_times else "-"
            ),
            "connection failures": dict(failures) or 0,
            "REST retries": self.net.retries,
            "live latency p50 / p99 / max": (
                f"{pct(latencies, 0.5)} / {pct(latencies, 0.99)} / {pct(latencies, 1.0)}"
                f" ({len(latencies)} deliveries)"
            ),
            "send-to-replay p50 / max": (
                f"{pct(replayed, 0.5)} / {pct(replayed, 1.0)} ({len(replayed)} deliveries)"
            ),
            "settle time": f"{self.settle_seconds:.1f} s",
            "routing after the faults": (
                "not within 10 s"
                if self.routing_after_faults is None
                else f"{self.routing_after_faults * 1000:.0f} ms"
            ),
            "client event-loop lag, max": f"{self.max_loop_lag * 1000:.0f} ms",
        }
        return SoakResult(ok=not problems, summary=summary, problems=problems, faults=self.faults)


def run_soak(config: SoakConfig) -> SoakResult:
    if config.seed is None:
        config.seed = random.randrange(1 << 30)
    random.seed(config.seed)
    return asyncio.run(Soak(config).run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--operators", type=int, default=10)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of sending")
    parser.add_argument("--redis-restarts", type=int, default=1)
    parser.add_argument("--web-kills", type=int, default=1)
    parser.add_argument(
        "--visitor-interval",
        type=float,
        default=10.0,
        help="mean seconds between a visitor's messages",
    )
    parser.add_argument(
        "--operator-interval", type=float, default=3.0, help="mean seconds between an operator's"
    )
    parser.add_argument("--private-ratio", type=float, default=0.1)
    parser.add_argument("--redis-port", type=int, default=18190)
    parser.add_argument("--db-name", default="helpdesk_e2e_soak")
    parser.add_argument(
        "--settle", type=float, default=20.0, help="give up after this long without progress"
    )
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    config = SoakConfig(
        visitors=args.visitors,
        operators=args.operators,
        duration=args.duration,
        redis_restarts=args.redis_restarts,
        web_kills=args.web_kills,
        visitor_interval=args.visitor_interval,
        operator_interval=args.operator_interval,
        private_ratio=args.private_ratio,
        redis_port=args.redis_port,
        db_name=args.db_name,
        settle=args.settle,
        seed=args.seed,
    )
    result = run_soak(config)
    print(result.render(), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
