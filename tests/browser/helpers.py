"""What the widget's browser tests drive besides Chromium: a static site on another origin (the
host page that embeds the widget), an operator's console socket, and the operator REST API."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


# --- the host site, on another origin ---------------------------------------------------------


@dataclass
class Page:
    body: str
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class HostSite:
    """A tiny static site (http.server in a thread) at `http://localhost:PORT`: another origin
    than the helpdesk's `http://127.0.0.1:PORT`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.origin = f"http://localhost:{self.port}"
        self.pages: dict[str, Page] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                page = pages.get(self.path.split("?")[0])
                if page is None:
                    self.send_error(404)
                    return
                data = page.body.encode()
                self.send_response(200)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, path: str, body: str, **kwargs: Any) -> str:
        self.pages[path] = Page(body, **kwargs)
        return f"{self.origin}{path}"


def embed_page(
    helpdesk: str, inbox_key: str, *, head: str = "", body: str = "", **data: str
) -> str:
    """A host page that embeds the widget with the contract's one tag."""
    attributes = "".join(f' data-{key.replace("_", "-")}="{value}"' for key, value in data.items())
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Shop</title>{head}</head><body>{body}"
        f'<script src="{helpdesk}/widget/v1/loader.js" data-inbox-key="{inbox_key}"{attributes}'
        " async></script></body></html>"
    )


# --- the operator's side ----------------------------------------------------------------------


class ConsoleSocket:
    """An operator's console socket; frames are collected by a thread, to be waited for."""

    def __init__(self, helpdesk: str, token: str) -> None:
        ws_url = helpdesk.replace("http://", "ws://") + "/ws/console/v1/"
        self.stack = contextlib.ExitStack()
        self.connection: ClientConnection = self.stack.enter_context(
            connect(ws_url, origin=helpdesk, open_timeout=20)
        )
        self.frames: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.connection.send(json.dumps({"type": "hello", "token": token}))
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        self.wait_for(lambda frame: frame["type"] == "welcome")

    def _read(self) -> None:
        try:
            for raw in self.connection:
                with self.lock:
                    self.frames.append(json.loads(raw))
        except Exception:  # the socket closed
            return

    def send(self, frame: dict[str, Any]) -> None:
        self.connection.send(json.dumps(frame))

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 15
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
            time.sleep(0.05)
        with self.lock:
            seen = [frame["type"] for frame in self.frames]
        raise AssertionError(f"no matching console frame in {timeout} s; saw {seen}")

    def close(self) -> None:
        self.stack.close()


class OperatorApi:
    def __init__(self, helpdesk: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=helpdesk, headers={"Authorization": f"Bearer {token}"}, timeout=20
        )

    def reply(self, conversation: int, body: str, *, private: bool = False) -> dict[str, Any]:
        response = self.http.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"body": body, "private": private, "client_id": f"op-{time.monotonic_ns()}"},
        )
        assert response.status_code == 201, response.text
        return response.json()

    def action(self, conversation: int, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/api/v1/conversations/{conversation}/{action}", json=payload)
        assert response.status_code == 200, response.text
        return response.json()

    def messages(self, conversation: int) -> list[dict[str, Any]]:
        response = self.http.get(f"/api/v1/conversations/{conversation}/messages?after_seq=0")
        assert response.status_code == 200, response.text
        return response.json()["results"]

    def conversations(self) -> list[dict[str, Any]]:
        response = self.http.get("/api/v1/conversations")
        assert response.status_code == 200, response.text
        return response.json()["results"]


def wait_until(
    check: Callable[[], Any],
    timeout: float = 15,
    what: str = "condition",
    page: Any = None,
) -> Any:
    """Polls `check` until it answers something truthy. With a `page`, waits through it, so that
    Playwright keeps dispatching its events (routes, frames) meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    raise AssertionError(f"{what} not met in {timeout} s")


# --- accessibility ----------------------------------------------------------------------------


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, open shadow roots included. axe is
    evaluated through the browser's debugging protocol, which the page's CSP does not govern."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: cd frontend && npm ci")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return violations


def assert_accessible(page: Any, what: str) -> None:
    """No `serious` or `critical` axe-core violation; the failure lists each, with its nodes."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    lines = [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}): "
        + "; ".join(
            f"{' > '.join(map(str, node['target']))} {node.get('failureSummary', '')!r}"[:300]
            for node in v["nodes"][:8]
        )
        for v in blocking
    ]
    assert not blocking, f"axe-core on {what}:\n" + "\n".join(lines)


def record_page_errors(page: Any, errors: list[str]) -> None:
    """Collect what a page must never do into `errors`: throw, or be refused by the CSP."""
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
