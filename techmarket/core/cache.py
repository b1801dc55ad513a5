"""The shared cache (Redis) with short timeouts and a circuit breaker: a hung or dead Redis costs one
short timeout per process every CACHE_CIRCUIT_SECONDS, not one per request.

Every connection error or timeout surfaces as ``CacheUnavailable`` (a ConnectionError); after one,
every cache call in this process raises it at once, without touching the network, until the circuit closes again. Callers that can do without the
cache catch the error and fall back (API throttles to a per-process limit, import progress to the
database); nothing about sessions, messages or CSRF uses the cache.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

WRAPPED = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class CacheUnavailable(ConnectionError):
    """The shared cache failed recently; not tried again until the circuit closes."""


def _guard(name: str) -> Any:
    def call(self: FailFastRedisCache, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._open_until:
            raise CacheUnavailable(f"cache unavailable (circuit open) during {name}")
        try:
            return getattr(super(FailFastRedisCache, self), name)(*args, **kwargs)
        except (ConnectionError, TimeoutError, OSError, RedisConnectionError, RedisTimeoutError) as exc:
            self._trip(exc)
            raise CacheUnavailable(f"cache unavailable during {name}: {exc}") from exc

    call.__name__ = name
    return functools.wraps(getattr(RedisCache, name))(call)


class FailFastRedisCache(RedisCache):
    """django's RedisCache; OPTIONS may carry CIRCUIT_SECONDS (default 10) besides redis-py options."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.circuit_seconds = float(options.pop("CIRCUIT_SECONDS", 10))
        super().__init__(server, {**params, "OPTIONS": options})
        self._open_until = 0.0

    def _trip(self, exc: BaseException) -> None:
        self._open_until = time.monotonic() + self.circuit_seconds
        logger.warning("cache: %s; not trying again for %.0f s", exc, self.circuit_seconds)


for _name in WRAPPED:
    setattr(FailFastRedisCache, _name, _guard(_name))
