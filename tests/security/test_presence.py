"""Self check-in proves presence; a gate's pairing QR pairs one device."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from checkin.attendance.models import Attendance
from checkin.attendance.services import HALL_CODE_SECONDS, create_gate, hall_code, pair_device
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.errors import DomainError
from checkin.extensions import db
from checkin.types import utcnow
from tests.security.conftest import ROOT, csrf_from


@pytest.fixture
def meeting(make_event, quota_unit):
    from checkin.units.services import set_quota

    event = make_event(title="Hội nghị", starts_at=utcnow() + timedelta(minutes=20))
    set_quota(event, quota_unit, 3)
    return event


def test_opening_the_hall_link_checks_nobody_in(app, client, meeting, quota_unit):
    person = nominate(meeting, quota_unit, full_name="Võ Thị Hạnh")
    client.get(f"/i/{active_invitation(person).token}")
    with app.test_request_context():
        code = hall_code(meeting)
    assert client.get(f"/h/{meeting.id}/{code}").status_code == 200
    assert client.head(f"/h/{meeting.id}/{code}").status_code == 200
    assert db.session.query(Attendance).count() == 0  # a link preview or a prefetch: nothing
    response = client.post(f"/h/{meeting.id}/{code}", data=csrf_from(client,
                                                                      f"/h/{meeting.id}/{code}"))
    assert response.status_code == 200
    assert db.session.query(Attendance).one().attendee_id == person.id


def test_a_photo_of_the_hall_code_expires_within_a_minute(app, client, meeting, quota_unit):
    person = nominate(meeting, quota_unit, full_name="Đặng Văn Long")
    client.get(f"/i/{active_invitation(person).token}")
    now = int(time.time() // HALL_CODE_SECONDS)
    with app.test_request_context():
        previous, old = hall_code(meeting, now - 1), hall_code(meeting, now - 2)
    assert HALL_CODE_SECONDS <= 30
    assert client.get(f"/h/{meeting.id}/{previous}").status_code == 200  # just rotated
    assert client.post(f"/h/{meeting.id}/{old}").status_code == 410  # a minute old
    assert db.session.query(Attendance).count() == 0


def test_the_hall_screen_fetches_the_next_code_without_reloading(as_organizer, meeting):
    page = as_organizer.get(f"/events/{meeting.id}/hall-qr").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "js/hall.js" in page
    assert f"every {HALL_CODE_SECONDS} seconds" in page or f"{HALL_CODE_SECONDS} giây" in page
    js = (ROOT / "checkin" / "static" / "js" / "hall.js").read_text()
    poll = int(re.search(r"setInterval\(rotate, (\d+)\)", js).group(1))
    assert poll <= HALL_CODE_SECONDS * 1000 / 2  # the screen never shows a stale code long


def test_a_pairing_qr_pairs_one_device(meeting):
    gate = create_gate(meeting, name="Cổng 3")
    shown = gate.pairing_token
    pair_device(shown)
    with pytest.raises(DomainError) as refused:
        pair_device(shown)  # a second tablet (or a photo of the screen)
    assert refused.value.code == "unknown_pairing"
