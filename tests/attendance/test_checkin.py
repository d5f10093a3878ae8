"""Check-in: stable codes, never twice, every scan logged, repeats harmless."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkin.attendance.models import Attendance, CheckinUndo, Scan
from checkin.attendance.services import (
    attendance_board,
    check_in,
    create_gate,
    missing_by_unit,
    undo_check_in,
)
from checkin.attendees.invitations import active_invitation, invitation_url, reissue_invitation
from checkin.attendees.services import register_substitute, register_walk_in
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.types import utcnow


def test_first_scan_checks_in_and_the_second_says_when_and_where(event, token, gate):
    first = check_in(event, token, gate=gate, nonce="scan-0001")
    assert first.code == "checked_in" and first.attendee.full_name == "Nguyễn Văn An"
    second = check_in(event, token, gate=create_gate(event, name="Cổng 2"), nonce="scan-0002")
    assert second.code == "already_checked_in"
    assert second.attendance.gate.name == "Cổng 1"
    assert "Cổng 1" in second.message
    assert db.session.query(Attendance).count() == 1
    assert [s.result for s in db.session.query(Scan).order_by(Scan.id)] == [
        "checked_in", "already_checked_in"]


def test_the_same_scan_sent_again_returns_the_first_answer(event, token, gate):
    first = check_in(event, token, gate=gate, nonce="same-nonce-1")
    again = check_in(event, token, gate=gate, nonce="same-nonce-1")
    assert first.code == again.code == "checked_in"
    assert db.session.query(Scan).count() == 1


def test_a_scanner_may_send_the_whole_link(event, delegates, gate):
    result = check_in(event, invitation_url(active_invitation(delegates[1])), gate=gate)
    assert result.code == "checked_in" and result.attendee.full_name == "Trần Thị Bích"


def test_revoked_unknown_and_other_events_invitations_are_refused_and_logged(
        event, delegates, make_event, make_unit, gate):
    old = active_invitation(delegates[0]).token
    reissue_invitation(delegates[0])
    assert check_in(event, old, gate=gate).code == "revoked"
    assert check_in(event, "AAAAAAAAAAAAAAAAAAAAAA", gate=gate).code == "unknown"
    assert check_in(event, "https://evil.example/x", gate=gate).code == "unknown"
    other = make_event(title="Hội nghị khác", starts_at=event.starts_at)
    from checkin.attendees.services import add_attendee

    stranger = add_attendee(other, category="guest", full_name="Khách hội nghị khác")
    result = check_in(event, active_invitation(stranger).token, gate=gate)
    assert result.code == "wrong_event" and result.attendee is None
    assert db.session.query(Attendance).count() == 0
    assert sorted(s.result for s in db.session.query(Scan)) == [
        "revoked", "unknown", "unknown", "wrong_event"]


def test_check_in_is_closed_outside_the_meetings_window(make_event, quota_unit):
    from checkin.attendees.services import nominate
    from checkin.units.services import set_quota

    future = make_event(title="Hội nghị tuần sau", starts_at=utcnow() + timedelta(days=7))
    set_quota(future, quota_unit, 1)
    person = nominate(future, quota_unit, full_name="Đến Quá Sớm")
    assert check_in(future, active_invitation(person).token).code == "closed"


def test_an_offline_scan_keeps_its_own_time(event, token, gate):
    scanned_at = utcnow() - timedelta(minutes=12)
    result = check_in(event, token, gate=gate, scanned_at=scanned_at)
    assert result.attendance.checked_in_at == scanned_at.replace(microsecond=scanned_at.microsecond)


def test_two_offline_gates_admitting_the_same_person_are_flagged(event, token, gate):
    check_in(event, token, gate=gate, nonce="offline-a", offline_admitted=True)
    second = check_in(event, token, gate=create_gate(event, name="Cổng 2"), nonce="offline-b",
                      offline_admitted=True)
    assert second.code == "already_checked_in" and second.flagged
    assert db.session.query(Attendance).count() == 1
    assert db.session.query(Scan).filter_by(flagged=True).count() == 1


def test_undo_keeps_a_record(event, token, delegates, organizer):
    check_in(event, token)
    undo_check_in(event, delegates[0], by_user=organizer, reason="Quét nhầm")
    assert db.session.query(Attendance).count() == 0
    record = db.session.query(CheckinUndo).one()
    assert (record.undone_by_id, record.reason) == (organizer.id, "Quét nhầm")
    with pytest.raises(DomainError) as exc:
        undo_check_in(event, delegates[0])
    assert exc.value.code == "not_checked_in"
    assert check_in(event, token).code == "checked_in"  # can come in again


def test_board_counts_present_against_quota_per_unit(event, delegates, quota_unit):
    for person in delegates[:2]:
        check_in(event, active_invitation(person).token)
    board = attendance_board(event)
    assert (board.present, board.expected) == (2, 3)
    (unit,) = board.units
    assert (unit.name, unit.seats, unit.nominated, unit.present) == (
        "Chi đoàn Công ty May Tây Ninh", 3, 3, 2)
    assert [p.full_name for p in missing_by_unit(event)[quota_unit.id]] == ["Lê Hoàng Cường"]


def test_a_walk_in_is_registered_and_checked_in(event):
    person = register_walk_in(event, category="press", full_name="Phóng viên Báo Tây Ninh",
                              organization="Báo Tây Ninh")
    assert person.walk_in
    assert check_in(event, "", attendee=person, method="manual").code == "checked_in"
    with pytest.raises(DomainError) as exc:
        register_walk_in(event, category="delegate", full_name="Không được")
    assert exc.value.code == "invalid_category"


def test_a_substitute_takes_the_seat_and_the_record_keeps_whom_they_replaced(
        event, delegates, quota_unit):
    substitute = register_substitute(event, delegates[2], full_name="Phạm Văn Thay")
    assert substitute.substitute_for_id == delegates[2].id and delegates[2].replaced
    assert substitute.unit_id == quota_unit.id
    check_in(event, "", attendee=substitute, method="manual")
    board = attendance_board(event)
    assert (board.units[0].nominated, board.units[0].present) == (3, 1)  # quota still 3
    with pytest.raises(DomainError) as exc:
        register_substitute(event, delegates[2], full_name="Lần hai")
    assert exc.value.code == "already_replaced"


def test_the_quota_table_shows_who_arrived(event, delegates, token):
    from checkin.units.services import quota_table

    check_in(event, token)
    row = quota_table(event).rows[0]
    assert (row.quota.seats, row.nominated, row.arrived) == (3, 3, 1)
