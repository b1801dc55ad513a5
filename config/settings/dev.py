"""Embedded default for one machine: SQLite, inline tasks, mail printed to the console."""

from .base import *  # noqa: F403
from .env import env, env_bool, env_list

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The demo logins printed by `make run` work with their password alone; set TWO_FACTOR_REQUIRED=true to
# try the authenticator-app login locally.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", False)
