"""Dialogue pages and actions: the delegate's phone, the chair's console, the projector,
classification, and units' questions before the meeting.

Every action answers JSON to the pages' scripts and redirects plain form posts, so
each works without JavaScript too.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from .. import broadcast
from ..attendees.invitations import InvitationReplaced, find_invitation
from ..auth.access import event_access
from ..errors import DomainError, ValidationError
from ..events.forms import ConfirmForm
from ..events.models import Event
from ..extensions import db, invitation_key, limiter
from ..limits import limit_guesses
from ..security import db_int
from ..units.models import NominationLink
from . import services
from .forms import SettingsForm
from .models import KINDS, Question

bp = Blueprint("dialogue", __name__)


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json" or \
        request.headers.get("X-Requested-With") == "fetch"


def announce(event: Event, *attendee_ids: int | None) -> None:
    """After a commit: the room's view, the console, and the authors' own lists."""
    public = services.public_state(event)
    services.remember_public_state(event.id, public)
    broadcast.dialogue_changed(event, public, services.console_state(event))
    for attendee_id in {a for a in attendee_ids if a}:
        from ..attendees.models import Attendee

        person = db.session.get(Attendee, attendee_id)
        if person is not None:
            broadcast.own_questions_changed(person.id, services.my_state(event, person))


def _answer(data: dict, back: str, message: str | None = None):
    if wants_json():
        return jsonify(data)
    if message:
        flash(message, "success")
    return redirect(back)


def _refuse(exc: DomainError, back: str):
    if wants_json():
        return jsonify(exc.to_dict()), exc.status
    flash(str(exc.message), "error")
    return redirect(back)


# --- the delegate's phone (the invitation token is the key) -------------------------

def _delegate(token: str):
    try:
        invitation = find_invitation(token)
    except InvitationReplaced:
        abort(410)
    except DomainError:
        abort(404)
    return invitation.attendee



def _id(value: object) -> int | None:
    """An id from a form, a query or JSON, or None (not a number, or beyond 64 bits)."""
    try:
        return db_int(value) if not isinstance(value, bool) else None
    except ValueError:
        return None


def _ids(values: object) -> list[int]:
    """The ids in a list from a form or JSON; anything else in it is ignored."""
    if not isinstance(values, list):
        return []
    return [n for n in (_id(v) for v in values[:10_000]) if n is not None and n > 0]

@bp.get("/i/<token>/dialogue.json")
@limiter.limit("120 per minute")
@limit_guesses
def delegate_state(token: str):
    """The phone's snapshot. Cheap to poll: answered 304 while nothing changed."""
    person = _delegate(token)
    event = person.event
    # The phone's snapshot shows two streams; its versions are read before the state, so
    # the state sent is never older than the ETag that names it.
    etag = f'"{event.dialogue_version}.{event.live_version}"'
    if request.if_none_match.contains_weak(etag.strip('"')):
        return "", 304, {"ETag": etag, "Cache-Control": "no-cache"}
    response = jsonify({"state": services.public_state(event),
                        "mine": services.my_state(event, person)})
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/i/<token>/live.json")
@limiter.limit("120 per minute", key_func=invitation_key)
def delegate_live(token: str):
    """The ``live`` stream's snapshot for a phone: the mode, the player, the announcement."""
    from ..events.live import live_state

    event = _delegate(token).event
    version = event.live_version  # read before the state: the state is never older
    return jsonify({"stream": "live", "version": version, "live": live_state(event)})


@bp.post("/i/<token>/join")
@limiter.limit("20 per minute")
@limit_guesses
def join(token: str):
    """A remote delegate joins the meeting online (counted once, never twice)."""
    from ..attendance.services import announce as announce_attendance
    from ..attendance.services import join_online

    person = _delegate(token)
    back = url_for("invitation.page", token=token) + "#live"
    try:
        result = join_online(person.event, person)
    except DomainError as exc:
        return _refuse(exc, back)
    if result.code == "checked_in":
        announce_attendance(person.event, result)
    if result.code not in ("checked_in", "already_checked_in"):
        return _refuse(DomainError(result.message, code=result.code), back)
    return _answer({"ok": True, "result": result.code,
                    "method": result.attendance.method if result.attendance else None},
                   back, _("You are attending online."))


