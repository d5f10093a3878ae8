"""Seed 001 — three briefings (May, August, November 2024) whose host rotates:
Duyên Hải → Cầu Ngang → Châu Thành. Each next meeting is made by "next meeting" without
typing a host; the host's grassroots secretaries follow the host; the districts'
delegates are carried over and confirmed by their units' links; a series report over
the three. People are invented.
"""

from __future__ import annotations

import re
from datetime import timedelta

from checkin.events.services import add_months
from tests.scenarios.conftest import GateStaff, Organizer, Secretary, form_values, soon, wall

HOSTS = [("Thị đoàn Duyên Hải", "Hội trường Thị ủy Duyên Hải"),
         ("Huyện đoàn Cầu Ngang", "Hội trường Huyện ủy Cầu Ngang"),
         ("Huyện đoàn Châu Thành", "Hội trường Huyện ủy Châu Thành")]
OTHER_DISTRICTS = ["Thành đoàn Trà Vinh", "Huyện đoàn Tiểu Cần"]
TOPICS = ["Giải pháp nâng cao chất lượng cuộc vận động ứng xử văn minh trên không gian mạng",
          "Giải pháp phát huy vai trò của Đoàn các cấp trong đồng hành, hỗ trợ và nâng cao "
          "chất lượng các mô hình kinh tế trong thanh niên",
          "Giải pháp nâng cao chất lượng sinh hoạt chi đoàn trên địa bàn dân cư"]
AGENDA = ["Tuyên bố lý do, giới thiệu đại biểu", "Phát biểu mục đích, yêu cầu Hội nghị",
          "Thông qua các văn bản", "Thảo luận chuyên đề", "Đại biểu thảo luận",
          "Phát biểu kết luận của Thường trực Tỉnh đoàn",
          "Trao cờ luân lưu cho đơn vị đăng cai tiếp theo", "Bế mạc, đáp từ"]


def quota_rows(organizer, event) -> dict[str, str]:
    html = organizer.get(f"/events/{event}/quotas").get_data(as_text=True)
    rows = re.findall(r'<tr id="quota-\d+"[^>]*>\s*<td>([^<]+)<br>.*?<td class="num">(\d+)</td>',
                      html, re.S)
    return {name.strip(): seats for name, seats in rows}


