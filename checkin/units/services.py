"""Operations on units, quotas and nomination links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..audit import services as audit
from ..errors import Conflict, DomainError, ValidationError
from ..extensions import db
from ..i18n import clean_name, fold
from ..tabular import read_table
from ..transaction import commit, transactional
from ..types import utcnow
from ..validation import field_error, optional_text, parse_count, required_text
from .models import UNIT_KINDS, NominationLink, Quota, QuotaRule, Unit

#: Labels of unit kinds, as the Union writes them.
KIND_LABELS = {
    "province": _l("Province/city union"),
    "district": _l("District union"),
    "grassroots": _l("Grassroots union"),
    "branch": _l("Branch"),
    "association": _l("Association branch"),
    "agency": _l("Agency or organisation"),
}

#: Spellings accepted for each kind in imports (folded).
KIND_SPELLINGS = {
    "province": ("province", "tinh doan", "tinh/thanh doan", "thanh doan truc thuoc trung uong"),
    "district": ("district", "huyen doan", "thi doan", "thanh doan", "quan doan",
                 "huyen/thi/thanh doan", "doan khoi", "doan truc thuoc"),
    "grassroots": ("grassroots", "doan co so", "grassroots union"),
    "branch": ("branch", "chi doan", "chi doan co so"),
    "association": ("association", "chi hoi", "association branch"),
    "agency": ("agency", "co quan", "to chuc", "co quan, to chuc"),
}


def parse_kind(value: object, field: str = "kind") -> str:
    text = fold(str(value or ""))
    if not text:
        raise field_error(field, _("This field is required."), "required")
    for kind, spellings in KIND_SPELLINGS.items():
        if text in spellings or text == fold(str(KIND_LABELS[kind])):
            return kind
    raise field_error(
        field,
        _("Unknown unit kind “%(value)s”. Use one of: %(kinds)s.", value=str(value),
          kinds=", ".join(str(KIND_LABELS[k]) for k in UNIT_KINDS)),
        "unknown_kind",
    )


# --- the unit tree ---------------------------------------------------------

def _check_unique(name_folded: str, parent_id: int | None, code: str | None,
                  *, exclude_id: int | None = None) -> None:
    same = select(Unit.id).where(
        Unit.name_folded == name_folded,
        Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id,
    )
    if exclude_id:
        same = same.where(Unit.id != exclude_id)
    if db.session.scalar(same):
        raise field_error("name", _("A unit with this name already exists at this place in "
                                    "the tree."), "duplicate_unit")
    if code:
        other = select(Unit.id).where(Unit.code == code)
        if exclude_id:
            other = other.where(Unit.id != exclude_id)
        if db.session.scalar(other):
            raise field_error("code", _("Another unit already has this code."), "duplicate_code")


def _check_parent(unit: Unit | None, parent: Unit | None) -> None:
    node = parent
    while node is not None and unit is not None:
        if node.id == unit.id:
            raise field_error("parent", _("A unit cannot be placed under itself or one of its "
                                          "own units."), "cycle")
        node = node.parent


@transactional
def create_unit(*, name: str, kind: str, member_count: object = 0,
                parent: Unit | None = None, code: str | None = None) -> Unit:
    """Add a unit to the tree. Names are unique among siblings, codes everywhere."""
    name = required_text(name, "name", max_length=255)
    kind = parse_kind(kind)
    code = optional_text(code, "code", max_length=32) or None
    count = parse_count(member_count, "member_count")
    _check_unique(fold(name), parent.id if parent else None, code)
    unit = Unit(name=name, name_folded=fold(name), kind=kind, member_count=count,
                parent=parent, code=code)
    db.session.add(unit)
    db.session.commit()
    return unit


@transactional
def update_unit(unit: Unit, *, name: str, kind: str, member_count: object,
                parent: Unit | None, code: str | None = None) -> Unit:
    """Change a unit's name, kind, member count, code or place in the tree."""
    name = required_text(name, "name", max_length=255)
    kind = parse_kind(kind)
    code = optional_text(code, "code", max_length=32) or None
    count = parse_count(member_count, "member_count")
    _check_parent(unit, parent)
    _check_unique(fold(name), parent.id if parent else None, code, exclude_id=unit.id)
    unit.name, unit.name_folded, unit.kind = name, fold(name), kind
    unit.member_count, unit.parent, unit.code = count, parent, code
    db.session.commit()
    return unit