@bp.post("/i/<token>/seen")
@limiter.limit("30 per minute")
@limit_guesses
def seen(token: str):
    from ..attendance.services import seen_online

    person = _delegate(token)
    seen_online(person.event, person)
    return jsonify({"ok": True})


@bp.post("/i/<token>/ask")
@limiter.limit("20 per minute")
@limit_guesses
def ask(token: str):
    person = _delegate(token)
    back = url_for("invitation.page", token=token) + "#dialogue"
    try:
        question = services.ask(person.event, person, text=request.form.get("text", ""),
                                kind=request.form.get("kind", "question"),
                                topic_id=request.form.get("topic_id", type=db_int),
                                show_name=request.form.get("show_name") in ("1", "on", "y"),
                                nonce=request.form.get("nonce") or None)
    except DomainError as exc:
        return _refuse(exc, back)
    announce(person.event, person.id)
    return _answer({"ok": True, "id": question.id, "mine": services.my_state(person.event,
                                                                            person)},
                   back, _("Your question has been sent to the chair."))


@bp.post("/i/<token>/vote/<int:question_id>")
@limiter.limit("60 per minute")
@limit_guesses
def vote(token: str, question_id: int):
    person = _delegate(token)
    back = url_for("invitation.page", token=token) + "#dialogue"
    try:
        question = services.find_question(person.event, question_id)
        count = services.vote(question, person, support=request.form.get("support") != "0")
    except DomainError as exc:
        return _refuse(exc, back)
    announce(person.event)
    return _answer({"ok": True, "votes": count}, back)


@bp.post("/i/<token>/floor")
@limiter.limit("20 per minute")
@limit_guesses
def floor(token: str):
    person = _delegate(token)
    back = url_for("invitation.page", token=token) + "#dialogue"
    try:
        if request.form.get("cancel"):
            waiting = services.my_state(person.event, person)["floor"]
            if waiting:
                services.set_floor(person.event, services.find_floor(person.event,
                                                                     waiting["id"]),
                                   "cancelled")
        else:
            services.request_floor(person.event, person, topic=request.form.get("topic", ""),
                                   nonce=request.form.get("nonce") or None)
    except DomainError as exc:
        return _refuse(exc, back)
    announce(person.event, person.id)
    return _answer({"ok": True, "mine": services.my_state(person.event, person)}, back)


# --- the chair's console ---------------------------------------------------------------

def _console_config(event: Event) -> dict:
    return {"event": event.id, "csrf": generate_csrf(),
            "state": url_for("dialogue.console_json", event_id=event.id),
            "action": url_for("dialogue.act", event_id=event.id, question_id=0, action="x"),
            "reorder": url_for("dialogue.reorder", event_id=event.id),
            "floor": url_for("dialogue.floor_action", event_id=event.id, request_id=0,
                             status="x"),
            "agenda": url_for("dialogue.agenda", event_id=event.id),
            "parts": url_for("dialogue.console_parts", event_id=event.id),
            "zoom": url_for("dialogue.stage_zoom", event_id=event.id),
            "stale": str(_("This question changed meanwhile.")),
            "failed": str(_("Not saved: no connection. Try again."))}


@bp.get("/events/<int:event_id>/console")
@event_access("moderator")
def console(event: Event):
    return render_template("dialogue/console.html", data=services.console_state(event),
                           **_console_context(event))


def _console_context(event: Event) -> dict:
    return {"event": event, "config": _console_config(event), "topics": services.topics(event),
            "agencies": services.agencies(event), "confirm": ConfirmForm(),
            "kinds": services.KIND_LABELS, "statuses": services.STATUS_LABELS}


@bp.get("/events/<int:event_id>/console/parts")
@event_access("moderator")
def console_parts(event: Event):
    """The console's changed parts, rendered as on the page: the cards asked for
    (``q=1,2``), the floor queue (``floor=1``), the agenda bar (``bar=1``). The console
    patches these in place instead of reloading itself."""
    data = services.console_state(event)
    wanted = set(_ids(request.args.get("q", "").split(",")))
    cards = [q for q in data["questions"] if q["id"] in wanted]
    return render_template("dialogue/console_parts.html", data=data, cards=cards,
                           floor=data["floor"] if request.args.get("floor") else None,
                           bar=bool(request.args.get("bar")), **_console_context(event))


