"""The product's ASGI application with a probe of Python's garbage collector, for A/B runs:

    python bench/run.py ... --product-app bench.gc_probe:application

Every collection's CPU time (of the thread that ran it, which holds the GIL meanwhile, so
nothing else of the process runs) is tallied per generation, and the tally of the last 10 s
is printed to the server's log (and at exit): how much of the tail latency the collector can
explain.
"""

from __future__ import annotations

import atexit
import gc
import sys
import time
from typing import Any

from helpdesk.asgi import application

__all__ = ["application"]

_started = 0.0
_tally: dict[int, list[float]] = {0: [], 1: [], 2: []}
_last_report = time.monotonic()


def _report() -> None:
    parts = []
    for generation, pauses in _tally.items():
        if pauses:
            parts.append(
                f"gen{generation}: {len(pauses)} collections, {1000 * sum(pauses):.1f} ms, "
                f"longest {1000 * max(pauses):.2f} ms"
            )
    print("gc probe: " + ("; ".join(parts) or "no collections"), file=sys.stderr, flush=True)
    for pauses in _tally.values():
        pauses.clear()


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    global _started, _last_report
    if phase == "start":
        _started = time.thread_time()
        return
    _tally[info["generation"]].append(time.thread_time() - _started)
    now = time.monotonic()
    if now - _last_report >= 10:
        _last_report = now
        _report()


gc.callbacks.append(_on_gc)
atexit.register(_report)
