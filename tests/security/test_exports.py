"""Every cell that comes from user text is written as text, headers included."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from checkin.events.services import copy_event
from checkin.types import utcnow

FORMULA = '=HYPERLINK("https://evil.example","Bấm")'


def test_a_meeting_title_is_no_formula_in_the_series_report(as_organizer, make_event,
                                                             organizer):
    first = make_event(title=FORMULA, starts_at=utcnow() - timedelta(days=30))
    copy_event(first, created_by=organizer, title="+SUM(A1:A9)", starts_at=utcnow())
    series_id = first.series_id
    book = load_workbook(io.BytesIO(as_organizer.get(
        f"/series/{series_id}/report?format=xlsx").data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))], texts
    assert any("HYPERLINK" in t for t in texts)  # the title is there, as text

    data = as_organizer.get(f"/series/{series_id}/report?format=csv").data.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(data)) for cell in row]
    assert any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))], cells
