"""Creating events with their agenda and contributions; copying the next of a series."""

from __future__ import annotations

import pytest

from checkin.errors import ValidationError
from checkin.events.models import Event
from checkin.events.services import (
    add_agenda_item,
    add_contribution,
    copy_event,
    delete_agenda_item,
    move_agenda_item,
)
from checkin.extensions import db
from checkin.units.services import quota_table, set_quota, set_quota_rules
from tests.conftest import local

SEED_000_CONTRIBUTIONS = [
    "Ứng dụng phần mềm quản lý công tác chuyên môn",
    "Mô hình thanh niên khởi nghiệp",
    "Tuyên truyền trên mạng xã hội",
    "Số hóa sổ đoàn viên",
    "Ngày thứ Bảy tình nguyện",
    "Câu lạc bộ sáng tạo trẻ",
    "Góc học tập cho thiếu nhi",
]


def test_agenda_in_order_with_seven_assigned_contributions(event, make_unit):
    titles = ["Tuyên bố lý do, giới thiệu đại biểu", "Phát biểu của Thường trực Đoàn Khối",
              "Tổ chức tọa đàm", "Giải lao", "Phát biểu kết luận", "Kết thúc"]
    items = [add_agenda_item(event, title=t, planned_start=local(2030, 9, 20, 13, 30 + i),
                             duration_minutes=10) for i, t in enumerate(titles)]
    forum = items[2]
    for title in SEED_000_CONTRIBUTIONS:
        add_contribution(forum, unit=make_unit(), title=title)
    db.session.refresh(event)
    assert [i.title for i in event.agenda] == titles
    assert [i.position for i in event.agenda] == [1, 2, 3, 4, 5, 6]
    assert [c.title for c in forum.contributions] == SEED_000_CONTRIBUTIONS


def test_moving_and_removing_items_keeps_the_order_tidy(event):
    a, b, c = (add_agenda_item(event, title=t) for t in ("Khai mạc", "Tham luận", "Bế mạc"))
    move_agenda_item(c, -1)
    db.session.refresh(event)
    assert [i.title for i in event.agenda] == ["Khai mạc", "Bế mạc", "Tham luận"]
    delete_agenda_item(a)
    db.session.refresh(event)
    assert [(i.position, i.title) for i in event.agenda] == [(1, "Bế mạc"), (2, "Tham luận")]


def test_copying_starts_the_next_briefing_of_the_series(event, make_unit, organizer):
    """Seed 001: May, August, November with a rotating host; agenda and quotas carry over."""
    duyen_hai, cau_ngang = make_unit("Huyện đoàn Duyên Hải", kind="district"), \
        make_unit("Huyện đoàn Cầu Ngang", kind="district")
    event.host_unit = duyen_hai
    add_agenda_item(event, title="Khai mạc", planned_start=local(2030, 9, 20, 13, 30))
    item = add_agenda_item(event, title="Thảo luận chuyên đề",
                           planned_start=local(2030, 9, 20, 14, 0))
    add_contribution(item, unit=duyen_hai, title="Ứng xử văn minh trên mạng")
    set_quota(event, duyen_hai, 5)
    set_quota_rules(event, [{"unit_kind": "district", "min_members_exclusive": 0, "seats": 2}])

    august = copy_event(event, created_by=organizer, title="Giao ban tháng 8",
                        starts_at=local(2030, 12, 20, 8, 0), host_unit=cau_ngang,
                        theme="Mô hình kinh tế thanh niên")
    assert august.series is not None and august.series is event.series
    assert august.host_unit is cau_ngang and august.theme == "Mô hình kinh tế thanh niên"
    assert [(i.title, i.planned_start) for i in august.agenda] == [
        ("Khai mạc", local(2030, 12, 20, 8, 0)),  # moved with the new start
        ("Thảo luận chuyên đề", local(2030, 12, 20, 8, 30)),
    ]
    assert [c.title for c in august.agenda[1].contributions] == ["Ứng xử văn minh trên mạng"]
    # The quotas carry over, and the rules are applied to the new host.
    assert [(r.unit.name, r.quota.seats) for r in quota_table(august).rows] == [
        ("Huyện đoàn Cầu Ngang", 2), ("Huyện đoàn Duyên Hải", 5)]
    november = copy_event(august, created_by=organizer, title="Giao ban tháng 11",
                          starts_at=local(2031, 3, 20, 8, 0))
    assert [e.title for e in november.series.events] == [
        event.title, "Giao ban tháng 8", "Giao ban tháng 11"]


@pytest.mark.parametrize("kw, field", [
    ({"title": ""}, "title"),
    ({"kind": "party"}, "kind"),
    ({"mode": "radio"}, "mode"),
    ({"ends_at": local(2030, 9, 20, 12, 0)}, "ends_at"),
    ({"nomination_deadline": local(2030, 9, 21, 8, 0)}, "nomination_deadline"),
])
def test_wrong_event_input_is_refused(make_event, kw, field):
    with pytest.raises(ValidationError) as exc:
        make_event(**kw)
    assert exc.value.errors[0]["field"] == field
    db.session.rollback()
    assert db.session.query(Event).count() == 0


# --- pages -------------------------------------------------------------------

def test_creating_an_event_through_the_form(as_organizer):
    response = as_organizer.post("/events/new", data={
        "title": "Tọa đàm ý tưởng sáng tạo", "theme": "Đề xuất ý tưởng, sáng kiến",
        "kind": "forum", "mode": "in_person", "starts_at": "2019-09-20T13:30",
        "venue": "Hội trường A", "venue_address": "Số 07, Nguyễn Thiện Thành",
        "host_unit_id": "0"})
    assert response.status_code == 302
    event = db.session.query(Event).one()
    assert event.starts_at == local(2019, 9, 20, 13, 30)
    page = as_organizer.get(response.location).get_data(as_text=True)
    assert "13 giờ 30, thứ Sáu 20/9/2019" in page
    assert "Hội trường A" in page


def test_event_form_errors_are_shown_and_nothing_is_created(as_organizer):
    response = as_organizer.post("/events/new", data={
        "title": "", "kind": "forum", "mode": "in_person", "starts_at": "20/13/2019 25:00",
        "host_unit_id": "0"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html and 'id="starts_at-error"' in html
    assert db.session.query(Event).count() == 0


def test_agenda_page_adds_an_item_at_a_time_of_day(as_organizer, event):
    response = as_organizer.post(f"/events/{event.id}/agenda", data={
        "title": "Báo cáo đề dẫn", "planned_start": "14:00", "duration_minutes": "20",
        "presenter": "Bí thư Đoàn Khối"})
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.agenda[0].planned_start == local(2030, 9, 20, 14, 0)
    page = as_organizer.get(f"/events/{event.id}").get_data(as_text=True)
    assert "14:00" in page and "Báo cáo đề dẫn" in page


def test_copy_page_creates_the_next_meeting(as_organizer, event):
    response = as_organizer.post(f"/events/{event.id}/copy", data={
        "title": "Giao ban quý III", "starts_at": "2030-12-01T08:00", "host_unit_id": "0"})
    assert response.status_code == 302
    assert db.session.query(Event).count() == 2
