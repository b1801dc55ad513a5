"""`make run`: the platform as its users see it, on one machine.

The embedded defaults of dev (SQLite under var/, inline tasks, mail printed to the console) but with
DEBUG off: a wrong address shows the Chinese 404 page, an error the Chinese 500 page, never a
traceback. Static files are served by WhiteNoise from STATIC_ROOT, filled by `collectstatic`.
Developers who want Django's debug pages use `make dev` (config.settings.dev).
"""

from .base import *  # noqa: F403
from .env import env, env_list

DEBUG = False
SECRET_KEY = env("SECRET_KEY", "embedded-run-insecure-key-set-SECRET_KEY-for-a-public-server")  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", env("HOST", "127.0.0.1") or ""])
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MIDDLEWARE = [*MIDDLEWARE[:1], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
# Served from STATIC_ROOT after collectstatic; finders as a fallback so a skipped collectstatic
# still shows a styled page.
WHITENOISE_USE_FINDERS = True
