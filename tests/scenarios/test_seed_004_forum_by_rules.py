"""Seed 004 — Cần Thơ, forum on the model young cadre (youth employment centre hall).

About 60 delegates by rule: a grassroots union sends 2, a grassroots branch 1, a grassroots
union with more than 50 members 3; guests and press outside the quotas; contributions from
units due by 16:00 on 8/8; two host units share the logistics. People are invented.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

from tests.scenarios.conftest import GateStaff, Organizer, Secretary, soon, wall

GRASSROOTS = {"Đoàn cơ sở Sở Y tế": 120, "Đoàn cơ sở Công an phường An Hòa": 35,
              "Đoàn cơ sở Sở Giáo dục và Đào tạo": 64, "Đoàn cơ sở Cục Thuế": 48}
BRANCHES = ["Chi đoàn cơ sở Thành Đoàn Cần Thơ",
            "Chi đoàn cơ sở Trung tâm Chất lượng, Chế biến và Phát triển thị trường vùng 6",
            "Chi đoàn cơ sở Báo Cần Thơ"]
AGENDA = ["Tuyên bố lý do, giới thiệu đại biểu", "Đồng chí Bí thư Đoàn Khối báo cáo đề dẫn",
          "Báo cáo chuyên đề xây dựng hình mẫu thanh niên thời kỳ mới",
          "Các đơn vị tham luận",
          "Phát biểu của đại diện Ban Thường vụ Đảng ủy Khối, đại biểu, khách mời",
          "Đồng chí Bí thư Đoàn Khối kết luận Hội nghị",
          "Bế mạc Hội nghị, chụp ảnh lưu niệm"]
PDF = b"%PDF-1.4\n% tham luan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_seed_004_forum_with_quotas_by_rules(app, people):
    organizer = Organizer(app, "bantochuc")
    city = organizer.unit("Thành Đoàn Cần Thơ", "province")
    bloc = organizer.unit("Đoàn Khối cơ quan Dân Chính Đảng thành phố Cần Thơ", "district",
                          city)
    units = {name: organizer.unit(name, "grassroots", bloc, members)
             for name, members in GRASSROOTS.items()}
    units |= {name: organizer.unit(name, "branch", bloc, 15) for name in BRANCHES}
    other_city = organizer.unit("Tỉnh đoàn Trà Vinh", "province")
    organizer.unit("Đoàn cơ sở Sở Y tế Trà Vinh", "grassroots", other_city, 90)

    start = soon(30)
    event = organizer.event(
        title="Hội nghị tọa đàm định hướng xây dựng hình mẫu thanh niên thời kỳ mới gắn với "
              "phong trào 3 trách nhiệm năm 2024", kind="forum", starts_at=wall(start),
        ends_at=wall(start + timedelta(hours=3)),
        venue="Hội trường Trung tâm Dịch vụ việc làm thanh niên Cần Thơ",
        venue_address="Số 41 đường CMT8, phường An Hòa, quận Ninh Kiều, thành phố Cần Thơ",
        host_unit_id=bloc)
    ids = [organizer.agenda(event, title) for title in AGENDA]
    due = wall(start - timedelta(minutes=20))  # the plan: 16:00 on 8/8, before the day
    organizer.contribution(event, ids[3], units[BRANCHES[0]],
                           "Mô hình “Cán bộ đoàn trách nhiệm” trong cơ quan Đảng", due=due)
    organizer.contribution(event, ids[3], units["Đoàn cơ sở Sở Y tế"],
                           "Cán bộ đoàn ngành Y: tâm trong, trí sáng", due=due)

    # The rules of the plan, applied to the event's own tree only.
    quota_page = organizer.get(f"/events/{event}/quotas").get_data(as_text=True)
    assert "Tỉnh đoàn Trà Vinh" not in quota_page
    organizer.rules(event, [("grassroots", 0, 2), ("branch", 0, 1), ("grassroots", 50, 3)])
    html = organizer.get(f"/events/{event}/quotas").get_data(as_text=True)
    seats = dict(re.findall(r'<tr id="quota-\d+"[^>]*>\s*<td>([^<]+)<br>.*?<td class="num">'
                            r'(\d+)</td>', html, re.S))
    assert seats == {"Đoàn cơ sở Sở Y tế": "3", "Đoàn cơ sở Công an phường An Hòa": "2",
                     "Đoàn cơ sở Sở Giáo dục và Đào tạo": "3", "Đoàn cơ sở Cục Thuế": "2",
                     **{b: "1" for b in BRANCHES}}
    for guest, body in [("Đại diện Thường trực", "Thành Đoàn Cần Thơ"),
                        ("Đại diện Ban Tuyên giáo", "Đảng ủy Khối cơ quan Dân Chính Đảng"),
                        ("Đại diện lãnh đạo", "Đảng ủy Thành Đoàn Cần Thơ")]:
        organizer.person(event, "guest", f"{guest} {body}", organization=body)
    organizer.person(event, "press", "Phóng viên Báo Cần Thơ", organization="Báo Cần Thơ")

    # Units name their delegates and send their contributions' texts.
    links = organizer.links(event)
    for n, name in enumerate(units):
        secretary = Secretary(app, links[name])
        for k in range(int(seats[name])):
            secretary.name(f"Đoàn viên {n}-{k}", "Bí thư" if k == 0 else "Ủy viên BCH")
        refused = secretary.name("Người thừa", expect=(409,))
        assert "full" in refused.get_data(as_text=True) or "đủ" in refused.get_data(
            as_text=True)
    medic = Secretary(app, links["Đoàn cơ sở Sở Y tế"])
    page = medic.get(medic.link).get_data(as_text=True)
    contribution_id = re.search(r"/contributions/(\d+)", page).group(1)
    response = medic.client.post(f"{medic.link}/contributions/{contribution_id}", data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "document": (io.BytesIO(PDF), "Tham luận Sở Y tế.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Tham luận Sở Y tế.pdf" in medic.page(medic.link)

    # The day: the gate admits most; a quota cannot be cut below those in the hall.
    organizer.staff(event, people["gate"].id, "gate")
    gate = GateStaff(app, "congchinh")
    note = gate.open(event)
    assert "Ngoài giờ" not in note
    tokens = organizer.invitations(event)
    for name in [n for n in sorted(tokens) if n.startswith("Đoàn viên 0")]:
        assert gate.scan(tokens[name])["result"] == "checked_in"
    refused = organizer.quota(event, units["Đoàn cơ sở Sở Y tế"], 1, expect=(409,))
    assert "3" in refused.get_data(as_text=True)

    attendance = organizer.report_csv(event)
    assert "Đoàn cơ sở Sở Y tế,3,3,3" in attendance
    assert "Chưa đến" in attendance or "Not yet arrived" in attendance
    compiled = organizer.page(f"/events/{event}/reports/dialogue")
    assert "1 of 2" in compiled or "1/2" in compiled or "1 trên 2" in compiled or \
        re.search(r"1\D+2", compiled)
    programme = organizer.page(f"/events/{event}")
    assert "4. Các đơn vị tham luận" in programme and "Cán bộ đoàn ngành Y" in programme
