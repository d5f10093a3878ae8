"""Acting through the pages as people do: read a page, take its CSRF token, post.

Works with CSRF protection on (as in production) or off.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_from(html: str) -> str | None:
    match = _TOKEN.search(html)
    return match.group(1) if match else None


def submit(client, page: str, action: str | None = None, data: dict | None = None,
           *, expect: int | tuple = (200, 302), **kwargs):
    """Open ``page``, then post ``data`` (with the page's CSRF token) to ``action``
    (default: the page itself). Returns the response of the post."""
    html = client.get(page).get_data(as_text=True)
    payload = dict(data or {})
    token = csrf_from(html)
    if token and "csrf_token" not in payload:
        payload["csrf_token"] = token
    response = client.post(action or page, data=payload, **kwargs)
    expected = expect if isinstance(expect, tuple) else (expect,)
    assert response.status_code in expected, (response.status_code, problems(response))
    return response


def text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def problems(response) -> list[str]:
    """The error messages a page shows (flash errors and field errors)."""
    html = response.get_data(as_text=True)
    found = re.findall(r'class="(?:flash flash-(?:error|warning)|error)"[^>]*>(.*?)</(?:div|p)>',
                       html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", f)).strip() for f in found] or \
        [text(response)[:2000]]
