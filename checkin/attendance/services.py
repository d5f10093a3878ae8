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
from sqlalchemy import case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import broadcast
from ..attendees.invitations import TOKEN_SHAPE, token_from
from ..attendees.models import Attendee, Invitation
from ..audit import services as audit
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..i18n import format_clock
from ..types import utcnow
from ..validation import required_text
from ..versions import bump
from .models import Attendance, CheckinUndo, Gate, GateDevice, Scan
from .payloads import result_json

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


def checkin_window(event) -> tuple[datetime, datetime]:
    opens = event.starts_at - OPENS_BEFORE
    closes = (event.ends_at + CLOSES_AFTER_END if event.ends_at
              else event.starts_at + CLOSES_AFTER_START_WITHOUT_END)
    return opens, closes


@dataclass
class CheckinResult:
    """What a gate shows: ``code`` (one of RESULTS), the person, and the first check-in."""

    code: str
    attendee: Attendee | None = None
    attendance: Attendance | None = None
    message: str = ""
    flagged: bool = False
    extra: dict = field(default_factory=dict)
    #: The attendance version this check-in made (None if it changed nothing).
    version: int | None = None

    @property
    def ok(self) -> bool:
        return self.code == "checked_in"


def _insert_attendance(values: dict) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the row id, or None if it existed."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(Attendance).values(**values)
            .on_conflict_do_nothing(index_elements=["event_id", "attendee_id"])
            .returning(Attendance.id))
    return db.session.execute(stmt).scalar()


def _insert_scan(values: dict) -> bool:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (insert(Scan).values(**values)
            .on_conflict_do_nothing(index_elements=["event_id", "nonce"])
            .returning(Scan.id))
    return db.session.execute(stmt).scalar() is not None


def _redacted(scanned: str | None) -> str:
    """What a scan read, for the log, without a working token in it: a valid-looking
    token (or link) keeps only its first 6 characters."""
    text = (scanned or "").strip()
    token = token_from(text)
    if TOKEN_SHAPE.match(token):
        text = text[: len(text) - len(token)] + token[:6] + "…"
    return text[:255]


def _message(code: str, attendee: Attendee | None, attendance: Attendance | None) -> str:
    if code == "checked_in":
        return _("Welcome, %(name)s.", name=attendee.full_name)
    if code == "already_checked_in":
        gate = attendance.gate.name if attendance.gate else _("by hand")
        return _("Already checked in at %(time)s (%(gate)s).",
                 time=format_clock(attendance.checked_in_at), gate=gate)
    return {
        "revoked": _("This invitation was revoked and replaced by a new one."),
        "unknown": _("Unknown code: this is not an invitation of ours."),
        "wrong_event": _("This invitation is for another meeting."),
        "closed": _("Check-in for this meeting is not open at this time."),
    }[code]


def _replay(event, nonce: str) -> CheckinResult | None:
    scan = db.session.scalar(select(Scan).where(Scan.event_id == event.id, Scan.nonce == nonce))
    if scan is None:
        return None
    attendance = None
    if scan.attendee_id:
        attendance = db.session.scalar(select(Attendance).where(
            Attendance.event_id == event.id, Attendance.attendee_id == scan.attendee_id))
    code = scan.result
    return CheckinResult(code, scan.attendee, attendance,
                         _message(code, scan.attendee, attendance) if code not in (
                             "checked_in", "already_checked_in") or attendance else "",
                         flagged=scan.flagged)


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