@bp.get("/events/<int:event_id>/console.json")
@event_access("moderator")
def console_json(event: Event):
    return jsonify(services.console_state(event))


@bp.post("/events/<int:event_id>/questions/<int:question_id>/<action>")
@event_access("moderator")
def act(event: Event, question_id: int, action: str):
    back = url_for("dialogue.console", event_id=event.id)
    form = request.form
    version = form.get("version", type=db_int)
    try:
        question = services.find_question(event, question_id)
        if action == "approve":
            services.approve(question, version=version)
        elif action == "reject":
            services.reject(question, version=version, reason=form.get("reason", ""))
        elif action == "answering":
            services.start_answering(question, version=version)
        elif action == "answered":
            services.mark_answered(question, version=version, note=form.get("note", ""))
        elif action == "edit":
            services.edit(question, version=version, text=form.get("text"),
                          kind=form.get("kind") or None, topic_id=form.get("topic_id", type=db_int),
                          agency_id=form.get("agency_id", type=db_int))
        else:
            abort(404)
    except DomainError as exc:
        return _refuse(exc, back)
    announce(event, question.attendee_id)
    return _answer({"ok": True, "question": {"id": question.id, "version": question.version,
                                             "status": question.status}}, back)


@bp.post("/events/<int:event_id>/questions/reorder")
@event_access("moderator")
def reorder(event: Event):
    if request.form.get("by") == "support":
        services.order_by_support(event)
    else:
        ids = request.get_json(silent=True) or {}
        order = _ids(ids.get("order") if isinstance(ids, dict) else [])
        services.reorder(event, order)
    announce(event)
    return _answer({"ok": True}, url_for("dialogue.console", event_id=event.id))


@bp.post("/events/<int:event_id>/floor/<int:request_id>/<status>")
@event_access("moderator")
def floor_action(event: Event, request_id: int, status: str):
    back = url_for("dialogue.console", event_id=event.id)
    try:
        request_ = services.find_floor(event, request_id)
        services.set_floor(event, request_, status)
    except DomainError as exc:
        return _refuse(exc, back)
    announce(event, request_.attendee_id)
    return _answer({"ok": True}, back)


@bp.post("/events/<int:event_id>/dialogue/agenda")
@event_access("moderator")
def agenda(event: Event):
    form = request.form
    try:
        services.set_agenda(
            event,
            current_item_id=form.get("current_item_id", type=db_int)
            if "current_item_id" in form else None,
            questions_open=(form.get("questions_open") == "1")
            if "questions_open" in form else None,
            questions_item_id=form.get("questions_item_id", type=db_int)
            if "questions_item_id" in form else "keep")
    except DomainError as exc:
        return _refuse(exc, url_for("dialogue.console", event_id=event.id))
    announce(event)
    return _answer({"ok": True}, url_for("dialogue.console", event_id=event.id))


# --- the projector ------------------------------------------------------------------------

@bp.get("/events/<int:event_id>/stage")
@event_access("moderator", "gate")
def stage(event: Event):
    from markupsafe import Markup

    from ..attendees.qr import qr_svg
    from ..events.services import MODE_LABELS

    join = current_app.config["PUBLIC_URL"] + url_for("dialogue.hall_join", event_id=event.id)
    return render_template("dialogue/stage.html", event=event,
                           state=services.public_state(event), kinds=services.KIND_LABELS,
                           join_qr=Markup(qr_svg(join, title=_(
                               "QR code: ask from your phone"))),
                           state_url=url_for("dialogue.stage_json", event_id=event.id),
                           modes={k: str(v) for k, v in MODE_LABELS.items()})


@bp.post("/events/<int:event_id>/stage/zoom")
@event_access("moderator")
def stage_zoom(event: Event):
    """The console's zoom for the dialogue screen's text, in percent (60–200)."""
    zoom = max(60, min(200, request.form.get("zoom", 100, type=int)))
    broadcast.stage_zoom(event, zoom)
    return _answer({"ok": True, "zoom": zoom}, url_for("dialogue.console", event_id=event.id))


