"""A fixed-window rate limiter on the shared cache (Redis in production, so all web nodes agree).

When the cache cannot be reached the same windows are counted in the database (core.RateCounter),
which every web node shares too: login protection and rate limits never fail open and never turn
into a server error because Redis is down.
"""

import hashlib
import logging
import random
import time

from django.core.cache import cache
from django.db import IntegrityError, transaction

logger = logging.getLogger(__name__)


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one event for key; False when the limit for the current window is exceeded."""
    try:
        count = _cache_hit(f"rl:{key}", window_seconds)
    except Exception:  # redis ConnectionError/TimeoutError and friends: any cache failure
        logger.warning("rate limit: cache unreachable, counting %s in the database", key.split(":")[0])
        count = _database_hit(key, window_seconds)
    return count <= limit


def _cache_hit(cache_key: str, window_seconds: int) -> int:
    if cache.add(cache_key, 1, timeout=window_seconds):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        return 1


def _database_hit(key: str, window_seconds: int) -> int:
    from .models import RateCounter

    if len(key) > 200:
        key = key[:150] + ":" + hashlib.sha256(key.encode()).hexdigest()[:40]
    now = int(time.time())
    window_start = now - now % max(1, window_seconds)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row = RateCounter.objects.select_for_update().filter(key=key).first()
                if row is None:
                    RateCounter.objects.create(key=key, window_start=window_start, count=1)
                    count = 1
                elif row.window_start != window_start:
                    row.window_start, row.count = window_start, 1
                    row.save(update_fields=["window_start", "count"])
                    count = 1
                else:
                    row.count += 1
                    row.save(update_fields=["count"])
                    count = row.count
            break
        except IntegrityError:  # another node created the row first: count again
            continue
    else:
        return 1 << 30  # could not count: refuse rather than let everything through
    if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
        RateCounter.objects.filter(window_start__lt=now - 86400).delete()
    return count
