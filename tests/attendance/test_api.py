"""The gate API, gate pairing, live broadcasts, the board, the projector, self check-in."""

from __future__ import annotations

from sqlalchemy import select

from checkin.attendance.models import Attendance, GateDevice
from checkin.attendance.services import pair_device
from checkin.attendees.invitations import active_invitation, invitation_url
from checkin.attendees.models import Attendee
from checkin.extensions import db
from tests.conftest import login


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_cli_gate_token_and_a_scan_through_the_api(app, runner, client, event, token):
    device_token = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                                       "Cổng 1"]).output.strip()
    body = {"token": token, "nonce": "nonce-0001", "scanned_at": "2030-01-01T00:00:00Z"}
    response = client.post(f"/api/v1/events/{event.id}/checkins", json=body,
                           headers=bearer(device_token))
    assert response.status_code == 200
    data = response.get_json()
    assert data["result"] == "checked_in"
    assert data["attendee"]["full_name"] == "Nguyễn Văn An"
    assert data["attendee"]["unit"] == "Chi đoàn Công ty May Tây Ninh"
    assert data["first_checkin"]["gate"] == "Cổng 1"
    again = client.post(f"/api/v1/events/{event.id}/checkins",
                        json=body | {"nonce": "nonce-0002"}, headers=bearer(device_token))
    assert again.get_json()["result"] == "already_checked_in"
    repeat = client.post(f"/api/v1/events/{event.id}/checkins", json=body,
                         headers=bearer(device_token))
    assert repeat.get_json()["result"] == "checked_in"  # the first answer, again


def test_the_api_refuses_strangers_and_bad_input(runner, client, event, make_event, token):
    url = f"/api/v1/events/{event.id}/checkins"
    assert client.post(url, json={"token": token}).status_code == 401
    assert client.post(url, json={"token": token},
                       headers=bearer("made-up-token")).status_code == 401
    other = make_event(title="Khác", starts_at=event.starts_at)
    foreign = runner.invoke(args=["gate-token", "--event", str(other.id), "--gate",
                                  "X"]).output.strip()
    assert client.post(url, json={"token": token}, headers=bearer(foreign)).status_code == 403
    mine = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                               "Cổng 1"]).output.strip()
    for bad in ({}, {"token": ""}, {"token": 5}, {"token": token, "nonce": "x"},
                {"token": token, "scanned_at": "hôm qua"}):
        response = client.post(url, json=bad, headers=bearer(mine))
        assert response.status_code == 422, bad
        assert response.get_json()["message"]
    assert db.session.query(Attendance).count() == 0


def test_staff_sessions_need_the_csrf_header(app, client, organizer, event, token):
    login(client, organizer)
    url = f"/api/v1/events/{event.id}/checkins"
    assert client.post(url, json={"token": token}, csrf=False).status_code == 400
    page = client.get(f"/events/{event.id}/gate").get_data(as_text=True)
    csrf = page.split('"csrf": "')[1].split('"')[0]
    response = client.post(url, json={"token": token}, headers={"X-CSRFToken": csrf})
    assert response.get_json()["result"] == "checked_in"


def test_pairing_a_tablet_signs_it_in_as_the_gate(client, event, gate, token):
    response = client.get(f"/g/{gate.pairing_token}")
    assert response.status_code == 302 and response.location.endswith("/gate")
    assert "gate_device=" in response.headers["Set-Cookie"]
    page = client.get("/gate")
    assert page.status_code == 200 and "Cổng 1" in page.get_data(as_text=True)
    assert db.session.query(GateDevice).count() == 1
    assert client.get("/g/not-a-pairing-code").status_code == 403


def test_a_revoked_device_is_signed_out(client, event, gate):
    device, device_token = pair_device(gate.pairing_token)
    from checkin.attendance.services import revoke_device

    revoke_device(device)
    response = client.post(f"/api/v1/events/{event.id}/checkins", json={"token": "x" * 22},
                           headers=bearer(device_token))
    assert response.status_code == 401


def test_search_finds_people_without_diacritics(runner, client, event, delegates):
    device = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                                 "Cổng 1"]).output.strip()
    data = client.get(f"/api/v1/events/{event.id}/attendees?q=tran thi bich",
                      headers=bearer(device)).get_json()
    assert [a["full_name"] for a in data["attendees"]] == ["Trần Thị Bích"]
    manual = client.post(f"/api/v1/events/{event.id}/checkins/manual",
                         json={"attendee_id": data["attendees"][0]["id"], "nonce": "m-000001"},
                         headers=bearer(device)).get_json()
    assert manual["result"] == "checked_in" and manual["first_checkin"]["method"] == "manual"


