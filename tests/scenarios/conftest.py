"""A replay harness: each actor (organizer, secretaries, gate staff, chair) is its own
browser-like client acting only through the pages and the gate API."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from checkin.i18n import to_local
from checkin.types import utcnow
from tests.conftest import PASSWORD
from tests.scenarios.http import csrf_from, problems, submit, text


def wall(value: datetime) -> str:
    """A datetime as a datetime-local input sends it."""
    return to_local(value).strftime("%Y-%m-%dT%H:%M")


class Actor:
    """One person at one browser."""

    def __init__(self, app, username: str | None = None):
        self.client = app.test_client()
        if username:
            page = self.client.get("/login").get_data(as_text=True)
            response = self.client.post("/login", data={
                "username": username, "password": PASSWORD,
                "csrf_token": csrf_from(page) or ""})
            assert response.status_code == 302, text(response)[:500]

    def get(self, url: str, status: int = 200):
        response = self.client.get(url)
        assert response.status_code == status, (url, response.status_code)
        return response

    def page(self, url: str) -> str:
        return text(self.get(url))

    def post(self, page: str, data: dict, action: str | None = None, expect=(302,), **kw):
        return submit(self.client, page, action, data, expect=expect, **kw)


class Organizer(Actor):
    """The organizing department's officer: units, the event, its programme, quotas."""

    def unit(self, name: str, kind: str, parent: int | None = None, members: int = 0) -> int:
        response = self.post("/units/", {"name": name, "kind": kind, "member_count": members,
                                         "parent_id": parent or 0, "code": ""})
        return int(response.headers["Location"].rsplit("#unit-", 1)[1])

    def event(self, **fields) -> int:
        data = {"kind": "conference", "mode": "in_person", "host_unit_id": 0,
                "quotas_enabled": "y", **fields}
        if data.get("quotas_enabled") is False:
            del data["quotas_enabled"]
        response = self.post("/events/new", data)
        return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    def edit_event(self, event_id: int, **changes) -> str:
        page = self.get(f"/events/{event_id}/edit").get_data(as_text=True)
        data = form_values(page)
        data.update({k: v for k, v in changes.items() if v is not False})
        for k, v in changes.items():
            if v is False:
                data.pop(k, None)
        response = self.post(f"/events/{event_id}/edit", data, follow_redirects=True,
                             expect=(200,))
        return response.get_data(as_text=True)

    def agenda(self, event_id: int, title: str, at: str = "", minutes: int | str = "",
               presenter: str = "", parent: int = 0) -> int:
        self.post(f"/events/{event_id}/agenda", {
            "title": title, "planned_start": at, "duration_minutes": minutes,
            "presenter": presenter, "parent_id": parent})
        html = self.get(f"/events/{event_id}/agenda").get_data(as_text=True)
        ids = re.findall(r'<li id="item-(\d+)"', html)
        return int(ids[-1]) if not parent else max(int(i) for i in ids)

    def contribution(self, event_id: int, item_id: int, unit_id: int, title: str,
                     speaker: str = "", due: str = "") -> None:
        self.post(f"/events/{event_id}/agenda", {
            "c-unit_id": unit_id, "c-title": title, "c-speaker": speaker, "c-deadline": due},
            action=f"/events/{event_id}/agenda/{item_id}/contributions")

    def quota(self, event_id: int, unit_id: int, seats: int, expect=(302,), **extra):
        return self.post(f"/events/{event_id}/quotas", {"unit_id": unit_id, "seats": seats,
                                                        **extra}, expect=expect)

    def rules(self, event_id: int, rules: list[tuple[str, int, int]], scope: int = 0):
        data = {"scope_id": scope}
        padded = rules + [("grassroots", 0, "")] * max(0, 4 - len(rules))
        for i, (kind, above, seats) in enumerate(padded):
            data |= {f"rules-{i}-unit_kind": kind, f"rules-{i}-min_members_exclusive": above,
                     f"rules-{i}-seats": seats}
        return self.post(f"/events/{event_id}/quotas", data,
                         action=f"/events/{event_id}/quotas/rules")

    def links(self, event_id: int, unit_id: int | None = None) -> dict[str, str]:
        """Creates the missing nomination links; returns {unit name: link path}."""
        data = {"unit_id": unit_id} if unit_id else {}
        self.post(f"/events/{event_id}/quotas", data, action=f"/events/{event_id}/links")
        return self.link_paths(event_id)

    def link_paths(self, event_id: int) -> dict[str, str]:
        html = self.get(f"/events/{event_id}/quotas").get_data(as_text=True)
        return {name: path for path, name in re.findall(
            r'value="https?://[^/"]+(/n/[^"]+)" aria-label="[^"]*? (?:của|of) ([^"]+)"',
            html)}

    def person(self, event_id: int, category: str, name: str, unit_id: int = 0,
               organization: str = "", position: str = "", expect=(302,)):
        page = f"/events/{event_id}/people/"
        html = self.get(page).get_data(as_text=True)
        nonce = re.search(r'name="nonce" type="hidden" value="([^"]*)"', html)
        return self.post(page, {"category": category, "full_name": name, "unit_id": unit_id,
                                "organization": organization, "position": position,
                                "phone": "", "email": "",
                                "nonce": nonce.group(1) if nonce else ""}, expect=expect)

    def invitations(self, event_id: int) -> dict[str, str]:
        """{name: invitation token} from the list of people."""
        html = self.get(f"/events/{event_id}/people/").get_data(as_text=True)
        out = {}
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
            name = re.search(r'attendee_id=\d+[^>]*>([^<]+)</a>|/people/\d+">([^<]+)</a>', row)
            token = re.search(r"/i/([A-Za-z0-9_-]{16,})", row)
            if name and token:
                out[(name.group(1) or name.group(2)).strip()] = token.group(1)
        return out

    def gate(self, event_id: int, name: str) -> None:
        self.post(f"/events/{event_id}/gates", {"name": name},
                  action=f"/events/{event_id}/gates")

    def staff(self, event_id: int, user_id: int, role: str) -> None:
        self.post(f"/events/{event_id}/staff", {"user_id": user_id, "role": role})

    def report_csv(self, event_id: int, which: str = "") -> str:
        url = f"/events/{event_id}/reports" + (f"/{which}" if which else "") + "?format=csv"
        return self.get(url).get_data(as_text=True)


