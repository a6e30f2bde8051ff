"""The Redis pub/sub channel layer, plus one thing: it tells the process's consumers when their
subscriptions had to be made again.

Redis pub/sub is at most once. While a process's subscriber connection is down (Redis restarted,
the network blipped), whatever was published is gone, and redis-py resubscribes without a word.
A connected client would then wait forever for a message that was committed and announced while
the link was down, unless a later message shows it a gap. So whenever the subscriber connection
is made again, every consumer of the process gets a `layer.reconnected` event
(`ProtocolConsumer.layer_reconnected` closes the socket with 1012), and its client resumes from
its `last_seq`, which replays exactly what it missed.

Built on channels_redis 4.3's `pubsub` module (its shard and per-loop layer classes).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels_redis import pubsub
from channels_redis.utils import _wrap_close, decode_hosts

logger = logging.getLogger(__name__)

RECONNECTED = {"type": "layer.reconnected"}


class _ResyncingShard(pubsub.RedisSingleShardConnection):
    def _ensure_redis(self) -> None:
        if self._redis is None:
            super()._ensure_redis()
            # redis-py calls `pubsub.on_connect` (held weakly) on every reconnection of the
            # subscriber connection, never on the first connection.
            self._pubsub.on_connect = self._resubscribed

    async def _resubscribed(self, connection: Any) -> None:
        await type(self._pubsub).on_connect(self._pubsub, connection)
        loop_layer = self.channel_layer
        channels = list(loop_layer.channels.values())
        logger.warning(
            "channel layer: subscriptions renewed after a lost connection; "
            "asking %d consumer(s) to resume",
            len(channels),
        )
        data = loop_layer.channel_layer.serialize(RECONNECTED)
        for queue in channels:
            queue.put_nowait(data)


class _ResyncingLoopLayer(pubsub.RedisPubSubLoopLayer):
    def __init__(self, hosts: Any = None, **kwargs: Any) -> None:
        super().__init__(hosts=hosts, **kwargs)
        self._shards = [_ResyncingShard(host, self) for host in decode_hosts(hosts)]


class ResyncingRedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    def _get_layer(self) -> Any:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            layer = _ResyncingLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer
