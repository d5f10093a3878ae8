"""Creating, changing and copying events and their agenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import services as audit
from ..errors import DomainError
from ..extensions import db
from ..transaction import commit, transactional
from ..types import utcnow
from ..validation import field_error, optional_text, parse_count, required_text
from ..versions import bump
from .models import (
    EVENT_KINDS,
    EVENT_MODES,
    AgendaItem,
    Contribution,
    Event,
    EventSeries,
    SeriesHost,
)
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


#: Check-in opens this many minutes before the start, and closes this many after the
#: end, unless the event says otherwise.
DEFAULT_OPENS_MINUTES = 6 * 60
DEFAULT_CLOSES_MINUTES = 2 * 60


def _window(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    minutes = parse_count(value, field)
    if minutes > 7 * 24 * 60:
        raise field_error(field, _("At most %(n)d minutes.", n=7 * 24 * 60), "too_long")
    return minutes


def month_start(year: int, month: int) -> datetime:
    """The first of the month, 08:00 local: where a month-only date is kept until fixed."""
    from ..i18n import from_local

    return from_local(datetime(year, month, 1, 8, 0))


def _event_fields(*, title, theme, kind, mode, starts_at, ends_at, venue, venue_address,
                  nomination_deadline, quotas_enabled=True, date_to_be_fixed=False,
                  checkin_opens_minutes=None, checkin_closes_minutes=None) -> dict:
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
        "kind": kind, "mode": mode, "planned_mode": mode, "starts_at": starts_at,
        "ends_at": ends_at,
        "venue": optional_text(venue, "venue", max_length=255),
        "venue_address": optional_text(venue_address, "venue_address", max_length=255),
        "nomination_deadline": nomination_deadline,
        "quotas_enabled": bool(quotas_enabled),
        "date_to_be_fixed": bool(date_to_be_fixed),
        "checkin_opens_minutes": _window(checkin_opens_minutes, "checkin_opens_minutes"),
        "checkin_closes_minutes": _window(checkin_closes_minutes, "checkin_closes_minutes"),
    }


def create_event(*, created_by, title: str, starts_at: datetime, theme: str = "",
                 kind: str = "conference", mode: str = "in_person",
                 ends_at: datetime | None = None, venue: str = "", venue_address: str = "",
                 nomination_deadline: datetime | None = None, host_unit=None,
                 quotas_enabled: bool = True, date_to_be_fixed: bool = False,
                 checkin_opens_minutes: object = None,
                 checkin_closes_minutes: object = None, commit: bool = True) -> Event:
    """Create an event; its creator becomes its organizer.

    ``quotas_enabled`` False makes a meeting without quotas (a training course, a forum
    whose list is the invitation): units name people with no seat limit.
    ``date_to_be_fixed`` keeps only the month of ``starts_at`` (fixed later).
    """
    from ..auth.models import EventRole

    fields = _event_fields(title=title, theme=theme, kind=kind, mode=mode, starts_at=starts_at,
                           ends_at=ends_at, venue=venue, venue_address=venue_address,
                           nomination_deadline=nomination_deadline,
                           quotas_enabled=quotas_enabled, date_to_be_fixed=date_to_be_fixed,
                           checkin_opens_minutes=checkin_opens_minutes,
                           checkin_closes_minutes=checkin_closes_minutes)
    event = Event(**fields, host_unit=host_unit,
                  created_by_id=created_by.id if created_by else None)
    db.session.add(event)
    if created_by is not None:
        db.session.add(EventRole(event=event, user_id=created_by.id, role="organizer"))
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return event


@transactional
def update_event(event: Event, *, title: str, starts_at: datetime, theme: str = "",
                 kind: str = "conference", mode: str = "in_person",
                 ends_at: datetime | None = None, venue: str = "", venue_address: str = "",
                 nomination_deadline: datetime | None = None, host_unit=None,
                 quotas_enabled: bool | None = None, date_to_be_fixed: bool = False,
                 checkin_opens_minutes: object = None,
                 checkin_closes_minutes: object = None) -> Event:
    """Change an event's details.

    Moving the start moves the programme with it: every agenda time shifts by the same
    amount, and so does an end left as it was. Turning quotas off keeps the seats
    (turning them back on finds them again); turning them on is refused while a
    delegate has no unit. See :func:`date_warnings` for what to tell the organizer.
    """
    from ..attendees.models import Attendee

    old_start, old_end = event.starts_at, event.ends_at
    delta = starts_at - old_start if starts_at is not None else timedelta(0)
    if delta and ends_at is not None and old_end is not None and ends_at == old_end:
        ends_at = old_end + delta
    if quotas_enabled is None:
        quotas_enabled = event.quotas_enabled
    if quotas_enabled and not event.quotas_enabled and db.session.scalar(
            select(Attendee.id).where(Attendee.event_id == event.id,
                                      Attendee.category == "delegate",
                                      Attendee.unit_id.is_(None)).limit(1)):
        raise field_error("quotas_enabled",
                          _("Some delegates have no unit: give them one (or make them guests) "
                            "before turning quotas on."), "delegates_without_unit")
    fields = _event_fields(title=title, theme=theme, kind=kind, mode=mode, starts_at=starts_at,
                           ends_at=ends_at, venue=venue, venue_address=venue_address,
                           nomination_deadline=nomination_deadline,
                           quotas_enabled=quotas_enabled, date_to_be_fixed=date_to_be_fixed,
                           checkin_opens_minutes=checkin_opens_minutes,
                           checkin_closes_minutes=checkin_closes_minutes)
    if fields["mode"] == event.mode:
        # Unchanged here: a live switch (Plan B) does not become the plan.
        fields.pop("planned_mode")
    before = {key: getattr(event, key) for key in fields} | {"host_unit_id": event.host_unit_id}
    for key, value in fields.items():
        setattr(event, key, value)
    event.host_unit = host_unit
    before, after = audit.changes(before, fields | {
        "host_unit_id": host_unit.id if host_unit else None})
    if after:
        audit.record("event.update", event=event, target=event, before=before, after=after)
    if delta:
        for item in event.agenda:
            item.planned_start = shift_time(item.planned_start, delta)
        bump(event, "dialogue")  # the agenda's times moved too
    bump(event, "live")
    db.session.commit()
    return event


@dataclass
class DateWarning:
    """Something about the event's dates the organizer should look at."""

    code: str  # to_be_fixed, in_the_past, links_after_start, questions_after_start, …
    message: str

    def __str__(self) -> str:
        return self.message


def date_warnings(event: Event, *, now: datetime | None = None) -> list[DateWarning]:
    """What the organizer should look at about the event's dates: a start in the past,
    a month still to be fixed, deadlines (nomination links, the units' questions,
    contributions) that fall after the start."""
    from ..dialogue.models import DialogueState
    from ..i18n import format_when
    from ..units.models import NominationLink

    now = now or utcnow()
    out: list[DateWarning] = []
    if event.date_to_be_fixed:
        out.append(DateWarning("to_be_fixed", _(
            "Only the month is set: fix the day and time before sending the invitations.")))
    elif (event.ends_at or event.starts_at) < now:
        out.append(DateWarning("in_the_past", _(
            "The meeting is in the past (%(when)s): check the date.",
            when=format_when(event.starts_at))))
    late_links = db.session.scalar(select(func.count()).where(
        NominationLink.event_id == event.id, NominationLink.revoked_at.is_(None),
        NominationLink.closes_at > event.starts_at))
    if late_links:
        out.append(DateWarning("links_after_start", _(
            "%(n)d nomination link(s) close after the meeting starts: set their deadlines "
            "again on the quota page.", n=late_links)))
    state = db.session.get(DialogueState, event.id)
    if state is not None and state.unit_deadline and state.unit_deadline > event.starts_at:
        out.append(DateWarning("questions_after_start", _(
            "The units' questions are due %(when)s, after the meeting starts: change the "
            "deadline in the dialogue settings.", when=format_when(state.unit_deadline))))
    late = db.session.scalar(select(func.count()).select_from(Contribution).join(AgendaItem)
                             .where(AgendaItem.event_id == event.id,
                                    Contribution.deadline > event.starts_at))
    if late:
        out.append(DateWarning("contributions_after_start", _(
            "%(n)d contribution(s) are due after the meeting starts: change their deadlines "
            "on the agenda.", n=late)))
    return out


