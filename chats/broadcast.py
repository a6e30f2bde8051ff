"""The only module that talks to the channel layer.

`publish` is called from services' `on_commit` callbacks (sync code, in a request thread, a
consumer's database thread or a Celery worker). With the Redis pub/sub layer it publishes with
one synchronous PUBLISH on a shared connection pool, the same wire format the layer reads, so
a commit never waits for an event loop hop; otherwise it goes through the layer's `group_send`.
`apublish_batch` is the same for code that committed on the event loop itself.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cache
from typing import Any

import redis
import redis.asyncio as aioredis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from helpdesk.db import calling_loop
from helpdesk.loop_local import LoopLocal

logger = logging.getLogger(__name__)

Event = dict[str, Any]


def _layer() -> Any:
    return get_channel_layer()


@cache
def _redis_address() -> tuple[str, dict[str, Any], str] | None:
    """The pub/sub layer's Redis (address, client options, channel prefix), if it is in use."""
    layer_settings: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    backend: str = layer_settings["BACKEND"]
    if not backend.endswith("RedisPubSubChannelLayer"):
        return None
    config: dict[str, Any] = layer_settings["CONFIG"]
    options = dict(config["hosts"][0])
    address = options.pop("address")
    return address, options, config.get("prefix", "asgi")


@cache
def _redis_publisher() -> tuple[redis.Redis, str] | None:
    found = _redis_address()
    if found is None:
        return None
    address, options, prefix = found
    return redis.Redis.from_url(address, max_connections=64, **options), prefix


def _new_async_publisher() -> tuple[aioredis.Redis, str] | None:
    found = _redis_address()
    if found is None:
        return None
    address, options, prefix = found
    return aioredis.Redis.from_url(address, **options), prefix


_async_publishers = LoopLocal(_new_async_publisher)


def publish(group: str, event: Event) -> None:
    """Send `event` to every socket in `group`. At most once: a lost event is replayed by the
    client's resume (`last_seq`), never retried here."""
    publisher = _redis_publisher()
    try:
        if publisher is None:
            _publish_in_process(group, event)
            return
        client, prefix = publisher
        client.publish(f"{prefix}__group__{group}", _layer().serialize(event))
    except Exception:  # the commit stands; clients resume from last_seq
        logger.warning("broadcast to %s failed", group, exc_info=True)


def publish_batch(batch: list[tuple[str, Event]]) -> None:
    """`publish` each (group, event); with Redis in one round trip (a pipeline)."""
    publisher = _redis_publisher()
    if publisher is None or len(batch) == 1:
        for group, event in batch:
            publish(group, event)
        return
    client, prefix = publisher
    try:
        with client.pipeline(transaction=False) as pipeline:
            for group, data in _encoded(batch):
                pipeline.publish(f"{prefix}__group__{group}", data)
            pipeline.execute()
    except Exception:  # the commit stands; clients resume from last_seq
        logger.warning("broadcast to %s failed", [group for group, _ in batch], exc_info=True)


async def apublish_batch(batch: list[tuple[str, Event]]) -> None:
    """`publish_batch` from the event loop: one pipelined round trip to Redis, awaited."""
    if not batch:
        return
    publisher = _async_publishers.get()
    try:
        if publisher is None:
            for group, event in batch:
                await _layer().group_send(group, event)
            return
        client, prefix = publisher
        async with client.pipeline(transaction=False) as pipeline:
            for group, data in _encoded(batch):
                pipeline.publish(f"{prefix}__group__{group}", data)
            await pipeline.execute()
    except Exception:  # the commit stands; clients resume from last_seq
        logger.warning("broadcast to %s failed", [group for group, _ in batch], exc_info=True)


def _encoded(batch: list[tuple[str, Event]]) -> list[tuple[str, bytes]]:
    """Each (group, event) with the event serialized once, however many groups it goes to."""
    encoded: dict[int, bytes] = {}
    out: list[tuple[str, bytes]] = []
    for group, event in batch:
        data = encoded.get(id(event))
        if data is None:
            data = encoded[id(event)] = _layer().serialize(event)
        out.append((group, data))
    return out


def _publish_in_process(group: str, event: Event) -> None:
    """The in-memory layer lives on the server's event loop: hand the send to that loop."""
    loop = calling_loop()
    if loop is not None and loop.is_running():
        future = asyncio.run_coroutine_threadsafe(_layer().group_send(group, event), loop)
        future.result(timeout=5)
    else:
        async_to_sync(_layer().group_send)(group, event)


async def join(group: str, channel_name: str) -> None:
    await _layer().group_add(group, channel_name)


async def leave(group: str, channel_name: str) -> None:
    await _layer().group_discard(group, channel_name)
