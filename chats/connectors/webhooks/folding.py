"""Requests for the same task made while one is already queued are folded into it: a
short-lived key in the cache (Redis), which the queued task clears before it reads."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache

FAN_OUT = "webhooks:fan-out-queued"
SEND = "webhooks:send-queued"
# A queued task that never ran (its worker died) stops folding new requests after this long.
FOLD_SECONDS = 5


def enqueue_once(key: str, enqueue: Callable[[], object]) -> None:
    if cache.add(key, 1, timeout=FOLD_SECONDS):
        enqueue()


def started(key: str) -> None:
    cache.delete(key)