# --- series ------------------------------------------------------------------

@transactional
def save_series(event: Event, *, title: str, short_name: str = "",
                interval_months: object = 3, hosts: list[dict] | None = None) -> EventSeries:
    """Make ``event`` part of a series (or change its series): its own name, a short
    name, the months between meetings, and the ordered host rotation
    (``[{"unit": Unit, "venue": str, "venue_address": str}]``; blank units skipped)."""
    series = event.series or EventSeries(title="")
    series.title = required_text(title, "title", max_length=255)
    series.short_name = optional_text(short_name, "short_name", max_length=64)
    months = parse_count(interval_months, "interval_months") or 0
    if not 1 <= months <= 24:
        raise field_error("interval_months", _("Between 1 and 24 months."), "invalid_interval")
    series.interval_months = months
    seen = set()
    rows = []
    for i, host in enumerate(hosts or []):
        unit = host.get("unit")
        if unit is None:
            continue
        if unit.id in seen:
            raise field_error(f"hosts-{i}-unit_id", _("This unit is already in the rotation."),
                              "duplicate_host")
        seen.add(unit.id)
        rows.append(SeriesHost(position=len(rows) + 1, unit_id=unit.id,
                               venue=optional_text(host.get("venue"), "venue", max_length=255),
                               venue_address=optional_text(host.get("venue_address"),
                                                           "venue_address", max_length=255)))
    series.hosts.clear()
    db.session.flush()
    series.hosts.extend(rows)
    event.series = series
    db.session.add(series)
    db.session.commit()
    return series


def add_months(value: datetime, months: int) -> datetime:
    """The same wall-clock day and time ``months`` later (the 31st becomes the month's
    last day)."""
    import calendar

    from ..i18n import from_local, to_local

    local = to_local(value).replace(tzinfo=None)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return from_local(local.replace(year=year, month=month, day=day))


@dataclass
class NextMeeting:
    """What "next meeting" proposes; the organizer may change any of it."""

    title: str
    theme: str
    starts_at: datetime
    date_to_be_fixed: bool
    host_unit: object
    venue: str
    venue_address: str


def propose_next(source: Event) -> NextMeeting:
    """The next meeting of ``source``'s series: the next host of the rotation with its
    venue, the date the series' interval later (a month only if ``source`` had one), and
    a fresh title from the series' short name, the month and the host."""
    from ..i18n import to_local

    series = source.series
    months = series.interval_months if series else 3
    host, venue, address = source.host_unit, "", ""
    hosts = list(series.hosts) if series else []
    if hosts:
        ids = [h.unit_id for h in hosts]
        i = ids.index(source.host_unit_id) + 1 if source.host_unit_id in ids else 0
        chosen = hosts[i % len(hosts)]
        host, venue, address = chosen.unit, chosen.venue, chosen.venue_address
    elif host is not None:
        venue, address = source.venue, source.venue_address
    starts_at = add_months(source.starts_at, months)
    local = to_local(starts_at)
    month = f"{local.month}/{local.year}"
    name = (series.label if series else "") or source.title
    if host is not None:
        title = _("%(series)s, %(month)s, at %(host)s", series=name, month=month,
                  host=host.name)
    else:
        title = _("%(series)s, %(month)s", series=name, month=month)
    return NextMeeting(title=title[:255], theme="", starts_at=starts_at,
                       date_to_be_fixed=source.date_to_be_fixed, host_unit=host, venue=venue,
                       venue_address=address)


def _strictly_below(unit) -> set[int]:
    from ..units.services import descendants

    return {u.id for u in descendants(unit)} - {unit.id} if unit is not None else set()


