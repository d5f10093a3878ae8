"""Seed 000 — Trà Vinh, forum on youth initiatives (13:30 Friday 20/9/2019, Hall A).

No quotas: every union officer on the training list attends. Seven units are assigned a
contribution each; the other units send their ideas in writing, which count as speeches.
People are invented; units, agenda and contributions are the plan's.
"""

from __future__ import annotations

import re
from datetime import timedelta

from tests.scenarios.conftest import GateStaff, Organizer, Secretary, soon, wall

BLOC = "Đoàn Khối các cơ quan và Doanh nghiệp tỉnh Trà Vinh"
CONTRIBUTIONS = [
    ("Chi đoàn Cơ quan Tỉnh đoàn", "branch",
     "Áp dụng công nghệ phần mềm vào quản lý công việc chuyên môn"),
    ("Đoàn cơ sở Sở Tài nguyên và Môi trường", "grassroots",
     "Xây dựng mô hình hoạt động trong Đoàn chuyển đổi từ hình thức “xin – cho” sang "
     "“phục vụ tạo nguồn thu”"),
    ("Chi đoàn Bảo hiểm xã hội tỉnh", "branch", "Xử lý rác thải nông thôn"),
    ("Đoàn cơ sở Công ty Trà Bắc", "grassroots",
     "Hoàn thiện cơ giới hóa ngành sản xuất than hoạt tính từ sọ dừa"),
    ("Chi đoàn Công ty Cổ phần Cấp thoát nước Trà Vinh", "branch",
     "Gia công mô tơ xúc rửa đường ống cấp thoát nước"),
    ("Đoàn trường THPT Chuyên Nguyễn Thiện Thành", "grassroots",
     "Rèn luyện thói quen ứng xử văn hóa nơi công cộng cho học sinh"),
    ("Đoàn trường Cao đẳng Nghề Trà Vinh", "grassroots",
     "Mô hình dàn trải Ampli karaoke có micrô không dây và Bluetooth"),
]
OTHER_UNITS = ["Đoàn cơ sở Sở Y tế", "Chi đoàn Sở Tư pháp"]
AGENDA = [
    ("Tuyên bố lý do, giới thiệu đại biểu", "13:30", None),
    ("Phát biểu của Thường trực Đoàn Khối các cơ quan", "13:40", None),
    ("Tổ chức tọa đàm", "13:50", None),
    ("Báo cáo kết quả phong trào Sáng tạo trẻ giai đoạn 2017 – 2019", "13:50", 3),
    ("Báo cáo tổng hợp các ý tưởng, sáng kiến, sáng tạo của các cơ sở Đoàn", "14:10", 3),
    ("Báo cáo tham luận đề xuất các ý tưởng, sáng kiến, sáng tạo", "14:25", 3),
    ("Giải lao", "15:15", 3),
    ("Ý kiến phát biểu của đại biểu khách mời", "15:30", 3),
    ("Phát biểu kết luận của Thường trực Đoàn Khối các cơ quan", "16:15", None),
    ("Kết thúc", "16:30", None),
]


