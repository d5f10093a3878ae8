"""Check-in: one function owns the transaction, the answer is a stable code.

``check_in`` is safe to call many times at once from many gates and processes: the
database allows one attendance per person per event (unique constraint, insert
that does nothing on conflict), and every scan carries a client-made nonce whose
first answer is kept and returned again for a repeated scan.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import broadcast
from ..attendees.invitations import TOKEN_SHAPE, token_from
from ..attendees.models import Attendee, Invitation
from ..audit import services as audit
from ..errors import Conflict, DomainError, NotFound
from ..events.models import Event
from ..extensions import db
from ..i18n import format_clock
from ..types import utcnow
from ..validation import required_text
from ..versions import bump
from .models import Attendance, CheckinUndo, Gate, GateDevice, Scan
from .payloads import arrival_json, result_json

#: How someone was checked in, in words.
METHOD_LABELS = {
    "scan": _l("QR scanned at a gate"),
    "manual": _l("Found by name at a gate"),
    "self": _l("Self check-in (hall QR)"),
    "online": _l("Joined online"),
}

#: What a scan came to, in words.
RESULT_LABELS = {
    "checked_in": _l("Checked in"),
    "already_checked_in": _l("Already checked in"),
    "revoked": _l("Invitation revoked"),
    "unknown": _l("Unknown code"),
    "wrong_event": _l("Another meeting's invitation"),
    "closed": _l("Outside check-in hours"),
}

#: Check-in opens this long before the meeting starts …
OPENS_BEFORE = timedelta(hours=6)
#: … and closes this long after it ends (or after it starts, if no end is set).
CLOSES_AFTER_END = timedelta(hours=2)
CLOSES_AFTER_START_WITHOUT_END = timedelta(hours=12)
#: How long a gate's pairing QR stays valid.
PAIRING_VALID = timedelta(minutes=30)
#: A caller that names no believable span (a script, a test) may date a scan this far
#: back; gates never rely on it — see :func:`believable_since`.
MAX_BACKDATE = timedelta(days=2)
#: A dated scan may be this far ahead of the server once corrected (clock drift,
#: network delay between the gate's clock reading and the server's).
MAX_CLOCK_AHEAD = timedelta(minutes=1)
#: A gate that syncs its list every minute and has said nothing for this long was
#: out of contact: the gap becomes its offline span.
OFFLINE_GAP = timedelta(seconds=150)
#: A scan queued only for a moment (a 503, a blip shorter than OFFLINE_GAP) is
#: believable this far back.
RECENT_RETRY = timedelta(minutes=10)
#: Slack around the offline span (the span's ends are known to about a minute).
SPAN_SLACK = timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class Person:
    """Who a check-in was about, as read with it (no ORM object, nothing to lazy-load)."""

    id: int
    event_id: int
    full_name: str
    position: str
    category: str
    unit_id: int | None
    affiliation: str
    #: Replaced by a substitute: not counted on the board.
    replaced: bool = False


@dataclass(frozen=True, slots=True)
class GateRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Arrival:
    """The first check-in of a person: when, how, at which gate."""

    checked_in_at: datetime
    method: str
    gate: GateRef | None = None


def closed_message(event, when: datetime | None = None) -> str:
    """Why the gate refuses now, and when it opens (or when it closed)."""
    return _closed_message(checkin_window(event), when)


def _closed_message(window: tuple[datetime, datetime], when: datetime | None) -> str:
    from ..i18n import format_when

    opens, closes = window
    when = when or utcnow()
    if when < opens:
        return _("Check-in has not opened yet: it opens at %(when)s.",
                 when=format_when(opens))
    return _("Check-in closed at %(when)s.", when=format_when(closes))


@dataclass
class CheckinResult:
    """What a gate shows: ``code`` (one of RESULTS), the person, and the first check-in.

    ``version`` is the attendance version this check-in made (None if it changed nothing).
    """

    code: str
    attendee: Person | Attendee | None = None
    attendance: Arrival | None = None
    message: str = ""
    flagged: bool = False
    extra: dict = field(default_factory=dict)
    version: int | None = None

    @property
    def ok(self) -> bool:
        return self.code == "checked_in"


def person_of(attendee: Attendee) -> Person:
    """The :class:`Person` record of an ORM attendee (the desk's by-hand check-in)."""
    return Person(attendee.id, attendee.event_id, attendee.full_name, attendee.position,
                  attendee.category, attendee.unit_id, attendee.affiliation, attendee.replaced)


# --- the statements of a scan, built once ------------------------------------------
#
# A scan is: one SELECT that resolves everything the answer needs (the event's check-in
# window, the token's invitation, its attendee and unit, an existing attendance and its
# gate, and whether this nonce was seen), the two INSERT … ON CONFLICT DO NOTHING, the
# version increment, and the commit. They run on the session's connection in Core: no
# ORM identity map, no lazy loads, no reload after commit. Built once, so SQLAlchemy's
# compiled cache is hit without rebuilding the statement objects.

_events = Event.__table__
_invitations = Invitation.__table__
_attendees = Attendee.__table__
_attendances = Attendance.__table__
_gates = Gate.__table__
_scans = Scan.__table__


def _resolve_statement(by: str):
    from ..units.models import Unit

    units = Unit.__table__
    a, att, gate = _attendees, _attendances, _gates
    seen = (select(_scans.c.id).where(_scans.c.event_id == _events.c.id,
                                      _scans.c.nonce == bindparam("nonce"))
            .limit(1).scalar_subquery())
    columns = [_events.c.starts_at, _events.c.ends_at, _events.c.checkin_opens_minutes,
               _events.c.checkin_closes_minutes, seen.label("seen"),
               a.c.id, a.c.event_id, a.c.full_name, a.c.position, a.c.category, a.c.unit_id,
               a.c.organization, a.c.replaced, units.c.name.label("unit_name"),
               att.c.checked_in_at, att.c.method, att.c.gate_id, gate.c.name.label("gate_name")]
    if by == "token":
        source = (_events.outerjoin(_invitations, _invitations.c.token == bindparam("token"))
                  .outerjoin(a, a.c.id == _invitations.c.attendee_id))
        columns.append(_invitations.c.revoked_at)
    else:
        source = _events.outerjoin(a, a.c.id == bindparam("attendee_id"))
    source = (source.outerjoin(units, units.c.id == a.c.unit_id)
              .outerjoin(att, (att.c.event_id == _events.c.id) & (att.c.attendee_id == a.c.id))
              .outerjoin(gate, gate.c.id == att.c.gate_id))
    return select(*columns).select_from(source).where(_events.c.id == bindparam("event_id"))


_RESOLVE = {"token": _resolve_statement("token"), "attendee": _resolve_statement("attendee")}
_INSERTS: dict[str, tuple] = {}


def _inserts(dialect: str) -> tuple:
    """(insert attendance, insert scan) for the dialect, each ON CONFLICT DO NOTHING."""
    if dialect not in _INSERTS:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        _INSERTS[dialect] = (
            insert(_attendances).on_conflict_do_nothing(
                index_elements=["event_id", "attendee_id"]).returning(_attendances.c.id),
            insert(_scans).on_conflict_do_nothing(
                index_elements=["event_id", "nonce"]).returning(_scans.c.id))
    return _INSERTS[dialect]


_EXISTING = (select(_attendances.c.checked_in_at, _attendances.c.method, _attendances.c.gate_id,
                    _gates.c.name)
             .select_from(_attendances.outerjoin(_gates, _gates.c.id == _attendances.c.gate_id))
             .where(_attendances.c.event_id == bindparam("event_id"),
                    _attendances.c.attendee_id == bindparam("attendee_id")))


def _arrival(checked_in_at, method, gate_id, gate_name) -> Arrival | None:
    if checked_in_at is None:
        return None
    return Arrival(checked_in_at, method, GateRef(gate_id, gate_name) if gate_id else None)


def _window(starts_at: datetime, ends_at: datetime | None, opens_minutes: int | None = None,
            closes_minutes: int | None = None) -> tuple[datetime, datetime]:
    """From the event's own lead time before the start (default 6 h) to its own time
    after the end (default 2 h; 12 h after the start when no end is set)."""
    before = timedelta(minutes=opens_minutes) if opens_minutes is not None else OPENS_BEFORE
    if ends_at:
        after = (timedelta(minutes=closes_minutes) if closes_minutes is not None
                 else CLOSES_AFTER_END)
        closes = ends_at + after
    else:
        closes = starts_at + CLOSES_AFTER_START_WITHOUT_END
    return starts_at - before, closes


def checkin_window(event) -> tuple[datetime, datetime]:
    """When the gates take scans (see :func:`_window`)."""
    return _window(event.starts_at, event.ends_at, event.checkin_opens_minutes,
                   event.checkin_closes_minutes)


def _redacted(scanned: str | None) -> str:
    """What a scan read, for the log, without a working token in it: a valid-looking
    token (or link) keeps only its first 6 characters."""
    text = (scanned or "").strip()
    token = token_from(text)
    if TOKEN_SHAPE.match(token):
        text = text[: len(text) - len(token)] + token[:6] + "…"
    return text[:255]


def _message(code: str, attendee, attendance,
             window: tuple[datetime, datetime] | None = None,
             when: datetime | None = None) -> str:
    if code == "checked_in":
        return _("Welcome, %(name)s.", name=attendee.full_name)
    if code == "already_checked_in":
        gate = attendance.gate.name if attendance.gate else _("by hand")
        return _("Already checked in at %(time)s (%(gate)s).",
                 time=format_clock(attendance.checked_in_at), gate=gate)
    if code == "closed" and window is not None:
        return _closed_message(window, when)
    return {
        "revoked": _("This invitation was revoked and replaced by a new one."),
        "unknown": _("Unknown code: this is not an invitation of ours."),
        "wrong_event": _("This invitation is for another meeting."),
        "closed": _("Check-in for this meeting is not open at this time."),
    }[code]


def _replay(event_id: int, nonce: str) -> CheckinResult | None:
    """The first answer to a scan whose nonce was seen before (rare: a gate resending)."""
    scan = db.session.scalar(select(Scan).where(Scan.event_id == event_id, Scan.nonce == nonce))
    if scan is None:
        return None
    person = person_of(scan.attendee) if scan.attendee_id else None
    arrival = None
    if scan.attendee_id:
        row = db.session.execute(_EXISTING, {"event_id": event_id,
                                             "attendee_id": scan.attendee_id}).first()
        arrival = _arrival(*row) if row else None
    code = scan.result
    message = _message(code, person, arrival) if code not in (
        "checked_in", "already_checked_in") or arrival else ""
    return CheckinResult(code, person, arrival, message, flagged=scan.flagged)


def believable_since(device: GateDevice | None, now: datetime) -> datetime:
    """How far back a scan this device sends late may be dated: the start of its latest
    offline span, or :data:`RECENT_RETRY` ago, whichever is earlier."""
    since = now - RECENT_RETRY
    if device is not None and device.offline_from is not None:
        since = min(since, device.offline_from - SPAN_SLACK)
    return since


def arrival_time(now: datetime, scanned_at: datetime | None, *,
                 clock_offset: timedelta | None = None,
                 believable_from: datetime | None = None) -> datetime:
    """The arrival time to record for a scan the gate dated ``scanned_at`` by its own
    clock: corrected by the gate's ``clock_offset`` (server minus gate) and kept only if
    it falls between ``believable_from`` and now; else the server's time ``now``."""
    if scanned_at is None:
        return now
    corrected = scanned_at + (clock_offset or timedelta(0))
    earliest = believable_from if believable_from is not None else now - MAX_BACKDATE
    if not earliest <= corrected <= now + MAX_CLOCK_AHEAD:
        return now  # a clock we cannot believe: the server's time
    return min(corrected, now)


def check_in(event, scanned: str, *, nonce: str | None = None, gate=None,
             scanned_at: datetime | None = None, method: str = "scan", by_user=None,
             offline_admitted: bool = False, attendee: Attendee | None = None,
             clock_offset: timedelta | None = None, believable_from: datetime | None = None
             ) -> CheckinResult:
    """Check in the holder of ``scanned`` (a token or an invitation link) — or ``attendee``
    directly for a check-in by hand — and answer with a stable code.

    ``event`` is an Event or its id; ``gate`` anything with ``id`` and ``name`` (a Gate,
    or the :class:`GateRef` of a cached device). ``nonce`` makes a repeated scan return
    the first answer. Without ``scanned_at`` the arrival is the server's time (an online
    scan). ``scanned_at`` is when a gate that was offline read the code, by its own clock:
    see :func:`arrival_time` for when it is believed (``clock_offset``,
    ``believable_from``); it decides the arrival time and whether check-in was open.
    ``offline_admitted`` says the gate already let the person in while offline: if
    someone else had checked them in first, the scan is flagged, and if this admission
    was the earlier one, the arrival becomes this one's (time and gate).

    Raises :class:`NotFound` (``not_found``) if the event does not exist.
    """
    event_id = event if isinstance(event, int) else event.id
    nonce = (nonce or secrets.token_hex(16))[:64]
    now = utcnow()
    when = arrival_time(now, scanned_at, clock_offset=clock_offset,
                        believable_from=believable_from)
    device_time = scanned_at
    conn = db.session.connection()
    if attendee is not None:
        row = conn.execute(_RESOLVE["attendee"], {"event_id": event_id, "nonce": nonce,
                                                  "attendee_id": attendee.id}).first()
        shaped = True
    else:
        token = token_from(scanned)
        shaped = bool(TOKEN_SHAPE.match(token))
        row = conn.execute(_RESOLVE["token"], {"event_id": event_id, "nonce": nonce,
                                               "token": token if shaped else ""}).first()
    if row is None:
        db.session.rollback()
        raise NotFound(_("This event does not exist."), code="not_found")
    if row.seen is not None:
        return _replay(event_id, nonce)

    person = None
    if row.id is not None:
        person = Person(row.id, row.event_id, row.full_name, row.position, row.category,
                        row.unit_id, row.unit_name if row.unit_id else row.organization,
                        row.replaced)
    existing = _arrival(row.checked_in_at, row.method, row.gate_id, row.gate_name)
    code, window = None, None
    if person is None or not shaped:
        code = "unknown"
    elif attendee is None and row.revoked_at is not None:
        code = "revoked"
    elif person.event_id != event_id:
        code = "wrong_event"
    elif person.replaced:
        code = "revoked"  # a substitute holds this seat now, by hand as by scan
    else:
        window = _window(row.starts_at, row.ends_at, row.checkin_opens_minutes,
                         row.checkin_closes_minutes)
        opens, closes = window
        if not opens <= when <= closes:
            code = "closed"

    insert_attendance, insert_scan = _inserts(conn.dialect.name)
    gate_ref = GateRef(gate.id, gate.name) if gate is not None else None
    arrival, version = None, None
    flagged = moved = False
    try:
        if code is None:
            inserted = conn.execute(insert_attendance, {
                "event_id": event_id, "attendee_id": person.id, "checked_in_at": when,
                "method": method, "gate_id": gate_ref.id if gate_ref else None,
                "by_user_id": by_user.id if by_user else None, "scan_nonce": nonce,
                "last_seen_at": None, "created_at": now}).scalar()
            if inserted:
                code, arrival = "checked_in", Arrival(when, method, gate_ref)
            else:
                code = "already_checked_in"
                flagged = offline_admitted
                moved = flagged and when < now and _earlier_admission(
                    event_id, person.id, when, gate_ref)
        if code == "already_checked_in":
            # An admission that was just made the earliest reads its row again.
            arrival = existing if not flagged else None
            if arrival is None:  # checked in by another gate since our read, or moved
                found = conn.execute(_EXISTING, {"event_id": event_id,
                                                 "attendee_id": person.id}).first()
                arrival = _arrival(*found) if found else None
        logged = conn.execute(insert_scan, {
            "event_id": event_id, "nonce": nonce, "scanned": _redacted(scanned),
            "result": code, "attendee_id": person.id if person and code != "wrong_event"
            else None, "gate_id": gate_ref.id if gate_ref else None, "method": method,
            "scanned_at": when, "received_at": now, "device_time": device_time,
            "flagged": flagged}).scalar()
        if logged is None:  # the same nonce arrived twice at the same moment
            db.session.rollback()
            return _replay(event_id, nonce)
        if code == "checked_in" or moved:
            version = bump(event, "attendance")  # last: the event's row is locked till commit
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    visible = person if code != "wrong_event" else None
    return CheckinResult(code, visible, arrival,
                         _message(code, visible, arrival, window, when),
                         flagged=flagged, version=version)


def board_change(result: CheckinResult) -> list:
    """What a check-in changes on the board, for the staff screens to apply:
    ``[version, unit_id, category, online, +1]`` (unit and category None for someone the
    board does not count, so that the version still arrives)."""
    person = result.attendee
    counted = person is not None and not getattr(person, "replaced", False)
    online = int(result.attendance is not None and result.attendance.method == "online")
    return [result.version,
            person.unit_id if counted and person.category == "delegate" else None,
            person.category if counted else None, online, 1]


def _earlier_admission(event_id: int, attendee_id: int, when: datetime,
                       gate: GateRef | None) -> bool:
    """Two gates admitted one person while offline: the arrival is the earliest
    admission, with its gate — whichever reached the server first."""
    moved = db.session.execute(
        update(_attendances).where(_attendances.c.event_id == event_id,
                                   _attendances.c.attendee_id == attendee_id,
                                   _attendances.c.method == "scan",
                                   _attendances.c.checked_in_at > when)
        .values(checked_in_at=when, gate_id=gate.id if gate else None))
    return moved.rowcount > 0


def admit_walk_in(event, *, nonce: str | None = None, gate: Gate | None = None, by_user=None,
                  **fields) -> CheckinResult:
    """Register a guest or press member at the desk and check them in, as one action.

    The form's ``nonce`` names both halves, so a form that arrives twice registers
    one person and answers with the first check-in.
    """
    from ..attendees.services import register_walk_in

    nonce = nonce or secrets.token_hex(16)
    person = register_walk_in(event, nonce=nonce, **fields)
    return check_in(event, "", attendee=person, nonce=nonce, method="manual", gate=gate,
                    by_user=by_user)


def admit_substitute(event, original: Attendee, *, nonce: str | None = None,
                     gate: Gate | None = None, by_user=None, **fields) -> CheckinResult:
    """Register someone in place of ``original`` and check them in, as one action
    (the original's invitation is revoked; see ``register_substitute``)."""
    from ..attendees.services import register_substitute

    nonce = nonce or secrets.token_hex(16)
    person = register_substitute(event, original, nonce=nonce, **fields)
    return check_in(event, "", attendee=person, nonce=nonce, method="manual", gate=gate,
                    by_user=by_user)


def undo_check_in(event, attendee: Attendee, *, by_user=None, reason: str = "") -> None:
    """Remove a check-in made by mistake, keeping a record of it."""
    attendance = db.session.scalar(select(Attendance).where(
        Attendance.event_id == event.id, Attendance.attendee_id == attendee.id))
    if attendance is None:
        raise Conflict(_("%(name)s is not checked in.", name=attendee.full_name),
                       code="not_checked_in")
    db.session.add(CheckinUndo(event_id=event.id, attendee_id=attendee.id,
                               checked_in_at=attendance.checked_in_at, method=attendance.method,
                               gate_id=attendance.gate_id,
                               undone_by_id=by_user.id if by_user else None,
                               reason=(reason or "")[:255]))
    db.session.delete(attendance)
    audit.record("checkin.undo", event=event, target=attendee, by_user=by_user, before={
        "checked_in_at": attendance.checked_in_at, "method": attendance.method,
        "gate": attendance.gate.name if attendance.gate else None}, after={"reason": reason})
    bump(event, "attendance")
    db.session.commit()


# --- gates and devices ---------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_digest(token: str) -> str:
    """What a gate's offline list holds for an invitation token (SHA-256, hex)."""
    return _hash(token)


def create_gate(event, *, name: str) -> Gate:
    """A reception desk, with a pairing QR valid for :data:`PAIRING_VALID`."""
    name = required_text(name, "name", max_length=64)
    if db.session.scalar(select(Gate.id).where(Gate.event_id == event.id, Gate.name == name)):
        raise Conflict(_("There is already a gate called “%(name)s”.", name=name),
                       code="duplicate_gate")
    gate = Gate(event_id=event.id, name=name, pairing_token=secrets.token_urlsafe(24),
                pairing_expires_at=utcnow() + PAIRING_VALID)
    db.session.add(gate)
    db.session.commit()
    return gate


def renew_pairing(gate: Gate) -> Gate:
    """A fresh pairing QR for the gate (the old one stops working)."""
    gate.pairing_token = secrets.token_urlsafe(24)
    gate.pairing_expires_at = utcnow() + PAIRING_VALID
    db.session.commit()
    return gate


def pair_device(pairing_token: str, *, label: str = "") -> tuple[GateDevice, str]:
    """Sign a device in as the gate whose pairing QR it scanned.

    Returns the device and its token (shown once, kept only on the device).
    """
    gate = db.session.scalar(select(Gate).where(Gate.pairing_token == pairing_token))
    if gate is None:
        raise NotFound(_("This pairing code is not valid. Ask the organizer to show the "
                         "gate's QR code again."), code="unknown_pairing")
    if gate.pairing_expires_at is None or gate.pairing_expires_at < utcnow():
        raise DomainError(_("This pairing code has expired. Ask the organizer to show a new "
                            "one."), code="pairing_expired")
    token = secrets.token_urlsafe(32)
    device = GateDevice(gate=gate, token_hash=_hash(token), label=(label or "")[:255])
    db.session.add(device)
    if current_app.config.get("GATE_PAIRING_SINGLE_USE", True):
        # One device per QR: a photo of it pairs nobody else (the gates page then shows
        # the next code for the next tablet).
        gate.pairing_token = secrets.token_urlsafe(24)
    db.session.commit()
    return device, token


def device_for(token: str | None) -> GateDevice | None:
    """The active device holding ``token``, or None. Reads only."""
    if not token:
        return None
    device = db.session.scalar(select(GateDevice).where(GateDevice.token_hash == _hash(token)))
    if device is None or device.revoked_at is not None:
        return None
    return device


def mark_device_seen(device: GateDevice | DeviceRef, *, clock: datetime | None = None) -> None:
    """Record that ``device`` is working: at most once a minute per process (a cached
    device is read only then), to keep scans lean.

    A silence longer than :data:`OFFLINE_GAP` is recorded as its offline span. ``clock``
    is the device's own time as it sent the request: the offset to the server's clock
    is kept with it. What was recorded is remembered for the device's cached record
    (:attr:`DeviceRef.offline_from`, :attr:`DeviceRef.clock_offset_ms`).
    """
    now = utcnow()
    key = device.token_hash
    last = _seen_marked.get(key)
    if last is not None and timedelta(0) <= now - last < timedelta(minutes=1):
        return
    if len(_seen_marked) > 10_000:  # devices of a whole series; never grows without bound
        _seen_marked.clear()
        _device_times.clear()
    _seen_marked[key] = now
    row = device if isinstance(device, GateDevice) else db.session.get(GateDevice, device.id)
    if row is None:
        return
    if row.last_seen_at is None or now - row.last_seen_at > timedelta(minutes=1):
        if row.last_seen_at is not None and now - row.last_seen_at > OFFLINE_GAP:
            row.offline_from, row.offline_until = row.last_seen_at, now
        row.last_seen_at = now
        if clock is not None:
            row.clock_offset_ms = round((now - clock).total_seconds() * 1000)
    _device_times[key] = (row.offline_from, row.clock_offset_ms)
    db.session.commit()


#: When this process last wrote "last seen" of a device, by device token hash.
_seen_marked: dict[str, datetime] = {}
#: The offline span's start and the clock offset last recorded, by device token hash.
_device_times: dict[str, tuple[datetime | None, int | None]] = {}


def clock_offset(device: GateDevice | None, clock: datetime | None) -> timedelta | None:
    """Server minus gate: measured on this request if the gate sent its clock, else the
    device's last measurement."""
    if clock is not None:
        return utcnow() - clock
    if device is not None and device.clock_offset_ms is not None:
        return timedelta(milliseconds=device.clock_offset_ms)
    return None


def revoke_device(device: GateDevice, *, by_user=None) -> None:
    device.revoked_at = utcnow()
    audit.record("device.revoke", event=device.gate.event_id, target=device.gate,
                 target_type="gate", after={"device": device.label[:60]}, by_user=by_user)
    db.session.commit()
    _device_cache.pop(device.token_hash, None)


#: How long a process trusts what it read about a gate device. A device revoked by
#: another process stops working at the latest this much later (this process: at once).
DEVICE_CACHE_SECONDS = 10.0
_device_cache: dict[str, tuple[float, DeviceRef]] = {}


@dataclass(frozen=True, slots=True)
class DeviceRef:
    """What a request needs to know about the gate device that sent it."""

    id: int
    gate_id: int
    gate_name: str
    event_id: int
    #: The browser that paired, as on :class:`GateDevice` (the audit trail names it).
    label: str = ""
    #: The hash of the device's token, as on :class:`GateDevice`.
    token_hash: str = ""

    @property
    def gate(self) -> GateRef:
        return GateRef(self.gate_id, self.gate_name)

    @property
    def offline_from(self) -> datetime | None:
        """The start of the device's latest offline span, as last recorded here (see
        :func:`mark_device_seen`, which every request of the device passes through)."""
        return _device_times.get(self.token_hash, (None, None))[0]

    @property
    def clock_offset_ms(self) -> int | None:
        """Server minus device, as last measured here."""
        return _device_times.get(self.token_hash, (None, None))[1]


def gate_device(token: str | None) -> DeviceRef | None:
    """The active device holding ``token`` (and its gate), or None.

    Resolved with one statement and then kept for :data:`DEVICE_CACHE_SECONDS`, so a
    gate scanning all morning costs one look-up every few seconds, not one per scan.
    Reads only (see :func:`mark_device_seen`).
    """
    if not token:
        return None
    digest = _hash(token)
    now = time.monotonic()
    hit = _device_cache.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = db.session.execute(
        select(GateDevice.id, GateDevice.gate_id, Gate.name, Gate.event_id,
               GateDevice.revoked_at, GateDevice.label)
        .join(Gate, Gate.id == GateDevice.gate_id).where(GateDevice.token_hash == digest)
    ).first()
    if row is None or row.revoked_at is not None:
        _device_cache.pop(digest, None)
        return None
    ref = DeviceRef(row.id, row.gate_id, row.name, row.event_id, row.label or "", digest)
    if len(_device_cache) > 10_000:  # tokens of a whole series; never grows without bound
        _device_cache.clear()
    _device_cache[digest] = (now + DEVICE_CACHE_SECONDS, ref)
    return ref


def make_device_token(event, *, gate_name: str) -> str:
    """A device token for a gate (made if missing), for scripts and the command line."""
    gate = db.session.scalar(select(Gate).where(Gate.event_id == event.id,
                                                Gate.name == gate_name))
    if gate is None:
        gate = create_gate(event, name=gate_name)
    _device, token = pair_device(renew_pairing(gate).pairing_token, label="checkin gate-token")
    return token


# --- self check-in: the hall's rotating QR ---------------------------------------

#: Seconds one hall code is shown; the previous one still works for as long, so that a
#: code is good for at most twice this: a photo sent out of the hall expires within a
#: minute.
HALL_CODE_SECONDS = 30


def hall_code(event, window: int | None = None) -> str:
    """The code in the hall's QR now: HMAC of the event and the 30-second window."""
    window = int(time.time() // HALL_CODE_SECONDS) if window is None else window
    key = current_app.config["SECRET_KEY"].encode()  # nobody can forge tomorrow's code
    return hmac.new(key, f"hall:{event.id}:{HALL_CODE_SECONDS}:{window}".encode(),
                    hashlib.sha256).hexdigest()[:16]


def hall_code_valid(event, code: str) -> bool:
    now = int(time.time() // HALL_CODE_SECONDS)
    given = (code or "").encode("utf-8", "replace")  # compare_digest refuses non-ASCII str
    return any(hmac.compare_digest(hall_code(event, w).encode(), given) for w in (now, now - 1))


# --- attendance figures --------------------------------------------------------

@dataclass
class UnitAttendance:
    unit_id: int
    name: str
    seats: int
    nominated: int
    present: int
    online: int = 0


@dataclass
class Board:
    present: int
    expected: int
    units: list[UnitAttendance]
    by_category: dict[str, tuple[int, int]]
    version: int
    online: int = 0

    @property
    def in_person(self) -> int:
        return self.present - self.online

    def as_dict(self) -> dict:
        return {"stream": "attendance", "version": self.version,
                "present": self.present, "expected": self.expected,
                "online": self.online, "in_person": self.in_person,
                "units": [u.__dict__ for u in self.units],
                "by_category": {k: {"present": p, "expected": e}
                                for k, (p, e) in self.by_category.items()}}


def attendance_board(event) -> Board:
    """Present against expected, in total, per category and per unit against its quota."""
    from ..units.models import Quota, Unit

    online_method = func.sum(case((Attendance.method == "online", 1), else_=0))
    # The version is read by the same statement as the counts: one consistent snapshot,
    # holding exactly the check-ins numbered up to it (versions are taken under the
    # event row's lock, so they commit in order). Screens re-apply newer changes on top.
    version_now = (select(_events.c.attendance_version).where(_events.c.id == event.id)
                   .scalar_subquery())
    rows = db.session.execute(
        select(Attendee.category, Attendee.unit_id, func.count(Attendee.id),
               func.count(Attendance.id), online_method, version_now)
        .outerjoin(Attendance, (Attendance.attendee_id == Attendee.id)
                   & (Attendance.event_id == event.id))
        .where(Attendee.event_id == event.id, Attendee.replaced.is_(False))
        .group_by(Attendee.category, Attendee.unit_id)).all()
    by_category: dict[str, list[int]] = {}
    per_unit: dict[int, list[int]] = {}
    online = 0
    version = rows[0][5] if rows else attendance_version(event.id)
    for category, unit_id, listed, present, remote, _v in rows:
        c = by_category.setdefault(category, [0, 0])
        c[0] += present
        c[1] += listed
        online += remote or 0
        if category == "delegate" and unit_id is not None:
            u = per_unit.setdefault(unit_id, [0, 0, 0])
            u[0] += listed
            u[1] += present
            u[2] += remote or 0
    quotas = db.session.execute(
        select(Quota.unit_id, Unit.name, Quota.seats).join(Unit, Unit.id == Quota.unit_id)
        .where(Quota.event_id == event.id).order_by(Unit.name_folded)).all()
    units = [UnitAttendance(uid, name, seats, *per_unit.get(uid, [0, 0, 0]))
             for uid, name, seats in quotas]
    present = sum(p for p, _e in by_category.values())
    expected = sum(e for _p, e in by_category.values())
    return Board(present, expected, units, {k: tuple(v) for k, v in by_category.items()},
                 version, online)


def attendance_version(event_id: int) -> int:
    """The committed attendance version, read from the database (not the session)."""
    return db.session.execute(select(_events.c.attendance_version)
                              .where(_events.c.id == event_id)).scalar_one()


def missing_by_unit(event) -> dict[int, list[Attendee]]:
    """Delegates not yet arrived, per unit."""
    arrived = select(Attendance.attendee_id).where(Attendance.event_id == event.id)
    out: dict[int, list[Attendee]] = {}
    for person in db.session.scalars(select(Attendee).where(
            Attendee.event_id == event.id, Attendee.category == "delegate",
            Attendee.replaced.is_(False), Attendee.id.not_in(arrived))
            .order_by(Attendee.name_folded)):
        out.setdefault(person.unit_id, []).append(person)
    from ..i18n import sort_key

    return {unit: sorted(people, key=lambda a: sort_key(a.full_name))
            for unit, people in out.items()}


def recent_checkins(event, limit: int = 20) -> list[Attendance]:
    """The latest arrivals, newest first."""
    return list(db.session.scalars(select(Attendance).where(Attendance.event_id == event.id)
                                   .order_by(Attendance.checked_in_at.desc()).limit(limit)))


def attendance_of(attendee: Attendee) -> Attendance | None:
    """The attendance of ``attendee``, if present (see :meth:`Attendance.of`)."""
    return Attendance.of(attendee)


def join_online(event, attendee: Attendee) -> CheckinResult:
    """A remote delegate joins from their invitation: counted once, as attending online.

    Someone already checked in at the hall stays counted in person.
    """
    if event.mode not in ("online", "hybrid"):
        raise DomainError(_("This meeting is held in the hall only."), code="not_online")
    result = check_in(event, "", attendee=attendee, method="online")
    if result.code in ("checked_in", "already_checked_in") and result.attendance and \
            result.attendance.method == "online":
        seen_online(event, attendee)
    return result


def seen_online(event, attendee: Attendee) -> None:
    """The delegate's page is still open: keep "last seen" of an online attendance."""
    attendance = attendance_of(attendee)
    if attendance is not None and attendance.method == "online":
        attendance.last_seen_at = utcnow()
        db.session.commit()


def announce(event: Event | int, result: CheckinResult, *, whole: bool = False) -> None:
    """After a commit that changed attendance: tell the staff pages.

    A check-in travels as a small change (:func:`board_change`), coalesced with the burst
    it belongs to; anything else — an undo, or (``whole``) a walk-in or substitute, who
    change the expected numbers — sends the whole board, which replaces the screens'.
    """
    event_id = event if isinstance(event, int) else event.id
    if not whole and result.code == "checked_in" and result.version is not None \
            and isinstance(result.attendee, Person):
        broadcast.attendance_arrived(event_id, board_change(result), arrival_json(result))
        return
    if isinstance(event, int):
        event = db.session.get(Event, event_id)
    board = attendance_board(event).as_dict()
    broadcast.attendance_changed(event, board, checkin=result_json(result))
