"""Browser tests: Debian's Chromium driven by Playwright against the real server.

Nothing is downloaded: Playwright launches /usr/bin/chromium (``make test`` installs
it with apt when missing). The live server is what ``make run`` serves — gunicorn
with one gevent worker — on the test's database, started afresh for every test so
that no state of a previous test survives in it. Tests prepare data through services
and then act as a person would; whatever must reach an open page live is done through
the pages (or HTTP) too, since only the server process broadcasts to its sockets.
"""

from __future__ import annotations

import os

import pytest

from tests.servers import gunicorn, server_env

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(app):
    with gunicorn(server_env(app)) as (url,):
        yield url


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
