"""Token-bucket rate limits shared by REST views and websocket consumers.

A bucket holds `burst` tokens and refills at `per_second`; each action takes one. With Redis
the bucket lives there (one atomic script call), so every server process shares it; without,
it lives in the process. `RATE_LIMITS=off` turns every bucket off.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from dataclasses import dataclass
from functools import cache

import redis
import redis.asyncio as aioredis
from django.conf import settings

from helpdesk.loop_local import LoopLocal

_SCRIPT = """
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(data[1]) or burst
local ts = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return allowed
"""


@dataclass(frozen=True)
class Limit:
    name: str
    burst: int
    per_second: float


def message_limit() -> Limit:
    return Limit("msg", settings.RATE_LIMIT_BURST, settings.RATE_LIMIT_PER_SECOND)


def frame_limit() -> Limit:
    """Every frame of a socket (typing, read, ping...): generous, stops only floods."""
    return Limit("frame", 120, 10.0)


def socket_limit() -> Limit:
    """New websocket connections from one client address (each protocol has its own bucket)."""
    return Limit("ws-ip", settings.WS_NEW_SOCKETS_BURST, settings.WS_NEW_SOCKETS_PER_SECOND)


def session_limit() -> Limit:
    return Limit("session", settings.SESSION_RATE_BURST, settings.SESSION_RATE_PER_MINUTE / 60)


def api_limit() -> Limit:
    return Limit("api", 300, 20.0)


def login_limit() -> Limit:
    """Sign-in attempts per client address, whatever the username."""
    return Limit("login", settings.LOGIN_RATE_BURST, settings.LOGIN_RATE_PER_MINUTE / 60)


def retry_after(limit: Limit) -> int:
    """Seconds after which a refused action is allowed again: a bucket refuses with less than
    one token left, and one refills within 1 / per_second."""
    return max(1, math.ceil(1 / limit.per_second))


class _LocalBuckets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, key: str, limit: Limit) -> bool:
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._state.get(key, (float(limit.burst), now))
            tokens = min(limit.burst, tokens + (now - stamp) * limit.per_second)
            allowed = tokens >= 1
            self._state[key] = (tokens - 1 if allowed else tokens, now)
            if len(self._state) > 100_000:
                self._state.clear()  # a memory bound for the embedded default
            return allowed


_local = _LocalBuckets()


@cache
def _sync_client() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CLIENT_OPTIONS)


def _new_async_client() -> aioredis.Redis:
    return aioredis.Redis.from_url(settings.REDIS_URL, **settings.REDIS_CLIENT_OPTIONS)


_async_clients = LoopLocal(_new_async_client)


def _async_client() -> aioredis.Redis | None:
    if not settings.REDIS_URL:
        return None
    return _async_clients.get()


def _key(limit: Limit, subject: str) -> str:
    return f"helpdesk:rl:{limit.name}:{subject}"


def allow(limit: Limit, subject: str) -> bool:
    if not settings.RATE_LIMITS_ENABLED:
        return True
    client = _sync_client()
    if client is None:
        return _local.take(_key(limit, subject), limit)
    try:
        result = client.eval(
            _SCRIPT, 1, _key(limit, subject), limit.burst, limit.per_second, time.time()
        )
    except redis.RedisError:
        return _local.take(_key(limit, subject), limit)  # Redis down: limit per process
    return bool(result)


async def aallow(limit: Limit, subject: str) -> bool:
    if not settings.RATE_LIMITS_ENABLED:
        return True
    client = _async_client()
    if client is None:
        return _local.take(_key(limit, subject), limit)
    try:
        result = await client.eval(
            _SCRIPT, 1, _key(limit, subject), limit.burst, limit.per_second, time.time()
        )
    except redis.RedisError:
        return _local.take(_key(limit, subject), limit)
    return bool(result)


def address_subject(address: str | None) -> str:
    """A client address as per-address limits and the login lockout count it: an IPv4 address
    itself, an IPv6 client by its /64 (one subscriber holds a whole /64, and would otherwise get
    a fresh bucket, and a fresh lockout count, for every address in it)."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        # the /64's first address: still an IP address, as django-axes stores one
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)
