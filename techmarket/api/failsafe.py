"""API throttles that keep limiting when the shared cache is down.

ninja's throttles keep their request history in the default cache (Redis in production). When that
fails, the request is counted in this process's own memory instead: limits then hold per web worker
rather than across nodes, which is looser but never an error page and never unlimited.
"""

import copy
import logging
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

logger = logging.getLogger(__name__)
_local = LocMemCache("api-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


class CacheFailSafeThrottle:
    """Mix in before a ninja SimpleRateThrottle subclass."""

    cache: Any

    def allow_request(self, request: HttpRequest) -> bool:
        try:
            return super().allow_request(request)  # type: ignore[misc]
        except Exception:
            logger.warning("api: shared cache unavailable, throttling in this process only", exc_info=True)
        fallback = copy.copy(self)
        fallback.cache = _local
        allowed = super(CacheFailSafeThrottle, fallback).allow_request(request)  # type: ignore[misc]
        for attr in ("key", "history", "now"):  # wait() reads them for Retry-After
            if hasattr(fallback, attr):
                setattr(self, attr, getattr(fallback, attr))
        return bool(allowed)
