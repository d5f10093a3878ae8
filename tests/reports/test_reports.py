"""The record after the meeting: attendance by unit, the compiled dialogue, exports."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event as sa_event

from checkin.attendance.services import check_in, create_gate, join_online
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import add_attendee, nominate, register_substitute
from checkin.dialogue.services import (
    agencies,
    approve,
    ask,
    mark_answered,
    merge,
    set_agenda,
    set_lists,
    start_answering,
    topics,
    update_settings,
)
from checkin.events.live import switch_mode
from checkin.extensions import db
from checkin.reports.services import attendance_report, dialogue_report, set_excuse
from checkin.types import utcnow
from checkin.units.services import set_quota
from tests.attendees.qrtools import pdf_text
from tests.jobs.fixtures import job_file


@pytest.fixture
def meeting(make_event, make_unit):
    start = utcnow() - timedelta(hours=1)
    event = make_event(title="Đối thoại với thanh niên công nhân năm 2021", kind="dialogue",
                       starts_at=start, ends_at=start + timedelta(hours=3), venue="Hội trường")
    dmc = make_unit("Huyện đoàn Dương Minh Châu", kind="district")
    ht = make_unit("Thị đoàn Hòa Thành", kind="district")
    set_quota(event, dmc, 4)
    set_quota(event, ht, 2)
    people = {n: nominate(event, u, full_name=n) for n, u in (
        ("Nguyễn Văn An", dmc), ("Trần Thị Bích", dmc), ("Lê Văn Cường", dmc),
        ("Phạm Thị Dung", dmc), ("Võ Văn Em", ht), ("Hồ Thị Gấm", ht))}
    guest = add_attendee(event, category="guest", full_name="Khách Sở Nội vụ",
                         organization="Sở Nội vụ")
    gate1, gate2 = create_gate(event, name="Cổng 1"), create_gate(event, name="Cổng 2")
    at = event.starts_at - timedelta(minutes=20)
    for i, (name, gate) in enumerate((("Nguyễn Văn An", gate1), ("Trần Thị Bích", gate2),
                                      ("Võ Văn Em", gate1))):
        check_in(event, active_invitation(people[name]).token, gate=gate,
                 scanned_at=at + timedelta(minutes=4 * i))
    check_in(event, active_invitation(guest).token, gate=gate2, scanned_at=at)
    switch_mode(event, "hybrid")
    join_online(event, people["Lê Văn Cường"])
    set_excuse(event, people["Phạm Thị Dung"], reason="Đi công tác")
    sub = register_substitute(event, people["Hồ Thị Gấm"], full_name="Đặng Văn Thay")
    check_in(event, "", attendee=sub, method="manual", gate=gate1)
    return event


def test_attendance_by_unit_with_excuses_online_and_substitutes(meeting):
    report = attendance_report(meeting)
    rows = {r.unit: r for r in report.units}
    dmc, ht = rows["Huyện đoàn Dương Minh Châu"], rows["Thị đoàn Hòa Thành"]
    assert (dmc.quota, dmc.nominated, dmc.in_person, dmc.online, dmc.excused, dmc.unexcused) \
        == (4, 4, 2, 1, 1, 0)
    assert (ht.quota, ht.nominated, ht.in_person, ht.substitutes, ht.unexcused) == (2, 2, 2, 1, 0)
    assert f"{dmc.rate:.0%}" == "75%"
    assert (report.total.quota, report.total.present) == (6, 5)
    (guests,) = report.others
    assert (guests.unit, guests.present) == ("guest", 1)
    people = {p.name: p for p in report.people}
    assert people["Phạm Thị Dung"].status == "excused"
    assert people["Phạm Thị Dung"].note == "Đi công tác"
    assert people["Lê Văn Cường"].status == "online"
    assert people["Nguyễn Văn An"].gate == "Cổng 1"
    assert sum(report.arrivals["Cổng 1"]) == 3 and sum(report.arrivals["Cổng 2"]) == 2


def test_the_report_needs_a_fixed_number_of_queries(meeting, make_unit):
    def count() -> int:
        statements = []

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            db.session.expire_all()
            attendance_report(meeting)
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    before = count()
    for i in range(5):  # more units and people must not mean more queries
        unit = make_unit(f"Chi đoàn thêm {i}", kind="branch")
        set_quota(meeting, unit, 2)
        nominate(meeting, unit, full_name=f"Đại biểu thêm {i}")
    assert count() == before <= 4


@pytest.fixture
def dialogue(meeting):
    set_lists(meeting, topics=["Việc làm", "Nhà ở"], agencies=["Sở Nội vụ", "Sở Lao động"])
    update_settings(meeting, unit_minimum=5)
    set_agenda(meeting, questions_open=True)
    from checkin.attendees.models import Attendee

    an = db.session.query(Attendee).filter_by(full_name="Nguyễn Văn An").one()
    t, a = topics(meeting), agencies(meeting)
    q1 = ask(meeting, an, text="Nhà trọ giá rẻ cho công nhân", topic_id=t[0].id)
    q2 = ask(meeting, an, text="Xây thêm nhà trọ cho công nhân", topic_id=t[0].id)
    q3 = ask(meeting, an, text="Mở lớp học nghề buổi tối", kind="proposal", topic_id=t[1].id)
    for q, agency in ((q1, a[1]), (q2, a[1]), (q3, a[0])):
        q.agency = agency
    db.session.commit()
    approve(q1)
    approve(q3)
    start_answering(q3)
    mark_answered(q3, note="Sở Nội vụ sẽ phối hợp mở lớp từ tháng 11.")
    merge(meeting, q1, [q2])
    return meeting


def test_the_compiled_dialogue_groups_by_topic_and_agency(dialogue):
    report = dialogue_report(dialogue)
    assert [q.text for q in report.questions] == ["Nhà trọ giá rẻ cho công nhân",
                                                  "Mở lớp học nghề buổi tối"]
    assert report.questions[0].merged[0].text == "Xây thêm nhà trọ cho công nhân"
    assert list(report.by_agency) == ["Sở Lao động", "Sở Nội vụ"]
    assert list(report.unanswered_by_agency) == ["Sở Nội vụ"]
    assert report.by_topic["Việc làm"][0].answer.startswith("Sở Nội vụ")


def test_exports_xlsx_csv_and_pdf(as_organizer, dialogue, worker):
    base = f"/events/{dialogue.id}/reports"
    book = load_workbook(io.BytesIO(job_file(as_organizer, f"{base}/export",
                                             {"format": "xlsx"})))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert ["Huyện đoàn Dương Minh Châu", 4, 4, 2, 1, 3, "75%", 1, 0, 0] in values
    csv_data = as_organizer.get(f"{base}?format=csv").data
    assert csv_data.startswith(b"\xef\xbb\xbf") and "Thị đoàn Hòa Thành".encode() in csv_data
    pdf = job_file(as_organizer, f"{base}/export", {"format": "pdf"})
    text = " ".join(" ".join(t.split()) for t in pdf_text(pdf))
    assert "ĐOÀN TNCS HỒ CHÍ MINH" in text and "Huyện đoàn Dương Minh Châu" in text
    assert "Phạm Thị Dung" in text and "Đi công tác" in text
    from pypdf import PdfReader

    first = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
    assert first.count(b" re") > 20  # the charts' bars are drawn on the first page
    compiled = job_file(as_organizer, f"{base}/dialogue/export", {"format": "pdf"})
    text = " ".join(" ".join(t.split()) for t in pdf_text(compiled))
    assert "Nhà trọ giá rẻ cho công nhân" in text and "Sở Nội vụ" in text
    extract = job_file(as_organizer, f"{base}/dialogue/export",
                       {"format": "xlsx", "agency": agencies(dialogue)[1].id})
    rows = [[c.value for c in r] for s in load_workbook(io.BytesIO(extract)).worksheets
            for r in s.iter_rows(min_row=2)]
    assert any("Nhà trọ giá rẻ" in str(r[1]) for r in rows)
    assert not any("học nghề" in str(r[1]) for r in rows)


def _text_boxes(pdf: bytes):
    """(page width, [(left, right) of every character]) per page, in points."""
    import pypdfium2 as pdfium

    out = []
    for page in pdfium.PdfDocument(pdf):
        text = page.get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars())]
        out.append((page.get_width(), [(b[0], b[2]) for b in boxes if b[2] > b[0]]))
    return out


def test_every_table_of_every_report_pdf_lies_on_the_page(as_organizer, dialogue, meeting,
                                                          organizer, worker):
    """Tables after the first used to start at the right margin and run off the page."""
    from checkin.events.services import copy_event

    later = copy_event(meeting, created_by=organizer, title="Lần hai",
                       starts_at=meeting.starts_at + timedelta(days=90))
    pdfs = {
        "attendance": job_file(as_organizer, f"/events/{dialogue.id}/reports/export",
                               {"format": "pdf"}),
        "dialogue": job_file(as_organizer, f"/events/{dialogue.id}/reports/dialogue/export",
                             {"format": "pdf"}),
        "series": job_file(as_organizer, f"/series/{later.series_id}/report/export",
                           {"format": "pdf"}),
    }
    margin = 20 / 25.4 * 72  # the tables' left edge: 20 mm
    for name, pdf in pdfs.items():
        pages = _text_boxes(pdf)
        assert pages, name
        for width, boxes in pages:
            assert boxes, name
            assert min(left for left, _r in boxes) >= margin - 12, name
            assert max(right for _l, right in boxes) <= width - 20, name
    # The tables that used to be cut off are there, on the page, from the left margin.
    text = " ".join(" ".join(t.split()) for t in pdf_text(pdfs["attendance"]))
    assert "Đi công tác" in text and "Họ và tên" in text


def test_report_pages_render_with_charts(as_organizer, dialogue):
    page = as_organizer.get(f"/events/{dialogue.id}/reports").get_data(as_text=True)
    assert 'id="rate-chart"' in page and "<svg" in page and 'id="arrivals-chart"' in page
    page = as_organizer.get(f"/events/{dialogue.id}/reports/dialogue").get_data(as_text=True)
    assert "Xây thêm nhà trọ cho công nhân" in page


def test_excuses_are_recorded_from_the_page(as_organizer, meeting):
    from checkin.attendees.models import Attendee

    person = db.session.query(Attendee).filter_by(full_name="Phạm Thị Dung").one()
    page = as_organizer.get(f"/events/{meeting.id}/reports").get_data(as_text=True)
    assert f"/reports/excuse/{person.id}" in page and 'value="Đi công tác"' in page
    as_organizer.post(f"/events/{meeting.id}/reports/excuse/{person.id}", data={"reason": ""})
    assert attendance_report(meeting).total.excused == 0
    as_organizer.post(f"/events/{meeting.id}/reports/excuse/{person.id}",
                      data={"reason": "Ốm, có giấy của đơn vị"})
    assert attendance_report(meeting).total.excused == 1


def test_attendance_across_a_series(as_organizer, meeting, organizer, worker):
    from checkin.events.services import copy_event

    later = copy_event(meeting, created_by=organizer, title="Lần hai",
                       starts_at=meeting.starts_at + timedelta(days=90))
    page = as_organizer.get(f"/series/{later.series_id}/report").get_data(as_text=True)
    assert "Huyện đoàn Dương Minh Châu" in page and "3/4" in page
    book = load_workbook(io.BytesIO(job_file(
        as_organizer, f"/series/{later.series_id}/report/export", {"format": "xlsx"})))
    assert book.worksheets[0]["A2"].value == "Huyện đoàn Dương Minh Châu"
