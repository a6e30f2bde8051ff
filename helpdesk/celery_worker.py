"""The Celery worker's consumer, without the parts that listen on Redis pub/sub.

With the Redis broker (kombu 5.7, celery 5.7), a Redis restart noticed first on a pub/sub
channel (gossip's events, mingle's replies, remote control's pidbox) ends the worker instead of
reconnecting it: "Unrecoverable error: AttributeError: 'NoneType' object has no attribute
'hostname'" (kombu's `restore_unacked` on a connection celery has just collected), and from then
on nothing routes. Without those parts the worker reconnects after every restart
(`bench/soak.py`, `tests/e2e/test_soak_short.py`). The product uses none of them: no worker talks
to another, and remote control is off as well (`CELERY_WORKER_ENABLE_REMOTE_CONTROL`, so
`celery inspect` and `celery control` get no answer).
"""

from __future__ import annotations

from celery.worker.consumer import Consumer as CeleryConsumer

LISTENS_ON_PUBSUB = (":Gossip", ":Mingle")


class Consumer(CeleryConsumer):
    class Blueprint(CeleryConsumer.Blueprint):
        default_steps = [
            step
            for step in CeleryConsumer.Blueprint.default_steps
            if not step.endswith(LISTENS_ON_PUBSUB)
        ]
