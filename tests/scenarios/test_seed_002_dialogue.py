"""Seed 002 — Tây Ninh, the provincial union leaders' dialogue with worker-youth branches.

Three district unions send 22, 24 and 46 branch committee members; seven provincial bodies
are guests; each district sends at least 5 questions before the deadline; Plan A in the
hall, Plan B online with a livestream. People are invented.
"""

from __future__ import annotations

import re
from datetime import timedelta

from tests.scenarios.conftest import GateStaff, Organizer, Secretary, soon, wall

DISTRICTS = {"Huyện đoàn Dương Minh Châu": 22, "Thị đoàn Hòa Thành": 24,
             "Thành đoàn thành phố Tây Ninh": 46}
GUESTS = ["Ban Dân vận Tỉnh ủy", "Ban Tuyên giáo Tỉnh ủy",
          "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Sở Nội vụ", "Hội Cựu Chiến binh tỉnh",
          "Hội Nông dân tỉnh", "Hội Liên hiệp phụ nữ tỉnh"]
AGENDA = ["Tuyên bố lý do, giới thiệu đại biểu", "Báo cáo đề dẫn",
          "Phóng sự các gương đoàn viên tiêu biểu", "Đối thoại trực tiếp",
          "Kết luận của chủ trì", "Kết thúc hội nghị"]


def test_seed_002_dialogue_with_plan_b(app, people):
    organizer = Organizer(app, "bantochuc")
    province = organizer.unit("Tỉnh đoàn Tây Ninh", "province")
    districts = {name: organizer.unit(name, "district", province) for name in DISTRICTS}
    start = soon(60)  # the hall opens for check-in well before the start
    event = organizer.event(
        title="Gặp gỡ, đối thoại giữa lãnh đạo Tỉnh đoàn với Ban Chấp hành Chi đoàn, Chi hội "
              "thanh niên công nhân", kind="dialogue", starts_at=wall(start),
        ends_at=wall(start + timedelta(hours=3)), venue="Hội trường Tỉnh đoàn Tây Ninh",
        host_unit_id=province)
    for at, title in enumerate(AGENDA):
        organizer.agenda(event, title, wall(start + timedelta(minutes=20 * at))[-5:])
    for name, seats in DISTRICTS.items():
        organizer.quota(event, districts[name], seats)
    quota_page = organizer.page(f"/events/{event}/quotas")
    assert "92" in quota_page  # 22 + 24 + 46
    for body in GUESTS:
        organizer.person(event, "guest", f"Đại diện lãnh đạo {body}", organization=body)

    # The units' questions: at least 5 each, before the deadline (half an hour before the
    # meeting here; the plan's comes weeks before).
    organizer.post(f"/events/{event}/dialogue", {
        "topics": "Việc làm\nNhà ở công nhân\nHoạt động Đoàn trong doanh nghiệp",
        "agencies": "\n".join(GUESTS), "unit_deadline": wall(start - timedelta(minutes=30)),
        "unit_minimum": "5", "speaking_seconds": "180", "max_length": "500"})
    links = organizer.links(event)
    secretaries = {name: Secretary(app, links[name]) for name in DISTRICTS}
    for n, (name, secretary) in enumerate(secretaries.items()):
        for k in range(5 if n else 4):
            secretary.send(f"{name}: kiến nghị số {k + 1} về nhà trọ cho công nhân",
                           kind="petition" if k % 2 else "question", nonce=f"u{n}-{k}")
        for k in range(3):
            secretary.name(f"Ủy viên BCH {n}-{k}", "Ủy viên BCH Chi đoàn")
    counts = organizer.page(f"/events/{event}/questions")
    assert "Huyện đoàn Dương Minh Châu 4 5" in counts  # one short of the minimum
    assert "Thị đoàn Hòa Thành 5 5" in counts
    numbers = re.findall(r'name="ids" value="\d+" aria-label="#(\d+)"', organizer.get(
        f"/events/{event}/questions").get_data(as_text=True))
    assert sorted(map(int, numbers)) == list(range(1, 15))  # numbered per meeting

    # The day: Plan A in the hall.
    organizer.staff(event, people["gate"].id, "gate")
    organizer.staff(event, people["chair"].id, "moderator")
    tokens = organizer.invitations(event)
    gate = GateStaff(app, "congchinh")
    gate.open(event)
    in_hall = [n for n in sorted(tokens) if n.startswith("Ủy viên BCH 0")]
    for name in in_hall:
        assert gate.scan(tokens[name])["result"] == "checked_in"

    # Plan B: the chair's organizer switches to online; the stream is set; phones follow.
    live = f"/events/{event}/live"
    assert 'value="None"' not in organizer.get(live).get_data(as_text=True)
    organizer.post(live, {"action": "stream",
                          "primary_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                          "backup_url": "", "meeting_room_url": ""})
    stream_form = organizer.get(live).get_data(as_text=True)
    assert 'value="None"' not in stream_form
    organizer.post(live, {"action": "mode", "mode": "online",
                          "announcement": "Chuyển sang phương án 2: trực tuyến"})
    remote = [n for n in sorted(tokens) if n.startswith("Ủy viên BCH 1")]
    for name in remote:
        phone = organizer.__class__(app)
        phone.get(f"/i/{tokens[name]}")
        phone.post(f"/i/{tokens[name]}", {}, action=f"/i/{tokens[name]}/join")

    # The chair answers one question; the rest go to the agencies in writing.
    chair = organizer.__class__(app, "chutoa")
    html = chair.get(f"/events/{event}/questions").get_data(as_text=True)
    first = re.search(r'name="ids" value="(\d+)"', html).group(1)
    console = chair.get(f"/events/{event}/console").get_data(as_text=True)
    version = re.search(rf'data-id="{first}" data-version="(\d+)"', console).group(1)
    chair.post(f"/events/{event}/console", {"version": version},
               action=f"/events/{event}/questions/{first}/approve")

    attendance = organizer.report_csv(event)
    for name in DISTRICTS:
        assert name in attendance
    assert "Joined online" in attendance or "Trực tuyến" in attendance
    compiled = organizer.page(f"/events/{event}/reports/dialogue")
    assert "Sở Nội vụ" in compiled or "No agency yet" in compiled or "Chưa" in compiled
    assert compiled.count("kiến nghị số") >= 14
