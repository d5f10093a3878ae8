"""A unit's secretary names delegates through the unit's link, within the quota."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from checkin.attendees.models import Attendee
from checkin.attendees.services import nominate, remove_attendee, update_attendee
from checkin.errors import DomainError, ValidationError
from checkin.extensions import db
from checkin.types import utcnow
from checkin.units.services import (
    create_nomination_link,
    revoke_nomination_link,
    set_nomination_deadline,
    set_quota,
)
from tests.conftest import flashes


def named(event) -> list[str]:
    return [a.full_name for a in db.session.query(Attendee).filter_by(event_id=event.id)
            .order_by(Attendee.id)]


def test_nominating_up_to_the_quota_then_refused(event, quota_unit, nomination_link):
    for name in ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường"):
        nominate(event, quota_unit, full_name=name, link=nomination_link)
    with pytest.raises(DomainError) as exc:
        nominate(event, quota_unit, full_name="Phạm Minh Đức", link=nomination_link)
    assert exc.value.code == "quota_full"
    assert "3" in str(exc.value.message)
    assert len(named(event)) == 3


def test_removing_a_delegate_frees_the_seat(event, quota_unit, nomination_link):
    people = [nominate(event, quota_unit, full_name=n, link=nomination_link)
              for n in ("Võ Văn Một", "Võ Văn Hai", "Võ Văn Ba")]
    remove_attendee(people[0], link=nomination_link)
    nominate(event, quota_unit, full_name="Đỗ Thị Bốn", link=nomination_link)
    assert named(event) == ["Võ Văn Hai", "Võ Văn Ba", "Đỗ Thị Bốn"]


def test_a_resubmitted_form_names_the_person_once(event, quota_unit, nomination_link):
    first = nominate(event, quota_unit, full_name="Ngô Thị Lan", link=nomination_link,
                     nonce="form-1")
    again = nominate(event, quota_unit, full_name="Ngô Thị Lan", link=nomination_link,
                     nonce="form-1")
    assert first.id == again.id
    assert named(event) == ["Ngô Thị Lan"]


def test_a_revoked_link_stops_working_at_once(event, quota_unit, nomination_link):
    revoke_nomination_link(nomination_link)
    with pytest.raises(DomainError) as exc:
        nominate(event, quota_unit, full_name="Bùi Văn Nam", link=nomination_link)
    assert exc.value.code == "link_revoked"
    assert named(event) == []


def test_a_new_link_revokes_the_old_one(event, quota_unit, nomination_link):
    fresh = create_nomination_link(event, quota_unit)
    assert fresh.token != nomination_link.token
    assert nomination_link.revoked_at is not None
    nominate(event, quota_unit, full_name="Hồ Văn Sơn", link=fresh)


def test_the_link_closes_at_its_deadline(event, quota_unit, nomination_link):
    set_nomination_deadline(nomination_link, utcnow() - timedelta(minutes=1))
    with pytest.raises(DomainError) as exc:
        nominate(event, quota_unit, full_name="Lý Thị Mai", link=nomination_link)
    assert exc.value.code == "nominations_closed"


def test_the_events_deadline_closes_every_link(event, quota_unit, nomination_link):
    event.nomination_deadline = utcnow() - timedelta(hours=1)
    db.session.commit()
    with pytest.raises(DomainError) as exc:
        nominate(event, quota_unit, full_name="Lý Thị Mai", link=nomination_link)
    assert exc.value.code == "nominations_closed"


def test_tokens_are_long_random_and_unique(event, make_unit):
    tokens = set()
    for _ in range(20):
        unit = make_unit()
        set_quota(event, unit, 1)
        tokens.add(create_nomination_link(event, unit).token)
    assert len(tokens) == 20
    assert all(len(t) >= 32 for t in tokens)  # 192 bits, URL-safe base64


@pytest.mark.parametrize("kw, field", [
    ({"full_name": "   "}, "full_name"),
    ({"phone": "12345"}, "phone"),
    ({"phone": "09123456789012"}, "phone"),
    ({"email": "an@"}, "email"),
    ({"full_name": "A" * 121}, "full_name"),
])
def test_wrong_details_are_refused_and_nothing_is_saved(event, quota_unit, nomination_link,
                                                        kw, field):
    data = {"full_name": "Nguyễn Văn An"} | kw
    with pytest.raises(ValidationError) as exc:
        nominate(event, quota_unit, link=nomination_link, **data)
    assert field in [e["field"] for e in exc.value.errors]
    assert named(event) == []


def test_phone_numbers_are_normalised(event, quota_unit):
    person = nominate(event, quota_unit, full_name="Nguyễn Văn An", phone="+84 912.345.678")
    assert person.phone == "0912345678"


def test_the_same_person_twice_is_refused(event, quota_unit):
    nominate(event, quota_unit, full_name="Nguyễn Văn An", phone="0912345678")
    with pytest.raises(DomainError) as exc:
        nominate(event, quota_unit, full_name="nguyen van an", phone="0912 345 678")
    assert exc.value.code == "duplicate_attendee"


def test_a_link_edits_only_its_own_units_delegates(event, quota_unit, nomination_link,
                                                   make_unit):
    other = make_unit("Chi đoàn khác", kind="branch")
    set_quota(event, other, 2)
    stranger = nominate(event, other, full_name="Người Đơn Vị Khác")
    with pytest.raises(DomainError) as exc:
        update_attendee(stranger, full_name="Đổi Tên", link=nomination_link)
    assert exc.value.code == "not_yours"
    with pytest.raises(DomainError) as exc:
        remove_attendee(stranger, link=nomination_link)
    assert exc.value.code == "not_yours"


def test_a_unit_without_seats_cannot_nominate(event, make_unit):
    with pytest.raises(DomainError) as exc:
        nominate(event, make_unit(), full_name="Ai Đó")
    assert exc.value.code == "no_quota"


def test_concurrent_nominations_never_exceed_the_quota(app, event, quota_unit):
    """Eight secretaries' phones press "add" at once for the last seats."""
    event_id, unit_id = event.id, quota_unit.id
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def press(i: int) -> None:
        with app.app_context():
            from checkin.events.models import Event
            from checkin.units.models import Unit

            ev, unit = db.session.get(Event, event_id), db.session.get(Unit, unit_id)
            barrier.wait()
            try:
                nominate(ev, unit, full_name=f"Đại biểu {i}")
                outcomes.append("ok")
            except DomainError as exc:
                outcomes.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] * 3 + ["quota_full"] * 5
    assert db.session.query(Attendee).filter_by(unit_id=unit_id).count() == 3


