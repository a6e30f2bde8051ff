"""Requests for the webhooks' work, made while a run is queued or running, are folded into it:
a short-lived key in the cache (Redis) that a queued run holds until it starts, and a running
run keeps alive while it goes (it fans out and claims again every half second, so it sees the
new work). A run that ended clears the key, then looks once more."""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache

KEY = "webhooks:run"
# A run whose worker died stops folding new requests after this long.
FOLD_SECONDS = 5


def enqueue_once(enqueue: Callable[[], object]) -> None:
    if cache.add(KEY, 1, timeout=FOLD_SECONDS):
        enqueue()


def hold() -> None:
    cache.set(KEY, 1, timeout=FOLD_SECONDS)


def release() -> None:
    cache.delete(KEY)
