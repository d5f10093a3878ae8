"""Bad input answers 4xx, never 5xx, on every route (run on SQLite and PostgreSQL).

Every rule of ``app.url_map`` is called, signed in as an administrator (who may open
everything) and anonymously, with URL variables out of range and query strings and
form fields carrying NUL bytes, "²", integers beyond 64 bits and over-long text; the
gate API gets malformed JSON; the imports get broken CSV files.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest

from checkin.attendance.services import create_gate, pair_device
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.dialogue.services import set_agenda
from checkin.types import utcnow
from checkin.units.services import create_nomination_link, set_quota
from tests.security.conftest import sign_in

#: Values for every query parameter and form field.
BAD_VALUES = ["a\x00b", "²", "9" * 30, "2147483648", "-99999999999999999999", "x" * 70_000,
              "𝕏 1e309", ""]
#: Field names the app's forms and filters read.
FIELDS = ["text", "kind", "topic_id", "agency_id", "unit_id", "attendee_id", "ids", "order",
          "merge_into", "nonce", "token", "gate", "q", "status", "topic", "agency", "unit",
          "source", "version", "reason", "title", "name", "full_name", "position", "phone",
          "email", "category", "starts_at", "ends_at", "venue", "seats", "count", "role",
          "user_id", "username", "password", "current", "direction", "mode", "which",
          "primary_url", "backup_url", "meeting_room_url", "announcement", "show_name",
          "support", "cancel", "by", "asker_name", "action", "deadline", "member_count",
          "parent_id", "code", "label", "subject", "body", "upload", "edit", "next",
          "minimum", "questions_open", "max_length", "excuse", "format", "fmt"]
#: JSON bodies for the API.
BAD_JSON = [
    "[" * 1000 + "]" * 1000,
    '{"a":' * 1000 + "1" + "}" * 1000,
    json.dumps({"token": 5}), json.dumps({"token": "a\x00b"}),
    json.dumps({"token": "x", "nonce": {"a": 1}}), json.dumps({"token": "x", "nonce": "n" * 65}),
    json.dumps({"token": "x", "nonce": "abc\x00defgh"}), json.dumps({"token": "x", "gate": {}}),
    json.dumps({"token": "x", "gate": "a\x00"}), json.dumps({"token": "x", "scanned_at": 5}),
    json.dumps({"attendee_id": 10**30}), json.dumps({"attendee_id": 2**31}),
    json.dumps({"attendee_id": "²"}),
    json.dumps({"attendee_id": [1]}), json.dumps({"attendee_id": 1.5e300}),
    json.dumps({"order": [10**30, "²", None]}), json.dumps([1, 2]), json.dumps("text"),
    "not json", "{", json.dumps({"token": "x" * 100_000}),
]
SKIP = {"static", "auth.logout"}


@pytest.fixture
def world(make_event, quota_unit, admin):
    start = utcnow() - timedelta(minutes=10)
    event = make_event(title="Đối thoại", kind="dialogue", starts_at=start,
                       ends_at=start + timedelta(hours=3))
    set_quota(event, quota_unit, 5)
    person = nominate(event, quota_unit, full_name="Phạm Thị Dung")
    set_agenda(event, questions_open=True)
    gate = create_gate(event, name="Cổng 1")
    _device, device_token = pair_device(gate.pairing_token)
    link = create_nomination_link(event, quota_unit)
    return {"event_id": event.id, "token": active_invitation(person).token,
            "link": link.token, "pairing": gate.pairing_token, "device": device_token,
            "attendee_id": person.id, "unit_id": quota_unit.id, "gate_id": gate.id}


def urls(app, world, *, variant: str) -> list[tuple[str, str, set[str]]]:
    """(endpoint, path, methods) for every rule, variables filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or rule.rule.startswith("/socket.io"):
            continue

        def value(match):
            name = match.group(2)
            if variant == "huge" and (match.group(1) or "").startswith("int"):
                return str(10**30)
            if variant == "int32" and (match.group(1) or "").startswith("int"):
                return str(2**31)  # fits 64 bits, not PostgreSQL's integer ids
            if name == "event_id":
                return str(world["event_id"])
            if name == "token":
                prefix = match.string.split("<", 1)[0]
                return {"/i/": world["token"], "/n/": world["link"],
                        "/g/": world["pairing"]}.get(prefix, world["token"])
            if name == "fmt":
                return "svg"
            if name in ("code", "status", "kind", "format"):
                return "\x00" if variant == "nul" else "²"
            if name in world:
                return str(world[name])
            return "1"

        path = re.sub(r"<(?:([^:>]+):)?([^>]+)>", value, rule.rule)
        path = re.sub(r"<any\([^)]*\):(\w+)>", "svg", path)
        found.append((rule.endpoint, path, set(rule.methods or ()) & {"GET", "POST"}))
    return sorted(found)


