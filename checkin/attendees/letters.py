"""Invitation letters and badges as one PDF, ready to print.

Letters follow the Union's administrative layout (seed 004): on the left the
superior and issuing bodies, "***" and the document number; on the right "ĐOÀN
TNCS HỒ CHÍ MINH" and "place, ngày … tháng … năm …"; the title GIẤY MỜI; the body
with the meeting and the person; the signature block; the person's QR code.
Letters are official documents and are always in Vietnamese.

The QR codes are drawn as vector rectangles (no images), which is sharp at any
printer resolution and keeps 500 letters to a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from flask_babel import force_locale
from fpdf import FPDF

from ..i18n import format_when, to_local
from ..types import utcnow
from .invitations import active_invitations, invitation_url
from .models import Attendee, LetterHead
from .qr import dark_runs, qr_matrix

FONTS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "fonts"

#: Badge colours by category (RGB): delegate blue, guest amber, press green, presidium red.
CATEGORY_COLOURS = {
    "delegate": (11, 87, 208),
    "guest": (196, 126, 0),
    "press": (19, 115, 51),
    "presidium": (200, 16, 46),
}
CATEGORY_NAMES = {"delegate": "ĐẠI BIỂU", "guest": "KHÁCH MỜI", "press": "BÁO CHÍ",
                  "presidium": "ĐOÀN CHỦ TỊCH"}


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_creator("checkin")
        self.add_font("Serif", "", FONTS / "LiberationSerif-Regular.ttf")
        self.add_font("Serif", "B", FONTS / "LiberationSerif-Bold.ttf")
        self.add_font("Serif", "I", FONTS / "LiberationSerif-Italic.ttf")
        self.add_font("Sans", "", FONTS / "LiberationSans-Regular.ttf")
        self.add_font("Sans", "B", FONTS / "LiberationSans-Bold.ttf")

    def qr(self, data: str, x: float, y: float, size: float) -> None:
        """Draw the QR code of ``data`` as a ``size`` mm square (quiet zone included)."""
        module = size / len(qr_matrix(data))
        self.set_fill_color(255, 255, 255)
        self.rect(x, y, size, size, style="F")
        self.set_fill_color(0, 0, 0)
        # One path of rectangles written straight into the page (PDF points, origin at
        # the bottom): fpdf2's rect() per run cost a third of a letter's time.
        k, top = self.k, self.h
        ops = [f"{(x + mx * module) * k:.3f} {(top - y - my * module) * k:.3f} "
               f"{n * module * k:.3f} {-module * k:.3f} re" for mx, my, n in dark_runs(data)]
        ops.append("f")
        self._out("\n".join(ops))


def letter_head(event) -> LetterHead:
    """The event's saved letter heading, or one made from the host unit: the host unit
    issues the letter, its parent is the superior body, and the standing committee's
    secretary signs ("TM. BAN THƯỜNG VỤ" / "BÍ THƯ")."""
    from ..extensions import db

    saved = db.session.get(LetterHead, event.id)
    if saved is not None:
        return saved
    host = event.host_unit
    return LetterHead(event_id=event.id, superior_body=host.parent.name if host is not None
                      and host.parent is not None else "",
                      issuing_body=host.name if host is not None else "", number="", place="",
                      issued_on=None, signer_on_behalf="TM. BAN THƯỜNG VỤ",
                      signer_title="BÍ THƯ", signer_name="")


def missing_in_letters(event) -> list[str]:
    """What the letters would print blank, for the print page to say before printing."""
    from flask_babel import gettext as _

    head = letter_head(event)
    missing = []
    if not head.issuing_body:
        missing.append(_("the issuing body (set a host unit for the event, or fill in the "
                         "letter heading)"))
    if not head.number:
        missing.append(_("the document number"))
    if not head.place:
        missing.append(_("the place in the date line"))
    if not (head.signer_on_behalf or head.signer_title):
        missing.append(_("the signature block"))
    if not head.signer_name:
        missing.append(_("the signer's name"))
    return missing


def _vi_date_line(head: LetterHead) -> str:
    day = to_local(head.issued_on or utcnow())
    place = head.place or ""
    return f"{place}, ngày {day.day} tháng {day.month} năm {day.year}".lstrip(", ")


def render_letters(event, attendees: Iterable[Attendee],
                   progress: Callable[[int, int], None] | None = None) -> bytes:
    """One A4 invitation letter per attendee, in one PDF.

    ``progress(done, total)`` is called as letters are drawn (a job's progress bar)."""
    head = letter_head(event)
    invitations = active_invitations(event)
    people = [p for p in attendees if p.id in invitations]
    pdf = _Document()
    pdf.set_title(f"Giấy mời - {event.title}")
    with force_locale("vi"):
        when = format_when(event.starts_at)
    left, width = 30.0, 165.0
    for done, person in enumerate(people):
        if progress is not None:
            progress(done, len(people))
        invitation = invitations[person.id]
        pdf.add_page()
        # Header: two centred columns.
        pdf.set_xy(left - 8, 18)
        pdf.set_font("Serif", "", 12.5)
        pdf.multi_cell(78, 5.6, (head.superior_body or "").upper(), align="C")
        pdf.set_x(left - 8)
        pdf.set_font("Serif", "B", 12.5)
        pdf.multi_cell(78, 5.6, (head.issuing_body or "").upper(), align="C")
        pdf.set_x(left - 8)
        pdf.set_font("Serif", "", 12.5)
        pdf.multi_cell(78, 5.6, "***", align="C")
        if head.number:
            pdf.set_x(left - 8)
            pdf.set_font("Serif", "", 12)
            pdf.multi_cell(78, 5.6, f"Số: {head.number}", align="C")
        header_bottom = pdf.get_y()
        pdf.set_xy(104, 18)
        pdf.set_font("Serif", "B", 14)
        pdf.cell(91, 6.5, "ĐOÀN TNCS HỒ CHÍ MINH", align="C")
        title_w = pdf.get_string_width("ĐOÀN TNCS HỒ CHÍ MINH")
        pdf.line(149.5 - title_w / 2, 24.8, 149.5 + title_w / 2, 24.8)
        pdf.set_xy(104, 31)
        pdf.set_font("Serif", "I", 13)
        pdf.cell(91, 6, _vi_date_line(head), align="C")
        # Title.
        pdf.set_xy(left, max(header_bottom, 40) + 10)
        pdf.set_font("Serif", "B", 17)
        pdf.cell(width, 9, "GIẤY MỜI", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(left)
        pdf.set_font("Serif", "B", 13.5)
        pdf.multi_cell(width, 6.5, event.title, align="C")
        pdf.ln(6)
        # Body.
        lines = [
            ("Trân trọng kính mời đồng chí: ", person.full_name, True),
            ("Chức vụ: ", ", ".join(p for p in (person.position, person.affiliation) if p)
             or "—", False),
            ("Đến dự: ", event.title, False),
        ]
        if event.theme:
            lines.append(("Chủ đề: ", event.theme, False))
        lines.append(("Thời gian: ", when, False))
        venue = ", ".join(p for p in (event.venue, event.venue_address) if p)
        lines.append(("Địa điểm: ", venue or "—", False))
        for label, value, strong in lines:
            pdf.set_x(left)
            pdf.set_font("Serif", "", 14)
            pdf.write(7.2, label)
            pdf.set_font("Serif", "B" if strong else "", 15 if strong else 14)
            pdf.write(7.2, value)
            pdf.ln(8.6)
        pdf.set_x(left)
        pdf.set_font("Serif", "", 14)
        pdf.multi_cell(width, 7.2, "Rất mong đồng chí đến dự đúng thời gian./.")
        # Signature block (right) and QR code (left), side by side.
        top = max(pdf.get_y() + 8, 180)
        pdf.set_xy(110, top)
        pdf.set_font("Serif", "B", 13.5)
        signature = "\n".join(p for p in (head.signer_on_behalf, head.signer_title) if p)
        pdf.multi_cell(85, 6.2, signature or " ", align="C")
        if head.signer_name:
            pdf.set_xy(110, top + 36)
            pdf.multi_cell(85, 6.2, head.signer_name, align="C")
        url = invitation_url(invitation)
        pdf.qr(url, left - 3, top - 2, 38)
        pdf.set_xy(left - 3, top + 37)
        pdf.set_font("Sans", "", 7.5)
        pdf.multi_cell(70, 3.6, "Mã QR của đồng chí: đưa mã tại bàn đón tiếp để điểm danh, "
                                "hoặc quét để xem thư mời.\n" + url)
        pdf.set_xy(left - 3, 282)
        pdf.set_font("Serif", "I", 9)
        pdf.cell(width, 4, f"Giấy mời cá nhân — {person.full_name}")
    return bytes(pdf.output())


BADGE_W, BADGE_H, COLUMNS, ROWS = 85.0, 54.0, 2, 5


def render_badges(event, attendees: Iterable[Attendee],
                  progress: Callable[[int, int], None] | None = None) -> bytes:
    """Badges of 85 × 54 mm, ten per A4 sheet, with cut marks."""
    invitations = active_invitations(event)
    people = [p for p in attendees if p.id in invitations]
    pdf = _Document()
    pdf.set_title(f"Thẻ đại biểu - {event.title}")
    x0 = (210 - COLUMNS * BADGE_W) / 2
    y0 = (297 - ROWS * BADGE_H) / 2
    per_page = COLUMNS * ROWS
    for index, person in enumerate(people):
        if progress is not None:
            progress(index, len(people))
        slot = index % per_page
        if slot == 0:
            pdf.add_page()
            _cut_marks(pdf, x0, y0)
        x = x0 + (slot % COLUMNS) * BADGE_W
        y = y0 + (slot // COLUMNS) * BADGE_H
        _badge(pdf, event, person, invitation_url(invitations[person.id]), x, y)
    if not people:
        pdf.add_page()
    return bytes(pdf.output())


def _cut_marks(pdf: _Document, x0: float, y0: float) -> None:
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.2)
    for c in range(COLUMNS + 1):
        x = x0 + c * BADGE_W
        pdf.line(x, y0 - 8, x, y0 - 2)
        pdf.line(x, y0 + ROWS * BADGE_H + 2, x, y0 + ROWS * BADGE_H + 8)
    for r in range(ROWS + 1):
        y = y0 + r * BADGE_H
        pdf.line(x0 - 8, y, x0 - 2, y)
        pdf.line(x0 + COLUMNS * BADGE_W + 2, y, x0 + COLUMNS * BADGE_W + 8, y)


def _fit(pdf: _Document, text: str, width: float, size: float, minimum: float) -> None:
    while size > minimum and pdf.get_string_width(text) > width:
        size -= 0.5
        pdf.set_font_size(size)


def _badge(pdf: _Document, event, person: Attendee, url: str, x: float, y: float) -> None:
    colour = CATEGORY_COLOURS.get(person.category, (90, 90, 90))
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, BADGE_W, BADGE_H)
    pdf.set_fill_color(*colour)
    pdf.rect(x, y, BADGE_W, 9, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Sans", "B", 11)
    pdf.set_xy(x + 3, y + 1.5)
    pdf.cell(BADGE_W - 6, 6, CATEGORY_NAMES.get(person.category, ""), align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Sans", "", 6.5)
    pdf.set_xy(x + 3, y + 10.5)
    pdf.multi_cell(BADGE_W - 6, 2.9, event.title[:150], max_line_height=2.9)
    text_w = BADGE_W - 36
    pdf.set_font("Sans", "B", 13)
    _fit(pdf, person.full_name, text_w, 13, 8.5)
    pdf.set_xy(x + 3, y + 21)
    pdf.multi_cell(text_w, 5.4, person.full_name)
    pdf.set_font("Sans", "", 8)
    pdf.set_x(x + 3)
    if person.position:
        pdf.multi_cell(text_w, 3.6, person.position[:90])
        pdf.set_x(x + 3)
    pdf.set_text_color(*colour)
    pdf.multi_cell(text_w, 3.6, (person.affiliation or "")[:110])
    pdf.set_text_color(0, 0, 0)
    pdf.qr(url, x + BADGE_W - 31, y + BADGE_H - 31, 29)
