"""Importing the lists units send (CSV, .xlsx) and exporting the list with invitation links."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..errors import ValidationError
from ..extensions import db
from ..i18n import fold
from ..tabular import read_table, spreadsheet_safe, text_cells
from ..units.models import Quota, Unit
from ..units.services import lock_quota
from ..validation import normalize_email, normalize_phone, optional_text, required_text
from .invitations import active_invitations, invitation_url, issue_invitation
from .models import Attendee

PEOPLE_COLUMNS = {
    "full_name": ("ho va ten", "ho ten", "ten", "dai bieu", "full name", "name"),
    "position": ("chuc vu", "position", "title"),
    "unit": ("don vi", "ma don vi", "unit", "unit code"),
    "category": ("thanh phan", "doi tuong", "loai", "category"),
    "organization": ("co quan", "to chuc", "co quan/to chuc", "co quan, to chuc",
                     "organization", "organisation"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt", "phone"),
    "email": ("email", "e-mail", "thu dien tu"),
}

COLUMN_LABELS = {
    "full_name": _l("Full name"),
    "position": _l("Position"),
    "unit": _l("Unit"),
    "category": _l("Category"),
    "organization": _l("Organisation"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
}

CATEGORY_SPELLINGS = {
    "delegate": ("delegate", "dai bieu"),
    "guest": ("guest", "khach moi", "khach"),
    "press": ("press", "phong vien", "bao chi", "bao", "dai"),
    "presidium": ("presidium", "doan chu tich", "chu tri"),
}


@dataclass
class PlannedPerson:
    row: int
    values: dict
    unit: Unit | None = None


@dataclass
class ImportPlan:
    """What an import would do: the people to add, the duplicates skipped, the errors."""

    add: list[PlannedPerson] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_category(value: object, has_unit: bool) -> str:
    text = fold(str(value or ""))
    if not text:
        return "delegate" if has_unit else "guest"
    for category, spellings in CATEGORY_SPELLINGS.items():
        if text in spellings:
            return category
    raise ValidationError(_("Unknown category “%(value)s”: use Đại biểu, Khách mời, Phóng "
                            "viên or Đoàn Chủ tịch.", value=str(value)), code="unknown_category")


def plan_import(event, filename: str, data: bytes, *, progress=None) -> ImportPlan:
    """Read and check a list without changing anything.

    Every row is checked: name required; phone and e-mail valid; the unit known (by
    code or name, diacritics optional); delegates within their unit's remaining seats;
    no person twice in the file. A person already on the event's list (same name and
    phone) is a duplicate: reported and skipped. ``progress(done, total)`` hears about
    the rows read.
    """
    rows = read_table(filename, data, PEOPLE_COLUMNS, required=("full_name",))
    plan = ImportPlan()

    def err(row: int, column: str, message: str) -> None:
        plan.errors.append({"row": row, "field": str(COLUMN_LABELS[column]),
                            "message": message})

    units = db.session.scalars(select(Unit)).all()
    by_code = {u.code.lower(): u for u in units if u.code}
    by_name: dict[str, list[Unit]] = {}
    for u in units:
        by_name.setdefault(u.name_folded, []).append(u)
    existing = {(a.name_folded, a.phone) for a in db.session.scalars(
        select(Attendee).where(Attendee.event_id == event.id, Attendee.phone != ""))}
    seats = dict(db.session.execute(select(Quota.unit_id, Quota.seats)
                                    .where(Quota.event_id == event.id)).all())
    named = dict(db.session.execute(
        select(Attendee.unit_id, func.count()).where(Attendee.event_id == event.id,
                                                     Attendee.category == "delegate",
                                                     Attendee.replaced.is_(False))
        .group_by(Attendee.unit_id)).all())
    seen: dict[tuple, int] = {}

    for done, row in enumerate(rows):
        if progress is not None:
            progress(done, len(rows))
        v, item, bad = row.values, {}, False
        checks = (
            ("full_name", lambda x: required_text(_text(x), "full_name", max_length=120)),
            ("position", lambda x: optional_text(_text(x), "position", max_length=255)),
            ("organization", lambda x: optional_text(_text(x), "organization",
                                                     max_length=255)),
            ("phone", lambda x: normalize_phone(_text(x))),
            ("email", lambda x: normalize_email(_text(x))),
        )
        for column, check in checks:
            try:
                item[column] = check(v.get(column))
            except ValidationError as exc:
                err(row.number, column, exc.errors[0]["message"])
                bad = True
        unit = None
        ref = _text(v.get("unit")).strip()
        if ref:
            matches = by_name.get(fold(ref), [])
            unit = by_code.get(ref.lower()) or (matches[0] if len(matches) == 1 else None)
            if unit is None:
                err(row.number, "unit", _("Several units are called “%(name)s”: give the "
                                          "unit's code instead.", name=ref) if matches else
                    _("No unit called “%(name)s”.", name=ref))
                bad = True
        try:
            item["category"] = _parse_category(v.get("category"), bool(ref))
        except ValidationError as exc:
            err(row.number, "category", str(exc.message))
            bad = True
        if item.get("category") == "delegate" and not ref:
            err(row.number, "unit", _("A delegate belongs to a unit: fill in the unit."))
            bad = True
        if bad:
            continue
        key = (fold(item["full_name"]), item["phone"])
        if item["phone"] and key in seen:
            err(row.number, "full_name", _("The same person (name and phone) is already on "
                                           "row %(row)d.", row=seen[key]))
            continue
        if item["phone"] and key in existing:
            plan.duplicates.append({"row": row.number, "full_name": item["full_name"],
                                    "phone": item["phone"]})
            continue
        seen[key] = row.number
        if item["category"] == "delegate":
            if unit.id not in seats:
                err(row.number, "unit", _("%(unit)s has no seats in this event.",
                                          unit=unit.name))
                continue
            named[unit.id] = named.get(unit.id, 0) + 1
            if named[unit.id] > seats[unit.id]:
                err(row.number, "unit", _("%(unit)s has only %(seats)d seats; this row would "
                                          "be delegate number %(n)d.", unit=unit.name,
                                          seats=seats[unit.id], n=named[unit.id]))
                continue
        plan.add.append(PlannedPerson(row.number, item, unit))
    plan.errors.sort(key=lambda e: e["row"])
    return plan


def import_people(event, filename: str, data: bytes, *, by_user=None) -> ImportPlan:
    """Add everyone in the file, or nobody: the plan is checked again under the quota
    locks of the units concerned, so a nomination made meanwhile cannot overfill a unit."""
    try:
        first = plan_import(event, filename, data)
        for unit_id in sorted({p.unit.id for p in first.add if p.unit is not None}):
            lock_quota(event.id, unit_id)
        plan = plan_import(event, filename, data)
        if not plan.ok:
            raise ValidationError(_("The file has %(n)d error(s); nothing was imported.",
                                    n=len(plan.errors)), code="import_failed",
                                  errors=plan.errors)
        for planned in plan.add:
            values = planned.values
            person = Attendee(event_id=event.id, unit_id=planned.unit.id if planned.unit else None,
                              name_folded=fold(values["full_name"]),
                              organization_folded=fold(values["organization"]), **values)
            db.session.add(person)
            issue_invitation(person, by_user=by_user)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return plan


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


# --- export ----------------------------------------------------------------

def _export_rows(event, people: list[Attendee]) -> tuple[list[str], list[list]]:
    from .labels import CATEGORY_LABELS

    invitations = active_invitations(event)
    header = ["#", _("Full name"), _("Position"), _("Unit or organisation"), _("Category"),
              _("Phone"), _("E-mail"), _("Invitation link")]
    rows = []
    for n, person in enumerate(people, start=1):
        invitation = invitations.get(person.id)
        rows.append([spreadsheet_safe(v) for v in (
            n, person.full_name, person.position, person.affiliation,
            str(CATEGORY_LABELS[person.category]), person.phone, person.email,
            invitation_url(invitation) if invitation else "")])
    return header, rows


def export_csv(event, people: list[Attendee]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens it with diacritics intact."""
    header, rows = _export_rows(event, people)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(event, people: list[Attendee]) -> bytes:
    """A formatted workbook: bold frozen header, filters, column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    header, rows = _export_rows(event, people)
    book = Workbook()
    sheet = book.active
    sheet.title = _("People")[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    text_cells(sheet)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="C8102E")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for letter, width in zip("ABCDEFGH", (5, 28, 28, 40, 14, 14, 28, 46), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
