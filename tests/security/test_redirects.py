"""Redirects go only to this site's own paths, whatever a link's ``?next=`` says."""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest

from checkin.urls import safe_next
from tests.security.conftest import sign_in

BASE = "https://hop.example.vn/somewhere/page"

#: Ways to write "another host" that browsers (or lenient parsers) accept.
BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example",
    "\\\\evil.example", "\\/evil.example", "/\t/evil.example", "/%09/evil.example",
    "/\r/evil.example", "/\n/evil.example", "/%0d/evil.example", "/%0a/evil.example",
    "/ /evil.example", "/%20/evil.example", "\t//evil.example", " //evil.example",
    "https://evil.example", "https:evil.example", "http:/evil.example", "HTTPS://evil.example",
    "//evil.example/%2F..", "/%2F/evil.example", "/%2f%2fevil.example",
    "/%252F%252Fevil.example", "/%5Cevil.example", "/%5cevil.example", "/%255Cevil.example",
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox", "evil.example",
    "\uff0f\uff0fevil.example", "\u2215\u2215evil.example", "/\u3000/evil.example",
    "/\u0000/evil.example", "/%00/evil.example", "/\x7f/evil.example",
    "@evil.example", "/@evil.example/..//evil.example"[0:0] + "//@evil.example",
    "https://hop.example.vn@evil.example", "ftp://evil.example", "//evil.example:443",
    "/" + "\\" * 2 + "evil.example", "%2F%2Fevil.example", "/\\/evil.example",
]

#: Paths of our own that must survive.
OWN = ["/events/1", "/events/1/gates?tab=devices", "/", "/i/abc_DEF-123",
       "/events?q=Nguy%E1%BB%85n%20V%C4%83n"]


def browser_destination(location: str) -> str:
    """Where a browser goes with this Location: it drops tabs and newlines and reads a
    backslash as a slash before resolving against the current page."""
    cleaned = location.strip(" \x00").replace("\t", "").replace("\r", "").replace("\n", "")
    cleaned = cleaned.replace("\\", "/")
    return urlsplit(urljoin(BASE, cleaned)).netloc


@pytest.mark.parametrize("target", BYPASSES)
def test_the_helper_keeps_every_bypass_on_site(target):
    assert safe_next(target, fallback="/home") == "/home"


@pytest.mark.parametrize("target", OWN)
def test_the_helper_keeps_our_own_paths(target):
    assert safe_next(target) == target


def test_vietnamese_paths_are_encoded_not_refused():
    assert safe_next("/sự-kiện") == "/s%E1%BB%B1-ki%E1%BB%87n"


@pytest.mark.parametrize("target", BYPASSES)
def test_language_switch_stays_on_site(client, target):
    response = client.get("/lang/en?next=" + quote(target, safe=""))
    if "\x00" in target:  # refused at the edge, before any view: no redirect at all
        assert response.status_code == 400
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert browser_destination(location) == "hop.example.vn", location
    assert location == "/"


def test_language_switch_follows_a_referrer_on_this_site(client):
    response = client.get("/lang/en", headers={"Referer": "http://localhost/events/7?x=1"})
    assert response.headers["Location"] == "/events/7?x=1"


#: Signing in costs a password hash each; the helper test above covers the whole corpus.
SIGN_IN_SAMPLE = ["//evil.example", "/%09/evil.example", "/\\evil.example", "https:evil.example",
                  "/%2F%2Fevil.example", "javascript:alert(1)", "\uff0f\uff0fevil.example"]


@pytest.mark.parametrize("target", SIGN_IN_SAMPLE)
def test_sign_in_stays_on_site(client, organizer, target):
    response = sign_in(client, organizer, next=quote(target, safe=""))
    if "\x00" in target:
        assert response.status_code == 400
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert browser_destination(location) == "hop.example.vn", location
    assert location == "/events/"


def test_sign_in_returns_to_the_page_asked_for(client, organizer):
    response = sign_in(client, organizer, next=quote("/events/3/gates?x=1", safe=""))
    assert response.headers["Location"] == "/events/3/gates?x=1"
