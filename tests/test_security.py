"""Findings of the security review, kept fixed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from checkin.attendance.models import Scan
from checkin.attendance.services import check_in
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import add_attendee, nominate, register_substitute
from checkin.auth.services import assign_event_role
from checkin.dialogue.services import ask, set_agenda
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.types import utcnow
from tests.conftest import login
from tests.jobs.fixtures import job_file, job_storage, worker  # noqa: F401


@pytest.fixture
def live(make_event, quota_unit):
    from checkin.units.services import set_quota

    start = utcnow() - timedelta(minutes=10)
    event = make_event(title="Đang diễn ra", kind="dialogue", starts_at=start)
    set_quota(event, quota_unit, 3)
    return event


def test_a_junk_bearer_header_does_not_skip_the_csrf_check(client, organizer, live):
    login(client, organizer)
    response = client.post(f"/api/v1/events/{live.id}/checkins", json={"token": "x" * 22},
                           headers={"Authorization": "Bearer junk"}, csrf=False)
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"


def test_gate_screens_never_receive_the_moderators_console(app, client, socket_client, live,
                                                           quota_unit, make_user, organizer):
    gate = make_user("staff")
    assign_event_role(live, gate, "gate")
    login(client, gate)
    watcher = socket_client(flask_test_client=client)
    assert watcher.emit("watch", {"event": live.id}, callback=True)["ok"]
    person = nominate(live, quota_unit, full_name="Người Hỏi Ẩn Danh")
    check_in(live, active_invitation(person).token)
    set_agenda(live, questions_open=True)
    question = ask(live, person, text="Câu hỏi chưa duyệt")
    chair = app.test_client()
    login(chair, organizer)
    console = socket_client(flask_test_client=chair)
    assert console.emit("watch", {"event": live.id}, callback=True)["ok"]
    console.get_received()
    response = chair.post(f"/events/{live.id}/questions/{question.id}/reject",
                          data={"version": question.version, "reason": "Bí mật"})
    assert response.status_code == 302
    # The moderators' room did hear it, so the gate's silence below means something.
    assert "console" in {m["name"] for m in console.get_received()}
    received = watcher.get_received()
    assert "console" not in {m["name"] for m in received}
    assert "Người Hỏi Ẩn Danh" not in str(received) and "Bí mật" not in str(received)


def test_the_scan_log_keeps_no_working_token(live, make_event, quota_unit):
    other = make_event(title="Sự kiện khác", starts_at=live.starts_at)
    stranger = add_attendee(other, category="guest", full_name="Khách")
    token = active_invitation(stranger).token
    check_in(live, f"https://hop.example.vn/i/{token}")
    scanned = db.session.query(Scan).one().scanned
    assert token not in scanned and scanned.startswith("https://hop.example.vn/i/" + token[:6])


def test_a_series_report_needs_a_role_in_every_meeting(client, make_user, live, organizer):
    from checkin.events.services import copy_event

    later = copy_event(live, created_by=organizer, title="Kỳ sau",
                       starts_at=live.starts_at + timedelta(days=30))
    moderator = make_user("staff")
    assign_event_role(later, moderator, "moderator")
    login(client, moderator)
    assert client.get(f"/series/{later.series_id}/report").status_code == 403


@pytest.mark.usefixtures("worker")
def test_exports_never_turn_typed_text_into_formulas(as_organizer, live, quota_unit):
    nominate(live, quota_unit, full_name='=HYPERLINK("https://evil.example","Bấm")')
    book = load_workbook(io.BytesIO(as_organizer.get(
        f"/events/{live.id}/people/export.xlsx").data))
    cell = book.active["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")
    csv_data = as_organizer.get(f"/events/{live.id}/people/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_data
    report = load_workbook(io.BytesIO(job_file(as_organizer, f"/events/{live.id}/reports/export",
                                               {"format": "xlsx"})))
    cells = [c for s in report.worksheets for row in s.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)


def test_a_replaced_delegate_can_no_longer_use_the_invitation(client, live, quota_unit):
    original = nominate(live, quota_unit, full_name="Người Được Thay")
    token = active_invitation(original).token
    register_substitute(live, original, full_name="Người Dự Thay")
    assert check_in(live, token).code == "revoked"
    assert client.get(f"/i/{token}").status_code == 410
    present = nominate(live, quota_unit, full_name="Đã Có Mặt")
    check_in(live, active_invitation(present).token)
    with pytest.raises(DomainError) as exc:
        register_substitute(live, present, full_name="Thay Muộn")
    assert exc.value.code == "already_checked_in"
