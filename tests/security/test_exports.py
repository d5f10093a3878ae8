"""Every cell that comes from user text is written as text, headers included.

The series report puts each meeting's title in a header cell; report files are now
built by a job (checkin.jobs), through these same exporters.
"""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from checkin.reports.exporters import Section, to_csv, to_xlsx

FORMULA = '=HYPERLINK("https://evil.example","Bấm")'


def sections():
    return [Section(title="+SUM(A1:A9)", header=["Đơn vị", FORMULA, "@cmd"],
                    rows=[["-2+3", FORMULA, 5]])]


def test_titles_headers_and_cells_are_no_formulas_in_xlsx():
    book = load_workbook(io.BytesIO(to_xlsx(sections())))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))], texts
    assert any("HYPERLINK" in t for t in texts)  # the text is there, as text


def test_titles_headers_and_cells_are_no_formulas_in_csv():
    data = to_csv(sections()).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(data)) for cell in row]
    assert any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], cells
