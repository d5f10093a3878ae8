"""Importing the lists units send and exporting the list with invitation links."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from checkin.attendees.invitations import active_invitation, invitation_url
from checkin.attendees.models import Attendee
from checkin.attendees.services import nominate
from checkin.attendees.transfer import export_csv, export_xlsx, import_people, plan_import
from checkin.errors import ValidationError
from checkin.extensions import db
from tests.jobs.fixtures import start_and_wait, wait_for_job

GOOD = """Họ và tên,Chức vụ,Đơn vị,Thành phần,Cơ quan,Điện thoại,Email
Nguyễn Văn An,Bí thư Chi đoàn,Chi đoàn Công ty May Tây Ninh,Đại biểu,,0912 345 678,an@example.vn
Trần Thị Bình,Phó Bí thư,chi doan cong ty may tay ninh,,,,
Lê Minh Châu,Phó Giám đốc,,Khách mời,Sở Nội vụ,0987654321,
Phạm Văn Dũng,Phóng viên,,Phóng viên,Báo Tây Ninh,,
"""


def people(event) -> list[tuple[str, str]]:
    return [(a.full_name, a.category) for a in
            db.session.query(Attendee).filter_by(event_id=event.id).order_by(Attendee.id)]


def test_import_adds_delegates_guests_and_press_with_invitations(event, quota_unit):
    plan = import_people(event, "danh-sach.csv", GOOD.encode("utf-8-sig"))
    assert len(plan.add) == 4 and not plan.errors
    assert people(event) == [("Nguyễn Văn An", "delegate"), ("Trần Thị Bình", "delegate"),
                             ("Lê Minh Châu", "guest"), ("Phạm Văn Dũng", "press")]
    an = db.session.query(Attendee).filter_by(full_name="Nguyễn Văn An").one()
    assert (an.unit_id, an.phone, an.email) == (quota_unit.id, "0912345678", "an@example.vn")
    assert all(active_invitation(a) for a in db.session.query(Attendee))


def test_the_preview_changes_nothing(event, quota_unit):
    plan = plan_import(event, "danh-sach.csv", GOOD.encode())
    assert [p.values["full_name"] for p in plan.add][:2] == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert people(event) == []


def test_people_already_on_the_list_are_reported_and_skipped(event, quota_unit):
    nominate(event, quota_unit, full_name="Nguyễn Văn An", phone="0912345678")
    plan = import_people(event, "danh-sach.csv", GOOD.encode())
    assert [d["row"] for d in plan.duplicates] == [2]
    assert len(people(event)) == 4


def test_every_wrong_row_is_reported_and_nothing_is_imported(event, quota_unit):
    bad = GOOD + ("  ,Bí thư,Chi đoàn Công ty May Tây Ninh,,,,\n"           # 6: no name
                  "Võ Văn Em,,Đơn vị không có,,,,\n"                       # 7: unknown unit
                  "Đỗ Thị Giang,,,Đại biểu,,,\n"                            # 8: delegate, no unit
                  "Hồ Văn Hải,,,Tình nguyện viên,,,\n"                      # 9: unknown category
                  "Ngô Thị Kim,,,Khách mời,,12345,kim@\n"                   # 10: phone, e-mail
                  "Nguyễn Văn An,,Chi đoàn Công ty May Tây Ninh,,,0912345678,\n")  # 11: twice
    with pytest.raises(ValidationError) as exc:
        import_people(event, "danh-sach.csv", bad.encode())
    found = [(e["row"], e["field"]) for e in exc.value.errors]
    assert found == [(6, "Họ và tên"), (7, "Đơn vị"), (8, "Đơn vị"), (9, "Thành phần"),
                     (10, "Điện thoại"), (10, "Email"), (11, "Họ và tên")]
    assert people(event) == []


def test_a_unit_cannot_be_overfilled_by_an_import(event, quota_unit):
    rows = "Họ và tên,Đơn vị\n" + "".join(
        f"Đại biểu {i},Chi đoàn Công ty May Tây Ninh\n" for i in range(4))
    with pytest.raises(ValidationError) as exc:
        import_people(event, "a.csv", rows.encode())
    assert [e["row"] for e in exc.value.errors] == [5]  # the fourth delegate of three seats
    assert people(event) == []


@pytest.mark.parametrize("name, data", [
    ("a.csv", "Tên đơn vị,Loại\nX,Y\n".encode()),                      # no name column
    ("a.csv", "Họ và tên\nNguyễn Văn An\n".encode("utf-16")),           # broken encoding
    ("a.xlsx", b"PK\x03\x04 not really a workbook"),                  # not an .xlsx
    ("a.doc", b"whatever"),                                            # not a list
])
def test_unreadable_lists_get_a_clear_error(event, name, data):
    with pytest.raises(ValidationError) as exc:
        plan_import(event, name, data)
    assert exc.value.code == "bad_file" and exc.value.errors[0]["message"]


def test_xlsx_lists_are_read_too(event, quota_unit):
    book = Workbook()
    book.active.append(["HỌ VÀ TÊN", "ĐƠN VỊ", "SĐT"])
    book.active.append(["Bùi Thị Lan", "Chi đoàn Công ty May Tây Ninh", 912345679])
    out = io.BytesIO()
    book.save(out)
    import_people(event, "ds.xlsx", out.getvalue())
    assert db.session.query(Attendee).one().phone == "0912345679"  # Excel dropped the 0


def _upload(client, event, data: bytes):
    """Upload a list; the worker checks it; the page the check leads to."""
    response = client.post(f"/events/{event.id}/people/import",
                           data={"file": (io.BytesIO(data), "ds.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = response.headers["Location"]
    job_id = page.split("check=")[1]
    job = wait_for_job(client, f"/events/{event.id}/jobs/{job_id}.json")
    assert job["status"] in ("done", "failed")
    return client.get(page)


def test_import_pages_preview_then_confirm(as_organizer, event, quota_unit, worker):
    response = _upload(as_organizer, event, GOOD.encode())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nguyễn Văn An" in html and people(event) == []
    key = html.split('name="upload" type="hidden" value="')[1].split('"')[0]
    job = start_and_wait(as_organizer, f"/events/{event.id}/people/import/confirm",
                         {"upload": key})
    assert job["status"] == "done" and job["next"] == f"/events/{event.id}/people/"
    assert len(people(event)) == 4
    # The same upload cannot be imported twice.
    response = as_organizer.post(f"/events/{event.id}/people/import/confirm",
                                 data={"upload": key})
    assert response.status_code == 302 and len(people(event)) == 4


def test_import_page_shows_the_row_report(as_organizer, event, worker):
    bad = "Họ và tên,Điện thoại\nNguyễn Văn An,12\n".encode()
    response = _upload(as_organizer, event, bad)
    assert response.status_code == 422
    assert "<td>2</td>" in response.get_data(as_text=True)
    assert 'name="upload"' not in response.get_data(as_text=True).split("errors")[-1]


def test_an_unreadable_file_is_reported_on_the_page(as_organizer, event, worker):
    response = _upload(as_organizer, event, b"")
    assert response.status_code == 200 and "Tệp không có dữ liệu." in response.get_data(
        as_text=True)


def test_confirm_refuses_a_forged_upload_key(as_organizer, event):
    response = as_organizer.post(f"/events/{event.id}/people/import/confirm",
                                 data={"upload": "../../secret_key"})
    assert response.status_code == 400


def test_export_xlsx_has_the_list_with_links(event, quota_unit):
    person = nominate(event, quota_unit, full_name="Đặng Thị Hồng Nhung", phone="0912345678")
    book = load_workbook(io.BytesIO(export_xlsx(event, [person])))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["#", "Họ và tên", "Chức vụ"]
    assert sheet[1][0].font.bold and sheet.freeze_panes == "A2"
    row = [c.value for c in sheet[2]]
    assert row[1] == "Đặng Thị Hồng Nhung" and row[3] == "Chi đoàn Công ty May Tây Ninh"
    assert row[-1] == invitation_url(active_invitation(person))


def test_export_csv_opens_in_excel_with_diacritics(as_organizer, event, quota_unit):
    nominate(event, quota_unit, full_name="Trương Mỹ Lệ")
    response = as_organizer.get(f"/events/{event.id}/people/export.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][1] == "Trương Mỹ Lệ" and rows[1][-1].startswith("https://hop.example.vn/i/")
    assert export_csv(event, []).decode("utf-8-sig").startswith("#,")
