"""The webhooks' background work. Safe to run twice, in parallel too (claims and a lock)."""

from __future__ import annotations

import asyncio

from celery import shared_task

from chats.connectors.webhooks import fan_out as fanning
from chats.connectors.webhooks import folding, sender

# One run of the sender posts for at most this long (a worker slot is not held forever);
# what is left is taken by the next run, which beat asks for every few seconds.
SEND_RUN_SECONDS = 30.0


def _fan_out_all() -> int:
    made = 0
    while True:
        rows, deliveries = fanning.fan_out()
        made += deliveries
        if rows < fanning.BATCH:
            return made


def _ask_send() -> None:
    folding.enqueue_once(folding.SEND, send.delay)


@shared_task(acks_late=True, ignore_result=True)
def fan_out() -> None:
    """The outbox into deliveries, then the sender asked for."""
    folding.started(folding.FAN_OUT)
    if _fan_out_all():
        _ask_send()


@shared_task(acks_late=True, ignore_result=True)
def send() -> None:
    folding.started(folding.SEND)
    asyncio.run(sender.pump(seconds=SEND_RUN_SECONDS))


@shared_task(acks_late=True, ignore_result=True)
def tick() -> None:
    """Beat, every few seconds: what a lost request left in the outbox, retries come due,
    deliveries older than a day given up."""
    _fan_out_all()
    sender.give_up_expired()
    if sender.due_exists():
        _ask_send()


def run_fan_out_and_send() -> None:
    """The embedded default's (no worker): everything at once, on the caller's thread."""
    _fan_out_all()
    asyncio.run(sender.pump(seconds=SEND_RUN_SECONDS))
