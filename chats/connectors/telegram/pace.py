"""Telegram's limits on what a bot sends: 30 messages a second per bot, one a second per chat.

Both are token buckets in Redis, shared by every worker, taken together in one script call:
a send goes when both have a token, or is told how long to wait. Without Redis (the embedded
default, one process) the buckets live in the process. Unlike the product's own rate limits
these are Telegram's, so `RATE_LIMITS=off` leaves them on.
"""

from __future__ import annotations

import threading
import time
from functools import cache

import redis
from django.conf import settings

PER_BOT = (30, 30.0)  # burst, tokens a second
PER_CHAT = (1, 1.0)

_SCRIPT = """
local now = tonumber(ARGV[1])
local state = {}
local wait = 0
for i = 1, 2 do
  local burst = tonumber(ARGV[i * 2])
  local rate = tonumber(ARGV[i * 2 + 1])
  local data = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local tokens = tonumber(data[1]) or burst
  local ts = tonumber(data[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  state[i] = tokens
  if tokens < 1 then wait = math.max(wait, (1 - tokens) / rate) end
end
for i = 1, 2 do
  local burst = tonumber(ARGV[i * 2])
  local rate = tonumber(ARGV[i * 2 + 1])
  local tokens = state[i]
  if wait == 0 then tokens = tokens - 1 end
  redis.call('HSET', KEYS[i], 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate * 1000) + 1000)
end
return tostring(wait)
"""


class _Local:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state: dict[str, tuple[float, float]] = {}

    def take(self, keys: tuple[str, str], limits: tuple[tuple[int, float], ...]) -> float:
        now = time.time()
        with self.lock:
            tokens = []
            wait = 0.0
            for key, (burst, rate) in zip(keys, limits, strict=True):
                held, stamp = self.state.get(key, (float(burst), now))
                held = min(burst, held + max(0.0, now - stamp) * rate)
                tokens.append(held)
                if held < 1:
                    wait = max(wait, (1 - held) / rate)
            for key, held in zip(keys, tokens, strict=True):
                self.state[key] = (held - 1 if wait == 0 else held, now)
            return wait


_local = _Local()


@cache
def _client() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CLIENT_OPTIONS)


def take(bot_id: int, chat_id: int) -> float:
    """0 when a message may go to `chat_id` now (the tokens are taken); else the seconds to
    wait before asking again."""
    keys = (f"helpdesk:tg:bot:{bot_id}", f"helpdesk:tg:chat:{bot_id}:{chat_id}")
    client = _client()
    if client is not None:
        try:
            answer = client.eval(_SCRIPT, 2, *keys, time.time(), *PER_BOT, *PER_CHAT)
            return float(answer)
        except redis.RedisError:
            pass  # Redis down: paced per process
    return _local.take(keys, (PER_BOT, PER_CHAT))
