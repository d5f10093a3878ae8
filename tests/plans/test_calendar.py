"""The iCalendar feeds parse with a real iCalendar library and keep Vietnam's hours."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.auth.models import User
from checkin.auth.services import assign_event_role
from checkin.events.services import create_event
from checkin.extensions import db
from checkin.plans import services
from checkin.units.services import create_nomination_link, create_unit, set_quota
from tests.conftest import local
from tests.plans.conftest import Browser

HCM = "Asia/Ho_Chi_Minh"


@pytest.fixture
def planned(organizer):
    host = create_unit(name="Chi đoàn cơ sở Thành Đoàn Cần Thơ", kind="branch", member_count=24)
    other = create_unit(name="Chi đoàn Báo Cần Thơ", kind="branch", member_count=21)
    event = create_event(created_by=organizer, kind="forum", title="Hội nghị tọa đàm 2030",
                         starts_at=local(2030, 8, 20, 8, 0), ends_at=local(2030, 8, 20, 11, 30),
                         venue="Hội trường Trung tâm Dịch vụ việc làm thanh niên",
                         venue_address="Số 41 đường CMT8, quận Ninh Kiều", host_unit=host)
    for unit in (host, other):
        set_quota(event, unit, 1)
    link = create_nomination_link(event, host)
    create_nomination_link(event, other)
    mine = services.add_task(event, title="Tổng hợp tham luận", deliverable="contributions",
                             due_at=local(2030, 8, 8, 16, 0), owner_unit=host)
    services.add_task(event, title="Việc của đơn vị khác", due_at=local(2030, 8, 9, 17, 0),
                      owner_unit=other)
    return event, link, mine


def events_of(data: bytes) -> tuple[Calendar, dict[str, object]]:
    cal = Calendar.from_ical(data)
    return cal, {str(e["summary"]): e for e in cal.walk("VEVENT")}


def check_zone(cal: Calendar, raw: bytes) -> None:
    zones = cal.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == [HCM]
    assert b"TZOFFSETTO:+0700" in raw


def test_unit_link_feed_holds_the_meeting_and_its_own_deadlines(app, planned):
    event, link, mine = planned
    response = Browser(app.test_client()).get(f"/n/{link.token}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal, items = events_of(response.data)
    check_zone(cal, response.data)
    meeting = items["Hội nghị tọa đàm 2030"]
    start = meeting.decoded("dtstart")
    assert start == datetime(2030, 8, 20, 8, 0, tzinfo=ZoneInfo(HCM))
    assert str(start.tzinfo) == HCM
    assert meeting.decoded("dtend").hour == 11
    assert "Ninh Kiều" in str(meeting["location"])
    assert re.search(rb"DTSTART;TZID=Asia/Ho_Chi_Minh:20300820T080000", response.data)
    deadline = items["Hạn chót: Tổng hợp tham luận"]
    assert deadline.decoded("dtend") == datetime(2030, 8, 8, 16, 0, tzinfo=ZoneInfo(HCM))
    assert "Hạn chót: Việc của đơn vị khác" not in items  # only the unit's own tasks
    assert f"/n/{link.token}" in str(deadline["description"])


def test_invitation_add_to_calendar(app, planned):
    event, link, _mine = planned
    person = nominate(event, link.unit, full_name="Trần Minh Khoa")
    token = active_invitation(person).token
    page = Browser(app.test_client()).get(f"/i/{token}").get_data(as_text=True)
    assert f"/i/{token}/calendar.ics" in page
    response = Browser(app.test_client()).get(f"/i/{token}/calendar.ics")
    cal, items = events_of(response.data)
    check_zone(cal, response.data)
    assert list(items) == ["Hội nghị tọa đàm 2030"]
    assert items["Hội nghị tọa đàm 2030"].decoded("dtstart").hour == 8
    assert Browser(app.test_client()).get("/i/khong-co/calendar.ics").status_code == 404


def test_organizer_feed_by_token_url(app, planned, staff, make_user):
    html = staff.get("/calendar").get_data(as_text=True)
    url = re.search(r'value="https://hop\.example\.vn(/calendar/[^"]+\.ics)"', html).group(1)
    response = Browser(app.test_client()).get(url)  # a phone's calendar: no session
    assert response.status_code == 200
    cal, items = events_of(response.data)
    check_zone(cal, response.data)
    assert {"Hội nghị tọa đàm 2030", "Hạn chót: Tổng hợp tham luận",
            "Hạn chót: Việc của đơn vị khác"} <= set(items)
    # A new address replaces the old one.
    staff.post("/calendar", page="/calendar")
    assert Browser(app.test_client()).get(url).status_code == 404
    # Another staff member's feed shows only their own meetings.
    outsider = Browser(app.test_client())
    outsider_user = make_user("staff", username="nguoikhac")
    outsider.login(outsider_user)
    other_url = re.search(r'value="https://hop\.example\.vn(/calendar/[^"]+\.ics)"',
                          outsider.get("/calendar").get_data(as_text=True)).group(1)
    _cal, theirs = events_of(Browser(app.test_client()).get(other_url).data)
    assert theirs == {}
    # Gate staff see the meeting in their calendar, not the organizers' deadlines.
    event, _link, _mine = planned
    assign_event_role(event, db.session.get(User, outsider_user.id), "gate")
    _cal, theirs = events_of(Browser(app.test_client()).get(other_url).data)
    assert list(theirs) == ["Hội nghị tọa đàm 2030"]


def test_programme_link_feed(app, planned, organizer):
    event, link, _mine = planned
    programme = services.create_programme(title="Chương trình công tác năm 2030", year=2030,
                                          created_by=organizer)
    services.add_planned_meeting(programme, title="Tọa đàm quý III", period_kind="quarter",
                                 period=3, event=event)
    services.add_planned_meeting(programme, title="Đối thoại quý IV", period_kind="quarter",
                                 period=4)
    services.set_target(programme, link.unit, "ideas", 3)
    plink = services.ensure_links(programme)[0]
    response = Browser(app.test_client()).get(f"/p/{plink.token}/calendar.ics")
    cal, items = events_of(response.data)
    check_zone(cal, response.data)
    assert set(items) == {"Hội nghị tọa đàm 2030", "Hạn chót: Tổng hợp tham luận"}