def test_seed_000_forum_without_quotas(app, people):
    organizer = Organizer(app, "bantochuc")
    bloc = organizer.unit(BLOC, "district")
    units = {name: organizer.unit(name, kind, bloc) for name, kind, _t in CONTRIBUTIONS}
    units |= {name: organizer.unit(name, "grassroots", bloc) for name in OTHER_UNITS}

    # The plan as written: its date (now past), Hall A, no quotas.
    event = organizer.event(
        title="Tọa đàm trao đổi, đề xuất ý tưởng, sáng kiến, sáng tạo trong công tác Đoàn "
              "và phong trào thanh thiếu nhi trong tình hình mới, năm 2019",
        theme="Đề xuất ý tưởng, sáng kiến, sáng tạo, trong công tác Đoàn và phong trào "
              "thanh thiếu nhi trong tình hình mới",
        kind="forum", starts_at="2019-09-20T13:30", ends_at="2019-09-20T16:45",
        venue="Hội trường A, trường Cao đẳng Y tế tỉnh Trà Vinh",
        venue_address="Số 07, Nguyễn Thiện Thành, Phường 5, Thành phố Trà Vinh",
        host_unit_id=bloc, quotas_enabled=False)
    overview = organizer.page(f"/events/{event}")
    assert "2019" in overview

    ids: dict[int, int] = {}
    for n, (title, at, parent) in enumerate(AGENDA, start=1):
        ids[n] = organizer.agenda(event, title, at, parent=ids.get(parent, 0))
    programme = organizer.page(f"/events/{event}/agenda")
    assert "3.3. Báo cáo tham luận" in programme and "4. Phát biểu kết luận" in programme
    for name, _kind, title in CONTRIBUTIONS:
        organizer.contribution(event, ids[6], units[name], title, due="2019-09-18T17:00")

    # The replay happens today: the organizer moves the meeting, the programme follows.
    start = soon(-20)
    page = organizer.edit_event(event, starts_at=wall(start),
                                ends_at=wall(start + timedelta(hours=3)))
    notes = notes_of(page)
    assert any("programme" in n or "chương trình" in n.lower() for n in notes), notes
    assert not any("past" in n or "đã qua" in n for n in notes), notes
    first_item = re.search(r'agenda-time">([^<]*)<', organizer.get(
        f"/events/{event}").get_data(as_text=True)).group(1)
    assert first_item == wall(start)[-5:]

    # Every unit gets a link; no seat limit. Nobody is refused for lack of seats.
    for unit_id in units.values():
        organizer.links(event, unit_id)
    links = organizer.link_paths(event)
    assert set(links) == set(units)
    secretaries = {name: Secretary(app, path) for name, path in links.items()}
    for i, secretary in enumerate(secretaries.values()):
        for k in range(3 if i % 2 else 2):
            secretary.name(f"Cán bộ Đoàn {i:02d}-{k}", "Ủy viên BCH")
    first = secretaries[CONTRIBUTIONS[0][0]]
    unit_page = first.page(first.link)
    assert CONTRIBUTIONS[0][2] in unit_page and "/" not in re.sub(r"[^/\d ]", "",
                                                                  unit_page.split("Cán bộ")[0])
    # The organizer adds an officer attending the training without a unit, and the press.
    organizer.person(event, "delegate", "Huỳnh Văn Tập Huấn")
    organizer.person(event, "press", "Phan Thị Phóng Viên", organization="Báo Trà Vinh")
    organizer.person(event, "press", "Sơn Văn Quay Phim",
                     organization="Đài Phát thanh và Truyền hình Trà Vinh")

    # The other units send ideas in writing: they count as speeches.
    for name in OTHER_UNITS:
        response = secretaries[name].post(secretaries[name].link, {
            "kind": "written", "text": f"Ý tưởng của {name}: số hóa sổ đoàn viên",
            "asker_name": "", "nonce": f"w-{units[name]}"},
            action=f"{secretaries[name].link}/questions", follow_redirects=True,
            expect=(200,))
        assert "Đã nhận câu hỏi" not in response.get_data(as_text=True)

    # The day: the gate scans everyone on the list but two.
    organizer.staff(event, people["gate"].id, "gate")
    tokens = organizer.invitations(event)
    assert len(tokens) == 2 * 5 + 3 * 4 + 3
    gate = GateStaff(app, "congchinh")
    gate.open(event)
    names = sorted(tokens)
    for name in names[2:]:
        assert gate.scan(tokens[name])["result"] == "checked_in"

    # Reports: attendance per unit without quotas; contributions and written ideas.
    attendance = organizer.report_csv(event)
    for name in units:
        assert name in attendance
    assert "Not yet arrived" in attendance or "Chưa đến" in attendance
    dialogue = organizer.page(f"/events/{event}/reports/dialogue")
    for _name, _kind, title in CONTRIBUTIONS:
        assert title[:40] in dialogue
    assert "0/7" in dialogue or "0 of 7" in dialogue  # counted: no text sent (due in 2019)
    assert re.search(r"2 (ý kiến bằng văn bản|written contribution)", dialogue)


def notes_of(html):
    return re.findall(r'flash-(?:warning|info)"[^>]*>(.*?)</div>', html, re.S)
