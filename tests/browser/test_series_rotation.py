"""Seed 001 in a browser: three briefings made by "next meeting", the host rotating
Duyên Hải → Cầu Ngang → Châu Thành without typing a host, the quotas following the
host, a district's delegates confirmed by its link, the series report over the three."""

from __future__ import annotations

from checkin.attendees.services import nominate
from checkin.events.services import add_agenda_item, create_event, save_series
from checkin.units.services import (
    apply_quota_rules,
    create_nomination_link,
    set_quota,
    set_quota_rules,
)
from tests.browser.conftest import sign_in
from tests.conftest import local

HOSTS = ["Thị đoàn Duyên Hải", "Huyện đoàn Cầu Ngang", "Huyện đoàn Châu Thành"]


def test_three_rotating_briefings_by_next_meeting(laptop, browser, live_server, organizer,
                                                   make_unit):
    province = make_unit("Tỉnh đoàn Trà Vinh", kind="province")
    districts = {n: make_unit(n, kind="district", parent=province) for n in HOSTS}
    for name, unit in districts.items():
        make_unit(f"Đoàn xã {name.split()[-1]}", kind="grassroots", parent=unit)
    may = create_event(created_by=organizer, title="Giao ban chuyên đề tháng 5/2030",
                       kind="briefing", starts_at=local(2030, 5, 17, 8, 0),
                       host_unit=districts[HOSTS[0]], venue=f"Hội trường {HOSTS[0]}")
    add_agenda_item(may, title="Thảo luận chuyên đề", planned_start=local(2030, 5, 17, 8, 30))
    save_series(may, title="Giao ban chuyên đề 2030", short_name="Giao ban", interval_months=3,
                hosts=[{"unit": districts[n], "venue": f"Hội trường {n}"} for n in HOSTS])
    for unit in districts.values():
        set_quota(may, unit, 2)
    set_quota_rules(may, [{"unit_kind": "grassroots", "min_members_exclusive": 0, "seats": 1}])
    apply_quota_rules(may, scope=districts[HOSTS[0]])
    nominate(may, districts[HOSTS[2]], full_name="Kim Thị Xuân", position="Bí thư")

    sign_in(laptop, organizer)

    def next_meeting(event_id: int, topic: str) -> int:
        laptop.goto(f"/events/{event_id}/copy")
        laptop.get_by_label("Chủ đề").fill(topic)
        laptop.get_by_role("button", name="Tạo hội nghị tiếp theo").click()
        laptop.wait_for_url(lambda url: "/copy" not in url)
        return int(laptop.url.rstrip("/").rsplit("/", 1)[1])

    august = next_meeting(may.id, "Mô hình kinh tế trong thanh niên")
    overview = laptop.locator("main").inner_text()
    assert HOSTS[1] in overview and f"Hội trường {HOSTS[1]}" in overview
    laptop.goto(f"/events/{august}/quotas")
    table = laptop.locator(".quota-table").inner_text()
    assert "Đoàn xã Ngang" in table and "Đoàn xã Hải" not in table

    # Châu Thành's secretary confirms the delegate carried over, on a phone.
    from checkin.events.models import Event
    from checkin.extensions import db

    link = create_nomination_link(db.session.get(Event, august), districts[HOSTS[2]])
    phone = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server)
    page = phone.new_page()
    page.goto(f"/n/{link.token}")
    assert "Kim Thị Xuân" in page.locator(".people").inner_text()
    page.get_by_role("button", name="Xác nhận danh sách").click()
    assert "1" in page.locator(".flash-success").inner_text()
    assert page.locator("#confirm").count() == 0
    phone.close()

    november = next_meeting(august, "Sinh hoạt chi đoàn trên địa bàn dân cư")
    assert HOSTS[2] in laptop.locator("main").inner_text()
    laptop.get_by_role("link", name="Tình hình tham dự qua các kỳ").first.click()
    heading = laptop.locator(".series-meetings").inner_text()
    for host in HOSTS:
        assert host in heading
    assert laptop.locator(".series-meetings li").count() == 3
    assert november