@bp.get("/events/<int:event_id>/stage.json")
@event_access("moderator", "gate")
def stage_json(event: Event):
    return jsonify(services.public_state(event))


@bp.get("/d/<int:event_id>")
@limiter.limit("60 per minute")
def hall_join(event_id: int):
    """The dialogue screen's "ask from your phone" QR: a phone that has opened its
    invitation goes straight to the dialogue on it; any other is told where to find it."""
    from ..attendees.invitations import INVITATION_COOKIE

    event = db.session.get(Event, event_id) or abort(404)
    token = request.cookies.get(INVITATION_COOKIE)
    if token:
        try:
            invitation = find_invitation(token)
        except (DomainError, InvitationReplaced):
            invitation = None
        if invitation is not None and invitation.attendee.event_id == event.id:
            return redirect(url_for("invitation.page", token=token) + "#dialogue")
    return render_template("dialogue/join.html", event=event)


# --- before the meeting: units' questions, lists, classification ---------------------------

@bp.route("/events/<int:event_id>/dialogue", methods=["GET", "POST"])
@event_access()
def settings(event: Event):
    state = services.dialogue_state(event)
    form = SettingsForm(obj=state, topics="\n".join(t.name for t in services.topics(event)),
                        agencies="\n".join(a.name for a in services.agencies(event)))
    if form.validate_on_submit():
        try:
            services.configure(event, unit_deadline=form.unit_deadline.aware,
                               unit_minimum=form.unit_minimum.data or 0,
                               speaking_seconds=form.speaking_seconds.data or 180,
                               max_length=form.max_length.data or 500,
                               topics=form.topics.data.splitlines(),
                               agencies=form.agencies.data.splitlines())
        except ValidationError as exc:
            form.form_errors.append(str(exc.message))
        else:
            flash(_("Dialogue settings saved."), "success")
            return redirect(url_for("dialogue.questions", event_id=event.id))
    return render_template("dialogue/settings.html", event=event, form=form), \
        200 if request.method == "GET" else 422


@bp.get("/events/<int:event_id>/questions")
@event_access("moderator")
def questions(event: Event):
    from sqlalchemy import false, select

    stmt = select(Question).where(Question.event_id == event.id)
    filters = {}
    for name, column in (("kind", Question.kind), ("status", Question.status),
                         ("topic", Question.topic_id), ("agency", Question.agency_id),
                         ("unit", Question.unit_id), ("source", Question.source)):
        value = request.args.get(name)
        if value:
            filters[name] = value
            if name in ("topic", "agency", "unit"):
                number = _id(value)
                stmt = stmt.where(column == number) if number is not None else stmt.where(
                    false())
            else:
                stmt = stmt.where(column == value)
    rows = db.session.scalars(stmt.order_by(Question.id)).all()
    votes = services._votes(event)
    numbers = dict(db.session.execute(select(Question.id, Question.number).where(
        Question.event_id == event.id)).all())
    return render_template("dialogue/questions.html", event=event, questions=rows,
                           votes=votes, numbers=numbers, filters=filters,
                           topics=services.topics(event),
                           agencies=services.agencies(event), kinds=services.KIND_LABELS,
                           statuses=services.STATUS_LABELS, counts=services.unit_counts(event),
                           state=services.dialogue_state(event), confirm=ConfirmForm(),
                           reminder=_reminder)


def _reminder(event: Event, row: dict) -> str:
    """A message to paste into the unit's chat group: what is missing and the link."""
    link = row["link"]
    url = current_app.config["PUBLIC_URL"] + url_for("nomination.page", token=link.token) \
        if link else ""
    state = services.dialogue_state(event)
    from ..i18n import format_when

    deadline = format_when(state.unit_deadline) if state.unit_deadline else ""
    return _("%(unit)s: %(count)d of at least %(minimum)d questions received for “%(event)s”. "
             "Please send the rest before %(deadline)s: %(url)s", unit=row["unit"].name,
             count=row["count"], minimum=row["minimum"], event=event.title,
             deadline=deadline, url=url)


