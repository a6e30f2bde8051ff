"""A scheduled channel post is published once, at its time, across a Celery worker killed at the
publishing moment and two beat processes started by mistake: the real product (uvicorn, a
Celery worker, beat) against the local fake of Telegram's Bot API.

- Killed while its `sendMessage` is in flight (the fake holds the answer back; Telegram has the
  post by then): the task comes back to the next worker, which finds the call had started and
  never sends it again; the post is marked failed with a reason that says it may be in the
  channel already. Telegram has it exactly once.
- The worker gone while the post falls due, two beats queueing the publication over and over:
  the next worker publishes it exactly once, and it is `published`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bench.stack import Stack, _executable, free_ports
from tests.e2e.routing_deployment import wait_for
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e

TOKEN = "424242:AAE-e2e-post-token-00000000000000000"
BOT = tg.bot_user(424242, "shop_posts_bot")
CHANNEL = tg.channel_chat(-1004242424242, "Shop news", username="shop_news")
VISIBILITY_TIMEOUT = 3
CLAIM_SECONDS = 2


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as telegram:
        telegram.add_bot(TOKEN, id=BOT["id"], username=BOT["username"])
        telegram.add_chat(CHANNEL)
        telegram.set_chat_member(CHANNEL["id"], BOT, "administrator", can_post_messages=True)
        yield telegram


@pytest.fixture
def stack() -> Iterator[Stack]:
    deployed = Stack(
        ports=free_ports(1),
        rate_limits=False,
        access_log=False,
        celery_concurrency=1,
        extra_env={
            "PUBLIC_URL": "https://help.example.com",
            "TELEGRAM_POST_CLAIM_SECONDS": str(CLAIM_SECONDS),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        },
    )
    try:
        deployed.start()
        yield deployed
    except BaseException:
        print(deployed.logs(80))
        raise
    finally:
        deployed.close()


def start_beat(stack: Stack, name: str) -> None:
    stack._spawn(
        name,
        [
            *_executable("celery"),
            "-A",
            "helpdesk",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(stack.log_dir / f"{name}-schedule"),
        ],
    )


def channel_inbox(stack: Stack, fake: FakeTelegram) -> tuple[httpx.Client, int]:
    stack.create_superuser("admin", "Admin-pass-123!")
    http = httpx.Client(base_url=stack.base_url(0), timeout=30)
    token = http.post(
        "/api/v1/auth/token", json={"username": "admin", "password": "Admin-pass-123!"}
    )
    http.headers["Authorization"] = f"Bearer {token.json()['token']}"
    team = http.post("/api/v1/teams", json={"name": "Marketing"}).json()
    inbox = http.post(
        "/api/v1/inboxes",
        json={
            "name": "Telegram",
            "channel": "telegram",
            "team": team["id"],
            "telegram": {"bot_token": TOKEN, "api_url": fake.base_url, "channel": "@shop_news"},
        },
    )
    assert inbox.status_code == 201, inbox.text
    return http, inbox.json()["id"]


def schedule(http: httpx.Client, inbox_id: int, seconds: float) -> dict[str, Any]:
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    post = http.post(
        f"/api/v1/inboxes/{inbox_id}/posts",
        json={"text": "<b>Sale</b> starts now", "publish_at": at.isoformat()},
    )
    assert post.status_code == 201, post.text
    assert post.json()["state"] == "scheduled"
    return dict(post.json())


def state_of(http: httpx.Client, inbox_id: int, post_id: int) -> dict[str, Any]:
    return dict(http.get(f"/api/v1/inboxes/{inbox_id}/posts/{post_id}").json())


def sends(fake: FakeTelegram) -> int:
    return len(fake.calls_of("sendMessage"))


def test_a_worker_killed_while_publishing_never_publishes_twice(
    stack: Stack, fake: FakeTelegram
) -> None:
    http, inbox_id = channel_inbox(stack, fake)
    fake.delay(30, method="sendMessage")  # the post is in the channel; the answer never comes
    post = schedule(http, inbox_id, seconds=2)
    start_beat(stack, "beat")

    wait_for(lambda: sends(fake) or None, "the worker calls sendMessage", timeout=60)
    stack.kill("celery")
    fake.delay(0, method="sendMessage")
    time.sleep(VISIBILITY_TIMEOUT + 1)  # the unacknowledged task becomes visible again
    stack.start_celery()
    start_beat(stack, "second-beat")  # by mistake

    failed = wait_for(
        lambda: (
            found if (found := state_of(http, inbox_id, post["id"]))["state"] == "failed" else None
        ),
        "the interrupted post marked failed",
        timeout=60,
    )
    assert "may be in the channel" in failed["error"]
    time.sleep(12)  # more beats come and go
    assert sends(fake) == 1
    assert state_of(http, inbox_id, post["id"])["state"] == "failed"


def test_a_post_due_while_no_worker_runs_is_published_once_by_the_next(
    stack: Stack, fake: FakeTelegram
) -> None:
    http, inbox_id = channel_inbox(stack, fake)
    stack.kill("celery")
    post = schedule(http, inbox_id, seconds=1)
    start_beat(stack, "beat")
    start_beat(stack, "second-beat")  # by mistake: every publication is queued twice
    time.sleep(12)  # two rounds of each beat queue publications, and nobody takes them

    stack.start_celery()

    published = wait_for(
        lambda: (
            found
            if (found := state_of(http, inbox_id, post["id"]))["state"] == "published"
            else None
        ),
        "the post published",
        timeout=60,
    )
    time.sleep(5)
    assert sends(fake) == 1
    assert published["telegram_message_id"] == fake.calls_of("sendMessage")[0].message["message_id"]