@transactional
def copy_event(source: Event, *, created_by, title: str, starts_at: datetime,
               theme: str | None = None, venue: str | None = None,
               venue_address: str | None = None, host_unit=None,
               copy_people: bool = False, date_to_be_fixed: bool = False,
               carry_delegates: bool = True) -> Event:
    """Start the next meeting of a series from ``source`` (a rotating "giao ban").

    Copies kind, the *planned* mode (not a live switch to Plan B), quotas on or off,
    the check-in window, the agenda with its sub-items and contributions (times and
    deadlines shifted to the new date), quota rules and quotas — the previous host's own
    units' seats move to the new host's units by the same rules —, each unit's
    delegates (carried over for the unit to confirm through its link), the staff roles,
    the gates, the dialogue settings, topics and agencies, the stream links and the
    letter heading; optionally the guest, press and presidium list. Both events then
    belong to the same series.
    """
    from ..attendance.models import Gate
    from ..attendees.invitations import issue_invitation
    from ..attendees.models import Attendee, LetterHead
    from ..auth.models import EventRole
    from ..dialogue.models import Agency, DialogueState, Topic
    from ..units.models import Quota, QuotaRule, Unit
    from ..units.services import apply_quota_rules
    from .models import Livestream

    if source.series is None:
        source.series = EventSeries(title=source.title)
    shift = starts_at - source.starts_at
    planned = source.planned_mode or source.mode
    new = create_event(
        created_by=created_by, title=title, starts_at=starts_at,
        theme=source.theme if theme is None else theme, kind=source.kind, mode=planned,
        ends_at=source.ends_at + shift if source.ends_at else None,
        venue=source.venue if venue is None else venue,
        venue_address=source.venue_address if venue_address is None else venue_address,
        host_unit=host_unit, quotas_enabled=source.quotas_enabled,
        date_to_be_fixed=date_to_be_fixed,
        checkin_opens_minutes=source.checkin_opens_minutes,
        checkin_closes_minutes=source.checkin_closes_minutes, commit=False,
    )
    new.series = source.series
    items: dict[int, AgendaItem] = {}
    for item in source.agenda:
        copy = AgendaItem(event_id=new.id, position=item.position, title=item.title,
                          planned_start=shift_time(item.planned_start, shift),
                          duration_minutes=item.duration_minutes, presenter=item.presenter)
        db.session.add(copy)
        items[item.id] = copy
        for c in item.contributions:
            copy.contributions.append(Contribution(
                unit_id=c.unit_id, title=c.title, speaker=c.speaker, position=c.position,
                deadline=shift_time(c.deadline, shift)))
    db.session.flush()
    for item in source.agenda:
        if item.parent_id in items:
            items[item.id].parent_id = items[item.parent_id].id

    # Quotas: the previous host's own units (below it) give way to the new host's.
    old_below = _strictly_below(source.host_unit)
    new_below = _strictly_below(host_unit) if host_unit is not None else set()
    rules = list(db.session.scalars(select(QuotaRule).where(QuotaRule.event_id == source.id)))
    for rule in rules:
        db.session.add(QuotaRule(event_id=new.id, unit_kind=rule.unit_kind,
                                 min_members_exclusive=rule.min_members_exclusive,
                                 seats=rule.seats))
    host_seats_by_kind: dict[str, int] = {}
    kept_units: set[int] = set()
    for quota, kind in db.session.execute(
            select(Quota, Unit.kind).join(Unit, Unit.id == Quota.unit_id)
            .where(Quota.event_id == source.id)):
        if quota.unit_id in old_below and host_unit is not None \
                and host_unit.id != source.host_unit_id:
            if quota.source == "manual":
                host_seats_by_kind[kind] = max(host_seats_by_kind.get(kind, 0), quota.seats)
            continue
        kept_units.add(quota.unit_id)
        db.session.add(Quota(event_id=new.id, unit_id=quota.unit_id, seats=quota.seats,
                             source=quota.source))
    if host_seats_by_kind and new_below:
        for unit in db.session.scalars(select(Unit).where(Unit.id.in_(new_below))):
            seats = host_seats_by_kind.get(unit.kind)
            if seats and unit.id not in kept_units:
                db.session.add(Quota(event_id=new.id, unit_id=unit.id, seats=seats,
                                     source="manual"))
    db.session.flush()

    if carry_delegates:
        for person in db.session.scalars(select(Attendee).where(
                Attendee.event_id == source.id, Attendee.category == "delegate",
                Attendee.substitute_for_id.is_(None)).order_by(Attendee.id)):
            if source.quotas_enabled and person.unit_id not in kept_units:
                continue
            if not source.quotas_enabled and person.unit_id in old_below \
                    and host_unit is not None and host_unit.id != source.host_unit_id:
                continue
            issue_invitation(Attendee(
                event_id=new.id, category="delegate", unit_id=person.unit_id,
                full_name=person.full_name, name_folded=person.name_folded,
                position=person.position, phone=person.phone, email=person.email,
                carried_over=True), by_user=created_by)

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

    for grant in db.session.scalars(select(EventRole).where(EventRole.event_id == source.id)):
        if created_by is not None and grant.user_id == created_by.id \
                and grant.role == "organizer":
            continue
        db.session.add(EventRole(event_id=new.id, user_id=grant.user_id, role=grant.role))
    import secrets

    for gate in db.session.scalars(select(Gate).where(Gate.event_id == source.id)):
        db.session.add(Gate(event_id=new.id, name=gate.name,
                            pairing_token=secrets.token_urlsafe(24)))
    state = db.session.get(DialogueState, source.id)
    if state is not None:
        db.session.add(DialogueState(
            event_id=new.id, questions_open=False, unit_minimum=state.unit_minimum,
            unit_deadline=shift_time(state.unit_deadline, shift),
            speaking_seconds=state.speaking_seconds, max_length=state.max_length))
    for model in (Topic, Agency):
        for row in db.session.scalars(select(model).where(model.event_id == source.id)):
            db.session.add(model(event_id=new.id, name=row.name))
    stream = db.session.get(Livestream, source.id)
    if stream is not None:
        db.session.add(Livestream(event_id=new.id, primary_url=stream.primary_url,
                                  backup_url=stream.backup_url, active="primary",
                                  meeting_room_url=stream.meeting_room_url))
    head = db.session.get(LetterHead, source.id)
    if head is not None:
        db.session.add(LetterHead(
            event_id=new.id, superior_body=head.superior_body, issuing_body=head.issuing_body,
            number="", place=head.place, issued_on=None,
            signer_on_behalf=head.signer_on_behalf, signer_title=head.signer_title,
            signer_name=head.signer_name))
    commit()
    if rules and host_unit is not None and host_unit.id != source.host_unit_id:
        apply_quota_rules(new, scope=host_unit)  # the new host's units, by the same rules
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


