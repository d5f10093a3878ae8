"""The gate API under ``/api/v1``: JSON in, JSON out, described at ``/api/v1/openapi.json``.

Authenticated by a gate device token (``Authorization: Bearer …``, or the cookie the
pairing set) or a staff session. Requests that rely on a cookie must carry the CSRF
token in ``X-CSRFToken``; a bearer token needs none.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError as WTFValidationError

from ..attendees.invitations import active_invitations
from ..attendees.models import Attendee
from ..attendees.services import find_attendee, search_attendees
from ..auth.services import can
from ..events.live import live_state
from ..events.models import Event
from ..extensions import csrf, db, limiter
from ..limits import FORGED_SCANS_PER_DEVICE
from ..security import DB_INT_MAX
from ..types import utcnow
from . import services
from .models import Attendance, Gate
from .openapi import OPENAPI
from .payloads import person_json, result_json

api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
csrf.exempt(api)

GATE_COOKIE = "gate_device"


def _error(status: int, code: str, message: str, *, field: str | None = None):
    body = {"error": code, "message": message}
    if field:
        body["errors"] = [{"field": field, "message": message}]
    response = jsonify(body)
    response.status_code = status
    abort(response)


def _check_optional_strings(data: dict, **max_lengths: int) -> None:
    """Optional fields that must be strings (of at most so many characters) if sent."""
    for name, longest in max_lengths.items():
        value = data.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > longest):
            _error(422, "invalid", _("“%(field)s” must be a text of at most %(n)d characters.",
                                     field=name, n=longest), field=name)


def _device_token() -> tuple[str | None, bool]:
    """The device token of the request and whether it came as a bearer token."""
    header = request.headers.get("Authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    return bearer or request.cookies.get(GATE_COOKIE), bearer is not None


def authorize(event: Event | int, roles: tuple[str, ...] = ("gate",)) -> None:
    """Let in a device of this event's gates or staff with one of ``roles`` in the event.

    ``event`` may be just the id: a gate device is checked without loading the event
    (the device is cached briefly, see :func:`services.gate_device`).
    """
    event_id = event if isinstance(event, int) else event.id
    token, bearer = _device_token()
    device = services.gate_device(token)
    g.device, g.gate = None, None
    if device is not None:
        if device.event_id != event_id:
            _error(403, "forbidden", _("This device belongs to another meeting's gate."))
        g.device, g.gate = device, device.gate
        if request.method == "POST":
            services.mark_device_seen(device, clock=_gate_clock())
    elif current_user.is_authenticated:
        if isinstance(event, int):
            event = db.session.get(Event, event_id)
            if event is None:
                _error(404, "not_found", _("This event does not exist."))
        if not can(current_user, event, *roles):
            _error(403, "forbidden", _("You do not have permission to open this page."))
    else:
        _error(401, "unauthorized", _("Sign in to use this page."))
    if g.device is None or not bearer:
        cookie_auth = request.method not in ("GET", "HEAD", "OPTIONS")
    else:
        cookie_auth = False  # a valid bearer token cannot be sent by another site
    if cookie_auth:
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (WTFValidationError, CSRFError):
            _error(400, "csrf", _("The request could not be understood. Please reload the "
                                  "page and try again."))


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        _error(404, "not_found", _("This event does not exist."))
    authorize(event)
    return event


def _parse_time(value) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        _error(422, "invalid", _("scanned_at must be an ISO 8601 date and time."))
    if parsed.tzinfo is None:
        _error(422, "invalid", _("scanned_at must include a time zone."))
    return parsed


def _gate_clock() -> datetime | None:
    """The gate's own time as it sent the request (``X-Gate-Clock``, ISO 8601), if any."""
    value = request.headers.get("X-Gate-Clock", "")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _gate_for(event: Event | int, name: str | None) -> Gate | services.GateRef | None:
    if g.gate is not None:
        return g.gate  # a device speaks for its own gate only
    if not name:
        return None
    event_id = event if isinstance(event, int) else event.id
    return db.session.scalar(select(Gate).where(Gate.event_id == event_id, Gate.name == name))


def _forged(response) -> bool:
    """A scan of something that is no invitation of ours (a guess, a forgery)."""
    data = response.get_json(silent=True) if response.status_code == 200 else None
    return isinstance(data, dict) and data.get("result") == "unknown"