def check_in(event, scanned: str, *, nonce: str | None = None, gate: Gate | None = None,
             scanned_at: datetime | None = None, method: str = "scan", by_user=None,
             offline_admitted: bool = False, attendee: Attendee | None = None,
             clock_offset: timedelta | None = None, believable_from: datetime | None = None
             ) -> CheckinResult:
    """Check in the holder of ``scanned`` (a token or an invitation link) — or ``attendee``
    directly for a check-in by hand — and answer with a stable code.

    ``nonce`` makes a repeated scan return the first answer. Without ``scanned_at`` the
    arrival is the server's time (an online scan). ``scanned_at`` is when a gate that was
    offline read the code, by its own clock: see :func:`arrival_time` for when it is
    believed (``clock_offset``, ``believable_from``); it decides the arrival time and
    whether check-in was open. ``offline_admitted`` says the gate already let the person
    in while offline: if someone else had checked them in first, the scan is flagged,
    and if this admission was the earlier one, the arrival becomes this one's (time and
    gate).
    """
    nonce = (nonce or secrets.token_hex(16))[:64]
    now = utcnow()
    when = arrival_time(now, scanned_at, clock_offset=clock_offset,
                        believable_from=believable_from)
    device_time = scanned_at
    replay = _replay(event, nonce)
    if replay is not None:
        return replay

    code, person, invitation = None, attendee, None
    if person is None:
        token = token_from(scanned)
        if not TOKEN_SHAPE.match(token):
            code = "unknown"
        else:
            invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
            if invitation is None:
                code = "unknown"
            else:
                person = invitation.attendee
                if invitation.revoked_at is not None:
                    code = "revoked"
    if code is None and person.event_id != event.id:
        code = "wrong_event"
    if code is None and person.replaced:
        code = "revoked"  # a substitute holds this seat now, by hand as by scan
    if code is None:
        opens, closes = checkin_window(event)
        if not opens <= when <= closes:
            code = "closed"

    attendance = None
    flagged = moved = False
    version = None
    try:
        if code is None:
            inserted = _insert_attendance({
                "event_id": event.id, "attendee_id": person.id, "checked_in_at": when,
                "method": method, "gate_id": gate.id if gate else None,
                "by_user_id": by_user.id if by_user else None, "scan_nonce": nonce,
                "created_at": now})
            code = "checked_in" if inserted else "already_checked_in"
            flagged = code == "already_checked_in" and offline_admitted
            moved = flagged and when < now and _earlier_admission(event, person, when, gate)
        logged = _insert_scan({
            "event_id": event.id, "nonce": nonce, "scanned": _redacted(scanned),
            "result": code, "attendee_id": person.id if person and code != "wrong_event"
            else None, "gate_id": gate.id if gate else None, "method": method,
            "scanned_at": when, "received_at": now, "device_time": device_time,
            "flagged": flagged})
        if not logged:  # the same nonce arrived twice at the same moment
            db.session.rollback()
            return _replay(event, nonce)
        if code in ("checked_in", "already_checked_in"):
            attendance = db.session.scalar(select(Attendance).where(
                Attendance.event_id == event.id, Attendance.attendee_id == person.id))
        if code == "checked_in" or moved:
            version = bump(event, "attendance")  # last: the event's row is locked till commit
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    visible = person if code != "wrong_event" else None
    return CheckinResult(code, visible, attendance, _message(code, visible, attendance),
                         flagged=flagged, version=version)


def _earlier_admission(event, person: Attendee, when: datetime, gate: Gate | None) -> bool:
    """Two gates admitted one person while offline: the arrival is the earliest
    admission, with its gate — whichever reached the server first."""
    moved = db.session.execute(
        update(Attendance).where(Attendance.event_id == event.id,
                                 Attendance.attendee_id == person.id,
                                 Attendance.method == "scan", Attendance.checked_in_at > when)
        .values(checked_in_at=when, gate_id=gate.id if gate else None)
        .execution_options(synchronize_session=False))
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


def mark_device_seen(device: GateDevice, *, clock: datetime | None = None) -> None:
    """Record that ``device`` is working (at most once a minute, to keep scans lean).

    A silence longer than :data:`OFFLINE_GAP` is recorded as its offline span. ``clock``
    is the device's own time as it sent the request: the offset to the server's clock
    is kept with it.
    """
    now = utcnow()
    if device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1):
        if device.last_seen_at is not None and now - device.last_seen_at > OFFLINE_GAP:
            device.offline_from, device.offline_until = device.last_seen_at, now
        device.last_seen_at = now
        if clock is not None:
            device.clock_offset_ms = round((now - clock).total_seconds() * 1000)
        db.session.commit()


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
    rows = db.session.execute(
        select(Attendee.category, Attendee.unit_id, func.count(Attendee.id),
               func.count(Attendance.id), online_method)
        .outerjoin(Attendance, (Attendance.attendee_id == Attendee.id)
                   & (Attendance.event_id == event.id))
        .where(Attendee.event_id == event.id, Attendee.replaced.is_(False))
        .group_by(Attendee.category, Attendee.unit_id)).all()
    by_category: dict[str, list[int]] = {}
    per_unit: dict[int, list[int]] = {}
    online = 0
    for category, unit_id, listed, present, remote in rows:
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
                 event.attendance_version, online)


def missing_by_unit(event) -> dict[int, list[Attendee]]:
    """Delegates not yet arrived, per unit."""
    arrived = select(Attendance.attendee_id).where(Attendance.event_id == event.id)
    out: dict[int, list[Attendee]] = {}
    for person in db.session.scalars(select(Attendee).where(
            Attendee.event_id == event.id, Attendee.category == "delegate",
            Attendee.replaced.is_(False), Attendee.id.not_in(arrived))
            .order_by(Attendee.name_folded)):
        out.setdefault(person.unit_id, []).append(person)
    return out


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


def announce(event, result: CheckinResult) -> None:
    """After a commit that changed attendance: tell the staff pages."""
    board = attendance_board(event).as_dict()
    broadcast.attendance_changed(event, board, checkin=result_json(result))
