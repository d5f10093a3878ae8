"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Nothing is downloaded: Playwright launches /usr/bin/chromium (``make test`` installs
it with apt when missing). The live server serves the session's app from a thread,
so tests prepare data through services and then act as a person would.
"""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A page in a 360-px-wide phone viewport with touch."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True,
                                  base_url=live_server, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def laptop(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, user, password: str | None = None) -> None:
    """Sign a staff member in through the login form, as they would."""
    from tests.conftest import PASSWORD

    page.goto("/login")
    page.fill("#username", user.username)
    page.fill("#password", password or PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