def _parent(event: Event, parent_id: int | None, item: AgendaItem | None = None):
    if not parent_id:
        return None
    parent = db.session.get(AgendaItem, parent_id)
    if parent is None or parent.event_id != event.id or parent.parent_id is not None \
            or (item is not None and parent.id == item.id):
        raise field_error("parent_id", _("Choose a main item of this programme."),
                          "invalid_parent")
    if item is not None and db.session.scalar(select(AgendaItem.id).where(
            AgendaItem.parent_id == item.id).limit(1)):
        raise field_error("parent_id", _("This item has sub-items of its own: it stays a "
                                         "main item."), "has_sub_items")
    return parent


@transactional
def add_agenda_item(event: Event, *, title: str, planned_start: datetime | None = None,
                    duration_minutes: object = None, presenter: str = "",
                    parent_id: int | None = None) -> AgendaItem:
    """Append an item to the programme, or a sub-item after its main item's last one
    ("3.1 Báo cáo phong trào" under "3. Tổ chức diễn đàn")."""
    fields = _agenda_fields(title, planned_start, duration_minutes, presenter)
    parent = _parent(event, parent_id)
    items = list(db.session.scalars(select(AgendaItem).where(AgendaItem.event_id == event.id)
                                    .order_by(AgendaItem.position)))
    item = AgendaItem(event_id=event.id, position=len(items) + 1,
                      parent_id=parent.id if parent else None, **fields)
    db.session.add(item)
    if parent is not None:
        at = items.index(parent) + 1
        while at < len(items) and items[at].parent_id == parent.id:
            at += 1
        if at < len(items):
            item.position = -1
            db.session.flush()
            _renumber(event, [*items[:at], item, *items[at:]])
    bump(event, "dialogue")
    db.session.commit()
    return item


