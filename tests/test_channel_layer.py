"""helpdesk.channel_layer: consumers hear when their process's Redis subscriptions were renewed,
since whatever was published meanwhile is lost."""

from __future__ import annotations

import asyncio
import os
import uuid

from helpdesk.channel_layer import ResyncingRedisPubSubChannelLayer


def _layer() -> ResyncingRedisPubSubChannelLayer:
    address = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return ResyncingRedisPubSubChannelLayer(
        hosts=[{"address": address}], prefix=f"test-{uuid.uuid4().hex[:12]}"
    )


async def test_every_consumer_hears_when_the_subscriber_connection_is_made_again() -> None:
    layer = _layer()
    try:
        first = await layer.new_channel()
        second = await layer.new_channel()
        await layer.group_add("console", second)
        await layer.send(first, {"type": "relay", "n": 1})
        assert (await asyncio.wait_for(layer.receive(first), 5)) == {"type": "relay", "n": 1}

        shard = layer._get_layer()._shards[0]
        await shard._pubsub.connection.disconnect()  # as when Redis restarts

        for channel in (first, second):
            event = await asyncio.wait_for(layer.receive(channel), 5)
            assert event == {"type": "layer.reconnected"}
        # and the subscriptions work again
        await layer.group_send("console", {"type": "relay", "n": 2})
        assert (await asyncio.wait_for(layer.receive(second), 5)) == {"type": "relay", "n": 2}
    finally:
        await layer.flush()


async def test_the_first_connection_is_no_reconnection() -> None:
    layer = _layer()
    try:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "relay", "n": 1})
        assert (await asyncio.wait_for(layer.receive(channel), 5)) == {"type": "relay", "n": 1}
    finally:
        await layer.flush()