def delete_unit(unit: Unit) -> None:
    """Remove a unit that nothing refers to (no sub-units, quotas, people or talks)."""
    from ..attendees.models import Attendee
    from ..events.models import Contribution

    used = (
        db.session.scalar(select(func.count()).where(Unit.parent_id == unit.id))
        or db.session.scalar(select(func.count()).where(Quota.unit_id == unit.id))
        or db.session.scalar(select(func.count()).where(Attendee.unit_id == unit.id))
        or db.session.scalar(select(func.count()).where(Contribution.unit_id == unit.id))
    )
    if used:
        raise Conflict(_("This unit has sub-units, quotas, delegates or contributions and "
                         "cannot be deleted."), code="unit_in_use")
    db.session.delete(unit)
    db.session.commit()


def unit_tree() -> list[tuple[Unit, int]]:
    """Every unit with its depth, parents before children, siblings by name."""
    units = db.session.scalars(select(Unit).order_by(Unit.name_folded)).all()
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)
    out: list[tuple[Unit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for u in children.get(parent_id, []):
            out.append((u, depth))
            walk(u.id, depth + 1)

    walk(None, 0)
    return out


def descendants(unit: Unit) -> list[Unit]:
    """The unit and every unit below it."""
    tree = unit_tree()
    ids = {unit.id}
    out = []
    for u, _depth in tree:
        if u.id in ids or u.parent_id in ids:
            ids.add(u.id)
            out.append(u)
    return out


# --- import ----------------------------------------------------------------

UNIT_COLUMNS = {
    "name": ("ten don vi", "ten", "don vi", "name", "unit"),
    "kind": ("loai", "loai don vi", "cap", "kind", "type"),
    "member_count": ("so doan vien", "doan vien", "so luong doan vien", "members",
                     "member count"),
    "parent": ("don vi cap tren", "cap tren", "truc thuoc", "parent"),
    "code": ("ma", "ma don vi", "code"),
}

COLUMN_LABELS = {
    "name": _l("Unit name"),
    "kind": _l("Kind"),
    "member_count": _l("Members"),
    "parent": _l("Parent unit"),
    "code": _l("Code"),
}


@dataclass
class ImportResult:
    created: int
    updated: int


def import_units(filename: str, data: bytes) -> ImportResult:
    """Add or update units from a CSV or .xlsx file, all or nothing.

    Columns: name, kind, member count, parent (name or code of a unit already in the
    tree or earlier/later in the file), code. An existing unit with the same name under
    the same parent is updated. If any row is wrong, nothing is written and the
    :class:`ValidationError` lists every problem as ``{row, field, message}``.
    """
    rows = read_table(filename, data, UNIT_COLUMNS, required=("name", "kind"))
    errors: list[dict] = []
    parsed: list[dict] = []

    def err(row: int, field: str, message: str) -> None:
        errors.append({"row": row, "field": str(COLUMN_LABELS[field]), "message": message})

    for row in rows:
        v = row.values
        item = {"row": row.number}
        for field, parse in (
            ("name", lambda x: required_text(None if x is None else str(x), "name",
                                             max_length=255)),
            ("kind", parse_kind),
            ("member_count", lambda x: parse_count(x, "member_count")),
            ("code", lambda x: optional_text(None if x is None else str(x), "code",
                                             max_length=32) or None),
            ("parent", lambda x: clean_name(None if x is None else str(x))),
        ):
            try:
                item[field] = parse(v.get(field))
            except ValidationError as exc:
                err(row.number, field, exc.errors[0]["message"])
        parsed.append(item)

    existing = db.session.scalars(select(Unit)).all()
    by_code = {u.code.lower(): u for u in existing if u.code}
    by_name: dict[str, list[Unit]] = {}
    for u in existing:
        by_name.setdefault(u.name_folded, []).append(u)
    file_by_code: dict[str, dict] = {}
    file_by_name: dict[str, list[dict]] = {}
    for item in parsed:
        if item.get("code"):
            key = item["code"].lower()
            if key in file_by_code:
                err(item["row"], "code", _("This code appears twice in the file (row %(row)d).",
                                           row=file_by_code[key]["row"]))
            file_by_code[key] = item
        if item.get("name"):
            file_by_name.setdefault(fold(item["name"]), []).append(item)

    # Resolve each row's parent: a row of the file first, then a unit in the tree.
    for item in parsed:
        ref = item.get("parent")
        item["parent_item"] = item["parent_unit"] = None
        if not ref:
            continue
        key = fold(ref)
        if ref.lower() in file_by_code:
            item["parent_item"] = file_by_code[ref.lower()]
        elif len(file_by_name.get(key, [])) == 1:
            item["parent_item"] = file_by_name[key][0]
        elif ref.lower() in by_code:
            item["parent_unit"] = by_code[ref.lower()]
        elif len(by_name.get(key, [])) == 1:
            item["parent_unit"] = by_name[key][0]
        elif len(by_name.get(key, [])) > 1 or len(file_by_name.get(key, [])) > 1:
            err(item["row"], "parent", _("Several units are called “%(name)s”: give the "
                                         "parent's code instead.", name=ref))
        else:
            err(item["row"], "parent", _("No unit called “%(name)s” in the tree or in the "
                                         "file.", name=ref))
        if item["parent_item"] is item:
            err(item["row"], "parent", _("A unit cannot be its own parent."))
            item["parent_item"] = None

    # Same name twice under the same parent within the file.
    seen: dict[tuple, int] = {}
    for item in parsed:
        if not item.get("name"):
            continue
        parent_key = (("row", item["parent_item"]["row"]) if item["parent_item"]
                      else ("unit", item["parent_unit"].id if item["parent_unit"] else None))
        key = (fold(item["name"]), parent_key)
        if key in seen:
            err(item["row"], "name", _("This unit appears twice in the file (row %(row)d).",
                                       row=seen[key]))
        seen[key] = item["row"]

    # Order rows so parents come first; what is left over is a cycle.
    ordered: list[dict] = []
    placed: set[int] = set()
    pending = [i for i in parsed if i.get("name")]
    while pending:
        ready = [i for i in pending
                 if i["parent_item"] is None or i["parent_item"]["row"] in placed]
        if not ready:
            for i in pending:
                err(i["row"], "parent", _("The parent references in the file form a loop."))
            break
        for i in ready:
            ordered.append(i)
            placed.add(i["row"])
        pending = [i for i in pending if i["row"] not in placed]

    for item in parsed:
        owner = by_code.get(item["code"].lower()) if item.get("code") else None
        if owner is not None and owner.name_folded != fold(item.get("name") or ""):
            err(item["row"], "code", _("Another unit already has this code."))

    if errors:
        errors.sort(key=lambda e: (e["row"] or 0))
        raise ValidationError(_("The file has %(n)d error(s); nothing was imported.",
                                n=len(errors)), code="import_failed", errors=errors)

    created = updated = 0
    try:
        for item in ordered:
            parent = (item["parent_item"]["unit"] if item["parent_item"] else item["parent_unit"])
            match = db.session.scalar(select(Unit).where(
                Unit.name_folded == fold(item["name"]),
                Unit.parent_id == parent.id if parent is not None else Unit.parent_id.is_(None),
            ))
            if match is None:
                match = Unit(name=item["name"], name_folded=fold(item["name"]))
                db.session.add(match)
                created += 1
            else:
                updated += 1
            match.kind, match.member_count, match.parent = (
                item["kind"], item["member_count"], parent)
            if item.get("code"):
                match.code = item["code"]
            db.session.flush()
            item["unit"] = match
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ImportResult(created=created, updated=updated)


# --- quotas ----------------------------------------------------------------

@transactional
def set_quota_rules(event, rules: list[dict]) -> list[QuotaRule]:
    """Replace the event's quota rules with ``rules`` ({unit_kind, min_members_exclusive, seats}).

    Rows with no seats given are ignored; the same kind and threshold twice is refused.
    """
    clean: list[QuotaRule] = []
    seen = set()
    for i, rule in enumerate(rules):
        if rule.get("seats") in (None, ""):
            continue
        kind = parse_kind(rule.get("unit_kind"), f"rules-{i}-unit_kind")
        threshold = parse_count(rule.get("min_members_exclusive"),
                                f"rules-{i}-min_members_exclusive")
        seats = parse_count(rule.get("seats"), f"rules-{i}-seats", allow_blank=False)
        if (kind, threshold) in seen:
            raise field_error(f"rules-{i}-unit_kind", _("The same rule is given twice."),
                              "duplicate_rule")
        seen.add((kind, threshold))
        clean.append(QuotaRule(event_id=event.id, unit_kind=kind,
                               min_members_exclusive=threshold, seats=seats))
    old = [{"unit_kind": r.unit_kind, "min_members_exclusive": r.min_members_exclusive,
            "seats": r.seats} for r in db.session.scalars(
                select(QuotaRule).where(QuotaRule.event_id == event.id))]
    db.session.execute(QuotaRule.__table__.delete().where(QuotaRule.event_id == event.id))
    db.session.add_all(clean)
    audit.record("quota.rules", event=event, target=event, before={"rules": old}, after={
        "rules": [{"unit_kind": r.unit_kind, "min_members_exclusive": r.min_members_exclusive,
                   "seats": r.seats} for r in clean]})
    commit()
    return clean


def rule_seats(rules: list[QuotaRule], unit: Unit) -> int | None:
    """Seats the rules give ``unit``: the matching rule with the highest threshold."""
    best = None
    for rule in rules:
        if rule.unit_kind == unit.kind and unit.member_count > rule.min_members_exclusive:
            if best is None or rule.min_members_exclusive > best.min_members_exclusive:
                best = rule
    return None if best is None else best.seats


@dataclass
class AllocationResult:
    allocated: int
    units: int
    kept_manual: int


@transactional
def apply_quota_rules(event, *, scope: Unit | None = None,
                      overwrite_manual: bool = False) -> AllocationResult:
    """Allocate seats to every unit (under ``scope``, if given) by the event's rules.

    Quotas typed by hand are kept unless ``overwrite_manual``. A unit that no rule
    matches loses a rule-made quota, unless it has already nominated delegates.
    """
    rules = db.session.scalars(select(QuotaRule).where(QuotaRule.event_id == event.id)).all()
    if not rules:
        raise DomainError(_("Add at least one quota rule first."), code="no_rules")
    units = descendants(scope) if scope else db.session.scalars(select(Unit)).all()
    quotas = {q.unit_id: q for q in
              db.session.scalars(select(Quota).where(Quota.event_id == event.id))}
    nominated = nominated_counts(event)
    allocated = touched = kept = 0
    for unit in units:
        seats = rule_seats(rules, unit)
        quota = quotas.get(unit.id)
        if quota is not None and quota.source == "manual" and not overwrite_manual:
            kept += 1
            continue
        if seats is None:
            if quota is not None and not nominated.get(unit.id):
                db.session.delete(quota)
            continue
        if quota is None:
            quota = Quota(event_id=event.id, unit_id=unit.id, seats=seats)
            db.session.add(quota)
        quota.seats, quota.source = seats, "rule"
        allocated += seats
        touched += 1
    audit.record("quota.allocate", event=event, target=scope or event, after={
        "allocated": allocated, "units": touched, "kept_manual": kept,
        "overwrite_manual": overwrite_manual})
    commit()
    return AllocationResult(allocated=allocated, units=touched, kept_manual=kept)


@transactional
def save_quota_rules(event, rules: list[dict], *, scope: Unit | None = None,
                     overwrite_manual: bool = False) -> AllocationResult:
    """The quota rules form as one action: replace the rules and allocate by them,
    together or not at all."""
    set_quota_rules(event, rules)
    return apply_quota_rules(event, scope=scope, overwrite_manual=overwrite_manual)


def set_quota(event, unit: Unit, seats: object) -> Quota | None:
    """Set a unit's seats by hand (seed 002: 22, 24, 46). Blank or 0 with no delegates
    removes the unit from the event."""
    count = parse_count(seats, "seats")
    quota = db.session.scalar(select(Quota).where(Quota.event_id == event.id,
                                                  Quota.unit_id == unit.id))
    before = {"seats": quota.seats if quota else None, "source": quota.source if quota else None}
    if count == 0 and not nominated_counts(event).get(unit.id):
        if quota is not None:
            audit.record("quota.set", event=event, target=unit, before=before,
                         after={"seats": None})
            db.session.delete(quota)
            db.session.commit()
        return None
    if quota is None:
        quota = Quota(event_id=event.id, unit_id=unit.id, seats=count)
        db.session.add(quota)
    quota.seats, quota.source = count, "manual"
    before, after = audit.changes(before, {"seats": count, "source": "manual"})
    if after:
        audit.record("quota.set", event=event, target=unit, before=before, after=after)
    db.session.commit()
    return quota


def nominated_counts(event) -> dict[int, int]:
    """Delegates named so far, per unit."""
    from ..attendees.models import Attendee

    rows = db.session.execute(
        select(Attendee.unit_id, func.count())
        .where(Attendee.event_id == event.id, Attendee.category == "delegate",
               Attendee.unit_id.is_not(None), Attendee.replaced.is_(False))
        .group_by(Attendee.unit_id)
    )
    return dict(rows.all())


@dataclass
class QuotaRow:
    quota: Quota
    unit: Unit
    nominated: int
    link: NominationLink | None
    arrived: int = 0

    @property
    def remaining(self) -> int:
        return max(self.quota.seats - self.nominated, 0)

    @property
    def over(self) -> bool:
        return self.nominated > self.quota.seats


@dataclass
class QuotaTable:
    rows: list[QuotaRow]

    @property
    def total_seats(self) -> int:
        return sum(r.quota.seats for r in self.rows)

    @property
    def total_nominated(self) -> int:
        return sum(r.nominated for r in self.rows)

    @property
    def total_arrived(self) -> int:
        return sum(r.arrived for r in self.rows)


def quota_table(event) -> QuotaTable:
    """Per unit with a quota: seats, delegates nominated, the active nomination link."""
    quotas = db.session.execute(
        select(Quota, Unit).join(Unit, Quota.unit_id == Unit.id)
        .where(Quota.event_id == event.id).order_by(Unit.name_folded)
    ).all()
    counts = nominated_counts(event)
    arrived = arrived_counts(event)
    links = {link.unit_id: link for link in db.session.scalars(
        select(NominationLink).where(NominationLink.event_id == event.id,
                                     NominationLink.revoked_at.is_(None)))}
    return QuotaTable([QuotaRow(q, u, counts.get(u.id, 0), links.get(u.id),
                                arrived.get(u.id, 0)) for q, u in quotas])


def arrived_counts(event) -> dict[int, int]:
    """Delegates checked in so far, per unit."""
    from ..attendance.models import Attendance
    from ..attendees.models import Attendee

    rows = db.session.execute(
        select(Attendee.unit_id, func.count())
        .join(Attendance, Attendance.attendee_id == Attendee.id)
        .where(Attendee.event_id == event.id, Attendee.category == "delegate",
               Attendee.unit_id.is_not(None))
        .group_by(Attendee.unit_id)
    )
    return dict(rows.all())


def lock_quota(event_id: int, unit_id: int) -> Quota | None:
    """Take the write lock on a unit's quota row for this transaction.

    An UPDATE (not a SELECT) so that SQLite starts its write transaction here and
    PostgreSQL locks the row: two secretaries adding the last seat at once are
    served one after the other, and the second sees the first's delegate.
    """
    result = db.session.execute(
        update(Quota).where(Quota.event_id == event_id, Quota.unit_id == unit_id)
        .values(nomination_counter=Quota.nomination_counter + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        return None
    return db.session.scalar(select(Quota).where(Quota.event_id == event_id,
                                                 Quota.unit_id == unit_id))


# --- nomination links ------------------------------------------------------

def create_nomination_link(event, unit: Unit, *, by_user=None,
                           closes_at: datetime | None = None) -> NominationLink:
    """Issue the unit's nomination link, revoking any earlier one."""
    if db.session.scalar(select(Quota.id).where(Quota.event_id == event.id,
                                                Quota.unit_id == unit.id)) is None:
        raise DomainError(_("Give the unit a quota before sending it a nomination link."),
                          code="no_quota")
    now = utcnow()
    for old in db.session.scalars(select(NominationLink).where(
            NominationLink.event_id == event.id, NominationLink.unit_id == unit.id,
            NominationLink.revoked_at.is_(None))):
        old.revoked_at, old.revoked_by_id = now, by_user.id if by_user else None
    link = NominationLink(event_id=event.id, unit_id=unit.id, closes_at=closes_at,
                          created_by_id=by_user.id if by_user else None)
    db.session.add(link)
    db.session.commit()
    return link


def create_missing_nomination_links(event, *, by_user=None) -> int:
    """Issue links to every unit with a quota that has none; returns how many."""
    table = quota_table(event)
    count = 0
    for row in table.rows:
        if row.link is None:
            create_nomination_link(event, row.unit, by_user=by_user,
                                   closes_at=event.nomination_deadline)
            count += 1
    return count


def revoke_nomination_link(link: NominationLink, *, by_user=None) -> None:
    """Stop a link from working at once. Delegates already named stay."""
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        link.revoked_by_id = by_user.id if by_user else None
        audit.record("link.revoke", event=link.event_id, target=link.unit, target_type="unit",
                     by_user=by_user)
        db.session.commit()


def set_nomination_deadline(link: NominationLink, closes_at: datetime | None) -> None:
    link.closes_at = closes_at
    db.session.commit()


def link_closes_at(link: NominationLink) -> datetime | None:
    """When the link stops taking changes: its own deadline or the event's, the earlier."""
    times = [t for t in (link.closes_at, link.event.nomination_deadline) if t is not None]
    return min(times) if times else None


def check_link_open(link: NominationLink | None) -> NominationLink:
    """The link if it accepts changes now; else a :class:`DomainError` saying why."""
    if link is None:
        raise DomainError(_("This nomination link does not exist. Ask the organizers for "
                            "a new one."), code="unknown_link")
    if link.revoked_at is not None:
        raise DomainError(_("This nomination link has been withdrawn. Ask the organizers "
                            "for the new one."), code="link_revoked")
    closes = link_closes_at(link)
    if closes is not None and utcnow() >= closes:
        raise DomainError(_("Nominations closed on %(when)s.", when=_format(closes)),
                          code="nominations_closed")
    return link


def _format(value: datetime) -> str:
    from ..i18n import format_when

    return format_when(value)
