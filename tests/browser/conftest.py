"""Playwright driving Debian's Chromium (/usr/bin/chromium); no browser download is needed."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in this thread; the test itself only touches the
# database between browser steps, never concurrently with the live server's requests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"{CHROMIUM} is missing: run scripts/ensure_browser_deps.sh (CI must not skip browser tests)"
            )
        pytest.skip(f"{CHROMIUM} not installed (sudo apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def reference_data(request):  # type: ignore[no-untyped-def]
    """Transactional tests flush the database afterwards, migration data included: load it again."""
    if "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)
    from techmarket.orgs.models import OrganizationTag

    if not OrganizationTag.objects.exists():
        for order, name in enumerate(["高新技术企业", "科技型中小企业", "专精特新中小企业"]):
            OrganizationTag.objects.create(name=name, sort_order=order)