def test_the_offline_list_has_digests_not_tokens(runner, client, event, delegates, token):
    import hashlib

    device = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                                 "Cổng 1"]).output.strip()
    data = client.get(f"/api/v1/events/{event.id}/gate-list", headers=bearer(device)).get_json()
    digests = {a["h"]: a for a in data["attendees"]}
    assert token not in str(data)
    assert digests[hashlib.sha256(token.encode()).hexdigest()]["n"] == "Nguyễn Văn An"


def test_a_check_in_reaches_the_staff_pages_live(socket_client, client, organizer, event,
                                                 delegates, token):
    from checkin.attendance.services import attendance_version

    login(client, organizer)
    watcher = socket_client(flask_test_client=client)
    assert watcher.emit("watch", {"event": event.id}, callback=True)["ok"]
    page = client.get(f"/events/{event.id}/gate").get_data(as_text=True)
    csrf = page.split('"csrf": "')[1].split('"')[0]
    client.post(f"/api/v1/events/{event.id}/checkins", json={"token": token},
                headers={"X-CSRFToken": csrf})
    messages = [m for m in watcher.get_received() if m["name"] == "attendance"]
    assert len(messages) == 1
    (payload,) = messages[0]["args"]
    db.session.refresh(event)
    version = attendance_version(event.id)
    assert version == event.attendance_version == 2 and payload["stream"] == "attendance"
    # Only what changed: [version, unit, category, online, +1], and the arrival line.
    assert payload["version"] == version
    assert payload["changes"] == [[version, delegates[0].unit_id, "delegate", 0, 1]]
    assert payload["arrivals"][0]["name"] == "Nguyễn Văn An"


def test_strangers_cannot_watch_an_event(socket_client, app, client, event):
    watcher = socket_client(flask_test_client=client)
    assert watcher.emit("watch", {"event": event.id}, callback=True) == {
        "ok": False, "error": "forbidden"}


def test_board_and_projector_pages(as_organizer, event, token):
    from checkin.attendance.services import check_in

    check_in(event, token)
    board = as_organizer.get(f"/events/{event.id}/attendance").get_data(as_text=True)
    assert 'id="present">1<' in board and "Trần Thị Bích" in board  # still missing
    projector = as_organizer.get(f"/events/{event.id}/projector").get_data(as_text=True)
    assert 'id="present">1<' in projector and 'id="expected">3<' in projector


def test_self_check_in_with_the_halls_rotating_qr(app, client, event, delegates, token):
    from checkin.attendance.services import hall_code

    with app.test_request_context():
        code = hall_code(event)
    response = client.get(f"/h/{event.id}/{code}")
    assert response.status_code == 403  # this phone has not opened an invitation
    client.get(f"/i/{token}")  # the delegate opens their invitation on this phone
    response = client.get(f"/h/{event.id}/{code}")
    assert response.status_code == 200  # a page that asks to confirm; nobody checked in yet
    assert db.session.query(Attendance).count() == 0
    response = client.post(f"/h/{event.id}/{code}")  # the confirmation from that page
    assert response.status_code == 200
    attendance = db.session.query(Attendance).one()
    assert (attendance.attendee_id, attendance.method) == (delegates[0].id, "self")
    assert client.get(f"/h/{event.id}/0000000000000000").status_code == 410
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert 'id="attendance-status"' in page


def test_openapi_document_describes_the_checkin_endpoint(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    post = spec["paths"]["/events/{event_id}/checkins"]["post"]
    assert set(post["responses"]["200"]["content"]["application/json"]["schema"]
               ["properties"]["result"]["enum"]) == {
        "checked_in", "already_checked_in", "revoked", "unknown", "wrong_event", "closed"}


def test_invitation_url_scanned_whole_works_through_the_api(runner, client, event, delegates):
    device = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                                 "Cổng 1"]).output.strip()
    url = invitation_url(active_invitation(delegates[2]))
    data = client.post(f"/api/v1/events/{event.id}/checkins", json={"token": url},
                       headers=bearer(device)).get_json()
    assert data["attendee"]["full_name"] == "Lê Hoàng Cường"


