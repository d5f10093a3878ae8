"""Times you can trust: an online scan takes the server's time whatever the tablet's
clock says; a scan sent late keeps the gate's time only once corrected by the gate's
measured clock offset and only within its offline span; two offline gates admitting one
person keep the earliest admission, with its gate."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from checkin.attendance.models import Attendance, GateDevice, Scan
from checkin.attendance.services import make_device_token
from checkin.extensions import db
from checkin.types import utcnow


def _iso(t) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _scan(client, event_id, device, token, nonce, *, gate_clock, scanned_at, **extra):
    return client.post(f"/api/v1/events/{event_id}/checkins", json={
        "token": token, "nonce": nonce, "scanned_at": _iso(scanned_at), **extra},
        headers={"Authorization": f"Bearer {device}", "X-Gate-Clock": _iso(gate_clock)})


def _attendance(attendee_id) -> Attendance:
    db.session.remove()
    return db.session.scalar(select(Attendance).where(Attendance.attendee_id == attendee_id))


def _away(device_token: str, minutes: int) -> None:
    """The device was last heard of ``minutes`` ago (it has been offline since)."""
    from checkin.attendance.services import _hash

    device = db.session.scalar(select(GateDevice).where(
        GateDevice.token_hash == _hash(device_token)))
    device.last_seen_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def test_an_online_scan_takes_the_servers_time_whatever_the_tablet_says(client, event,
                                                                       invite, gate_token):
    people, tokens = invite(2)
    ids, event_id = [p.id for p in people], event.id
    for i, behind in enumerate((timedelta(days=1), timedelta(hours=7))):
        tablet_now = utcnow() - behind
        before = utcnow()
        response = _scan(client, event_id, gate_token, tokens[i], f"online-{i:04d}",
                         gate_clock=tablet_now, scanned_at=tablet_now)
        assert response.get_json()["result"] == "checked_in"  # not "closed"
        arrived = _attendance(ids[i]).checked_in_at
        assert before <= arrived <= utcnow()


def test_a_late_scan_is_dated_by_the_gates_clock_corrected(client, event, invite, gate_token):
    """A tablet 7 h behind, offline for 20 minutes, sends a scan it made 5 minutes ago
    (by its own clock): the arrival is 5 minutes ago by the server's clock."""
    people, tokens = invite(1)
    event_id, person_id = event.id, people[0].id
    behind = timedelta(hours=7)
    _away(gate_token, 20)
    tablet_now = utcnow() - behind
    response = _scan(client, event_id, gate_token, tokens[0], "late-0001",
                     gate_clock=tablet_now, scanned_at=tablet_now - timedelta(minutes=5),
                     queued=True, offline=True)
    assert response.get_json()["result"] == "checked_in"
    arrived = _attendance(person_id).checked_in_at
    assert abs(arrived - (utcnow() - timedelta(minutes=5))) < timedelta(seconds=30)
    scan = db.session.scalar(select(Scan))
    assert scan.device_time < scan.scanned_at < scan.received_at  # the gate's, ours, receipt
    device = db.session.scalar(select(GateDevice))
    assert abs(device.clock_offset_ms - behind.total_seconds() * 1000) < 30_000
    assert device.offline_from < device.offline_until


def test_a_late_scan_dated_outside_the_offline_span_takes_the_servers_time(
        client, event, invite, gate_token):
    """In contact until 20 minutes ago, the gate says it scanned someone 3 hours ago: not
    believable (a clock set wrong since the last sync); the server's time is used."""
    people, tokens = invite(1)
    event_id, person_id = event.id, people[0].id
    _away(gate_token, 20)
    now = utcnow()
    before = utcnow()
    _scan(client, event_id, gate_token, tokens[0], "late-0002", gate_clock=now,
          scanned_at=now - timedelta(hours=3), queued=True)
    assert _attendance(person_id).checked_in_at >= before


def test_two_offline_gates_keep_the_earliest_admission_with_its_gate(client, event, invite):
    people, tokens = invite(1)
    event_id, person_id = event.id, people[0].id
    gate_a = make_device_token(event, gate_name="Cổng A")
    gate_b = make_device_token(event, gate_name="Cổng B")
    for device in (gate_a, gate_b):
        _away(device, 30)
    now = utcnow()
    # Gate B reaches the server first, though gate A let the person in earlier.
    first = _scan(client, event_id, gate_b, tokens[0], "gate-b-0001", gate_clock=now,
                  scanned_at=now - timedelta(minutes=10), offline=True)
    second = _scan(client, event_id, gate_a, tokens[0], "gate-a-0001", gate_clock=now,
                   scanned_at=now - timedelta(minutes=15), offline=True)
    assert first.get_json()["result"] == "checked_in"
    body = second.get_json()
    assert body["result"] == "already_checked_in" and body["flagged"]
    assert body["first_checkin"]["gate"] == "Cổng A"
    attendance = _attendance(person_id)
    assert attendance.gate.name == "Cổng A"
    assert abs(attendance.checked_in_at - (now - timedelta(minutes=15))) < timedelta(seconds=5)
    # A later admission never moves the arrival.
    third = _scan(client, event_id, gate_b, tokens[0], "gate-b-0002", gate_clock=now,
                  scanned_at=now - timedelta(minutes=12), offline=True)
    assert third.get_json()["first_checkin"]["gate"] == "Cổng A"
