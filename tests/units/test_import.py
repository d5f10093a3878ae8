"""Importing units from CSV and Excel: all or nothing, with a per-row report."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from checkin.errors import ValidationError
from checkin.extensions import db
from checkin.units.models import Unit
from checkin.units.services import import_units, unit_tree

CSV_OK = """Tên đơn vị,Loại,Số đoàn viên,Đơn vị cấp trên,Mã
Tỉnh đoàn Tây Ninh,Tỉnh đoàn,52000,,TN
Huyện đoàn Dương Minh Châu,Huyện đoàn,4100,TN,TN-DMC
Chi đoàn Công ty Giày Hòa Bình,Chi đoàn cơ sở,35,Huyện đoàn Dương Minh Châu,
Thị đoàn Hòa Thành,Thị đoàn,"3.800",Tỉnh đoàn Tây Ninh,TN-HT
"""


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def tree() -> list[tuple[str, int]]:
    return [(u.name, depth) for u, depth in unit_tree()]


def test_csv_with_vietnamese_headers_builds_the_tree():
    result = import_units("don-vi.csv", CSV_OK.encode("utf-8-sig"))
    assert (result.created, result.updated) == (4, 0)
    assert tree() == [
        ("Tỉnh đoàn Tây Ninh", 0),
        ("Huyện đoàn Dương Minh Châu", 1),
        ("Chi đoàn Công ty Giày Hòa Bình", 2),
        ("Thị đoàn Hòa Thành", 1),
    ]
    hoa_thanh = db.session.query(Unit).filter_by(code="TN-HT").one()
    assert (hoa_thanh.kind, hoa_thanh.member_count) == ("district", 3800)


def test_reimporting_updates_instead_of_duplicating():
    import_units("a.csv", CSV_OK.encode())
    again = CSV_OK.replace("52000", "53000")
    result = import_units("a.csv", again.encode())
    assert (result.created, result.updated) == (0, 4)
    assert db.session.query(Unit).filter_by(code="TN").one().member_count == 53000


def test_xlsx_import_with_parent_defined_later_in_the_file():
    data = xlsx([
        ["Ten don vi", "Loai", "So doan vien", "Don vi cap tren"],
        ["Đoàn cơ sở Sở Y tế", "Đoàn cơ sở", 88, "Đoàn Khối Dân Chính Đảng"],
        ["Đoàn Khối Dân Chính Đảng", "Đoàn khối", 2600, None],
        [None, None, None, None],  # blank rows are skipped
    ])
    result = import_units("units.xlsx", data)
    assert result.created == 2
    assert tree() == [("Đoàn Khối Dân Chính Đảng", 0), ("Đoàn cơ sở Sở Y tế", 1)]


def test_one_wrong_row_imports_nothing_and_reports_every_problem():
    bad = CSV_OK + (
        ",Chi đoàn,10,TN,\n"                              # row 6: no name
        "Chi đoàn Ấp 3,Tổ dân phố,10,TN,\n"               # row 7: unknown kind
        "Chi đoàn Ấp 4,Chi đoàn,mười,TN,\n"               # row 8: not a number
        "Chi đoàn Ấp 5,Chi đoàn,-2,Không Có Đơn Vị Này,\n"  # row 9: two problems
    )
    with pytest.raises(ValidationError) as exc:
        import_units("bad.csv", bad.encode())
    problems = [(e["row"], e["field"]) for e in exc.value.errors]
    assert problems == [(6, "Tên đơn vị"), (7, "Loại"), (8, "Số đoàn viên"),
                        (9, "Số đoàn viên"), (9, "Đơn vị cấp trên")]
    assert all(e["message"] for e in exc.value.errors)
    assert db.session.query(Unit).count() == 0


def test_duplicates_and_loops_in_the_file_are_reported():
    data = ("Tên đơn vị,Loại,Đơn vị cấp trên,Mã\n"
            "Chi đoàn A,Chi đoàn,,X\n"
            "Chi đoàn A,Chi đoàn,,Y\n"
            "Đoàn B,Đoàn cơ sở,Đoàn C,\n"
            "Đoàn C,Đoàn cơ sở,Đoàn B,\n")
    with pytest.raises(ValidationError) as exc:
        import_units("loop.csv", data.encode())
    rows = {e["row"] for e in exc.value.errors}
    assert rows == {3, 4, 5}
    assert db.session.query(Unit).count() == 0


@pytest.mark.parametrize("name, data, code", [
    ("units.pdf", b"%PDF", "bad_file"),
    # saved by an old Excel in the Windows code page
    ("units.csv", "Tên đơn vị,Loại\nĐoàn cơ sở A,Đoàn cơ sở\n".encode("cp1258", "replace"),
     "bad_file"),
    ("units.csv", b"Loai,So doan vien\nChi doan,3\n", "bad_file"),
    ("units.xlsx", b"not a zip", "bad_file"),
    ("units.csv", b"", "bad_file"),
])
def test_unreadable_files_get_a_clear_error(name, data, code):
    with pytest.raises(ValidationError) as exc:
        import_units(name, data)
    assert exc.value.code == code
    assert exc.value.errors[0]["message"]


def test_import_page_shows_the_row_report(as_organizer):
    bad = "Tên đơn vị,Loại\nChi đoàn A,Không rõ\n".encode()
    response = as_organizer.post("/units/import",
                                 data={"file": (io.BytesIO(bad), "don-vi.csv")},
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<td>2</td>" in html and "Không rõ" in html
    assert db.session.query(Unit).count() == 0


def test_import_page_imports(as_organizer):
    response = as_organizer.post("/units/import",
                                 data={"file": (io.BytesIO(CSV_OK.encode()), "don-vi.csv")},
                                 content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.query(Unit).count() == 4
