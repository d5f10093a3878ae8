"""Seed 003 replayed: a bloc union's programme for 2021.

Four quarterly dialogues between the party committee and youth; a target of ideas and
initiatives per unit set by rule («100% cơ sở Đoàn trực thuộc … đạt chỉ tiêu phân bổ về ý
tưởng, sáng kiến»); ideas sent through the units' links across two quarters; the quarter
review («định kỳ hằng quý, 6 tháng rà soát») listing the units behind; the programme report.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from checkin.dialogue.models import Question
from checkin.dialogue.services import submit_unit_question
from checkin.errors import DomainError
from checkin.events.services import create_event
from checkin.extensions import db
from checkin.plans import services
from checkin.plans.models import Idea, PlannedMeeting, Programme, ProgrammeLink, Target
from checkin.units.services import create_nomination_link, create_unit, set_quota
from tests.conftest import local
from tests.plans.conftest import Browser


@pytest.fixture
def bloc():
    """The bloc union and its units (names of agencies; the people are invented)."""
    bloc = create_unit(name="Đoàn Khối các cơ quan tỉnh", kind="district", member_count=1800)
    units = {
        "so_noi_vu": create_unit(name="Đoàn cơ sở Sở Nội vụ", kind="grassroots",
                                 member_count=35, parent=bloc),
        "so_y_te": create_unit(name="Đoàn cơ sở Sở Y tế", kind="grassroots", member_count=120,
                               parent=bloc),
        "so_tu_phap": create_unit(name="Đoàn cơ sở Sở Tư pháp", kind="grassroots",
                                  member_count=28, parent=bloc),
        "bao_tinh": create_unit(name="Chi đoàn Báo tỉnh", kind="branch", member_count=15,
                                parent=bloc),
    }
    return bloc, units


def at(monkeypatch, *when):
    monkeypatch.setattr(services, "clock", lambda: local(*when))


def test_seed_003_year_programme(app, bloc, organizer, staff, monkeypatch, smtp):
    scope, units = bloc
    at(monkeypatch, 2021, 1, 5, 9, 0)

    # The programme, with four quarterly dialogues (dates fixed later).
    response = staff.post("/programmes/", {"title": "Chương trình công tác năm 2021",
                                           "year": 2021, "scope_unit_id": scope.id},
                          page="/programmes/")
    assert response.status_code == 302
    programme = db.session.query(Programme).one()
    page = f"/programmes/{programme.id}"
    for q in range(1, 5):
        response = staff.post(f"{page}/meetings", {
            "title": f"Đối thoại giữa Ban Thường vụ Đảng ủy Khối với đoàn viên, thanh niên "
                     f"quý {q}", "kind": "dialogue", "when": f"q{q}"}, page=page)
        assert response.status_code == 302
    meetings = services.meetings(db.session.get(Programme, programme.id))
    assert [(m.period_kind, m.period, m.event_id) for m in meetings] == [
        ("quarter", 1, None), ("quarter", 2, None), ("quarter", 3, None), ("quarter", 4, None)]

    # Idea targets by rule: a grassroots union 4 ideas (more than 100 members: 8), a branch
    # 2; every grassroots union also one initiative.
    response = staff.post(f"{page}/rules", {
        "rules-0-metric": "ideas", "rules-0-unit_kind": "grassroots",
        "rules-0-min_members_exclusive": 0, "rules-0-amount": 4,
        "rules-1-metric": "ideas", "rules-1-unit_kind": "grassroots",
        "rules-1-min_members_exclusive": 100, "rules-1-amount": 8,
        "rules-2-metric": "ideas", "rules-2-unit_kind": "branch",
        "rules-2-min_members_exclusive": 0, "rules-2-amount": 2,
        "rules-3-metric": "initiatives", "rules-3-unit_kind": "grassroots",
        "rules-3-min_members_exclusive": 0, "rules-3-amount": 1}, page=page)
    assert response.status_code == 302, response.get_data(as_text=True)
    targets = {(t.unit.name, t.metric): t.amount for t in db.session.query(Target)}
    assert targets == {
        ("Đoàn cơ sở Sở Nội vụ", "ideas"): 4, ("Đoàn cơ sở Sở Y tế", "ideas"): 8,
        ("Đoàn cơ sở Sở Tư pháp", "ideas"): 4, ("Chi đoàn Báo tỉnh", "ideas"): 2,
        ("Đoàn cơ sở Sở Nội vụ", "initiatives"): 1, ("Đoàn cơ sở Sở Y tế", "initiatives"): 1,
        ("Đoàn cơ sở Sở Tư pháp", "initiatives"): 1}
    # A target set by hand survives re-applying the rules.
    staff.post(f"{page}/targets", {"unit_id": units["bao_tinh"].id, "metric": "ideas",
                                   "amount": 3}, page=page)
    links = {link.unit_id: f"/p/{link.token}" for link in db.session.query(ProgrammeLink)}
    assert set(links) == {u.id for u in units.values()}
    html = staff.get(page).get_data(as_text=True)
    assert links[units["so_y_te"].id] in html

    # Members send ideas through their unit's link, in the first and second quarters.
    member = Browser(app.test_client())

    def send(unit, title, kind="idea", field="Chuyển đổi số", when=(2021, 2, 10, 9, 0)):
        at(monkeypatch, *when)
        link = links[units[unit].id]
        response = member.post(link, {"kind": kind, "title": title,
                                      "description": "Mô tả ý tưởng", "field": field,
                                      "author_name": "Lê Thị Thu Vân", "nonce": title},
                               page=link)
        assert response.status_code == 302, response.get_data(as_text=True)

    send("so_noi_vu", "Số hóa hồ sơ công chức trẻ")
    send("so_noi_vu", "Chatbot hỏi đáp thủ tục hành chính", when=(2021, 3, 2, 8, 0))
    send("so_noi_vu", "Hộp thư sáng kiến trực tuyến", kind="initiative", when=(2021, 3, 9, 8))
    send("so_y_te", "Ứng dụng đặt lịch khám cho đoàn viên", when=(2021, 1, 20, 8, 0))
    send("so_y_te", "Nhóm tình nguyện sơ cứu cơ bản", field="An sinh xã hội",
         when=(2021, 4, 12, 8, 0))
    send("so_noi_vu", "Ngày thứ Bảy văn minh công sở", field="Văn hóa công sở",
         when=(2021, 5, 18, 8, 0))
    send("bao_tinh", "Chuyên mục thanh niên sáng tạo trên báo điện tử",
         when=(2021, 6, 1, 8, 0))
    # The same form sent twice (a flaky phone) counts once.
    send("bao_tinh", "Chuyên mục thanh niên sáng tạo trên báo điện tử",
         when=(2021, 6, 1, 8, 0))
    assert db.session.query(Idea).count() == 7

    # The second-quarter dialogue is held: its event is linked, and an idea a unit sent to
    # that dialogue counts toward the unit's target too.
    dialogue = create_event(created_by=organizer, kind="dialogue",
                            title="Đối thoại giữa Ban Thường vụ Đảng ủy Khối với thanh niên",
                            starts_at=local(2021, 6, 25, 8, 0))
    q2 = next(m for m in meetings if m.period == 2)
    response = staff.post(f"{page}/meetings/{q2.id}", {f"m{q2.id}-event_id": dialogue.id},
                          page=page)
    assert response.status_code == 302
    assert db.session.get(PlannedMeeting, q2.id).event_id == dialogue.id
    set_quota(dialogue, units["so_tu_phap"], 2)
    link = create_nomination_link(dialogue, units["so_tu_phap"])
    question = submit_unit_question(link, text="Đề xuất không gian đọc sách cho công chức trẻ",
                                    kind="idea")
    db.session.get(Question, question.id).created_at = local(2021, 6, 20, 10, 0)
    db.session.commit()

    # Review of the second quarter (half the year's target due): who is behind.
    at(monkeypatch, 2021, 7, 2, 9, 0)
    review = staff.get(f"{page}/review?period=Q2")
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    behind = set(re.findall(r'<tr class="behind" data-unit="([^"]+)"', html))
    on_track = set(re.findall(r'<tr class="" data-unit="([^"]+)"', html))
    # Sở Nội vụ: 3 ideas of 4 (2 due), 1 initiative of 1 → on track.
    # Sở Y tế: 2 of 8 (4 due) → behind. Sở Tư pháp: 1 (from the dialogue) of 4 (2 due) and
    # no initiative → behind. Báo tỉnh: 1 of 3 set by hand (2 due) → behind.
    assert behind == {"Đoàn cơ sở Sở Y tế", "Đoàn cơ sở Sở Tư pháp", "Chi đoàn Báo tỉnh"}
    assert on_track == {"Đoàn cơ sở Sở Nội vụ"}
    assert "Quý II" in html
    # The reminder is ready to send, with the unit's link.
    assert "Đoàn cơ sở Sở Y tế" in html and "đến nay cần đạt 4" in html
    assert f"https://hop.example.vn{links[units['so_y_te'].id]}" in html
    # First quarter: Sở Y tế had 1 of 2 due; Sở Nội vụ 2 of 1 and its initiative.
    q1 = services.review(db.session.get(Programme, programme.id), "Q1")
    assert {r.unit.name for r in q1.behind} == {"Đoàn cơ sở Sở Y tế", "Đoàn cơ sở Sở Tư pháp",
                                                "Chi đoàn Báo tỉnh"}
    cells = {r.unit.name: r.cells["ideas"] for r in q1.rows}
    assert (cells["Đoàn cơ sở Sở Nội vụ"].actual, cells["Đoàn cơ sở Sở Nội vụ"].expected) == (2, 1)

    # The reminder goes by e-mail to units with an address.
    y_te = units["so_y_te"]
    staff.post(f"{page}/contacts/{y_te.id}?period=Q2",
               {f"c{y_te.id}-email": "doan.syt@example.vn"}, page=f"{page}/review?period=Q2")
    staff.post(f"{page}/review/remind", {"period": "Q2"}, page=f"{page}/review?period=Q2")
    mail = smtp.to("doan.syt@example.vn")
    assert len(mail) == 1 and "Quý II" in mail[0]["Subject"]
    assert "đã có 2, đến nay cần đạt 4" in mail[0].get_body(("plain",)).get_content()

    # Organizers classify ideas and pick one for a forum's agenda.
    idea = db.session.query(Idea).filter_by(title="Số hóa hồ sơ công chức trẻ").one()
    forum = create_event(created_by=organizer, kind="forum", title="Diễn đàn Tuổi trẻ sáng tạo",
                         starts_at=local(2021, 9, 20, 13, 30))
    response = staff.post(f"{page}/ideas/{idea.id}", {
        f"i{idea.id}-category": "Cải cách hành chính", f"i{idea.id}-outcome": "new",
        f"i{idea.id}-selected_event_id": forum.id,
        f"i{idea.id}-outcome_note": "Trình bày tại diễn đàn"}, page=f"{page}/ideas")
    assert response.status_code == 302
    db.session.expire_all()
    idea = db.session.get(Idea, idea.id)
    assert (idea.category, idea.outcome, idea.selected_event_id) == (
        "Cải cách hành chính", "selected", forum.id)
    assert "Diễn đàn Tuổi trẻ sáng tạo" in staff.get(f"{page}/ideas").get_data(as_text=True)

    # The programme report, with its charts, as PDF and Excel.
    pdf = staff.get(f"{page}/report?period=H1&format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Chương trình công tác năm 2021" in text
    assert "Đoàn cơ sở Sở Y tế" in text and "6 tháng đầu năm" in text
    # The printed report lists the ideas taken further; the workbook holds the whole bank.
    assert "Số hóa hồ sơ công chức trẻ" in text
    assert "Chatbot hỏi đáp" not in text
    xlsx = load_workbook(io.BytesIO(staff.get(f"{page}/report?period=H1&format=xlsx").data))
    quarters = {r[0]: r[1:] for r in xlsx.worksheets[1].iter_rows(values_only=True)}
    assert quarters["Ý tưởng"] == (3, 4, 0, 0)
    assert quarters["Sáng kiến"] == (1, 0, 0, 0)
    behind_rows = [r[0] for r in xlsx.worksheets[2].iter_rows(values_only=True)][1:]
    assert sorted(behind_rows) == ["Chi đoàn Báo tỉnh", "Đoàn cơ sở Sở Tư pháp",
                                   "Đoàn cơ sở Sở Y tế"]
    by_field = {r[0]: r[1:] for r in xlsx.worksheets[4].iter_rows(values_only=True)}
    assert by_field["Chuyển đổi số"] == (4, 1)
    assert len(list(xlsx.worksheets[5].iter_rows(values_only=True))) == 1 + 7


def test_programme_pages_check_the_programme_organizer(app, bloc, organizer, make_user):
    programme = services.create_programme(title="Chương trình công tác năm 2021", year=2021,
                                          created_by=organizer)
    other = Browser(app.test_client())
    other.login(make_user("organizer", username="bantochuc2"))
    for url in ("", "/ideas", "/review", "/report?format=pdf"):
        assert other.get(f"/programmes/{programme.id}{url}").status_code == 403
    staff_only = Browser(app.test_client())
    staff_only.login(make_user("staff", username="canbo"))
    assert staff_only.get("/programmes/").status_code == 403
    assert Browser(app.test_client()).get(f"/programmes/{programme.id}").status_code == 302
    assert Browser(app.test_client()).get("/p/khong-co-that").status_code == 404


def test_idea_text_is_escaped_on_every_page(app, bloc, organizer, staff):
    scope, units = bloc
    programme = services.create_programme(title="Chương trình 2021", year=2021,
                                          created_by=organizer, scope=scope)
    services.set_target(programme, units["so_noi_vu"], "ideas", 2)
    link = services.ensure_links(programme)[0]
    services.submit_idea(link, kind="idea", title="<img src=x onerror=alert(1)>",
                         description="<script>x</script>", author_name="<b>An</b>")
    for url in (f"/programmes/{programme.id}/ideas", f"/p/{link.token}"):
        html = (staff if url.startswith("/programmes") else Browser(app.test_client())) \
            .get(url).get_data(as_text=True)
        assert "<img src=x" not in html and "<script>x" not in html and "<b>An</b>" not in html


def test_a_programme_is_shared_with_another_organizer(app, organizer, staff, make_user):
    programme = services.create_programme(title="Chương trình công tác năm 2021", year=2021,
                                          created_by=organizer)
    colleague = make_user("organizer", username="vanphong")
    page = f"/programmes/{programme.id}"
    other = Browser(app.test_client())
    other.login(colleague)
    assert other.get(page).status_code == 403
    assert staff.post(f"{page}/organizers", {"user_id": colleague.id},
                      page=page).status_code == 302
    assert other.get(page).status_code == 200
    # A staff account (not an organizer) cannot be given a programme.
    clerk = make_user("staff", username="canbo")
    staff.post(f"{page}/organizers", {"user_id": clerk.id}, page=page)
    assert {u.username for u in services.organizers(programme)} == {"bantochuc", "vanphong"}
    staff.post(f"{page}/organizers/{colleague.id}/remove", page=page)
    assert other.get(page).status_code == 403
    with pytest.raises(DomainError):
        services.remove_organizer(programme, organizer)