@api.post("/events/<int:event_id>/checkins")
# Per device (or staff account): codes that are no invitation at all. A real gate reads
# a foreign code now and then; hundreds a minute is someone trying to guess or flood the
# scan log, and is answered 429 until the minute is over.
@limiter.limit(FORGED_SCANS_PER_DEVICE, deduct_when=_forged, scope="forged-scans")
def create_checkin(event_id: int):
    """A scan. A gate device's scan loads nothing but what :func:`services.check_in` reads
    in its one statement; staff load the event to check their role."""
    authorize(event_id)
    event = event_id
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("token"), str) \
            or not data["token"].strip() or len(data["token"]) > 2048:
        _error(422, "invalid", _("Send a JSON object with the scanned “token”."), field="token")
    nonce = data.get("nonce")
    if nonce is not None and (not isinstance(nonce, str) or not 8 <= len(nonce) <= 64):
        _error(422, "invalid", _("“nonce” must be a string of 8 to 64 characters."),
               field="nonce")
    _check_optional_strings(data, gate=64, scanned_at=64)
    # An online scan arrives as it happens: the server's clock is the arrival time. A
    # scan the gate queued (offline, or refused with a 503) keeps the gate's time if,
    # corrected by the gate's clock offset, it falls in the gate's offline span.
    scanned_at = _parse_time(data.get("scanned_at"))
    late = bool(data.get("queued") or data.get("offline"))
    result = services.check_in(
        event, data["token"], nonce=nonce, gate=_gate_for(event, data.get("gate")),
        scanned_at=scanned_at if late else None,
        clock_offset=services.clock_offset(g.device, _gate_clock()),
        believable_from=services.believable_since(g.device, utcnow()),
        by_user=current_user if g.device is None and current_user.is_authenticated else None,
        offline_admitted=bool(data.get("offline")))
    if result.code == "checked_in" or result.version is not None:
        # an earlier offline admission moved the arrival: the whole board goes out
        services.announce(event, result)
    return jsonify(result_json(result)), 200


@api.post("/events/<int:event_id>/checkins/manual")
def manual_checkin(event_id: int):
    """Check in a person found by search (by name, unit or phone) at the desk."""
    event = _event(event_id)
    data = request.get_json(silent=True)
    attendee_id = data.get("attendee_id") if isinstance(data, dict) else None
    if not isinstance(attendee_id, int) or isinstance(attendee_id, bool) \
            or not 0 < attendee_id <= DB_INT_MAX:
        _error(422, "invalid", _("Send the “attendee_id” of the person."), field="attendee_id")
    _check_optional_strings(data, nonce=64, gate=64)
    person = find_attendee(event, attendee_id)
    result = services.check_in(
        event, "", attendee=person, nonce=data.get("nonce"), method="manual",
        gate=_gate_for(event, data.get("gate")),
        by_user=current_user if current_user.is_authenticated else None)
    if result.code == "checked_in":
        services.announce(event, result)
    return jsonify(result_json(result))


@api.get("/events/<int:event_id>/attendees")
def find_people(event_id: int):
    """Search by name (diacritics optional), unit or phone, with each person's status."""
    event = _event(event_id)
    people = search_attendees(event, request.args.get("q", ""), limit=30)
    arrived = {a.attendee_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.event_id == event.id, Attendance.attendee_id.in_([p.id for p in people])))}
    return jsonify({"attendees": [
        {**person_json(p), "checked_in_at": arrived[p.id].checked_in_at.isoformat()
         if p.id in arrived else None} for p in people]})


@api.get("/events/<int:event_id>/gate-list")
def gate_list(event_id: int):
    """The offline copy of the list for a gate: hashed tokens → name, unit, category.

    Tokens are sent as SHA-256 digests, so a lost tablet does not hand out
    working invitations.
    """
    event = _event(event_id)
    invitations = active_invitations(event)
    arrived = set(db.session.scalars(select(Attendance.attendee_id)
                                     .where(Attendance.event_id == event.id)))
    people = db.session.scalars(select(Attendee).where(Attendee.event_id == event.id))
    return jsonify({"version": event.attendance_version, "attendees": [
        {"h": services.token_digest(invitations[p.id].token), "n": p.full_name,
         "u": p.affiliation, "c": p.category, "in": p.id in arrived}
        for p in people if p.id in invitations]})


@api.get("/events/<int:event_id>/attendance")
def attendance(event_id: int):
    """The board's snapshot, for screens that reconnect or saw a version go missing.

    Moderators may read it too (a projector run by the secretariat). The ETag is the
    attendance version: a screen that is up to date gets a 304 for one cheap query.
    """
    event = db.session.get(Event, event_id)
    if event is None:
        _error(404, "not_found", _("This event does not exist."))
    authorize(event, ("gate", "moderator"))
    current = f"a{services.attendance_version(event_id)}"
    if request.if_none_match.contains(current):
        response = current_app.response_class(status=304)
    else:
        board = services.attendance_board(event).as_dict()
        response = jsonify(board)
        current = f"a{board['version']}"
    response.set_etag(current)
    response.headers["Cache-Control"] = "no-cache"
    return response


@api.get("/events/<int:event_id>/live")
def live(event_id: int):
    """The mode, the livestream and the latest announcement: the ``live`` stream's snapshot."""
    event = _event(event_id)
    version = event.live_version  # read before the state: the state is never older
    return jsonify({"stream": "live", "version": version, "live": live_state(event)})


@api.get("/openapi.json")
def openapi():
    spec = dict(OPENAPI)
    spec["servers"] = [{"url": url_for("api_v1.openapi", _external=False).rsplit("/", 1)[0]}]
    return jsonify(spec)