# --- the page the secretary opens on a phone ---------------------------------

def test_the_nomination_page_needs_no_account(client, nomination_link):
    response = client.get(f"/n/{nomination_link.token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Chi đoàn Công ty May Tây Ninh" in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_an_unknown_token_is_not_found(client):
    assert client.get("/n/not-a-real-token").status_code == 404


def test_posting_past_the_quota_shows_the_reason(client, event, quota_unit, nomination_link):
    url = f"/n/{nomination_link.token}"
    for i in range(3):
        response = client.post(url, data={"full_name": f"Đại biểu số {i}", "nonce": f"n{i}"})
        assert response.status_code == 302
    response = client.post(url, data={"full_name": "Người thứ tư", "nonce": "n4"})
    assert response.status_code == 409
    assert any("3" in m for m in flashes(response.get_data(as_text=True)))
    assert "Người thứ tư" not in named(event)


def test_editing_on_the_page_keeps_the_seat(client, event, quota_unit, nomination_link):
    person = nominate(event, quota_unit, full_name="Nguyen Van An", link=nomination_link)
    response = client.post(f"/n/{nomination_link.token}/{person.id}",
                           data={f"p{person.id}-full_name": "Nguyễn Văn An",
                                 f"p{person.id}-position": "Bí thư Chi đoàn",
                                 f"p{person.id}-phone": "0912 345 678"})
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.full_name, person.position, person.phone) == (
        "Nguyễn Văn An", "Bí thư Chi đoàn", "0912345678")


def test_a_wrong_phone_on_the_page_is_shown_next_to_the_field(client, nomination_link, event):
    response = client.post(f"/n/{nomination_link.token}",
                           data={"full_name": "Nguyễn Văn An", "phone": "12", "nonce": "x"})
    assert response.status_code == 422
    assert 'id="phone-error"' in response.get_data(as_text=True)
    assert named(event) == []


def test_a_revoked_link_page_says_so(client, nomination_link):
    revoke_nomination_link(nomination_link)
    response = client.get(f"/n/{nomination_link.token}")
    assert response.status_code == 410
    response = client.post(f"/n/{nomination_link.token}", data={"full_name": "X", "nonce": "1"})
    assert response.status_code == 409
