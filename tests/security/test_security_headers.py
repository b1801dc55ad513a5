"""Finding 14 and the security-headers check: production defaults to HTTPS with HSTS, trusts the proxy's
scheme header only behind a configured proxy, sessions are short, and every page carries a strict
Content-Security-Policy that the templates actually satisfy (no inline script without a nonce)."""

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "techmarket"
COMPLETE = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "tech.example.gov.cn",
    "DATABASE_URL": "postgres://tm:secret@db.example.com:5432/techmarket",
    "FIELD_ENCRYPTION_KEYS": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    "FIELD_HASH_KEY": "h" * 40,
}
PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_AGE)"
)


def _production(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in COMPLETE and not k.startswith(("DJANGO_", "SECURE_", "NUM_PROXIES"))
    }
    env.update(
        {"DJANGO_SETTINGS_MODULE": "config.settings.production", "PYTHONPATH": str(ROOT), **COMPLETE, **extra}
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,  # noqa: S603
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split(None, 3)


def test_production_defaults_to_ssl_redirect_hsts_and_short_sessions():
    redirect, hsts, proxy_header, age = _production()
    assert redirect == "True"
    assert int(hsts) >= 31536000
    assert proxy_header == "None"  # no proxy configured: X-Forwarded-Proto is not trusted
    assert int(age) <= 12 * 3600


def test_production_trusts_the_forwarded_scheme_only_behind_a_configured_proxy():
    _redirect, _hsts, proxy_header, _age = _production(NUM_PROXIES="1")
    assert "HTTP_X_FORWARDED_PROTO" in proxy_header


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_the_usual_headers(client):
    for url in ("/", "/accounts/login/", "/accounts/register/", "/needs/", "/api/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_inline_scripts_carry_the_request_nonce(client):
    response = client.get("/accounts/register/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the registration page has an inline script"
    assert all(f'nonce="{nonce}"' in attrs or 'type="application/json"' in attrs for attrs in inline)


def test_templates_have_no_inline_event_handlers_or_unnonced_scripts():
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\son(click|change|submit|load|input)\s*=", text):
            problems.append(f"{path}: inline event handler")
        for attrs in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", text):
            if "csp_nonce" not in attrs and "application/json" not in attrs:
                problems.append(f"{path}: inline script without nonce")
    assert problems == []


def test_the_500_page_style_is_allowed_by_its_hash():
    from django.conf import settings

    text = (TEMPLATES / "templates" / "errors" / "500.html").read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", text, re.S).group(1)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
    assert digest in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]


@pytest.mark.django_db
def test_hsts_header_is_sent_on_https_in_production_like_settings(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
