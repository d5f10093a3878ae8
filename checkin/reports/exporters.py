"""Every report as Excel (.xlsx), CSV (UTF-8 with BOM) and PDF in the Union's layout.

A report is handed to the exporters as *sections*: a title, a header row, rows, and
optionally a chart to draw (PDF) — one shape shared by every report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import force_locale

from ..attendees.letters import _Document, letter_head
from ..i18n import format_day, format_when
from ..tabular import spreadsheet_safe, text_cells


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list]
    widths: list[int] = field(default_factory=list)
    #: Draws a chart into the PDF: ``draw(pdf, x, y, width) -> y below``.
    chart: Callable | None = None


def _safe(rows: list[list]) -> list[list]:
    return [[spreadsheet_safe(v) for v in row] for row in rows]


def to_csv(sections: list[Section]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for n, section in enumerate(sections):
        if n:
            writer.writerow([])
        # Titles and headers carry user text too (an event's title in the series report).
        writer.writerow([spreadsheet_safe(section.title)])
        writer.writerow([spreadsheet_safe(h) for h in section.header])
        writer.writerows(_safe(section.rows))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


#: Excel's limit on a sheet name's length.
SHEET_NAME_MAX = 31


def sheet_names(titles: list[str]) -> list[str]:
    """Unique, readable Excel sheet names (≤ 31 characters, none of ``[]:*?/\\``).

    A long title keeps its beginning and its end, which is where titles that share a
    beginning differ ("Chuyển đến …: Ban Tuyên giáo" and "…: Sở Lao động"); names equal
    to an earlier one (Excel ignores case) get " (2)", " (3)"…
    """
    out: list[str] = []
    seen: set[str] = set()
    for title in titles:
        clean = " ".join("".join(" " if ch in "[]:*?/\\" else ch for ch in title).split())
        clean = clean.strip("'") or "Sheet"
        name = clean if len(clean) <= SHEET_NAME_MAX else _middle_cut(clean, SHEET_NAME_MAX)
        n = 1
        candidate = name
        while candidate.casefold() in seen:
            n += 1
            suffix = f" ({n})"
            base = name if len(name) + len(suffix) <= SHEET_NAME_MAX else _middle_cut(
                clean, SHEET_NAME_MAX - len(suffix))
            candidate = base + suffix
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def _middle_cut(text: str, limit: int) -> str:
    """The start and the end of ``text`` joined by "…", at most ``limit`` characters,
    cut at word boundaries where the words allow."""
    head_len = (limit - 1) * 2 // 5
    tail_len = limit - 1 - head_len
    head = text[:head_len]
    if " " in head.rstrip() and not text[head_len:head_len + 1].isspace():
        head = head[:head.rstrip().rfind(" ")] or head
    tail = text[-tail_len:]
    if " " in tail and not text[-tail_len - 1:-tail_len].isspace():
        tail = tail[tail.find(" ") + 1:] or tail
    return f"{head.rstrip()}…{tail.lstrip()}"


def to_xlsx(sections: list[Section]) -> bytes:
    """One sheet per section: bold coloured frozen header, widths, filters."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for section, name in zip(sections, sheet_names([s.title for s in sections]), strict=True):
        sheet = book.create_sheet(name)
        sheet.append([spreadsheet_safe(h) for h in section.header])
        for row in _safe(section.rows):
            sheet.append(row)
        text_cells(sheet)
        for cell in sheet[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="C8102E")
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        widths = section.widths or [max(10, min(60, len(str(h)) + 4)) for h in section.header]
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        if section.rows:
            sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(event, title: str, sections: list[Section], *,
           meetings: list | None = None) -> bytes:
    """A4 in the Union's document layout: the heading, the title, the meeting and its
    date (or, for a series, every meeting: ``meetings``), then each section's chart and
    table."""
    head = letter_head(event)
    pdf = _Document()
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(title)
    pdf.add_page()
    left, width = 20.0, 175.0
    pdf.set_xy(left - 5, 14)
    pdf.set_font("Serif", "", 12)
    pdf.multi_cell(80, 5.4, (head.superior_body or "").upper(), align="C")
    pdf.set_x(left - 5)
    pdf.set_font("Serif", "B", 12)
    pdf.multi_cell(80, 5.4, (head.issuing_body or "").upper() + "\n***", align="C")
    pdf.set_xy(100, 14)
    pdf.set_font("Serif", "B", 13)
    pdf.cell(95, 6, "ĐOÀN TNCS HỒ CHÍ MINH", align="C")
    w = pdf.get_string_width("ĐOÀN TNCS HỒ CHÍ MINH")
    pdf.line(147.5 - w / 2, 20.3, 147.5 + w / 2, 20.3)
    with force_locale("vi"):
        from ..types import utcnow

        today = format_day(utcnow())
        when = format_when(event.starts_at)
        from ..i18n import format_event_when

        lines = [f"{e.title} — {format_event_when(e)}"
                 + (f" — {e.venue}" if e.venue else "") for e in (meetings or [])]
    pdf.set_xy(100, 24)
    pdf.set_font("Serif", "I", 12)
    pdf.cell(95, 6, f"{head.place + ', ' if head.place else ''}{today}", align="C")
    pdf.set_xy(left, max(pdf.get_y() + 14, 45))
    pdf.set_font("Serif", "B", 15)
    pdf.multi_cell(width, 7, title.upper(), align="C")
    pdf.set_x(left)
    pdf.set_font("Serif", "", 12)
    if lines:
        pdf.multi_cell(width, 6, "\n".join(lines), align="C")
    else:
        pdf.multi_cell(width, 6, f"{event.title}\n{when}" + (f" — {event.venue}" if event.venue
                                                                else ""), align="C")
    pdf.ln(4)
    for section in sections:
        if pdf.get_y() > 250:
            pdf.add_page()
        pdf.set_x(left)
        pdf.set_font("Serif", "B", 12.5)
        pdf.multi_cell(width, 6.5, section.title, new_x="LMARGIN", new_y="NEXT")
        if section.chart is not None:
            if pdf.get_y() > 200:
                pdf.add_page()
            y = section.chart(pdf, left, pdf.get_y() + 2, width)
            pdf.set_y(y)
        if section.header:
            _table(pdf, section, left, width)
        pdf.ln(3)
    return bytes(pdf.output())


def _table(pdf, section: Section, left: float, width: float) -> None:
    weights = section.widths or [1] * len(section.header)
    total = sum(weights)
    cols = [width * w / total for w in weights]
    pdf.set_font("Sans", "", 7.5)
    # fpdf2 starts a left-aligned table at the current x: after a title or a chart that
    # is wherever the last cell ended (the right margin), so put it on the margin.
    pdf.set_x(left)
    with pdf.table(col_widths=cols, width=width, align="LEFT", line_height=4.2,
                   text_align="LEFT", headings_style=_heading_style()) as table:
        head = table.row()
        for h in section.header:
            head.cell(str(h))
        for row in section.rows:
            cells = table.row()
            for value in row:
                cells.cell("" if value is None else str(value))


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(200, 16, 46))


__all__ = ["Section", "sheet_names", "to_csv", "to_xlsx", "to_pdf"]