def test_the_desk_registers_a_walk_in_and_a_substitute(runner, client, event, delegates):
    device = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                                 "Cổng 1"]).output.strip()
    walk = client.post(f"/events/{event.id}/walk-in", headers=bearer(device), data={
        "category": "press", "full_name": "Phóng viên Đài Tây Ninh",
        "organization": "Đài PT-TH Tây Ninh"}).get_json()
    assert walk["result"] == "checked_in" and walk["attendee"]["category"] == "press"
    sub = client.post(f"/events/{event.id}/substitute", headers=bearer(device), data={
        "replaces_id": delegates[1].id, "full_name": "Võ Thị Thay"}).get_json()
    assert sub["result"] == "checked_in"
    assert sub["attendee"]["unit"] == "Chi đoàn Công ty May Tây Ninh"
    bad = client.post(f"/events/{event.id}/walk-in", headers=bearer(device),
                      data={"category": "press", "full_name": ""})
    assert bad.status_code == 422 and bad.get_json()["message"]
    people = {a.attendee.full_name for a in db.session.scalars(select(Attendance))}
    # Both carry the gate they were registered at, and the replaced delegate stays out.
    assert {a.gate.name for a in db.session.scalars(select(Attendance))} == {"Cổng 1"}
    assert set(people) == {"Phóng viên Đài Tây Ninh", "Võ Thị Thay"}
    replaced = client.post(f"/api/v1/events/{event.id}/checkins/manual",
                           json={"attendee_id": delegates[1].id}, headers=bearer(device))
    assert replaced.get_json()["result"] == "revoked"


def test_a_walk_in_sent_twice_is_one_guest_with_one_answer(runner, client, event):
    device = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                                 "Cổng 2"]).output.strip()
    form = {"category": "guest", "full_name": "Khách Mời Đến Muộn", "nonce": "walk-in-0001"}
    first = client.post(f"/events/{event.id}/walk-in", headers=bearer(device), data=form)
    second = client.post(f"/events/{event.id}/walk-in", headers=bearer(device), data=form)
    assert first.get_json() == second.get_json()
    assert first.get_json()["result"] == "checked_in"
    assert db.session.query(Attendee).filter_by(full_name="Khách Mời Đến Muộn").count() == 1


def test_a_staff_session_at_the_desk_needs_the_csrf_header(client, organizer, event):
    login(client, organizer)
    form = {"category": "guest", "full_name": "Khách Không Mời"}
    refused = client.post(f"/events/{event.id}/walk-in", data=form, csrf=False)
    assert refused.status_code == 400 and refused.get_json()["error"] == "csrf"
    taken = client.post(f"/events/{event.id}/walk-in", data=form,
                        headers={"X-CSRFToken": client.csrf_token()})
    assert taken.get_json()["result"] == "checked_in"


def test_an_undo_from_the_board_is_saved_and_recorded(client, organizer, event, delegates,
                                                      token):
    from checkin.attendance.models import CheckinUndo
    from checkin.attendance.services import check_in

    check_in(event, token)
    login(client, organizer)
    response = client.post(f"/events/{event.id}/attendance/{delegates[0].id}/undo",
                           data={"reason": "Quét nhầm"})
    assert response.status_code == 302
    assert db.session.query(Attendance).count() == 0
    assert db.session.query(CheckinUndo).one().undone_by_id == organizer.id


def test_the_board_snapshot_answers_304_while_nothing_changed(runner, client, event, token):
    device = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                                 "Cổng 1"]).output.strip()
    url = f"/api/v1/events/{event.id}/attendance"
    first = client.get(url, headers=bearer(device))
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(url, headers={**bearer(device), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    client.post(f"/api/v1/events/{event.id}/checkins", json={"token": token},
                headers=bearer(device))
    fresh = client.get(url, headers={**bearer(device), "If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.get_json()["present"] == 1
    assert fresh.get_json()["version"] == first.get_json()["version"] + 1


def test_a_burst_of_check_ins_reaches_the_screens_as_one_message(
        app, socket_client, runner, client, organizer, event, delegates, monkeypatch):
    import time

    from checkin.attendees.invitations import active_invitation

    # A window wide enough that a loaded machine still sends the burst inside it.
    monkeypatch.setitem(app.config, "BOARD_COALESCE_SECONDS", 3.0)
    login(client, organizer)
    watcher = socket_client(flask_test_client=client)
    assert watcher.emit("watch", {"event": event.id}, callback=True)["ok"]
    device = runner.invoke(args=["gate-token", "--event", str(event.id), "--gate",
                                 "Cổng 1"]).output.strip()
    for person in delegates:
        client.post(f"/api/v1/events/{event.id}/checkins",
                    json={"token": active_invitation(person).token}, headers=bearer(device))
    first = [m["args"][0] for m in watcher.get_received() if m["name"] == "attendance"]
    assert len(first) == 1 and len(first[0]["changes"]) == 1  # the first one at once
    time.sleep(3.5)
    rest = [m["args"][0] for m in watcher.get_received() if m["name"] == "attendance"]
    assert len(rest) == 1  # the burst's others together
    versions = [c[0] for m in first + rest for c in m["changes"]]
    assert versions == list(range(versions[0], versions[0] + 3))
    assert [a["name"] for a in rest[0]["arrivals"]] == ["Lê Hoàng Cường", "Trần Thị Bích"]
