"""A webhook receiver on loopback, as a customer's CRM would run one: real HTTP, each request
recorded with its headers and raw body, answers scripted per test (a status, a redirect, or
no answer until the test lets it go). `verify` checks a delivery's signature as a receiver
must."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def json(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.body)
        return payload

    @property
    def delivery_id(self) -> str:
        return self.headers["x-helpdesk-delivery"]

    @property
    def event(self) -> str:
        return self.headers["x-helpdesk-event"]


@dataclass
class Answer:
    status: int = 200
    location: str | None = None
    hold: threading.Event | None = None  # no answer until set


@dataclass
class Receiver:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    script: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    def answer(self, *answers: Answer) -> None:
        """The next requests' answers, in order; then 200."""
        with self.lock:
            self.script.extend(answers)

    def hang(self) -> None:
        """From now on no request is answered until `release`."""
        self.released.clear()
        self.answer(*[Answer(hold=self.released) for _ in range(1000)])

    def release(self) -> None:
        with self.lock:
            self.script.clear()
        self.released.set()

    def next_answer(self) -> Answer:
        with self.lock:
            return self.script.pop(0) if self.script else Answer()

    def record(self, request: Received) -> None:
        with self.arrived:
            self.received.append(request)
            self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.received)} of {count} requests arrived")
                self.arrived.wait(left)
            return list(self.received)

    def of_event(self, event: str) -> list[Received]:
        return [request for request in self.received if request.event == event]


def verify(request: Received, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("x-helpdesk-signature", ""))


def start_receiver(host: str = "127.0.0.1") -> tuple[Receiver, ThreadingHTTPServer]:
    receiver_ref: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver = receiver_ref[0]
            receiver.record(Received(self.path, headers, body, time.monotonic()))
            answer = receiver.next_answer()
            if answer.hold is not None:
                answer.hold.wait(30)
            self.send_response(answer.status)
            if answer.location:
                self.send_header("Location", answer.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(host=host, port=server.server_address[1])
    receiver_ref.append(receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1, which WEBHOOK_ALLOWED_HOSTS lets webhooks reach."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    found, server = start_receiver()
    yield found
    found.release()
    server.shutdown()
    server.server_close()


@pytest.fixture
def second_receiver(receiver: Receiver) -> Iterator[Receiver]:
    found, server = start_receiver()
    yield found
    found.release()
    server.shutdown()
    server.server_close()
