"""Naming delegates, adding guests and press, finding people."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from ..errors import Conflict, DomainError, NotFound, ValidationError
from ..extensions import db
from ..i18n import fold
from ..nonces import DOMAIN_REFUSALS, first_wins
from ..transaction import transactional
from ..types import utcnow
from ..units.models import NominationLink, Unit
from ..units.services import check_link_open, lock_quota
from ..validation import field_error, normalize_email, normalize_phone, optional_text, required_text
from .invitations import issue_invitation
from .models import CATEGORIES, Attendee, Invitation


def _clean(full_name, position, phone, email) -> dict:
    errors: list[dict] = []
    out: dict = {}
    for field, check in (
        ("full_name", lambda: required_text(full_name, "full_name", max_length=120)),
        ("position", lambda: optional_text(position, "position", max_length=255)),
        ("phone", lambda: normalize_phone(phone)),
        ("email", lambda: normalize_email(email)),
    ):
        try:
            out[field] = check()
        except ValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationError(errors[0]["message"], code="invalid", errors=errors)
    return out


def _made_by(event, nonce: str | None) -> Attendee | None:
    """The attendee an earlier arrival of the same form submission created, if any."""
    if not nonce:
        return None
    return db.session.scalar(select(Attendee).where(Attendee.event_id == event.id,
                                                    Attendee.client_nonce == nonce))


def _check_duplicate(event_id: int, name_folded: str, phone: str,
                     exclude_id: int | None = None) -> None:
    """The same person (same name and phone) may appear once per event."""
    if not phone:
        return
    query = select(Attendee).where(Attendee.event_id == event_id,
                                   Attendee.name_folded == name_folded, Attendee.phone == phone)
    if exclude_id:
        query = query.where(Attendee.id != exclude_id)
    other = db.session.scalar(query)
    if other is not None:
        raise Conflict(_("%(name)s (%(phone)s) is already on this event's list.",
                         name=other.full_name, phone=phone), code="duplicate_attendee")


@transactional
def nominate(event, unit: Unit, *, full_name: str, position: str = "", phone: str = "",
             email: str = "", link: NominationLink | None = None,
             nonce: str | None = None) -> Attendee:
    """Name a delegate for ``unit`` within its quota.

    Through a nomination ``link`` the link must be open. ``nonce`` (made when the
    form was shown) makes a resubmitted form return the delegate it already made.
    Refuses with ``quota_full`` when the unit has named all its seats.
    """
    if link is not None:
        check_link_open(link)
    done = _made_by(event, nonce)
    if done is not None:
        return done
    data = _clean(full_name, position, phone, email)
    return first_wins(lambda: _nominate(event, unit, data, link, nonce),
                      lambda: _made_by(event, nonce), also=DOMAIN_REFUSALS)


def _nominate(event, unit: Unit, data: dict, link, nonce) -> Attendee:
    quota = lock_quota(event.id, unit.id)  # serialises nominations for this unit
    try:
        if quota is None:
            raise DomainError(_("%(unit)s has no seats in this event.", unit=unit.name),
                              code="no_quota")
        named = db.session.scalar(select(func.count()).where(
            Attendee.event_id == event.id, Attendee.unit_id == unit.id,
            Attendee.category == "delegate", Attendee.replaced.is_(False)))
        if named >= quota.seats:
            raise DomainError(
                _("%(unit)s has already named %(named)d of %(seats)d delegates: the quota is "
                  "full. Remove someone first to name another person.",
                  unit=unit.name, named=named, seats=quota.seats),
                code="quota_full")
        _check_duplicate(event.id, fold(data["full_name"]), data["phone"])
        attendee = Attendee(event_id=event.id, category="delegate", unit_id=unit.id,
                            name_folded=fold(data["full_name"]), client_nonce=nonce or None,
                            nomination_link_id=link.id if link else None, **data)
        db.session.add(attendee)
        issue_invitation(attendee)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return attendee


@transactional
def add_attendee(event, *, category: str, full_name: str, position: str = "",
                 phone: str = "", email: str = "", unit: Unit | None = None,
                 organization: str = "", nonce: str | None = None,
                 by_user=None) -> Attendee:
    """Add a guest, press member or presidium member (outside quotas), or a delegate
    (inside the unit's quota, as :func:`nominate`)."""
    if category not in CATEGORIES:
        raise field_error("category", _("Choose a category."), "invalid_category")
    if category == "delegate":
        if unit is None:
            raise field_error("unit", _("A delegate belongs to a unit: choose one."),
                              "unit_required")
        return nominate(event, unit, full_name=full_name, position=position, phone=phone,
                        email=email, nonce=nonce)
    done = _made_by(event, nonce)
    if done is not None:
        return done
    data = _clean(full_name, position, phone, email)
    organization = optional_text(organization, "organization", max_length=255)

    def save() -> Attendee:
        # A twin sent at the same moment may have saved this person just now: its row
        # is our answer, not "already on the list".
        _check_duplicate(event.id, fold(data["full_name"]), data["phone"])
        attendee = Attendee(event_id=event.id, category=category,
                            unit_id=unit.id if unit else None, organization=organization,
                            organization_folded=fold(organization),
                            name_folded=fold(data["full_name"]), client_nonce=nonce or None,
                            **data)
        db.session.add(attendee)
        issue_invitation(attendee, by_user=by_user)
        db.session.commit()
        return attendee

    return first_wins(save, lambda: _made_by(event, nonce), also=DOMAIN_REFUSALS)


@transactional
def update_attendee(attendee: Attendee, *, full_name: str, position: str = "",
                    phone: str = "", email: str = "", organization: str | None = None,
                    link: NominationLink | None = None) -> Attendee:
    """Correct a person's details. Through a link, only that unit's delegates, while open."""
    if link is not None:
        check_link_open(link)
        if attendee.unit_id != link.unit_id or attendee.event_id != link.event_id:
            raise DomainError(_("This person is not on your unit's list."), code="not_yours")
    data = _clean(full_name, position, phone, email)
    _check_duplicate(attendee.event_id, fold(data["full_name"]), data["phone"],
                     exclude_id=attendee.id)
    for key, value in data.items():
        setattr(attendee, key, value)
    attendee.name_folded = fold(data["full_name"])
    if organization is not None:
        attendee.organization = optional_text(organization, "organization", max_length=255)
        attendee.organization_folded = fold(attendee.organization)
    db.session.commit()
    return attendee


def remove_attendee(attendee: Attendee, *, link: NominationLink | None = None) -> None:
    """Take a person off the list (frees the seat)."""
    if link is not None:
        check_link_open(link)
        if attendee.unit_id != link.unit_id or attendee.event_id != link.event_id:
            raise DomainError(_("This person is not on your unit's list."), code="not_yours")
    db.session.delete(attendee)
    db.session.commit()


def find_attendee(event, attendee_id: int) -> Attendee:
    """The event's attendee with this id, else ``unknown_attendee``."""
    attendee = db.session.get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        raise NotFound(_("This person is not on the list (any more)."), code="unknown_attendee")
    return attendee


def unit_delegates(event, unit: Unit) -> list[Attendee]:
    return list(db.session.scalars(
        select(Attendee).where(Attendee.event_id == event.id, Attendee.unit_id == unit.id,
                               Attendee.category == "delegate")
        .order_by(Attendee.created_at, Attendee.id)))


def search_attendees(event, query: str = "", *, category: str | None = None,
                     unit_id: int | None = None, limit: int | None = None) -> list[Attendee]:
    """People of the event matching ``query`` without regard to diacritics or case.

    Matches the name ("nguyen van a" finds "Nguyễn Văn A"), the unit or organisation,
    or the phone number (digits anywhere).
    """
    stmt = (select(Attendee).outerjoin(Unit, Attendee.unit_id == Unit.id)
            .where(Attendee.event_id == event.id))
    words = fold(query)
    if words:
        digits = "".join(ch for ch in query if ch.isdigit())
        conditions = [Attendee.name_folded.contains(words, autoescape=True),
                      Unit.name_folded.contains(words, autoescape=True),
                      Attendee.organization_folded.contains(words, autoescape=True)]
        if len(digits) >= 3:
            conditions.append(Attendee.phone.contains(digits, autoescape=True))
        stmt = stmt.where(or_(*conditions))
    if category:
        stmt = stmt.where(Attendee.category == category)
    if unit_id:
        stmt = stmt.where(Attendee.unit_id == unit_id)
    stmt = stmt.order_by(Attendee.category, Unit.name_folded, Attendee.name_folded)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def select_attendees(event, *, unit_id: int | None = None, category: str | None = None,
                     attendee_id: int | None = None) -> list[Attendee]:
    """One person, one unit's people, one category, or everyone — in list order."""
    stmt = (select(Attendee).outerjoin(Unit, Attendee.unit_id == Unit.id)
            .where(Attendee.event_id == event.id))
    if attendee_id:
        stmt = stmt.where(Attendee.id == attendee_id)
    if unit_id:
        stmt = stmt.where(Attendee.unit_id == unit_id)
    if category in CATEGORIES:
        stmt = stmt.where(Attendee.category == category)
    order = {"presidium": 0, "guest": 1, "press": 3}
    people = list(db.session.scalars(stmt.order_by(Unit.name_folded, Attendee.name_folded)))
    return sorted(people, key=lambda a: order.get(a.category, 2))


LETTER_HEAD_FIELDS = ("superior_body", "issuing_body", "number", "place", "issued_on",
                      "signer_on_behalf", "signer_title", "signer_name")


def save_letter_head(event, **values):
    """Set what the event's invitation letters print in their heading and signature."""
    from .models import LetterHead

    head = db.session.get(LetterHead, event.id) or LetterHead(event_id=event.id)
    for name in LETTER_HEAD_FIELDS:
        value = values.get(name)
        if name != "issued_on":
            value = optional_text(value, name, max_length=255)
        setattr(head, name, value)
    db.session.add(head)
    db.session.commit()
    return head


def register_walk_in(event, *, category: str, full_name: str, organization: str = "",
                     position: str = "", phone: str = "", nonce: str | None = None) -> Attendee:
    """A guest or press member who came without an invitation, registered at the door.

    ``nonce`` (made when the desk's form was shown) makes a form sent twice — one after
    the other or both at once — register the person once and answer the same."""
    if category not in ("guest", "press"):
        raise field_error("category", _("A walk-in is a guest or a member of the press."),
                          "invalid_category")
    person = add_attendee(event, category=category, full_name=full_name,
                          organization=organization, position=position, phone=phone,
                          nonce=nonce)
    if not person.walk_in:
        person.walk_in = True
        db.session.commit()
    return person


def register_substitute(event, original: Attendee, *, full_name: str, position: str = "",
                        phone: str = "", nonce: str | None = None) -> Attendee:
    """Someone who comes in place of a nominated delegate of the same unit.

    The seat stays the unit's: the substitute takes the original delegate's place on
    the list (the original is kept, marked as replaced) and the quota still holds.
    ``nonce`` makes the same form sent twice (even at once) answer with one substitute;
    two different forms at once still make only one (the original is claimed in SQL).
    """
    done = _made_by(event, nonce)
    if done is not None:
        return done
    return first_wins(lambda: _substitute(event, original, full_name, position, phone, nonce),
                      lambda: _made_by(event, nonce), also=DOMAIN_REFUSALS)


def _substitute(event, original: Attendee, full_name, position, phone, nonce) -> Attendee:
    if original.category != "delegate" or original.unit_id is None:
        raise DomainError(_("Only a unit's delegate can be replaced by a substitute."),
                          code="not_a_delegate")
    if original.substitute_for_id is not None or db.session.scalar(
            select(Attendee.id).where(Attendee.substitute_for_id == original.id)):
        raise Conflict(_("%(name)s has already been replaced.", name=original.full_name),
                       code="already_replaced")
    from ..attendance.models import Attendance

    if Attendance.of(original) is not None:
        raise Conflict(_("%(name)s is already checked in and cannot be replaced.",
                         name=original.full_name), code="already_checked_in")
    data = _clean(full_name, position, phone, "")
    for invitation in db.session.scalars(select(Invitation).where(
            Invitation.attendee_id == original.id, Invitation.revoked_at.is_(None))):
        invitation.revoked_at = utcnow()  # their seat is the substitute's now
        invitation.revoke_reason = "substitute"
    # Claim the seat in one statement: of two substitutes sent at once, one wins.
    claimed = db.session.execute(
        update(Attendee).where(Attendee.id == original.id, Attendee.replaced.is_(False))
        .values(replaced=True).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Conflict(_("%(name)s has already been replaced.", name=original.full_name),
                       code="already_replaced")
    original.replaced = True  # what the row now says, for this session's copy
    person = Attendee(event_id=event.id, category="delegate", unit_id=original.unit_id,
                      name_folded=fold(data["full_name"]), substitute_for_id=original.id,
                      client_nonce=nonce or None, walk_in=True, **data)
    db.session.add(person)
    issue_invitation(person)
    db.session.commit()
    return person
