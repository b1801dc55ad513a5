"""The production services the platform relies on: Redis (shared cache, Celery broker) and inline tasks.

Locally an unreachable Redis skips these tests; with CI=true it is a failure, never a skip.
"""

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache() -> RedisCache:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    return RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}"})


def test_rate_limiter_counts_across_nodes_through_redis(redis_cache, monkeypatch):
    """Two web nodes share one Redis: the fifth hit in the window is refused wherever it lands."""
    from techmarket.core import ratelimit

    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    results = [ratelimit.hit("login-ip:203.0.113.7", limit=4, window_seconds=60) for _ in range(5)]
    assert results == [True, True, True, True, False]
    assert ratelimit.hit("login-ip:203.0.113.8", limit=4, window_seconds=60) is True


def test_celery_runs_tasks_inline_without_a_broker(settings):
    from config.celery import app

    assert settings.CELERY_TASK_ALWAYS_EAGER is True

    @app.task
    def add(x: int, y: int) -> int:
        return x + y

    assert add.delay(2, 3).get(timeout=5) == 5
