"""Pages of check-in: gates and pairing, the gate page, the attendance board, the
projector, the hall's rotating QR for self check-in."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import func, select

from .. import broadcast
from ..attendees import services as attendee_services
from ..attendees.invitations import INVITATION_COOKIE, InvitationReplaced, find_invitation
from ..attendees.qr import qr_svg
from ..auth.access import event_access
from ..errors import DomainError
from ..events.forms import ConfirmForm
from ..events.models import Event
from ..extensions import csrf, db, limiter
from ..limits import limit_guesses
from ..types import utcnow
from ..units.models import Unit
from . import services
from .api import GATE_COOKIE, _gate_for
from .forms import GateForm, SubstituteForm, WalkInForm
from .models import Attendance, Gate, GateDevice, Scan
from .payloads import result_json

bp = Blueprint("attendance", __name__)



def _public(endpoint: str, **values) -> str:
    return current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)


# --- gates and pairing -------------------------------------------------------

@bp.route("/events/<int:event_id>/gates", methods=["GET", "POST"])
@event_access()
def gates(event: Event):
    form = GateForm()
    if form.validate_on_submit():
        try:
            gate = services.create_gate(event, name=form.name.data)
        except DomainError as exc:
            form.name.errors = [str(exc.message)]
        else:
            flash(_("Gate “%(name)s” created. Scan its pairing code with the gate's tablet.",
                    name=gate.name), "success")
            return redirect(url_for("attendance.gates", event_id=event.id) + f"#gate-{gate.id}")
    all_gates = db.session.scalars(select(Gate).where(Gate.event_id == event.id)
                                   .order_by(Gate.name)).all()
    pairing = {g.id: Markup(qr_svg(_public("attendance.pair", token=g.pairing_token),
                                   title=_("Pairing QR code of %(gate)s", gate=g.name)))
               for g in all_gates}
    return render_template("attendance/gates.html", event=event, gates=all_gates, form=form,
                           pairing=pairing, confirm=ConfirmForm(), now=services.utcnow(),
                           pair_url=lambda g: _public("attendance.pair", token=g.pairing_token)
                           ), 200 if request.method == "GET" or form.validate() else 422


@bp.post("/events/<int:event_id>/gates/<int:gate_id>/renew")
@event_access()
def renew(event: Event, gate_id: int):
    gate = db.session.get(Gate, gate_id)
    if gate is None or gate.event_id != event.id or not ConfirmForm().validate_on_submit():
        abort(404)
    services.renew_pairing(gate)
    return redirect(url_for("attendance.gates", event_id=event.id) + f"#gate-{gate.id}")


@bp.post("/events/<int:event_id>/devices/<int:device_id>/revoke")
@event_access()
def revoke_device(event: Event, device_id: int):
    device = db.session.get(GateDevice, device_id)
    if device is None or device.gate.event_id != event.id or \
            not ConfirmForm().validate_on_submit():
        abort(404)
    services.revoke_device(device)
    broadcast.end_access(broadcast.device_room(device.id))
    flash(_("The device can no longer check people in."), "info")
    return redirect(url_for("attendance.gates", event_id=event.id))


@bp.get("/g/<token>")
@limiter.limit("20 per minute")
@limit_guesses
def pair(token: str):
    """A tablet scanned a gate's pairing QR: sign it in as that gate."""
    try:
        device, device_token = services.pair_device(token, label=_device_name(token))
    except DomainError as exc:
        return render_template("error.html", message=exc.message, status=exc.status), 403
    response = make_response(redirect(url_for("attendance.gate_page")))
    response.set_cookie(GATE_COOKIE, device_token, max_age=3 * 24 * 3600, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _device_name(pairing_token: str) -> str:
    """A name the desk can tell apart: "Cổng 1 – máy tính bảng 2 (Android 10; SM-A105F)"."""
    gate = db.session.scalar(select(Gate).where(Gate.pairing_token == pairing_token))
    agent = request.headers.get("User-Agent", "")
    if "iPad" in agent or "Tablet" in agent or ("Android" in agent and "Mobile" not in agent):
        kind = _("tablet")
    elif "Mobile" in agent or "iPhone" in agent:
        kind = _("phone")
    else:
        kind = _("computer")
    number = len(gate.devices) + 1 if gate is not None else 1
    platform = agent[agent.find("(") + 1:agent.find(")")] if "(" in agent and ")" in agent else ""
    name = f"{gate.name if gate else ''} – {kind} {number}"
    return f"{name} ({platform})"[:255] if platform else name


def _gate_context(event: Event, gate: Gate | None, device: GateDevice | None = None):
    from ..attendees.labels import CATEGORY_LABELS
    from ..types import utcnow

    opens, closes = services.checkin_window(event)
    now = utcnow()
    window_note = services.closed_message(event, now) if not opens <= now <= closes else ""
    return render_template("attendance/gate.html", event=event, gate=gate,
                           window_note=window_note,
                           device_name=device.label.split(" (")[0] if device else "",
                           counts=_gate_counts(event, gate), undo_minutes=UNDO_MINUTES,
                           csrf=generate_csrf(), walk_in=WalkInForm(),
                           substitute=SubstituteForm(),
                           categories={k: str(v) for k, v in CATEGORY_LABELS.items()})


#: How long after a check-in the gate itself may undo it (later: the organizer's board).
UNDO_MINUTES = 5


def _gate_counts(event: Event, gate: Gate | None) -> dict:
    board = services.attendance_board(event)
    here = db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.event_id == event.id, Attendance.gate_id == gate.id)) if gate else None
    return {"present": board.present, "expected": board.expected, "gate": here}


