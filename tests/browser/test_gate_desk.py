"""The gate on a 360-px phone with a USB/Bluetooth scanner (which types the link and Enter):
scans are taken whatever has the focus, arrivals are counted, the last check-in can be undone,
walk-ins carry the gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from checkin.attendance.models import Attendance, CheckinUndo, Gate
from checkin.attendance.services import create_gate
from checkin.attendees.invitations import active_invitation, invitation_url
from checkin.attendees.models import Attendee
from checkin.attendees.services import nominate
from checkin.extensions import db
from checkin.types import utcnow
from tests.browser.conftest import PHONE


@pytest.fixture
def desk(make_event, make_unit, browser, live_server):
    from checkin.units.services import set_quota

    start = utcnow() - timedelta(minutes=20)
    event = make_event(title="Hội nghị đại biểu", starts_at=start,
                       ends_at=start + timedelta(hours=3))
    unit = make_unit("Chi đoàn Công ty May Tây Ninh", kind="branch")
    set_quota(event, unit, 4)
    people = [nominate(event, unit, full_name=n) for n in
              ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Thu Dung")]
    links = [invitation_url(active_invitation(p)) for p in people]
    gate = create_gate(event, name="Cổng 1")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  base_url=live_server, locale="vi-VN",
                                  user_agent="Mozilla/5.0 (Linux; Android 10; SM-T515) "
                                             "AppleWebKit/537.36 Chrome/120 Safari/537.36")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"/g/{gate.pairing_token}")
    page.wait_for_url("**/gate")
    yield event, people, links, gate.id, page
    context.close()


def scan(page, link: str) -> None:
    """What a keyboard-wedge scanner does: types the link fast, then Enter."""
    page.keyboard.type(link, delay=5)
    page.keyboard.press("Enter")


def arrived(event_id: int) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(Attendance.attendee_id).where(
        Attendance.event_id == event_id)))


def test_scans_are_taken_after_a_name_search_and_after_the_camera_button(desk):
    event, people, links, gate_id, page = desk
    expect(page.locator("h1")).to_have_text("Cổng 1 – máy tính bảng 1")
    expect(page.locator("#count-present")).to_have_text("0")

    # After a name search the focus is in the search box.
    page.locator("#search").fill("bich")
    expect(page.locator("#results li")).to_have_count(1)
    scan(page, links[0])
    expect(page.locator("#result-name")).to_have_text("Nguyễn Văn An")
    expect(page.locator("#result")).to_have_class("result result-ok")
    expect(page.locator("#search")).to_have_value("bich")  # the link was taken back out
    expect(page.locator("#scanner-input")).to_be_focused()
    assert arrived(event.id) == {people[0].id}

    # After tapping the camera button (no camera here), focus is back on the scanner; even
    # with the focus on the button itself, a scan is a scan, not a press of the button.
    page.locator("#result").click()
    page.locator("#start-camera").click()
    page.locator("#start-camera").focus()
    scan(page, links[1])
    expect(page.locator("#result-name")).to_have_text("Trần Thị Bích")
    expect(page.locator("#scanner-input")).to_be_focused()
    assert arrived(event.id) == {people[0].id, people[1].id}
    expect(page.locator("#count-present")).to_have_text("2")
    expect(page.locator("#count-gate")).to_have_text("2")

    # Slow typing in the search box is typing, not a scan.
    page.locator("#result").click()
    page.locator("#search").fill("")
    page.keyboard.type("Lê Hoàng", delay=120)
    page.keyboard.press("Enter")
    expect(page.locator("#search")).to_have_value("Lê Hoàng")
    assert arrived(event.id) == {people[0].id, people[1].id}


def test_the_gate_undoes_its_last_check_in_and_the_undo_is_recorded(desk):
    event, people, links, gate_id, page = desk
    scan(page, links[2])
    expect(page.locator("#result-name")).to_have_text("Lê Hoàng Cường")
    page.locator("#result").click()
    expect(page.locator("#last-name")).to_have_text("Lê Hoàng Cường")
    page.locator("#undo-last").click()
    expect(page.locator("#result-title")).to_have_text("Đã hủy lượt điểm danh")
    expect(page.locator("#count-present")).to_have_text("0")
    assert arrived(event.id) == set()
    undo = db.session.scalars(select(CheckinUndo).where(CheckinUndo.event_id == event.id)).one()
    assert undo.attendee_id == people[2].id and undo.gate_id == gate_id
    assert "Cổng 1 – máy tính bảng 1" in undo.reason
    expect(page.locator("#last")).to_be_hidden()


def test_a_walk_in_at_the_gate_carries_the_gate(desk):
    event, people, links, gate_id, page = desk
    page.locator("summary", has_text="khách").click()
    page.locator("#w-full_name").fill("Võ Minh Khách")
    page.locator("#w-organization").fill("Báo Thanh Niên")
    page.locator("#walk-in-form button[type=submit]").click()
    expect(page.locator("#result-name")).to_have_text("Võ Minh Khách")
    db.session.expire_all()
    guest = db.session.scalars(select(Attendee).where(Attendee.event_id == event.id,
                                                      Attendee.full_name == "Võ Minh Khách")).one()
    attendance = db.session.scalars(select(Attendance).where(
        Attendance.attendee_id == guest.id)).one()
    assert attendance.gate_id == gate_id
    assert db.session.get(Gate, gate_id).name == "Cổng 1"


def test_the_connection_label_stays_on_one_line_on_a_phone(desk):
    page = desk[4]
    box = page.locator("#net").bounding_box()
    assert box["height"] < 30
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
