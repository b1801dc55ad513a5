"""Production: PostgreSQL, Redis, Celery workers, gunicorn. Refuses to start without its settings."""

from typing import Any

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env, env_bool, env_int, env_required

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY", "Django secret key, 50+ random characters")
ALLOWED_HOSTS = [
    h.strip() for h in env_required("ALLOWED_HOSTS", "comma-separated host names").split(",") if h.strip()
]
FIELD_ENCRYPTION_KEYS = [
    k.strip()
    for k in env_required(
        "FIELD_ENCRYPTION_KEYS",
        "Fernet keys for confidential and personal fields, comma-separated, newest first",
    ).split(",")
    if k.strip()
]
for _position, _key in enumerate(FIELD_ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key.encode())
    except ValueError as _exc:
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS: key {_position} is not a Fernet key (32 bytes, url-safe base64). "
            "FIELD_ENCRYPTION_KEYS 中的密钥格式不正确。"
        ) from _exc
FIELD_HASH_KEY = env_required(
    "FIELD_HASH_KEY", "key of the lookup digests of encrypted fields, 32+ random characters"
)
_database_url = env_required("DATABASE_URL", "e.g. postgres://user:pass@host:5432/techmarket")
DATABASES = {
    "default": dj_database_url.parse(  # noqa: F405
        _database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
# Web nodes and workers share only the database (and the broker): the matching index is published through
# it, MATCHING_INDEX_DIR being each node's own cache (techmarket/matching/publication.py).
MATCHING_INDEX_STORE = env("MATCHING_INDEX_STORE", "database") or "database"
if MATCHING_INDEX_STORE not in ("files", "database"):
    raise ImproperlyConfigured('MATCHING_INDEX_STORE must be "files" or "database"')
MIDDLEWARE = [*MIDDLEWARE[:2], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[2:]]  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405 - keeps the private "documents" store (file system or S3) from base
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Only a reverse proxy we run may tell us the original scheme; without one the header is the client's.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES > 0 else None  # noqa: F405
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)

# A slow dependency must not take every worker: short connect and read timeouts for the cache and the
# broker. A failed cache call opens a circuit for CACHE_CIRCUIT_SECONDS in that process (see
# techmarket/core/cache.py); a refused broker leaves follow-up work in the outbox for later.
REDIS_SOCKET_CONNECT_TIMEOUT = float(env("REDIS_SOCKET_CONNECT_TIMEOUT", "0.5") or 0.5)
REDIS_SOCKET_TIMEOUT = float(env("REDIS_SOCKET_TIMEOUT", "0.5") or 0.5)
_cache_options: dict[str, Any] = {
    "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "CIRCUIT_SECONDS": env_int("CACHE_CIRCUIT_SECONDS", 10),
}
if REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "techmarket.core.cache.FailFastRedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "OPTIONS": _cache_options,
        }
    }
BROKER_SOCKET_TIMEOUT = float(env("BROKER_SOCKET_TIMEOUT", "2") or 2)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
    "max_retries": 1,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
