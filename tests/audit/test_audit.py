"""The audit trail: staff actions recorded with who, when, before and after; the
organizer's page and export; structured logs without tokens."""

from __future__ import annotations

import csv
import io
import json
import logging

from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.audit.models import AuditEntry
from checkin.auth.services import assign_event_role
from checkin.extensions import db
from tests.conftest import login


def entries(event, after: int = 0) -> list[AuditEntry]:
    return (db.session.query(AuditEntry).filter(AuditEntry.event_id == event.id,
                                                AuditEntry.id > after)
            .order_by(AuditEntry.id).all())


def actions(event, after: int = 0) -> list[str]:
    return [e.action for e in entries(event, after)]


def last_id() -> int:
    return db.session.query(db.func.max(AuditEntry.id)).scalar() or 0


def test_staff_actions_are_recorded_with_who_and_what_changed(
        client, organizer, event, quota_unit):
    person = nominate(event, quota_unit, full_name="Đặng Thu Hà")
    start = last_id()
    login(client, organizer)
    client.post(f"/events/{event.id}/quotas", data={"unit_id": quota_unit.id, "seats": 5})
    client.post(f"/events/{event.id}/people/{person.id}/reissue", data={"reason": "Mất thư"})
    client.post(f"/events/{event.id}/live", data={"action": "mode", "mode": "online"})
    assert actions(event, start) == ["quota.set", "invitation.reissue", "mode.switch"]
    quota, reissue, mode = entries(event, start)
    assert quota.before == {"seats": 3}
    assert quota.after == {"seats": 5}
    assert quota.target == "Chi đoàn Công ty May Tây Ninh"
    assert reissue.target == "Đặng Thu Hà" and reissue.after == {"reason": "Mất thư"}
    assert mode.before == {"mode": "in_person"} and mode.after["mode"] == "online"
    assert {e.user_id for e in (quota, reissue, mode)} == {organizer.id}
    assert all(len(e.request_id) == 32 for e in (quota, reissue, mode))


def test_a_refused_action_leaves_no_entry(client, organizer, event, quota_unit):
    start = last_id()
    login(client, organizer)
    client.post(f"/events/{event.id}/quotas", data={"unit_id": quota_unit.id, "seats": "-4"})
    client.post(f"/events/{event.id}/live", data={"action": "mode", "mode": "radio"})
    assert actions(event, start) == []


def test_organizers_read_and_export_the_trail_and_no_one_else(
        app, client, organizer, make_user, event, quota_unit):
    login(client, organizer)
    client.post(f"/events/{event.id}/quotas", data={"unit_id": quota_unit.id, "seats": 7})
    page = client.get(f"/events/{event.id}/audit/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Chi đoàn Công ty May Tây Ninh" in text and organizer.full_name in text
    body = client.get(f"/events/{event.id}/audit/audit.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    mine = [r for r in rows if len(r) > 1 and r[1].startswith(organizer.full_name)]
    assert len(mine) == 1 and mine[0][3] == "Chi đoàn Công ty May Tây Ninh"
    assert json.loads(mine[0][4]) == {"seats": 3} and json.loads(mine[0][5]) == {"seats": 7}
    moderator = make_user("staff")
    assign_event_role(event, moderator, "moderator")
    other = app.test_client()
    login(other, moderator)
    assert other.get(f"/events/{event.id}/audit/").status_code == 403
    assert other.get(f"/events/{event.id}/audit/audit.xlsx").status_code == 403


def test_log_lines_are_json_with_the_request_id_and_no_token(client, event, quota_unit):
    person = nominate(event, quota_unit, full_name="Phan Văn Long")
    token = active_invitation(person).token
    handler = next(h for h in logging.getLogger("checkin").handlers
                   if getattr(h, "_checkin", False))
    out = io.StringIO()
    stream = handler.setStream(out)
    try:
        response = client.get(f"/i/{token}", headers={"X-Request-ID": "proxy-req-000123"})
        unnamed = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    finally:
        handler.setStream(stream)
    assert response.headers["X-Request-ID"] == "proxy-req-000123"
    assert len(unnamed.headers["X-Request-ID"]) == 32  # a made-up id is not echoed
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    line = next(x for x in lines if x["logger"] == "checkin.request")
    assert line["request_id"] == "proxy-req-000123" and line["status"] == 200
    assert line["path"] == f"/i/{token[:6]}…" and line["method"] == "GET"
    assert token not in out.getvalue()
