"""Attachments: a private directory on the embedded default, S3-compatible storage when a bucket is set."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json; from django.conf import settings; "
    "print(json.dumps({'documents': settings.STORAGES['documents'], 'media': str(settings.MEDIA_ROOT)}))"
)


def _settings(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOCUMENTS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.dev", "PYTHONPATH": str(ROOT), **extra})
    result = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_default_store_is_a_private_directory_outside_media():
    found = _settings({})
    store = found["documents"]
    assert store["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert store["OPTIONS"]["location"].endswith(os.path.join("private", "documents"))
    assert not store["OPTIONS"]["location"].startswith(found["media"])


def test_bucket_switches_to_private_s3_storage():
    store = _settings(
        {
            "DOCUMENTS_S3_BUCKET": "tm-docs",
            "DOCUMENTS_S3_ENDPOINT_URL": "https://oss.example.com",
            "DOCUMENTS_S3_ACCESS_KEY": "k",
            "DOCUMENTS_S3_SECRET_KEY": "s",
        }
    )["documents"]
    assert store["BACKEND"] == "storages.backends.s3.S3Storage"
    options = store["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["default_acl"]) == (
        "tm-docs",
        "https://oss.example.com",
        "private",
    )
    assert options["querystring_auth"] is True and options["file_overwrite"] is False


def test_production_keeps_the_private_documents_store():
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "tm.example.com",
        "FIELD_ENCRYPTION_KEYS": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "FIELD_HASH_KEY": "h" * 40,
        "DATABASE_URL": "postgres://tm:secret@db.example.com:5432/tm",
    }
    store = _settings(env)["documents"]
    assert store["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert store["OPTIONS"]["location"].endswith(os.path.join("private", "documents"))
