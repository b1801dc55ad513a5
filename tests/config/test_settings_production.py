"""Production settings refuse to start without SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL or the field keys."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "techmarket.example.com, www.techmarket.example.com",
    "DATABASE_URL": "postgres://tm:secret@db.example.com:5432/techmarket",
    "FIELD_ENCRYPTION_KEYS": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "FIELD_HASH_KEY": "h" * 40,
}
PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.DATABASES['default']['HOST'], "
    "settings.SESSION_COOKIE_SECURE)"
)


def _start(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in COMPLETE and not k.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "PYTHONPATH": str(ROOT)})
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - fixed argv, our own interpreter
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_starts_with_all_required_variables():
    result = _start(COMPLETE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['techmarket.example.com',",
        "'www.techmarket.example.com']",
        "db.example.com",
        "True",
    ]


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"]
)
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_refuses_to_start_naming_the_missing_variable(missing, how):
    env = dict(COMPLETE)
    if how == "unset":
        del env[missing]
    else:
        env[missing] = ""
    result = _start(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Missing environment variable {missing}" in result.stderr
    assert f"缺少环境变量 {missing}" in result.stderr
    others = set(COMPLETE) - {missing}
    assert not any(f"variable {name}" in result.stderr for name in others)


def test_production_refuses_a_malformed_field_encryption_key():
    result = _start({**COMPLETE, "FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key 1 is not a Fernet key" in result.stderr
