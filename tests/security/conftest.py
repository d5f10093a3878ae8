"""Helpers for the security tests: sign in the way a browser does (CSRF token from the page)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD


def csrf_from(client, path: str) -> dict:
    """The CSRF token of the form on ``path``, as form data (empty when CSRF is off)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return {"csrf_token": match.group(1)} if match else {}


def sign_in(client, user, password: str = PASSWORD, *, next: str | None = None):
    path = "/login" + (f"?next={next}" if next is not None else "")
    data = {"username": user.username, "password": password, **csrf_from(client, "/login")}
    return client.post(path, data=data)


def forget_loaded_user(*_args, **_kwargs) -> None:
    """Forget the user Flask-Login loaded for an earlier request.

    The suite runs every request inside the test's own app context, so ``g`` (where
    Flask-Login keeps the loaded user) outlives a request; in production each request
    has a fresh one. Without this a request would see the previous request's user.
    """
    from flask import g

    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def _fresh_user_per_request(app):
    from flask import request_started

    request_started.connect(forget_loaded_user, app)
    yield
    request_started.disconnect(forget_loaded_user, app)