def no_server_errors(responses) -> None:
    failures = [(where, code) for where, code in responses if code >= 500]
    assert not failures, failures[:20]


@pytest.fixture
def admin_client(app, admin):
    client = app.test_client()
    assert sign_in(client, admin).status_code == 302
    return client


@pytest.mark.parametrize("variant", ["plain", "huge", "int32", "nul"])
def test_url_variables_never_answer_500(app, world, admin_client, variant):
    anonymous = app.test_client()
    anonymous.set_cookie("gate_device", world["device"])
    seen = []
    for endpoint, path, methods in urls(app, world, variant=variant):
        for client in (admin_client, anonymous):
            if "GET" in methods:
                seen.append(((endpoint, "GET"), client.get(path).status_code))
            if "POST" in methods:
                seen.append(((endpoint, "POST"), client.post(path, data={}).status_code))
    no_server_errors(seen)


@pytest.mark.parametrize("bad", BAD_VALUES, ids=lambda v: repr(v[:12]))
def test_bad_query_and_form_values_never_answer_500(app, world, admin_client, bad):
    fields = {name: bad for name in FIELDS}
    seen = []
    for endpoint, path, methods in urls(app, world, variant="plain"):
        for client in (admin_client,):  # anonymous: see the URL test; most pages need a role
            if "GET" in methods:
                response = client.get(path, query_string=fields)
                seen.append(((endpoint, "GET"), response.status_code))
            if "POST" in methods:
                response = client.post(path, data={**fields, "ids": [bad, "1"]})
                seen.append(((endpoint, "POST"), response.status_code))
    no_server_errors(seen)


def test_nul_in_a_form_field_is_refused_with_the_field_named(admin_client, world):
    response = admin_client.post(f"/i/{world['token']}/ask", data={"text": "Câu hỏi\x00"},
                                 headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "text"


@pytest.mark.parametrize("body", BAD_JSON, ids=lambda b: repr(b[:24]))
def test_bad_json_to_the_api_never_answers_500(app, world, body):
    device = {"Authorization": f"Bearer {world['device']}", "Content-Type": "application/json"}
    client = app.test_client()
    event_id = world["event_id"]
    seen = []
    for path in (f"/api/v1/events/{event_id}/checkins",
                 f"/api/v1/events/{event_id}/checkins/manual"):
        response = client.post(path, data=body, headers=device)
        seen.append((path, response.status_code))
        assert response.status_code < 500, (path, response.get_data(as_text=True)[:300])
    no_server_errors(seen)


def test_bad_json_names_the_field(app, world):
    client = app.test_client()
    device = {"Authorization": f"Bearer {world['device']}"}
    response = client.post(f"/api/v1/events/{world['event_id']}/checkins/manual",
                           json={"attendee_id": 10**30}, headers=device)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "attendee_id"
    response = client.post(f"/api/v1/events/{world['event_id']}/checkins",
                           json={"token": "abc\x00"}, headers=device)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "token"


@pytest.mark.parametrize("content", [
    b"full_name,unit\nA\x00B,X\n",
    b'full_name,unit\n"' + b"x" * 140_000 + b'",X\n',
    b"full_name,unit\n" + b"\xff\xfe" * 10,
    b"\x00" * 1000,
], ids=["nul", "field-over-128k", "not-utf8", "binary"])
def test_broken_csv_imports_answer_4xx(admin_client, world, content):
    seen = []
    for path in ("/units/import", f"/events/{world['event_id']}/people/import"):
        response = admin_client.post(path, data={"file": (io.BytesIO(content), "list.csv")},
                                     content_type="multipart/form-data")
        seen.append((path, response.status_code))
    no_server_errors(seen)
