"""Outbound webhooks under load (issue 15): do 1,000 deliveries a minute keep up, with dead
endpoints among the live ones?

    python bench/webhooks.py --live 7 --dead 3 --per-minute 1000 --duration 120
    python bench/webhooks.py --serve 18390    # only the receiver (bench/run.py --webhooks)

The product as in production (uvicorn, a Celery worker, beat; docs/operations.md) on a fresh
database; `--live` webhooks point at a receiver in this process (answers 200 at once), `--dead`
ones at what dead endpoints are: a closed port, a server that answers 500, one that never
answers (the 10 s timeout). Operators' replies are posted through the REST API at the rate
that gives the live webhooks `--per-minute` deliveries together; each delivery's lag is its
arrival at the receiver minus the fact's `created_at`. Kept up means: every live delivery
arrived, once, and the lag's p99 stays far below the run's length (no backlog grows).

Results: bench/results/webhooks-<time>.json and a Markdown line for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import Stack, _executable, free_ports  # noqa: E402

RESULTS = ROOT / "bench" / "results"
EVENTS = ["message.created"]
PASSWORD = "Bench-admin-pass-1!"


class Receiver:
    """Live endpoints `/live/<n>`, a failing one `/fail` (500) and a silent one `/hang`."""

    def __init__(self, port: int | None = None) -> None:
        self.arrivals: list[tuple[str, str, float, str]] = []  # path, delivery, at, created_at
        self.loop = asyncio.new_event_loop()
        self.port = port or free_ports(1, low=18300, high=18389)[0]

    async def _counts(self, request: web.Request) -> web.Response:
        counts: dict[str, int] = {}
        for path, _delivery, _at, _created in self.arrivals:
            counts[path] = counts.get(path, 0) + 1
        return web.json_response(counts)

    async def _live(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.arrivals.append(
            (request.path, request.headers["X-Helpdesk-Delivery"], time.time(), body["created_at"])
        )
        return web.Response(status=204)

    async def _fail(self, request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=500)

    async def _hang(self, request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response(status=204)

    def start(self) -> None:
        app = web.Application()
        app.router.add_post("/live/{n}", self._live)
        app.router.add_post("/fail", self._fail)
        app.router.add_post("/hang", self._hang)
        app.router.add_get("/counts", self._counts)
        runner = web.AppRunner(app, access_log=None)

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", self.port)
            self.loop.run_until_complete(site.start())
            self.loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        time.sleep(0.5)


@contextmanager
def product(extra_env: dict[str, str]) -> Iterator[Stack]:
    stack = Stack(
        ports=free_ports(1),
        rate_limits=False,
        access_log=False,
        celery_concurrency=2,
        extra_env=extra_env,
    )
    try:
        stack.start()
        stack._spawn(
            "beat",
            [
                *_executable("celery"),
                *("-A", "helpdesk", "beat", "--loglevel", "WARNING"),
                *("--schedule", str(stack.log_dir / "beat-schedule")),
            ],
        )
        yield stack
    finally:
        stack.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    receiver = Receiver()
    receiver.start()
    base = f"http://127.0.0.1:{receiver.port}"
    dead_urls = [f"{base}/fail", f"{base}/hang", "http://127.0.0.1:9/closed"][: args.dead]
    with product({"WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}) as stack:
        stack.create_superuser("admin", PASSWORD)
        http = httpx.Client(base_url=stack.base_url(0), timeout=30)
        token = http.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
        http.headers["Authorization"] = f"Bearer {token.json()['token']}"
        team = http.post("/api/v1/teams", json={"name": "Bench"}).json()
        crm = http.post(
            "/api/v1/inboxes", json={"name": "CRM", "channel": "api", "team": team["id"]}
        ).json()
        for url in [f"{base}/live/{n}" for n in range(args.live)] + dead_urls:
            created = http.post("/api/v1/webhooks", json={"url": url, "events": EVENTS})
            assert created.status_code == 201, created.text
        system = httpx.Client(
            base_url=stack.base_url(0),
            timeout=30,
            headers={"Authorization": f"Bearer {crm['inbox_token']}"},
        )
        conversations = []
        for number in range(args.conversations):
            system.post("/api/channel/v1/contacts", json={"external_id": f"c{number}"})
            opened = system.post("/api/channel/v1/conversations", json={"contact": f"c{number}"})
            conversations.append(opened.json()["id"])
        time.sleep(3)  # every process knows the webhooks (WEBHOOK_SUBSCRIPTIONS_TTL)

        events_per_second = args.per_minute / 60 / max(1, args.live)
        total = int(events_per_second * args.duration)
        started = time.monotonic()
        for number in range(total):
            due = started + number / events_per_second
            time.sleep(max(0.0, due - time.monotonic()))
            conversation = conversations[number % len(conversations)]
            sent = http.post(
                f"/api/v1/conversations/{conversation}/messages", json={"body": f"reply {number}"}
            )
            assert sent.status_code == 201, sent.text
        load_seconds = time.monotonic() - started
        expected = total * args.live
        deadline = time.monotonic() + args.settle
        while len(receiver.arrivals) < expected and time.monotonic() < deadline:
            time.sleep(0.5)
        arrivals = list(receiver.arrivals)
        lags = [
            at - dt.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp()
            for _path, _id, at, created in arrivals
        ]
        pending = http.get("/api/v1/webhooks").json()["results"]
        failing = sum(1 for hook in pending if hook["failing"])
    ids = [delivery for _path, delivery, _at, _created in arrivals]
    return {
        "events": total,
        "load_seconds": round(load_seconds, 1),
        "live_webhooks": args.live,
        "dead_webhooks": args.dead,
        "expected_live_deliveries": expected,
        "arrived": len(arrivals),
        "duplicates": len(ids) - len(set(ids)),
        "deliveries_per_minute": round(len(arrivals) / load_seconds * 60),
        "lag_s": {
            "p50": round(statistics.median(lags), 3) if lags else None,
            "p99": round(percentile(lags, 0.99), 3),
            "max": round(max(lags), 3) if lags else None,
        },
        "webhooks_marked_failing": failing,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--live", type=int, default=7)
    parser.add_argument("--dead", type=int, default=3, choices=[0, 1, 2, 3])
    parser.add_argument("--per-minute", type=int, default=1000, help="live deliveries a minute")
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--settle", type=float, default=60, help="seconds to wait after")
    parser.add_argument("--serve", type=int, default=0, help="only serve the receiver here")
    args = parser.parse_args()
    if args.serve:
        Receiver(args.serve).start()
        threading.Event().wait()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    result = {"stamp": stamp, "command": " ".join(["python", *sys.argv]), **run(args)}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"webhooks-{stamp}.json"
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    print(
        f"\n| {result['arrived']}/{result['expected_live_deliveries']} live deliveries, "
        f"{result['deliveries_per_minute']}/min, lag p50 {result['lag_s']['p50']} s, "
        f"p99 {result['lag_s']['p99']} s, {result['duplicates']} duplicates |"
    )
    print(f"results: {out}")


if __name__ == "__main__":
    main()
