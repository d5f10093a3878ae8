"""Creating, changing and copying events and their agenda."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import services as audit
from ..extensions import db
from ..transaction import transactional
from ..validation import field_error, optional_text, parse_count, required_text
from ..versions import bump
from .models import EVENT_KINDS, EVENT_MODES, AgendaItem, Contribution, Event, EventSeries
from .signals import event_copied

KIND_LABELS = {
    "conference": _l("Conference"),
    "forum": _l("Forum"),
    "briefing": _l("Briefing"),
    "dialogue": _l("Dialogue"),
}

MODE_LABELS = {
    "in_person": _l("In person"),
    "online": _l("Online"),
    "hybrid": _l("Hybrid (in person and online)"),
}


def _event_fields(*, title, theme, kind, mode, starts_at, ends_at, venue, venue_address,
                  nomination_deadline) -> dict:
    if kind not in EVENT_KINDS:
        raise field_error("kind", _("Choose the kind of meeting."), "invalid_kind")
    if mode not in EVENT_MODES:
        raise field_error("mode", _("Choose how the meeting is held."), "invalid_mode")
    if starts_at is None:
        raise field_error("starts_at", _("Give the date and time the meeting starts."),
                          "required")
    if ends_at is not None and ends_at <= starts_at:
        raise field_error("ends_at", _("The end must be after the start."), "ends_before_start")
    if nomination_deadline is not None and nomination_deadline > starts_at:
        raise field_error("nomination_deadline",
                          _("The nomination deadline must be before the meeting starts."),
                          "deadline_after_start")
    return {
        "title": required_text(title, "title", max_length=255),
        "theme": optional_text(theme, "theme", max_length=2000),
        "kind": kind, "mode": mode, "starts_at": starts_at, "ends_at": ends_at,
        "venue": optional_text(venue, "venue", max_length=255),
        "venue_address": optional_text(venue_address, "venue_address", max_length=255),
        "nomination_deadline": nomination_deadline,
    }


def create_event(*, created_by, title: str, starts_at: datetime, theme: str = "",
                 kind: str = "conference", mode: str = "in_person",
                 ends_at: datetime | None = None, venue: str = "", venue_address: str = "",
                 nomination_deadline: datetime | None = None, host_unit=None) -> Event:
    """Create an event; its creator becomes its organizer."""
    from ..auth.models import EventRole

    fields = _event_fields(title=title, theme=theme, kind=kind, mode=mode, starts_at=starts_at,
                           ends_at=ends_at, venue=venue, venue_address=venue_address,
                           nomination_deadline=nomination_deadline)
    event = Event(**fields, host_unit=host_unit,
                  created_by_id=created_by.id if created_by else None)
    db.session.add(event)
    if created_by is not None:
        db.session.add(EventRole(event=event, user_id=created_by.id, role="organizer"))
    db.session.commit()
    return event


@transactional
def update_event(event: Event, *, title: str, starts_at: datetime, theme: str = "",
                 kind: str = "conference", mode: str = "in_person",
                 ends_at: datetime | None = None, venue: str = "", venue_address: str = "",
                 nomination_deadline: datetime | None = None, host_unit=None) -> Event:
    """Change an event's details."""
    fields = _event_fields(title=title, theme=theme, kind=kind, mode=mode, starts_at=starts_at,
                           ends_at=ends_at, venue=venue, venue_address=venue_address,
                           nomination_deadline=nomination_deadline)
    before = {key: getattr(event, key) for key in fields} | {"host_unit_id": event.host_unit_id}
    for key, value in fields.items():
        setattr(event, key, value)
    event.host_unit = host_unit
    before, after = audit.changes(before, fields | {
        "host_unit_id": host_unit.id if host_unit else None})
    if after:
        audit.record("event.update", event=event, target=event, before=before, after=after)
    bump(event, "live")
    db.session.commit()
    return event


