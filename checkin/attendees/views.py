"""The organizer's list of people: delegates, guests, press, presidium."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote_plus

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
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
from werkzeug.utils import secure_filename

from ..auth.access import event_access
from ..errors import DomainError, NotFound, ValidationError
from ..events.forms import ConfirmForm
from ..events.models import Event
from ..extensions import db, limiter, socketio
from ..forms import apply_errors, options
from ..i18n import fold
from ..limits import limit_guesses
from ..security import allow_upload, db_int
from ..types import new_token
from ..units.forms import unit_choices
from ..units.models import Unit
from . import invitations, letters, mailing, qr, services, transfer
from .forms import (
    AttendeeForm,
    ConfirmImportForm,
    ImportPeopleForm,
    LetterHeadForm,
    ReissueForm,
    SendForm,
)
from .invitations import INVITATION_COOKIE
from .labels import CATEGORY_LABELS
from .models import CATEGORIES

bp = Blueprint("attendees", __name__, url_prefix="/events/<int:event_id>/people")



def _form(obj=None, formdata=True, prefix: str = "") -> AttendeeForm:
    kwargs = {"prefix": prefix}
    if formdata is None:
        kwargs["formdata"] = None
    if obj is not None:
        form = AttendeeForm(obj=obj, **kwargs)
        if formdata is None:
            form.unit_id.data = obj.unit_id or 0
    else:
        form = AttendeeForm(data={"nonce": new_token(), "category": "guest"}, **kwargs)
    form.category.choices = options((c, CATEGORY_LABELS[c]) for c in CATEGORIES)
    form.unit_id.choices = unit_choices(_("— none —"))
    return form


def _list_page(event: Event, form: AttendeeForm | None = None, status: int = 200):
    query = request.args.get("q", "")
    category = request.args.get("category") or None
    if category not in CATEGORIES:
        category = None
    people = services.search_attendees(event, query, category=category)
    return render_template("attendees/index.html", event=event, people=people, query=query,
                           category=category, form=form or _form(formdata=None),
                           confirm=ConfirmForm(),
                           invitations=invitations.active_invitations(event),
                           invitation_url=invitations.invitation_url), status


@bp.get("/")
@event_access()
def index(event: Event):
    return _list_page(event)


@bp.post("/")
@event_access()
def create(event: Event):
    form = _form()
    if form.validate_on_submit():
        try:
            person = services.add_attendee(
                event, category=form.category.data, full_name=form.full_name.data,
                position=form.position.data, phone=form.phone.data, email=form.email.data,
                unit=db.session.get(Unit, form.unit_id.data or 0),
                organization=form.organization.data, nonce=form.nonce.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.form_errors.append(str(exc.message))
            return _list_page(event, form, 409)
        else:
            flash(_("%(name)s has been added.", name=person.full_name), "success")
            return redirect(url_for("attendees.index", event_id=event.id))
    return _list_page(event, form, 422)


@bp.route("/<int:attendee_id>", methods=["GET", "POST"])
@event_access()
def edit(event: Event, attendee_id: int):
    person = services.find_attendee(event, attendee_id)
    form = _form(obj=person, formdata=None if request.method == "GET" else True)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.update_attendee(person, full_name=form.full_name.data,
                                     position=form.position.data, phone=form.phone.data,
                                     email=form.email.data, organization=form.organization.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.form_errors.append(str(exc.message))
        else:
            flash(_("Changes to %(name)s saved.", name=person.full_name), "success")
            return redirect(url_for("attendees.index", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("attendees/edit.html", event=event, person=person, form=form,
                           history=invitations.invitation_history(person),
                           invitation_url=invitations.invitation_url,
                           reissue_form=ReissueForm(formdata=None), send_form=SendForm(
                               formdata=None, data={"attendee_id": person.id})), status


@bp.post("/<int:attendee_id>/delete")
@event_access()
def delete(event: Event, attendee_id: int):
    person = services.find_attendee(event, attendee_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_attendee(person)
    flash(_("%(name)s has been removed from the list.", name=person.full_name), "info")
    return redirect(url_for("attendees.index", event_id=event.id))


# --- invitations: QR, reissue, letters, badges --------------------------------

def _person_invitation(event: Event, attendee_id: int):
    person = services.find_attendee(event, attendee_id)
    invitation = invitations.active_invitation(person)
    if invitation is None:  # revoked (e.g. replaced): a GET never issues a new one
        raise NotFound(_("%(name)s has no valid invitation. Reissue it from their page.",
                         name=person.full_name), code="no_invitation")
    return person, invitation


def _qr_response(url: str, fmt: str, filename: str):
    if fmt == "svg":
        response = make_response(qr.qr_svg(url, title=url))
        response.mimetype = "image/svg+xml"
    else:
        response = make_response(qr.qr_png(url, scale=12))
        response.mimetype = "image/png"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:attendee_id>/qr.<any(svg, png):fmt>")
@event_access()
def qr_image(event: Event, attendee_id: int, fmt: str):
    person, invitation = _person_invitation(event, attendee_id)
    return _qr_response(invitations.invitation_url(invitation), fmt,
                        f"qr-{secure_filename(fold(person.full_name)) or person.id}")


@bp.post("/<int:attendee_id>/reissue")
@event_access()
def reissue(event: Event, attendee_id: int):
    person = services.find_attendee(event, attendee_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        abort(400)
    invitations.reissue_invitation(person, by_user=current_user, reason=form.reason.data)
    flash(_("A new invitation was issued to %(name)s. The old link and QR code no longer "
            "work.", name=person.full_name), "success")
    return redirect(url_for("attendees.edit", event_id=event.id, attendee_id=person.id))


def _optional_id(value: object) -> int | None:
    try:
        return db_int(value) if value else None
    except ValueError:
        return None


def _selection(event: Event) -> list:
    return services.select_attendees(
        event, unit_id=request.args.get("unit", type=db_int),
        category=request.args.get("category") or None,
        attendee_id=request.args.get("attendee", type=db_int))


def _pdf(data: bytes, filename: str):
    response = make_response(data)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/letters.pdf")
@event_access()
def letters_pdf(event: Event):
    return _pdf(letters.render_letters(event, _selection(event)), "giay-moi.pdf")


@bp.get("/badges.pdf")
@event_access()
def badges_pdf(event: Event):
    return _pdf(letters.render_badges(event, _selection(event)), "the-dai-bieu.pdf")


@bp.route("/letterhead", methods=["GET", "POST"])
@event_access()
def letterhead(event: Event):
    head = letters.letter_head(event)
    form = LetterHeadForm(obj=head)
    if form.validate_on_submit():
        services.save_letter_head(event, **{name: (form[name].aware if name == "issued_on"
                                                   else form[name].data)
                                            for name in services.LETTER_HEAD_FIELDS})
        flash(_("Letter heading saved."), "success")
        return redirect(url_for("attendees.printing", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("attendees/letterhead.html", event=event, form=form), status


@bp.get("/print")
@event_access()
def printing(event: Event):
    from ..units.services import quota_table

    return render_template("attendees/print.html", event=event,
                           head=letters.letter_head(event),
                           units=[r.unit for r in quota_table(event).rows])


# --- import and export --------------------------------------------------------

def _uploads() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _upload_path(event: Event, key: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}\.(csv|xlsx|txt)", key or ""):
        abort(400)
    return _uploads() / f"{event.id}-{key}"


@bp.route("/import", methods=["GET", "POST"])
@event_access()
@allow_upload
def import_people(event: Event):
    form = ImportPeopleForm()
    plan, key, status = None, None, 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        suffix = Path(upload.filename or "").suffix.lower().lstrip(".")
        try:
            plan = transfer.plan_import(event, upload.filename, data)
        except ValidationError as exc:
            form.file.errors = [str(exc.message)]
            status = 422
        else:
            key = f"{new_token()}.{suffix}"
            _upload_path(event, key).write_bytes(data)
            status = 200 if plan.ok else 422
    elif request.method == "POST":
        status = 422
    return render_template("attendees/import.html", event=event, form=form, plan=plan,
                           key=key, confirm=ConfirmImportForm(upload=key)), status


@bp.post("/import/confirm")
@event_access()
def confirm_import(event: Event):
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    path = _upload_path(event, form.upload.data)
    if not path.exists():
        flash(_("The uploaded file has expired. Please upload it again."), "error")
        return redirect(url_for("attendees.import_people", event_id=event.id))
    try:
        plan = transfer.import_people(event, path.name, path.read_bytes(), by_user=current_user)
    except ValidationError as exc:
        return render_template("attendees/import.html", event=event, form=ImportPeopleForm(),
                               plan=None, key=None, confirm=form,
                               import_errors=exc.errors), 422
    path.unlink(missing_ok=True)
    flash(_("%(n)d person(s) imported; %(d)d already on the list were skipped.",
            n=len(plan.add), d=len(plan.duplicates)), "success")
    return redirect(url_for("attendees.index", event_id=event.id))


@bp.get("/export.<any(xlsx, csv):fmt>")
@event_access()
def export(event: Event, fmt: str):
    people = _selection(event)
    if fmt == "csv":
        response = make_response(transfer.export_csv(event, people))
        response.mimetype = "text/csv"
        response.charset = "utf-8"
    else:
        response = make_response(transfer.export_xlsx(event, people))
        response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="danh-sach-{event.id}.{fmt}"'
    return response


# --- e-mail ---------------------------------------------------------------------

@bp.route("/email", methods=["GET", "POST"])
@event_access()
def email(event: Event):
    form = SendForm()
    if form.validate_on_submit():
        people = services.select_attendees(
            event, unit_id=_optional_id(form.unit_id.data),
            attendee_id=_optional_id(form.attendee_id.data))
        queued = mailing.queue_invitations(event, people, by_user=current_user,
                                           resend=form.resend.data)
        flash(_("%(q)d invitation(s) queued for sending. Skipped: %(s)d already sent, "
                "%(n)d without an e-mail address.", q=queued.queued, s=queued.already_sent,
                n=queued.no_address), "success" if queued.queued else "info")
        _start_sending(event)
        return redirect(url_for("attendees.email", event_id=event.id))
    report = mailing.delivery_report(event)
    counts = Counter(d.status for _p, d in report)
    return render_template("attendees/email.html", event=event, form=form, report=report,
                           counts=counts), 200 if request.method == "GET" else 422


@bp.post("/email/resume")
@event_access()
def resume_email(event: Event):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _start_sending(event)
    flash(_("Sending resumed."), "info")
    return redirect(url_for("attendees.email", event_id=event.id))


def _start_sending(event: Event) -> None:
    """Send now (small events, tests) or in a background task that outlives the request."""
    if current_app.config["MAIL_SEND_INLINE"]:
        result = mailing.send_pending(event)
        if result.stopped:
            flash(_("Sending stopped: %(reason)s. The rest are still waiting; press "
                    "“Resume” to continue.", reason=result.stopped), "error")
        return
    app = current_app._get_current_object()

    def run(event_id: int) -> None:
        with app.app_context():
            mailing.send_pending(db.session.get(Event, event_id))

    socketio.start_background_task(run, event.id)


# --- the delegate's own invitation page (no account: the token is the key) -----

invitation_bp = Blueprint("invitation", __name__)

#: Remembers on a delegate's phone which invitation it holds (for self check-in).
def _lookup(token: str):
    try:
        return invitations.find_invitation(token), None
    except invitations.InvitationReplaced as exc:
        return None, exc


@invitation_bp.get("/i/<token>")
@limiter.limit("120 per minute")
@limit_guesses
def page(token: str):
    invitation, replaced = _lookup(token)
    if replaced is not None:
        return render_template("attendees/invitation_replaced.html",
                               event=replaced.invitation.attendee.event), 410
    from ..attendance.services import attendance_of
    from ..dialogue import services as dialogue

    person = invitation.attendee
    event = person.event
    response = make_response(render_template(
        "attendees/invitation.html", person=person, event=event, invitation=invitation,
        url=invitations.invitation_url(invitation), attendance=attendance_of(person),
        public=dialogue.public_state(event), mine=dialogue.my_state(event, person),
        topics=dialogue.topics(event), kinds=dialogue.KIND_LABELS,
        max_length=dialogue.dialogue_state(event).max_length, csrf=generate_csrf(),
        token=token,
        qr_svg=Markup(qr.qr_svg(invitations.invitation_url(invitation),
                                title=_("Your invitation QR code"))),
        map_url=_map_url(event)))
    # The phone that opened its invitation can check itself in at the hall's QR. The
    # cookie goes only to the hall pages (/h/…) and lasts a meeting day, not a month.
    response.set_cookie(INVITATION_COOKIE, token,
                        max_age=current_app.config["INVITATION_COOKIE_HOURS"] * 3600,
                        path="/h/", httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@invitation_bp.get("/i/<token>/qr.<any(svg, png):fmt>")
@limiter.limit("120 per minute")
@limit_guesses
def own_qr(token: str, fmt: str):
    invitation, replaced = _lookup(token)
    if replaced is not None:
        abort(410)
    return _qr_response(invitations.invitation_url(invitation), fmt, "ma-qr-thu-moi")


def _map_url(event: Event) -> str | None:
    place = ", ".join(p for p in (event.venue, event.venue_address) if p)
    if not place:
        return None
    return "https://www.google.com/maps/search/?api=1&query=" + quote_plus(place)
