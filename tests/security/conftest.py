"""Helpers for the security tests: sign in the way a browser does (CSRF token from the page)."""

from __future__ import annotations

import re

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
