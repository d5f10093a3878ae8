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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.utils import secure_filename

from ..auth.access import event_access
from ..errors import DomainError, NotFound, ValidationError
from ..events.forms import ConfirmForm
from ..events.models import Event
from ..extensions import db, limiter
from ..forms import apply_errors, options
from ..i18n import fold
from ..jobs.responses import started, status_json
from ..jobs.services import error_text, load_job, start_job
from ..limits import limit_guesses
from ..security import allow_upload, db_int
from ..types import new_token
from ..units.forms import unit_choices
from ..units.models import Unit
from . import invitations, jobs, letters, mailing, qr, services, transfer
from .forms import (
    AttendeeForm,
    ConfirmImportForm,
    ImportPeopleForm,
    LetterHeadForm,
    ReissueForm,
    SendForm,
)
from .invitations import INVITATION_COOKIE
from .jobs import upload_path
from .labels import CATEGORY_LABELS
from .models import CATEGORIES

bp = Blueprint("attendees", __name__, url_prefix="/events/<int:event_id>/people")



def _form(obj=None, formdata=True, prefix: str = "", event=None) -> AttendeeForm:
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
    form.unit_id.choices = unit_choices(_("— none —"), event=event)
    return form


def _list_page(event: Event, form: AttendeeForm | None = None, status: int = 200):
    query = request.args.get("q", "")
    category = request.args.get("category") or None
    if category not in CATEGORIES:
        category = None
    people = services.search_attendees(event, query, category=category)
    return render_template("attendees/index.html", event=event, people=people, query=query,
                           category=category, form=form or _form(formdata=None, event=event),
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
    form = _form(event=event)
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
    form = _form(obj=person, formdata=None if request.method == "GET" else True, event=event)
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


@bp.get("/<int:attendee_id>/letter.pdf")
@event_access()
def letter_pdf(event: Event, attendee_id: int):
    """One person's letter, made in the request (a few milliseconds)."""
    person = services.find_attendee(event, attendee_id)
    return _pdf(letters.render_letters(event, [person]), f"giay-moi-{person.id}.pdf")


@bp.get("/<int:attendee_id>/badge.pdf")
@event_access()
def badge_pdf(event: Event, attendee_id: int):
    person = services.find_attendee(event, attendee_id)
    return _pdf(letters.render_badges(event, [person]), f"the-dai-bieu-{person.id}.pdf")


def _start_print(event: Event, kind: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    params = jobs.selection_params(request.form.get("unit", type=int),
                                   request.form.get("category") or None,
                                   request.form.get("attendee", type=int))
    job = start_job(event, kind, params, by_user=current_user, locale=str(get_locale()))
    return started(job)


@bp.post("/letters")
@event_access()
def start_letters(event: Event):
    """Letters for a selection (everyone, a unit, a category): a background job."""
    return _start_print(event, "letters")


@bp.post("/badges")
@event_access()
def start_badges(event: Event):
    return _start_print(event, "badges")


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
                           missing=letters.missing_in_letters(event), confirm=ConfirmForm(),
                           units=[r.unit for r in quota_table(event).rows])


# --- import and export --------------------------------------------------------

def _upload_key(key: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}\.(csv|xlsx|txt)", key or ""):
        abort(400)
    return key


def _import_job(event: Event, job_id: int | None, kind: str):
    if not job_id:
        return None
    job = load_job(job_id)
    if job is None or job.event_id != event.id or job.kind != kind:
        abort(404)
    return job


@bp.route("/import", methods=["GET", "POST"])
@event_access()
@allow_upload
def import_people(event: Event):
    """Upload a list; a worker reads and checks it; the page shows the preview."""
    form = ImportPeopleForm()
    if form.validate_on_submit():
        upload = form.file.data
        suffix = Path(upload.filename or "").suffix.lower().lstrip(".")
        if suffix not in ("csv", "xlsx", "txt"):
            form.file.errors = [_("Unsupported file type: upload a .csv or .xlsx file.")]
            return _import_page(event, form, None, 422)
        key = f"{new_token()}.{suffix}"
        upload_path(event.id, key).write_bytes(upload.read())
        job = start_job(event, "import_check", {"upload": key}, by_user=current_user,
                        locale=str(get_locale()))
        if request.accept_mimetypes.best == "application/json":
            return started(job)
        return redirect(url_for("attendees.import_people", event_id=event.id, check=job.id),
                        code=303)
    if request.method == "POST":
        return _import_page(event, form, None, 422)
    return _import_page(event, form, _import_job(event, request.args.get("check", type=int),
                                                 "import_check"))


def _import_page(event: Event, form, job, status: int = 200):
    plan = key = None
    if job is not None and job.status == "done":
        plan, key = job.result, job.params["upload"]
        status = 200 if plan.get("ok") else 422
        if not upload_path(event.id, key).exists():
            plan, key = None, None
            flash(_("The uploaded file has expired. Please upload it again."), "error")
    import_errors = (job.result or {}).get("errors") if job is not None and \
        job.status == "failed" else None
    if job is not None and job.status == "failed" and not import_errors:
        import_errors = [{"row": None, "field": None, "message": error_text(job)}]
    return render_template("attendees/import.html", event=event, form=form, plan=plan,
                           key=key, job=job, info=status_json(job) if job else None,
                           confirm=ConfirmImportForm(upload=key),
                           import_errors=import_errors), status


@bp.post("/import/confirm")
@event_access()
def confirm_import(event: Event):
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    key = _upload_key(form.upload.data)
    if not upload_path(event.id, key).exists():
        flash(_("The uploaded file has expired. Please upload it again."), "error")
        return redirect(url_for("attendees.import_people", event_id=event.id))
    job = start_job(event, "import_apply", {"upload": key}, by_user=current_user,
                    locale=str(get_locale()))
    return started(job)


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
        if queued.queued:
            return _start_sending(event)
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
    return _start_sending(event)


def _start_sending(event: Event):
    """Send in a background job (one per event at a time: a second start joins it)."""
    job = start_job(event, "email", {}, by_user=current_user, locale=str(get_locale()))
    return started(job)


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