@transactional
def update_agenda_item(item: AgendaItem, *, title: str, planned_start: datetime | None = None,
                       duration_minutes: object = None, presenter: str = "",
                       parent_id: int | None = None) -> AgendaItem:
    """Change an item; ``parent_id`` makes it a sub-item of an earlier main item (or,
    0/None, a main item)."""
    for key, value in _agenda_fields(title, planned_start, duration_minutes,
                                     presenter).items():
        setattr(item, key, value)
    parent = _parent(item.event, parent_id, item)
    if parent is not None and parent.position > item.position:
        raise field_error("parent_id", _("A sub-item comes after its main item."),
                          "parent_after_item")
    item.parent_id = parent.id if parent else None
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
def add_contribution(item: AgendaItem, *, unit, title: str, speaker: str = "",
                     deadline: datetime | None = None) -> Contribution:
    """Assign a contribution ("tham luận") to a unit under an agenda item, with the time
    its text is due; the unit sends the text through its link."""
    if unit is None:
        raise field_error("unit", _("Choose the unit that presents it."), "unit_required")
    title = required_text(title, "title", max_length=500)
    speaker = optional_text(speaker, "speaker", max_length=120)
    position = len(item.contributions) + 1
    contribution = Contribution(agenda_item=item, unit=unit, title=title, speaker=speaker,
                                position=position, deadline=deadline)
    db.session.add(contribution)
    bump(item.event_id, "dialogue")
    db.session.commit()
    return contribution


def delete_contribution(contribution: Contribution) -> None:
    event = contribution.agenda_item.event
    db.session.delete(contribution)
    bump(event, "dialogue")
    db.session.commit()


#: The text types a unit may upload: PDF and Word (DOCX).
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_type(filename: str, data: bytes) -> str:
    """``"pdf"`` or ``"docx"`` when the file *is* one (by its content, not only its name);
    else a :class:`ValidationError` (``invalid_document``)."""
    import io
    import zipfile

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "pdf" and data.startswith(b"%PDF-"):
        return "pdf"
    if extension == "docx" and data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    raise field_error("document", _("Send the text as a PDF or Word (.docx) file."),
                      "invalid_document")


@transactional
def submit_contribution_text(link, contribution: Contribution, *, filename: str, data: bytes,
                             max_bytes: int) -> Contribution:
    """The unit sends the text of its contribution through its link (replacing an earlier
    one), before its deadline (the nomination deadline does not close it); PDF or DOCX,
    at most ``max_bytes``."""
    if link.revoked_at is not None:
        raise DomainError(_("This nomination link has been withdrawn. Ask the organizers "
                            "for the new one."), code="link_revoked")
    if contribution.unit_id != link.unit_id or contribution.agenda_item.event_id != link.event_id:
        raise DomainError(_("This contribution is not your unit's."), code="not_yours")
    if contribution.deadline is not None and utcnow() >= contribution.deadline:
        from ..i18n import format_when

        raise DomainError(_("The text was due by %(when)s: send it to the organizers directly.",
                            when=format_when(contribution.deadline)), code="deadline_passed")
    if not data:
        raise field_error("document", _("Choose the file to send."), "required")
    if len(data) > max_bytes:
        raise field_error("document", _("The file is too large: at most %(mb)s MB.",
                                        mb=f"{max_bytes / 1024 / 1024:g}"), "too_large")
    kind = document_type(filename, data)
    name = "".join(ch for ch in filename.replace("\\", "/").rsplit("/", 1)[-1]
                   if ch.isprintable() and ch not in '"\r\n')[-200:] or f"tham-luan.{kind}"
    contribution.document = data
    contribution.document_name, contribution.document_type = name, kind
    contribution.document_size = len(data)
    contribution.submitted_at = utcnow()
    bump(contribution.agenda_item.event_id, "dialogue")
    db.session.commit()
    return contribution


def unit_contributions(event: Event, unit_id: int) -> list[Contribution]:
    """The contributions assigned to one unit, in programme order."""
    return list(db.session.scalars(
        select(Contribution).join(AgendaItem).where(AgendaItem.event_id == event.id,
                                                    Contribution.unit_id == unit_id)
        .order_by(AgendaItem.position, Contribution.position)))


def event_contributions(event: Event) -> list[Contribution]:
    """Every assigned contribution of the event, in programme order."""
    return list(db.session.scalars(
        select(Contribution).join(AgendaItem).where(AgendaItem.event_id == event.id)
        .order_by(AgendaItem.position, Contribution.position)))


def shift_time(value: datetime | None, delta: timedelta) -> datetime | None:
    return None if value is None else value + delta
