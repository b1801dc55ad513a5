"""Test settings: SQLite in memory by default, PostgreSQL when DATABASE_URL is set."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .env import env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = ""
ANALYTICS_FACTS_BACKGROUND = False  # a test that wants the background refresh turns it on
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if not env("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# Catalogue changes in any test re-index after commit: keep those index files out of var/.
MATCHING_INDEX_DIR = Path(tempfile.mkdtemp(prefix="techmatch-test-"))
# Attachments uploaded by tests go to a temporary private directory, not var/.
DOCUMENTS_ROOT = Path(tempfile.mkdtemp(prefix="documents-test-"))
STORAGES = {
    **STORAGES,  # noqa: F405
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",  # noqa: F405
        "OPTIONS": {"location": str(DOCUMENTS_ROOT)},
    },
}
# No model in tests unless a test turns it on (the background embedding is tested with a small encoder).
MATCHING_DENSE = False
# Tests log in with client.login/force_login; tests of two-factor login switch it on with the settings fixture.
TWO_FACTOR_REQUIRED = False
IMPORT_BACKGROUND_THREADS = False  # tests that need the thread turn it on
IMPORT_FILES_ROOT = Path(tempfile.mkdtemp(prefix="imports-test-"))
