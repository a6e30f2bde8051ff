"""The rest of the code asks for webhook work here; each request enqueues a task and returns.

A request lost (the broker unreachable, the process gone) loses nothing: the outbox and the
pending deliveries are rows, which beat's `tasks.tick` finds within seconds. Requests made
while a run is queued or running are folded into it (`folding`). In the embedded default (Celery
eager, no worker) the sender runs on a thread of its own, so a slow endpoint never holds a
request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from kombu.exceptions import OperationalError as BrokerUnreachable

from chats.connectors.webhooks import tasks

logger = logging.getLogger(__name__)


def request_delivery() -> None:
    """Facts were written to the outbox, or a delivery is due again."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        _in_thread(tasks.run_until_idle)
        return
    try:
        tasks.ask_deliver()
    except BrokerUnreachable:
        logger.warning("webhook delivery waits for beat: the broker is unreachable")
    except Exception:
        logger.exception("asking for webhook delivery failed")


_eager_lock = threading.Lock()
_eager_again = threading.Event()


def _in_thread(work: Callable[[], object]) -> None:
    """Eagerly: one thread at a time does the work; a request made while it runs is picked
    up by it."""
    if not _eager_lock.acquire(blocking=False):
        _eager_again.set()
        return

    def run() -> None:
        try:
            while True:
                _eager_again.clear()
                work()
                if not _eager_again.is_set():
                    break
        except Exception:
            logger.exception("webhook work failed")
        finally:
            _eager_lock.release()
        if _eager_again.is_set():  # asked for between the last check and the release
            _in_thread(work)

    threading.Thread(target=run, name="webhooks", daemon=True).start()