@bp.get("/gate")
def gate_page():
    """The gate page of a paired device."""
    device = services.device_for(request.cookies.get(GATE_COOKIE))
    if device is None:
        return render_template("attendance/gate_unpaired.html"), 401
    return _gate_context(db.session.get(Event, device.gate.event_id), device.gate, device)


@bp.get("/events/<int:event_id>/gate")
@event_access("gate")
def staff_gate_page(event: Event):
    """The same gate page for signed-in gate staff (no device pairing needed)."""
    return _gate_context(event, None)


# --- walk-ins and substitutes (at the desk) ------------------------------------

def _desk_event(event_id: int) -> Event:
    """Gate devices of the event or staff with the gate role."""
    event = db.session.get(Event, event_id) or abort(404)
    from .api import authorize

    authorize(event)
    return event


def _at_desk(event_id: int, form_class, admit):
    """Register someone at the desk and check them in: ``admit(event, form, **who)``."""
    event = _desk_event(event_id)
    form = form_class(meta={"csrf": False})  # authorize() checked the CSRF header or bearer
    if not form.validate():
        return {"error": "invalid", "message": _("Check the form."), "errors": form.errors}, 422
    try:
        result = admit(event, form, nonce=form.nonce.data or None,
                       gate=_gate_for(event, request.form.get("gate")),
                       by_user=current_user if current_user.is_authenticated else None)
    except DomainError as exc:
        return exc.to_dict(), exc.status
    if result.code == "checked_in":
        # someone new is expected: the whole board, not a change to add up
        services.announce(event, result, whole=True)
    return result_json(result)


@bp.get("/events/<int:event_id>/gate/counts")
def gate_counts(event_id: int):
    """Arrivals for the gate page: the whole meeting and this gate."""
    event = _desk_event(event_id)
    return _gate_counts(event, _gate_for(event, request.args.get("gate")))


@bp.post("/events/<int:event_id>/gate/undo")
@csrf.exempt  # authorize() checks the CSRF header, or the device's bearer token
def gate_undo(event_id: int):
    """Undo a check-in made by mistake at this gate, within a few minutes; the undo is
    recorded with the gate (and the staff member, if signed in)."""
    event = _desk_event(event_id)
    gate = _gate_for(event, request.form.get("gate"))
    try:
        person = attendee_services.find_attendee(event, request.form.get("attendee_id",
                                                                          type=int))
    except DomainError as exc:
        return exc.to_dict(), exc.status
    attendance = services.attendance_of(person)
    if attendance is None or (gate is not None and attendance.gate_id != gate.id) or \
            attendance.checked_in_at < utcnow() - timedelta(minutes=UNDO_MINUTES):
        return {"error": "too_late", "message": _(
            "Only a check-in made at this gate in the last %(n)d minutes can be undone here. "
            "Ask the organizer to undo it on the attendance board.", n=UNDO_MINUTES)}, 409
    where = gate.name if gate else _("gate page")
    if g.device is not None:
        where = g.device.label.split(" (")[0] or where
    try:
        services.undo_check_in(event, person,
                               by_user=current_user if current_user.is_authenticated else None,
                               reason=_("Undone at the gate: %(where)s", where=where))
    except DomainError as exc:
        return exc.to_dict(), exc.status
    services.announce(event, services.CheckinResult("undone", person))
    return {"ok": True, "result": "undone", "attendee": {"id": person.id,
                                                         "full_name": person.full_name},
            "counts": _gate_counts(event, gate)}


