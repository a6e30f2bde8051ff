"""The webhooks' background work: one task, `deliver`, fans the outbox out and posts what is
due, again and again while there is work (safe to run twice, in parallel too: claims and a
lock); beat's `tick` makes up for lost requests and gives up day-old deliveries."""

from __future__ import annotations

import asyncio
import time

from celery import shared_task

from chats.connectors.webhooks import fan_out as fanning
from chats.connectors.webhooks import folding, sender

# One run posts for at most this long (a worker slot is not held forever); the next run,
# asked for by the next fact or by beat, takes what is left.
RUN_SECONDS = 30.0


def _fan_out_all() -> int:
    made = 0
    while True:
        rows, deliveries = fanning.fan_out()
        made += deliveries
        if rows < fanning.BATCH:
            return made


def _each_round() -> None:
    """Before each claim: requests fold into this run, and the facts since are fanned out."""
    folding.hold()
    _fan_out_all()


def run_until_idle(seconds: float = RUN_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        asyncio.run(sender.pump(seconds=deadline - time.monotonic(), each_round=_each_round))
        folding.release()
        if not (fanning.outbox_waiting() or sender.due_exists()):
            return


@shared_task(acks_late=True, ignore_result=True)
def deliver() -> None:
    run_until_idle()


def ask_deliver() -> None:
    folding.enqueue_once(deliver.delay)


@shared_task(acks_late=True, ignore_result=True)
def tick() -> None:
    """Beat, every few seconds: work a lost request left, retries come due, deliveries older
    than a day given up."""
    sender.give_up_expired()
    if fanning.outbox_waiting() or sender.due_exists():
        ask_deliver()