def test_seed_001_three_rotating_briefings(app, people):
    organizer = Organizer(app, "bantochuc")
    province = organizer.unit("Tỉnh đoàn Trà Vinh", "province")
    districts = {name: organizer.unit(name, "district", province)
                 for name in [h for h, _v in HOSTS] + OTHER_DISTRICTS}
    for name, _v in HOSTS:  # each host district's grassroots unions
        for i in (1, 2):
            organizer.unit(f"Đoàn xã {name.split()[-1]} số {i}", "grassroots", districts[name])

    # May: only the month is known.
    may = organizer.event(
        title="Hội nghị giao ban theo chuyên đề giữa Thường trực Tỉnh đoàn và các Huyện, Thị, "
              "Thành đoàn và Đoàn trực thuộc — tháng 5/2024",
        theme=TOPICS[0], kind="briefing", month_only="y", starts_month="2024-05",
        host_unit_id=districts[HOSTS[0][0]], venue=HOSTS[0][1])
    assert "5/2024" in organizer.page(f"/events/{may}")
    series = {"title": "Giao ban chuyên đề Tỉnh đoàn Trà Vinh năm 2024",
              "short_name": "Giao ban chuyên đề", "interval_months": 3}
    for i, (name, venue) in enumerate(HOSTS):
        series |= {f"hosts-{i}-unit_id": districts[name], f"hosts-{i}-venue": venue,
                   f"hosts-{i}-venue_address": ""}
    organizer.post(f"/events/{may}/series", series)
    for title in AGENDA:
        organizer.agenda(may, title)
    organizer.staff(may, people["chair"].id, "moderator")
    organizer.staff(may, people["gate"].id, "gate")
    organizer.gate(may, "Cổng chính")

    # Quotas: districts 2 by hand; the host's grassroots secretaries 1 by rule.
    for name in districts:
        organizer.quota(may, districts[name], 2)
    organizer.rules(may, [("grassroots", 0, 1)], scope=districts[HOSTS[0][0]])
    assert quota_rows(organizer, may) == {
        **{n: "2" for n in districts}, "Đoàn xã Hải số 1": "1", "Đoàn xã Hải số 2": "1"}

    # The day of the May meeting (replayed today): the organizer fixes the date.
    start = soon(-15)
    organizer.edit_event(may, month_only=False, starts_at=wall(start),
                         ends_at=wall(start + timedelta(hours=3)))
    links = organizer.links(may)
    for n, (unit, path) in enumerate(sorted(links.items())):
        secretary = Secretary(app, path)
        for k in range(2 if unit in districts else 1):
            secretary.name(f"Đồng chí {n:02d}-{k}", "Bí thư" if k == 0 else "Phó Bí thư")
    gate = GateStaff(app, "congchinh")
    gate.open(may)
    tokens = organizer.invitations(may)
    for name in sorted(tokens)[:-1]:
        assert gate.scan(tokens[name])["result"] == "checked_in"

    # August by "next meeting": the next host and its venue are proposed, not typed.
    def next_meeting(source: int, topic: str) -> int:
        """Accepts every proposal (host, venue, date three months on, title); types the
        topic, which the plan gives per meeting."""
        page = organizer.get(f"/events/{source}/copy").get_data(as_text=True)
        data = form_values(page)
        data |= {"theme": topic}
        response = organizer.post(f"/events/{source}/copy", data)
        return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    august = next_meeting(may, TOPICS[1])
    overview = organizer.page(f"/events/{august}")
    assert "Huyện đoàn Cầu Ngang" in overview and "Hội trường Huyện ủy Cầu Ngang" in overview
    assert f'value="{wall(add_months(start, 3))}"' in wall_of(organizer, august)
    assert "Trực tiếp" in overview or "In person" in overview
    # The quotas follow the host: Cầu Ngang's grassroots, no longer Duyên Hải's.
    assert quota_rows(organizer, august) == {
        **{n: "2" for n in districts}, "Đoàn xã Ngang số 1": "1", "Đoàn xã Ngang số 2": "1"}
    # The staff, the gate and the programme came along; the topic is August's.
    assert "Cổng chính" in organizer.page(f"/events/{august}/gates")
    assert "Thạch Văn Minh" in organizer.page(f"/events/{august}/staff")
    assert AGENDA[3] in organizer.page(f"/events/{august}/agenda")

    # Each district's delegates were carried over: its secretary confirms by link.
    links = organizer.links(august)
    district = Secretary(app, links[OTHER_DISTRICTS[0]])
    page = district.page(district.link)
    assert "Đồng chí" in page and ("Confirm the list" in page or "Xác nhận" in page)
    district.post(district.link, {}, action=f"{district.link}/confirm")
    assert "to confirm" not in district.page(district.link)
    new_host_unit = Secretary(app, links["Đoàn xã Ngang số 1"])
    new_host_unit.name("Đồng chí Ngang Một", "Bí thư")

    november = next_meeting(august, TOPICS[2])
    assert "Huyện đoàn Châu Thành" in organizer.page(f"/events/{november}")
    assert "Đoàn xã Thành số 1" in quota_rows(organizer, november)

    # The series report over the three, with every meeting in its heading.
    series_id = re.search(r"/series/(\d+)/report", organizer.get(
        f"/events/{november}").get_data(as_text=True)).group(1)
    report = organizer.page(f"/series/{series_id}/report")
    heading = report.split("Excel")[0]
    hosts = [heading.index(f"hosted by {h}") if f"hosted by {h}" in heading
             else heading.index(f"đăng cai: {h}") for h, _v in HOSTS]
    assert hosts == sorted(hosts)  # every meeting, in order, with its host
    csv = organizer.get(f"/series/{series_id}/report?format=csv").get_data(as_text=True)
    rows = {line.split(",")[0]: line.split(",")[1:] for line in csv.splitlines() if "," in line}
    assert rows["Thị đoàn Duyên Hải"] == ["2/2", "0/2", "0/2"]
    assert rows["Đoàn xã Hải số 1"][0] in ("1/1", "0/1") and rows["Đoàn xã Hải số 1"][1:] == [
        "0", "0"]
    assert rows["Đoàn xã Ngang số 1"] == ["0", "0/1", "0"]


def wall_of(organizer, event: int) -> str:
    return organizer.get(f"/events/{event}/edit").get_data(as_text=True)
