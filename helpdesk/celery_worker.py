"""The Celery worker's consumer: without the parts that listen on Redis pub/sub, and asking for
every waiting queue to be routed whenever it (re)connects to the broker.

With the Redis broker (kombu 5.7, celery 5.7), a Redis restart noticed first on a pub/sub
channel (gossip's events, mingle's replies, remote control's pidbox) ends the worker instead of
reconnecting it: "Unrecoverable error: AttributeError: 'NoneType' object has no attribute
'hostname'" (kombu's `restore_unacked` on a connection celery has just collected), and from then
on nothing routes. Without those parts the worker reconnects after every restart
(`bench/soak.py`, `tests/e2e/test_soak_short.py`). The product uses none of them: no worker talks
to another, and remote control is off as well (`CELERY_WORKER_ENABLE_REMOTE_CONTROL`, so
`celery inspect` and `celery control` get no answer).

Routing requests are at most once: one sent while the broker is unreachable is dropped
(`chats.assignment.requests`), and a Redis without persistence forgets its queued tasks when it
restarts. The conversations waiting are in the database, so each time the worker's consumer
starts, which it does again after every reconnection, it asks for `drain_waiting_queues`.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps
from celery.worker.consumer import Consumer as CeleryConsumer

logger = logging.getLogger(__name__)

LISTENS_ON_PUBSUB = (":Gossip", ":Mingle")


class DrainWaitingQueues(bootsteps.StartStopStep):
    requires = ("celery.worker.consumer.tasks:Tasks",)

    def start(self, parent: Any) -> None:
        from chats.assignment.tasks import drain_waiting_queues

        try:
            drain_waiting_queues.delay()
        except Exception:  # the broker went away again: the next start asks again
            logger.warning("could not ask for the waiting queues to be drained", exc_info=True)


class Consumer(CeleryConsumer):
    class Blueprint(CeleryConsumer.Blueprint):
        default_steps = [
            step
            for step in CeleryConsumer.Blueprint.default_steps
            if not step.endswith(LISTENS_ON_PUBSUB)
        ] + ["helpdesk.celery_worker:DrainWaitingQueues"]