@bp.post("/events/<int:event_id>/walk-in")
@csrf.exempt
def walk_in(event_id: int):
    return _at_desk(event_id, WalkInForm, lambda event, form, **who: services.admit_walk_in(
        event, category=form.category.data, full_name=form.full_name.data,
        organization=form.organization.data, position=form.position.data,
        phone=form.phone.data, **who))


@bp.post("/events/<int:event_id>/substitute")
@csrf.exempt
def substitute(event_id: int):
    return _at_desk(event_id, SubstituteForm, lambda event, form, **who: (
        services.admit_substitute(
            event, attendee_services.find_attendee(event, form.replaces_id.data),
            full_name=form.full_name.data, position=form.position.data,
            phone=form.phone.data, **who)))


# --- the attendance board and the projector --------------------------------------

@bp.get("/events/<int:event_id>/attendance")
@event_access("moderator", "gate")
def board(event: Event):
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    flagged = db.session.scalars(select(Scan).where(Scan.event_id == event.id,
                                                    Scan.flagged.is_(True))
                                 .order_by(Scan.received_at.desc())).all()
    failed = db.session.scalars(select(Scan).where(
        Scan.event_id == event.id, Scan.result.not_in(("checked_in", "already_checked_in")))
        .order_by(Scan.received_at.desc()).limit(50)).all()
    return render_template("attendance/board.html", event=event,
                           board=services.attendance_board(event),
                           missing=services.missing_by_unit(event), units=units,
                           flagged=flagged, failed=failed, confirm=ConfirmForm(),
                           recent=services.recent_checkins(event))


@bp.post("/events/<int:event_id>/attendance/<int:attendee_id>/undo")
@event_access()
def undo(event: Event, attendee_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = attendee_services.find_attendee(event, attendee_id)
    services.undo_check_in(event, person, by_user=current_user,
                           reason=request.form.get("reason", ""))
    services.announce(event, services.CheckinResult("undone", person))
    flash(_("The check-in of %(name)s was undone.", name=person.full_name), "info")
    return redirect(url_for("attendance.board", event_id=event.id))


@bp.get("/events/<int:event_id>/projector")
@event_access("moderator", "gate")
def projector(event: Event):
    return render_template("attendance/projector.html", event=event,
                           board=services.attendance_board(event),
                           join_qr=Markup(qr_svg(_public("attendance.hall", event_id=event.id,
                                                         code=services.hall_code(event)),
                                                 title=_("QR code for self check-in"))))


# --- self check-in with the hall's rotating QR -----------------------------------

@bp.get("/events/<int:event_id>/hall-qr")
@event_access()
def hall_qr(event: Event):
    url = _public("attendance.hall", event_id=event.id, code=services.hall_code(event))
    return render_template("attendance/hall_qr.html", event=event, qr=Markup(qr_svg(url, title=_(
                               "QR code for self check-in: scan it with your invitation open"))),
                           opens_closes=services.checkin_window(event),
                           seconds=services.HALL_CODE_SECONDS)


def _self_result(event: Event, message: str, status: int = 200, result=None):
    return render_template("attendance/self_result.html", event=event, result=result,
                           message=message), status


@bp.route("/h/<int:event_id>/<code>", methods=["GET", "POST"])
@limiter.limit("30 per minute")
@limit_guesses
def hall(event_id: int, code: str):
    """A delegate scanned the hall's QR with the phone that holds their invitation.

    Opening the link checks nobody in: the page asks the phone to confirm, and the
    confirmation (a POST from that page, with its CSRF token) checks in the invitation
    this phone opened — while the code, which changes every 30 seconds, is still fresh.
    A photo of the screen sent out of the hall expires within a minute, and a link or a
    prefetch cannot check anyone in.
    """
    event = db.session.get(Event, event_id) or abort(404)
    if not services.hall_code_valid(event, code):
        return _self_result(event, _("This hall code has expired: scan the code on the "
                                     "screen again."), 410)
    token = request.cookies.get(INVITATION_COOKIE)
    if not token:
        return _self_result(event, _("Open your personal invitation on this phone first, "
                                     "then scan the hall's code again."), 403)
    try:
        person = find_invitation(token).attendee
    except InvitationReplaced:
        person = None  # check_in answers "revoked"
    except DomainError:
        return _self_result(event, _("Open your personal invitation on this phone first, "
                                     "then scan the hall's code again."), 403)
    if request.method != "POST":  # GET, HEAD: only ask
        return render_template("attendance/self_confirm.html", event=event, person=person,
                               form=ConfirmForm())
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = services.check_in(event, token, nonce=f"self-{code}-{token[:16]}",
                               method="self")
    if result.code == "checked_in":
        services.announce(event, result)
    return _self_result(event, result.message, result=result)