@bp.post("/events/<int:event_id>/questions/bulk")
@event_access("moderator")
def bulk(event: Event):
    ids = _ids(request.form.getlist("ids"))
    back = request.referrer or url_for("dialogue.questions", event_id=event.id)
    if not ids:
        flash(_("Select at least one question."), "error")
        return redirect(back)
    try:
        if request.form.get("merge_into"):
            survivor = services.find_question(
                event, request.form.get("merge_into", type=db_int) or 0)
            services.merge(event, survivor, [services.find_question(event, i) for i in ids])
            flash(_("Merged into question #%(id)d.", id=survivor.number or survivor.id),
                  "success")
        else:
            kind = request.form.get("kind") or None
            n = services.bulk_classify(event, ids, kind=kind if kind in KINDS else None,
                                       topic_id=request.form.get("topic_id", type=db_int),
                                       agency_id=request.form.get("agency_id", type=db_int))
            flash(_("%(n)d question(s) classified.", n=n), "success")
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(back)
    announce(event)
    return redirect(back)


def _unit_link(token: str) -> NominationLink:
    from sqlalchemy import select

    link = db.session.scalar(select(NominationLink).where(NominationLink.token == token))
    if link is None or link.revoked_at is not None:
        abort(404)
    return link


@bp.post("/n/<token>/questions")
@limiter.limit("30 per minute")
@limit_guesses
def unit_question(token: str):
    link = _unit_link(token)
    back = url_for("nomination.page", token=token) + "#questions"
    try:
        question = services.submit_unit_question(
            link, text=request.form.get("text", ""), kind=request.form.get("kind", "question"),
            topic_id=request.form.get("topic_id", type=db_int),
            asker_name=request.form.get("asker_name", ""),
            nonce=request.form.get("nonce") or None)
    except DomainError as exc:
        return _refuse(exc, back)
    announce(link.event)
    received = {
        "question": _("Question received."),
        "petition": _("Petition received."),
        "proposal": _("Proposal received."),
        "idea": _("Idea received."),
        "written": _("Written contribution received: it counts as your unit's speech."),
    }
    return _answer({"ok": True, "number": question.number}, back,
                   received.get(question.kind, received["question"]))


# --- hybrid: the mode, the livestream, announcements (organizers) ---------------------

@bp.route("/events/<int:event_id>/live", methods=["GET", "POST"])
@event_access()
def live(event: Event):
    from flask_login import current_user

    from ..events import live as hybrid

    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        action = request.form.get("action")
        try:
            if action == "mode":
                hybrid.switch_mode(event, request.form.get("mode", ""),
                                   announcement=request.form.get("announcement", ""),
                                   by_user=current_user)
            elif action == "stream":
                hybrid.set_stream(event, primary_url=request.form.get("primary_url", ""),
                                  backup_url=request.form.get("backup_url", ""),
                                  meeting_room_url=request.form.get("meeting_room_url", ""))
            elif action == "switch":
                hybrid.switch_stream(event, request.form.get("which", "primary"))
            elif action == "announce":
                hybrid.announce(event, request.form.get("text", ""), by_user=current_user)
            else:
                abort(400)
        except DomainError as exc:
            if wants_json():
                return jsonify(exc.to_dict()), exc.status
            labels = {"primary_url": _("Stream"), "backup_url": _("Backup stream"),
                      "meeting_room_url": _("Meeting room for remote speakers"),
                      "mode": _("Mode"), "text": _("Announcement"),
                      "announcement": _("Announcement")}
            errors = getattr(exc, "errors", None) or []
            if errors and errors[0].get("field") in labels:
                flash(f"{labels[errors[0]['field']]}: {exc.message}", "error")
            else:
                flash(str(exc.message), "error")
            return render_template("dialogue/live.html", event=event,
                                   stream=hybrid.livestream(event),
                                   state=hybrid.live_state(event), confirm=ConfirmForm(),
                                   form=request.form), 422
        state = hybrid.live_state(event)
        services.forget_public_state(event.id)
        broadcast.live_changed(event, state)
        if wants_json():
            return jsonify({"ok": True, "live": state})
        flash(_("Saved. Every open page follows now."), "success")
        return redirect(url_for("dialogue.live", event_id=event.id))
    return render_template("dialogue/live.html", event=event, stream=hybrid.livestream(event),
                           state=hybrid.live_state(event), confirm=ConfirmForm(), form={})
