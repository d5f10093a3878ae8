"""Assigned contributions ("tham luận"): a deadline, the text sent through the unit's link,
shown to the unit and in the programme, counted in the report."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest

from checkin.errors import DomainError, ValidationError
from checkin.events.models import Contribution
from checkin.events.services import add_agenda_item, add_contribution, submit_contribution_text
from checkin.extensions import db
from checkin.reports.services import dialogue_report
from checkin.types import utcnow
from checkin.units.services import create_nomination_link, set_quota
from tests.scenarios.http import text


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def assigned(event, make_unit):
    unit = make_unit("Đoàn Sở Khoa học và Công nghệ")
    set_quota(event, unit, 2)
    item = add_agenda_item(event, title="Tổ chức diễn đàn")
    contribution = add_contribution(
        item, unit=unit, title="Ứng dụng phần mềm quản lý công tác chuyên môn",
        speaker="Bí thư Đoàn Sở", deadline=utcnow() + timedelta(days=3))
    return unit, contribution, create_nomination_link(event, unit)


def test_the_unit_sends_its_text_as_pdf_or_docx(assigned):
    unit, contribution, link = assigned
    submit_contribution_text(link, contribution, filename="Tham luận.docx", data=docx_bytes(),
                             max_bytes=1024 * 1024)
    db.session.refresh(contribution)
    assert (contribution.document_type, contribution.document_name) == ("docx",
                                                                         "Tham luận.docx")
    assert contribution.submitted_at is not None


@pytest.mark.parametrize("name, data, code", [
    ("tham-luan.pdf", b"MZ\x90\x00 not a pdf", "invalid_document"),
    ("tham-luan.exe", PDF, "invalid_document"),
    ("tham-luan.docx", b"PK\x03\x04 broken", "invalid_document"),
    ("tham-luan.pdf", PDF + b"x" * 2048, "too_large"),
    ("tham-luan.pdf", b"", "required"),
])
def test_wrong_or_large_files_are_refused(assigned, name, data, code):
    _unit, contribution, link = assigned
    with pytest.raises(ValidationError) as exc:
        submit_contribution_text(link, contribution, filename=name, data=data, max_bytes=1024)
    assert exc.value.code == code


def test_after_the_deadline_or_for_another_unit_it_is_refused(assigned, event, make_unit):
    _unit, contribution, link = assigned
    other = make_unit("Đoàn Sở Tư pháp")
    set_quota(event, other, 1)
    with pytest.raises(DomainError) as exc:
        submit_contribution_text(create_nomination_link(event, other), contribution,
                                 filename="a.pdf", data=PDF, max_bytes=1024)
    assert exc.value.code == "not_yours"
    contribution.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(DomainError) as exc:
        submit_contribution_text(link, contribution, filename="a.pdf", data=PDF, max_bytes=1024)
    assert exc.value.code == "deadline_passed"


def test_through_the_link_page_and_in_the_report(client, organizer, assigned, event):
    from tests.conftest import login
    from tests.scenarios.http import csrf_from

    _unit, contribution, link = assigned
    page = client.get(f"/n/{link.token}")
    assert "Ứng dụng phần mềm quản lý công tác chuyên môn" in text(page)
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(f"/n/{link.token}/contributions/{contribution.id}",
                           data={"csrf_token": token or "",
                                 "document": (io.BytesIO(PDF), "Tham luận Sở KHCN.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    download = client.get(f"/n/{link.token}/contributions/{contribution.id}")
    assert download.data == PDF and download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    report = dialogue_report(event)
    assert (len(report.contributions), report.contributions_received) == (1, 1)
    login(client, organizer)
    html = text(client.get(f"/events/{event.id}/reports/dialogue"))
    assert "Ứng dụng phần mềm quản lý công tác chuyên môn" in html
    assert db.session.get(Contribution, contribution.id).document_size == len(PDF)


def test_a_written_idea_is_acknowledged_as_such(client, event, make_unit):
    from tests.scenarios.http import csrf_from

    unit = make_unit("Đoàn Sở Nội vụ")
    set_quota(event, unit, 1)
    link = create_nomination_link(event, unit)
    event.kind = "dialogue"
    db.session.commit()
    token = csrf_from(client.get(f"/n/{link.token}").get_data(as_text=True))
    response = client.post(f"/n/{link.token}/questions", data={
        "csrf_token": token or "", "kind": "written", "text": "Đề xuất mở lớp kỹ năng số",
        "nonce": "w1"}, follow_redirects=True)
    body = text(response)
    assert "Đã nhận câu hỏi" not in body and "Question received" not in body


def test_the_agenda_offers_a_reminder_for_a_missing_text(client, organizer, assigned, event):
    from tests.conftest import login

    _unit, contribution, link = assigned
    login(client, organizer)
    page = client.get(f"/events/{event.id}/agenda").get_data(as_text=True)
    assert f"/n/{link.token}" in page and contribution.title in page
