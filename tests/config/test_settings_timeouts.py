"""Production keeps a hung Redis or broker from taking every worker: short socket timeouts, fail-fast cache."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'cache': s.CACHES['default'], 'broker': s.CELERY_BROKER_TRANSPORT_OPTIONS, "
    "'connect': s.CELERY_BROKER_CONNECTION_TIMEOUT, 'session': s.SESSION_ENGINE}))"
)


def test_production_sets_short_redis_and_broker_timeouts_and_keeps_sessions_out_of_the_cache():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "example.com",
            "FIELD_ENCRYPTION_KEYS": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "FIELD_HASH_KEY": "h" * 40,
            "DATABASE_URL": "postgres://u:p@db:5432/tm",
            "REDIS_URL": "redis://redis:6379/0",
            "CELERY_BROKER_URL": "redis://redis:6379/1",
        }
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,  # noqa: S603
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout.strip().splitlines()[-1])
    assert conf["cache"]["BACKEND"] == "techmarket.core.cache.FailFastRedisCache"
    assert (
        conf["cache"]["OPTIONS"]["socket_connect_timeout"] <= 1
        and conf["cache"]["OPTIONS"]["socket_timeout"] <= 1
    )
    assert conf["broker"]["socket_connect_timeout"] <= 2 and conf["broker"]["socket_timeout"] <= 2
    assert conf["connect"] <= 2
    assert conf["session"] == "django.contrib.sessions.backends.db"