@transactional
def copy_event(source: Event, *, created_by, title: str, starts_at: datetime,
               theme: str | None = None, venue: str | None = None,
               venue_address: str | None = None, host_unit=None,
               copy_people: bool = False) -> Event:
    """Start the next meeting of a series from ``source`` (seed 001).

    Copies kind, mode, agenda with contributions (times shifted to the new date),
    quota rules and quotas, and optionally the guest, press and presidium list.
    Both events then belong to the same series.
    """
    from ..attendees.invitations import issue_invitation
    from ..attendees.models import Attendee
    from ..units.models import Quota, QuotaRule

    if source.series is None:
        source.series = EventSeries(title=source.title)
    shift = starts_at - source.starts_at
    new = create_event(
        created_by=created_by, title=title, starts_at=starts_at,
        theme=source.theme if theme is None else theme, kind=source.kind, mode=source.mode,
        ends_at=source.ends_at + shift if source.ends_at else None,
        venue=source.venue if venue is None else venue,
        venue_address=source.venue_address if venue_address is None else venue_address,
        host_unit=host_unit,
    )
    new.series = source.series
    for item in source.agenda:
        copy = AgendaItem(event_id=new.id, position=item.position, title=item.title,
                          planned_start=shift_time(item.planned_start, shift),
                          duration_minutes=item.duration_minutes, presenter=item.presenter)
        db.session.add(copy)
        for c in item.contributions:
            copy.contributions.append(Contribution(unit_id=c.unit_id, title=c.title,
                                                   speaker=c.speaker, position=c.position))
    for rule in db.session.scalars(select(QuotaRule).where(QuotaRule.event_id == source.id)):
        db.session.add(QuotaRule(event_id=new.id, unit_kind=rule.unit_kind,
                                 min_members_exclusive=rule.min_members_exclusive,
                                 seats=rule.seats))
    for quota in db.session.scalars(select(Quota).where(Quota.event_id == source.id)):
        db.session.add(Quota(event_id=new.id, unit_id=quota.unit_id, seats=quota.seats,
                             source=quota.source))
    event_copied.send(source, new=new, shift=shift)  # e.g. the preparation plan follows
    if copy_people:
        for person in db.session.scalars(select(Attendee).where(
                Attendee.event_id == source.id, Attendee.category != "delegate")):
            issue_invitation(Attendee(
                event_id=new.id, category=person.category, unit_id=person.unit_id,
                organization=person.organization,
                organization_folded=person.organization_folded, full_name=person.full_name,
                name_folded=person.name_folded, position=person.position,
                phone=person.phone, email=person.email), by_user=created_by)
    db.session.commit()
    return new


def delete_event(event: Event) -> None:
    db.session.delete(event)
    db.session.commit()


# --- agenda ----------------------------------------------------------------

def _agenda_fields(title, planned_start, duration_minutes, presenter) -> dict:
    duration = parse_count(duration_minutes, "duration_minutes") or None
    if duration is not None and duration > 24 * 60:
        raise field_error("duration_minutes", _("At most %(n)d minutes.", n=24 * 60),
                          "too_long")
    return {"title": required_text(title, "title", max_length=500),
            "planned_start": planned_start, "duration_minutes": duration,
            "presenter": optional_text(presenter, "presenter", max_length=255)}


@transactional
def add_agenda_item(event: Event, *, title: str, planned_start: datetime | None = None,
                    duration_minutes: object = None, presenter: str = "") -> AgendaItem:
    """Append an item to the programme."""
    fields = _agenda_fields(title, planned_start, duration_minutes, presenter)
    last = db.session.scalar(select(func.max(AgendaItem.position))
                             .where(AgendaItem.event_id == event.id)) or 0
    item = AgendaItem(event_id=event.id, position=last + 1, **fields)
    db.session.add(item)
    bump(event, "dialogue")
    db.session.commit()
    return item


@transactional
def update_agenda_item(item: AgendaItem, *, title: str, planned_start: datetime | None = None,
                       duration_minutes: object = None, presenter: str = "") -> AgendaItem:
    for key, value in _agenda_fields(title, planned_start, duration_minutes,
                                     presenter).items():
        setattr(item, key, value)
    bump(item.event_id, "dialogue")
    db.session.commit()
    return item


def delete_agenda_item(item: AgendaItem) -> None:
    """Remove an item (with its contributions) and close the gap in the order."""
    event = item.event
    db.session.delete(item)
    db.session.flush()
    _renumber(event)
    bump(event, "dialogue")
    db.session.commit()


def move_agenda_item(item: AgendaItem, direction: int) -> None:
    """Move an item one place up (-1) or down (+1)."""
    items = list(item.event.agenda)
    i = items.index(item)
    j = i + direction
    if not 0 <= j < len(items):
        return
    items[i], items[j] = items[j], items[i]
    _renumber(item.event, items)
    bump(item.event_id, "dialogue")
    db.session.commit()


def _renumber(event: Event, items: list[AgendaItem] | None = None) -> None:
    items = items if items is not None else list(
        db.session.scalars(select(AgendaItem).where(AgendaItem.event_id == event.id)
                           .order_by(AgendaItem.position)))
    # Two passes keep the (event, position) unique constraint satisfied throughout.
    for n, it in enumerate(items, start=1):
        it.position = -n
    db.session.flush()
    for n, it in enumerate(items, start=1):
        it.position = n
    db.session.flush()


@transactional
def add_contribution(item: AgendaItem, *, unit, title: str, speaker: str = "") -> Contribution:
    """Assign a contribution ("tham luận") to a unit under an agenda item (seed 000)."""
    if unit is None:
        raise field_error("unit", _("Choose the unit that presents it."), "unit_required")
    title = required_text(title, "title", max_length=500)
    speaker = optional_text(speaker, "speaker", max_length=120)
    position = len(item.contributions) + 1
    contribution = Contribution(agenda_item=item, unit=unit, title=title, speaker=speaker,
                                position=position)
    db.session.add(contribution)
    bump(item.event_id, "dialogue")
    db.session.commit()
    return contribution


def delete_contribution(contribution: Contribution) -> None:
    event = contribution.agenda_item.event
    db.session.delete(contribution)
    bump(event, "dialogue")
    db.session.commit()


def shift_time(value: datetime | None, delta: timedelta) -> datetime | None:
    return None if value is None else value + delta