class Secretary(Actor):
    """A unit's secretary with the unit's nomination link (no account)."""

    def __init__(self, app, link: str):
        super().__init__(app)
        self.link = link

    def name(self, full_name: str, position: str = "", expect=(302,)):
        html = self.get(self.link).get_data(as_text=True)
        nonce = re.search(r'name="nonce" type="hidden" value="([^"]*)"', html)
        return self.post(self.link, {"full_name": full_name, "position": position,
                                     "phone": "", "email": "",
                                     "nonce": nonce.group(1) if nonce else ""}, expect=expect)

    def send(self, text_: str, kind: str = "question", nonce: str | None = None):
        response = self.post(self.link, {"kind": kind, "text": text_, "asker_name": "",
                                         "nonce": nonce or f"q-{abs(hash(text_))}"},
                             action=f"{self.link}/questions", follow_redirects=True,
                             expect=(200,))
        assert "flash-error" not in response.get_data(as_text=True), problems(response)
        return response


class GateStaff(Actor):
    """A signed-in gate member scanning invitations through the gate API."""

    def open(self, event_id: int) -> str:
        page = self.get(f"/events/{event_id}/gate").get_data(as_text=True)
        self.event_id = event_id
        self.csrf = re.search(r'"csrf": "([^"]+)"', page).group(1)
        return text(self.get(f"/events/{event_id}/gate"))

    def scan(self, token: str, gate: str = "", n: list = [0]) -> dict:  # noqa: B006
        n[0] += 1
        response = self.client.post(
            f"/api/v1/events/{self.event_id}/checkins",
            json={"token": token, "nonce": f"scan-nonce-{n[0]:06d}", "gate": gate or None},
            headers={"X-CSRFToken": self.csrf})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()


def form_values(html: str) -> dict:
    """What a browser would send for the first POST form of the page (inputs, selects,
    textareas; checked boxes only)."""
    form = re.search(r'<form method="post" novalidate class="grid">(.*?)</form>', html, re.S)
    body = form.group(1) if form else html
    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = value.group(1) if value else "y"
            continue
        data[name.group(1)] = _unescape(value.group(1)) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body,
                                    re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', options) or re.search(
            r'<option value="([^"]*)"', options)
        data[name] = chosen.group(1) if chosen else ""
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body,
                                  re.S):
        data[name] = _unescape(value.strip())
    return data


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


@pytest.fixture
def people(app, make_user):
    """The staff accounts of a replay: an organizer, a chair (moderator), a gate member."""
    organizer = make_user("organizer", username="bantochuc", full_name="Lâm Thị Thu")
    chair = make_user("staff", username="chutoa", full_name="Thạch Văn Minh")
    gate = make_user("staff", username="congchinh", full_name="Kiên Thị Ngọc")
    return {"organizer": organizer, "chair": chair, "gate": gate}


def soon(minutes: int = 0) -> datetime:
    """A time near now (meetings replayed "today" so that the gates are open)."""
    return (utcnow() + timedelta(minutes=minutes)).replace(second=0, microsecond=0)


__all__ = ["Actor", "GateStaff", "Organizer", "Secretary", "form_values", "soon", "wall"]
