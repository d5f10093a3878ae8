"""Invitation letters and badges: the Union's layout, Vietnamese text, QR codes that read."""

from __future__ import annotations

import pytest

from checkin.attendees.invitations import active_invitation, invitation_url
from checkin.attendees.letters import render_badges, render_letters
from checkin.attendees.services import add_attendee, nominate, save_letter_head
from tests.attendees.qrtools import decode_image, pdf_pages, pdf_text
from tests.conftest import local
from tests.jobs.fixtures import start_and_wait


@pytest.fixture
def heading(event):
    save_letter_head(event, superior_body="Thành đoàn Cần Thơ",
                     issuing_body="BCH Đoàn Khối cơ quan Dân Chính Đảng", number="121-GM/ĐTN",
                     place="Cần Thơ", issued_on=local(2024, 7, 22, 9, 0),
                     signer_on_behalf="TM. BAN THƯỜNG VỤ", signer_title="BÍ THƯ",
                     signer_name="Trần Văn Ký")


def test_a_letter_in_the_unions_layout_with_a_qr_that_reads(event, quota_unit, heading):
    event.theme = "Phát huy vai trò tiên phong của thanh niên"
    event.venue = "Hội trường Trung tâm Dịch vụ việc làm thanh niên"
    person = nominate(event, quota_unit, full_name="Huỳnh Thị Ngọc Diễm",
                      position="Phó Bí thư Chi đoàn")
    pdf = render_letters(event, [person])
    (text,) = pdf_text(pdf)
    for expected in ("THÀNH ĐOÀN CẦN THƠ", "BCH ĐOÀN KHỐI CƠ QUAN DÂN CHÍNH ĐẢNG", "***",
                     "Số: 121-GM/ĐTN", "ĐOÀN TNCS HỒ CHÍ MINH",
                     "Cần Thơ, ngày 22 tháng 7 năm 2024", "GIẤY MỜI", "Huỳnh Thị Ngọc Diễm",
                     "Phó Bí thư Chi đoàn", "Chi đoàn Công ty May Tây Ninh",
                     "Phát huy vai trò tiên phong", "13 giờ 30, thứ Sáu 20/9/2030",
                     "TM. BAN THƯỜNG VỤ", "BÍ THƯ", "Trần Văn Ký"):
        assert expected in " ".join(text.split()), expected
    (page,) = pdf_pages(pdf)
    assert decode_image(page) == [invitation_url(active_invitation(person))]


def test_letters_for_a_unit_one_page_each(as_organizer, event, quota_unit, heading, worker):
    people = [nominate(event, quota_unit, full_name=n) for n in
              ("Lê Văn Một", "Lê Văn Hai", "Lê Văn Ba")]
    add_attendee(event, category="guest", full_name="Khách Không Thuộc Đơn Vị")
    job = start_and_wait(as_organizer, f"/events/{event.id}/people/letters",
                         {"unit": quota_unit.id})
    assert job["status"] == "done" and (job["done"], job["total"]) == (3, 3)
    response = as_organizer.get(job["download"])
    assert response.mimetype == "application/pdf"
    texts = pdf_text(response.data)
    assert len(texts) == 3
    assert sorted(t for p in people for t in texts if p.full_name in t) == sorted(texts)


def test_badges_ten_per_sheet_with_category_and_readable_qr(event, quota_unit, make_unit):
    from checkin.units.services import set_quota

    big = make_unit("Đoàn cơ sở Sở Y tế")
    set_quota(event, big, 11)
    people = [nominate(event, big, full_name=f"Đại Biểu Số {i}") for i in range(11)]
    press = add_attendee(event, category="press", full_name="Phóng Viên Đài Truyền Hình",
                         organization="Đài Phát thanh và Truyền hình")
    pdf = render_badges(event, people + [press])
    texts = pdf_text(pdf)
    assert len(texts) == 2  # 12 badges: a full sheet of 10, then 2
    assert "ĐẠI BIỂU" in texts[0] and "BÁO CHÍ" in texts[1]
    assert "Đài Phát thanh và Truyền hình" in " ".join(texts[1].split())
    decoded = decode_image(pdf_pages(pdf, dpi=200)[1])
    assert invitation_url(active_invitation(press)) in decoded


def test_a_letter_without_a_heading_still_prints(event, quota_unit):
    person = nominate(event, quota_unit, full_name="Võ Thị Sáu")
    (text,) = pdf_text(render_letters(event, [person]))
    assert "GIẤY MỜI" in text and "Võ Thị Sáu" in text


def test_letter_heading_form_requires_the_issuing_body(as_organizer, event):
    response = as_organizer.post(f"/events/{event.id}/people/letterhead",
                                 data={"issuing_body": "", "place": ""})
    assert response.status_code == 422
    response = as_organizer.post(f"/events/{event.id}/people/letterhead",
                                 data={"issuing_body": "BCH Đoàn Khối", "place": "Trà Vinh"})
    assert response.status_code == 302


def test_without_a_heading_the_host_unit_signs_and_nothing_prints_none(event, quota_unit,
                                                                        make_unit):
    from checkin.events.services import update_event

    province = make_unit("Tỉnh đoàn Tây Ninh", kind="province")
    host = make_unit("Huyện đoàn Dương Minh Châu", kind="district", parent=province)
    update_event(event, title=event.title, starts_at=event.starts_at, kind=event.kind,
                 host_unit=host)
    person = nominate(event, quota_unit, full_name="Võ Thị Sáu")
    (text,) = pdf_text(render_letters(event, [person]))
    flat = " ".join(text.split())
    assert "None" not in flat
    for expected in ("TỈNH ĐOÀN TÂY NINH", "HUYỆN ĐOÀN DƯƠNG MINH CHÂU", "TM. BAN THƯỜNG VỤ",
                     "BÍ THƯ"):
        assert expected in flat, expected


def test_the_print_page_says_what_the_letters_lack(as_organizer, event):
    page = as_organizer.get(f"/events/{event.id}/people/print").get_data(as_text=True)
    assert "Trước khi in giấy mời, cần điền:" in page
    assert "cơ quan ban hành" in page and "họ tên người ký" in page
    save_letter_head(event, superior_body="Thành đoàn Cần Thơ", issuing_body="BCH Đoàn Khối",
                     number="12-GM/ĐTN", place="Cần Thơ", issued_on=None,
                     signer_on_behalf="TM. BAN THƯỜNG VỤ", signer_title="BÍ THƯ",
                     signer_name="Trần Văn Ký")
    page = as_organizer.get(f"/events/{event.id}/people/print").get_data(as_text=True)
    assert "Trước khi in giấy mời" not in page
