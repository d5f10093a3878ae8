"""Pages of the preparation plan, the programme, the units' links and the calendar feeds.

Adapters only: parse, load (404), check the role on the server, call one service,
render or redirect. Staff pages need the event's organizer role (``event_access()``)
or the programme's organizer; the units' pages take their link's token as the key.
"""

from __future__ import annotations

from functools import wraps

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
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from ..auth.access import event_access, organizer_required
from ..errors import DomainError, NotFound, ValidationError
from ..events.forms import ConfirmForm
from ..events.models import Event
from ..extensions import db, limiter, socketio
from ..forms import apply_errors, options
from ..i18n import to_local
from ..security import allow_upload
from ..types import new_token, utcnow
from ..units.forms import unit_choices
from ..units.models import NominationLink, Unit
from . import calendar, charts, services
from .forms import (
    ApplyTemplateForm,
    ClassifyForm,
    ContactForm,
    IdeaForm,
    LinkEventForm,
    MeetingForm,
    ProgrammeForm,
    RemindForm,
    SaveTemplateForm,
    TargetForm,
    TargetRulesForm,
    TaskForm,
    UploadForm,
)
from .models import METRICS, Programme

bp = Blueprint("plans", __name__)
link_bp = Blueprint("plan_links", __name__)

ICS = "text/calendar"


def _ics(data: bytes, name: str):
    response = make_response(data)
    response.mimetype = ICS
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _export(event_or_none, title: str, sections, name: str):
    from ..reports.exporters import to_pdf, to_xlsx

    fmt = request.args.get("format")
    if fmt == "xlsx":
        response = make_response(to_xlsx(sections))
        response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        response = make_response(to_pdf(event_or_none, title, sections))
        response.mimetype = "application/pdf"
    else:
        return None
    disposition = "inline" if fmt == "pdf" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    return response


# --- the preparation plan (organizers of the event) ------------------------------------

def _owner_choices(event: Event):
    from ..auth.models import EventRole, User

    staff = db.session.scalars(select(User).join(EventRole).where(
        EventRole.event_id == event.id).distinct().order_by(User.full_name)).all()
    pairs = [("", _("— nobody yet —"))]
    pairs += [(f"u{u.id}", "\u00a0\u00a0" * depth + u.name)
              for u, depth in _unit_tree()]
    pairs += [(f"s{u.id}", _("Staff: %(name)s", name=u.full_name)) for u in staff]
    return options(pairs), staff


def _unit_tree():
    from ..units.services import unit_tree

    return unit_tree()


def _owner(value: str):
    """(unit, user) from an owner choice "u12" / "s3" / ""."""
    from ..auth.models import User

    if value and value[0] == "u" and value[1:].isdigit():
        return db.session.get(Unit, int(value[1:])), None
    if value and value[0] == "s" and value[1:].isdigit():
        return None, db.session.get(User, int(value[1:]))
    return None, None


def _task_form(event: Event, task=None, **kw) -> TaskForm:
    form = TaskForm(obj=task, **kw)
    form.owner.choices, _staff = _owner_choices(event)
    if task is not None and request.method == "GET":
        form.owner.data = (f"u{task.owner_unit_id}" if task.owner_unit_id else
                           f"s{task.owner_user_id}" if task.owner_user_id else "")
    return form


def _apply_form(event: Event) -> ApplyTemplateForm:
    form = ApplyTemplateForm()
    form.template_id.choices = options((t.id, t.name) for t in services.templates())
    form.host_unit_id.choices = unit_choices(_("— the event's host unit —"))
    form.cohost_unit_id.choices = unit_choices(_("— none —"))
    _choices, staff = _owner_choices(event)
    form.office_user_id.choices = options([(0, _("— none —"))] +
                                          [(u.id, u.full_name) for u in staff])
    if request.method == "GET":
        form.host_unit_id.data = event.host_unit_id or 0
    return form


def _plan_page(event: Event, *, form=None, status: int = 200):
    now = services.clock()
    tasks = services.plan_tasks(event)
    edit_forms = {t.id: _task_form(event, t, formdata=None, prefix=f"t{t.id}") for t in tasks}
    for t in tasks:
        edit_forms[t.id].owner.data = (f"u{t.owner_unit_id}" if t.owner_unit_id else
                                       f"s{t.owner_user_id}" if t.owner_user_id else "")
    owner_units = {t.owner_unit_id: t.owner_unit for t in tasks if t.owner_unit is not None}
    contacts = {uid: services.unit_contact(u) for uid, u in owner_units.items()}
    contact_forms = {uid: ContactForm(formdata=None, obj=c, prefix=f"c{uid}")
                     for uid, c in contacts.items()}
    return render_template(
        "plans/plan.html", event=event, now=now, days=services.timeline(event),
        summary=services.plan_summary(event, now), form=form or _task_form(event),
        edit_forms=edit_forms, apply_form=_apply_form(event),
        save_form=SaveTemplateForm(formdata=None), upload_form=UploadForm(formdata=None),
        remind_form=RemindForm(formdata=None), owner_units=owner_units,
        contact_forms=contact_forms, reminders=services.reminders_sent(event),
        messages={t.id: services.reminder_text(t, now) for t in tasks if t.owner_unit},
        link_urls={uid: services.unit_link_url(event, u) for uid, u in owner_units.items()},
        labels=services.STATUS_LABELS, deliverables=services.DELIVERABLE_LABELS,
        templates=services.templates(), confirm=ConfirmForm()), status


@bp.get("/events/<int:event_id>/plan")
@event_access()
def plan(event: Event):
    return _plan_page(event)


@bp.post("/events/<int:event_id>/plan/tasks")
@event_access()
def add_task(event: Event):
    form = _task_form(event)
    if form.validate_on_submit():
        unit, user = _owner(form.owner.data)
        try:
            task = services.add_task(event, title=form.title.data, due_at=form.due_at.aware,
                                     deliverable=form.deliverable.data, owner_unit=unit,
                                     owner_user=user, note=form.note.data)
            if form.status.data != "todo":
                services.set_task_status(task, form.status.data)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Task added."), "success")
            return redirect(url_for("plans.plan", event_id=event.id) + f"#task-{task.id}")
    return _plan_page(event, form=form, status=422)


@bp.post("/events/<int:event_id>/plan/tasks/<int:task_id>")
@event_access()
def update_task(event: Event, task_id: int):
    task = services.find_task(event, task_id)
    form = _task_form(event, prefix=f"t{task_id}")
    if form.validate_on_submit():
        unit, user = _owner(form.owner.data)
        try:
            services.update_task(task, title=form.title.data, due_at=form.due_at.aware,
                                 deliverable=form.deliverable.data, owner_unit=unit,
                                 owner_user=user, note=form.note.data,
                                 status=form.status.data)
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            flash(_("Task saved."), "success")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("plans.plan", event_id=event.id) + f"#task-{task_id}")


@bp.post("/events/<int:event_id>/plan/tasks/<int:task_id>/delete")
@event_access()
def delete_task(event: Event, task_id: int):
    task = services.find_task(event, task_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_task(task)
    flash(_("Task removed."), "info")
    return redirect(url_for("plans.plan", event_id=event.id))


@bp.post("/events/<int:event_id>/plan/tasks/<int:task_id>/files")
@event_access()
@allow_upload
def staff_upload(event: Event, task_id: int):
    task = services.find_task(event, task_id)
    form = UploadForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    else:
        try:
            services.hand_in_file(task, filename=form.file.data.filename,
                                  data=form.file.data.read(), via="staff")
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            flash(_("File received."), "success")
    return redirect(url_for("plans.plan", event_id=event.id) + f"#task-{task_id}")


def _send(task_file):
    path = services.file_path(task_file)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=task_file.content_type, as_attachment=True,
                     download_name=task_file.filename)


@bp.get("/events/<int:event_id>/plan/files/<int:file_id>")
@event_access()
def staff_file(event: Event, file_id: int):
    return _send(services.find_file(event, file_id))


@bp.post("/events/<int:event_id>/plan/template")
@event_access()
def apply_template(event: Event):
    from ..auth.models import User

    form = _apply_form(event)
    if form.validate_on_submit():
        made = services.apply_template(
            event, services.find_template(form.template_id.data),
            host_unit=db.session.get(Unit, form.host_unit_id.data or 0),
            cohost_unit=db.session.get(Unit, form.cohost_unit_id.data or 0),
            office_user=db.session.get(User, form.office_user_id.data or 0))
        flash(_("%(n)d task(s) added from the template.", n=len(made)), "success")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("plans.plan", event_id=event.id))


@bp.post("/events/<int:event_id>/plan/save-template")
@event_access()
def save_template(event: Event):
    form = SaveTemplateForm()
    if form.validate_on_submit():
        template = services.save_as_template(event, name=form.name.data, by_user=current_user)
        flash(_("Saved as the template “%(name)s”.", name=template.name), "success")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("plans.plan", event_id=event.id))


@bp.post("/events/<int:event_id>/plan/templates/<int:template_id>/delete")
@event_access()
def delete_template(event: Event, template_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    template = services.find_template(template_id)
    if template.created_by_id not in (None, current_user.id) and not current_user.is_admin:
        abort(403)
    services.delete_template(template)
    flash(_("Template deleted."), "info")
    return redirect(url_for("plans.plan", event_id=event.id))


@bp.post("/events/<int:event_id>/plan/contacts/<int:unit_id>")
@event_access()
def set_contact(event: Event, unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    if unit_id not in {t.owner_unit_id for t in services.plan_tasks(event)}:
        abort(404)
    form = ContactForm(prefix=f"c{unit_id}")
    if form.validate_on_submit():
        try:
            services.set_unit_contact(unit, email=form.email.data, name=form.name.data)
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            flash(_("Contact of %(unit)s saved.", unit=unit.name), "success")
    return redirect(url_for("plans.plan", event_id=event.id) + "#contacts")


@bp.post("/events/<int:event_id>/plan/remind")
@event_access()
def remind(event: Event):
    from datetime import timedelta

    form = RemindForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
        return redirect(url_for("plans.plan", event_id=event.id) + "#reminders")
    within = timedelta(days=form.days.data)
    if current_app.config["MAIL_SEND_INLINE"]:
        result = services.send_task_reminders(event=event, within=within)
        _flash_reminders(result)
    else:
        app = current_app._get_current_object()

        def run(event_id: int) -> None:
            with app.app_context():
                services.send_task_reminders(event=db.session.get(Event, event_id),
                                             within=within)

        socketio.start_background_task(run, event.id)
        flash(_("Reminders are being sent; reload the page to see them."), "info")
    return redirect(url_for("plans.plan", event_id=event.id) + "#reminders")


def _flash_reminders(result) -> None:
    flash(_("Reminders sent: %(sent)d; failed: %(failed)d; already sent: %(already)d.",
            sent=result.sent, failed=result.failed, already=result.already), "info")
    if result.no_address:
        flash(_("No e-mail address for: %(units)s.",
                units=", ".join(sorted(set(result.no_address)))), "error")
    if result.stopped:
        flash(_("Sending stopped: %(reason)s.", reason=result.stopped), "error")


@bp.get("/events/<int:event_id>/plan/report")
@event_access()
def progress_report(event: Event):
    exported = _export(event, _("Progress report"), services.progress_sections(event),
                       f"bao-cao-tien-do-{event.id}")
    if exported is None:
        return redirect(url_for("plans.plan", event_id=event.id))
    return exported


# --- the unit's side, on its nomination link --------------------------------------------

def _nomination_link(token: str) -> NominationLink:
    link = db.session.scalar(select(NominationLink).where(NominationLink.token == token))
    if link is None or link.revoked_at is not None:
        abort(404)
    return link


@link_bp.post("/n/<token>/tasks/<int:task_id>/files")
@limiter.limit("30 per minute")
@allow_upload
def unit_upload(token: str, task_id: int):
    link = _nomination_link(token)
    task = services.find_task(link.event, task_id)
    if task.owner_unit_id != link.unit_id:
        abort(404)
    form = UploadForm()
    if not form.validate_on_submit():
        flash("; ".join(e for errs in form.errors.values() for e in errs)
              or _("The form expired. Please send it again."), "error")
    else:
        try:
            services.hand_in_file(task, filename=form.file.data.filename,
                                  data=form.file.data.read(), via="link")
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            flash(_("Thank you: “%(task)s” has been handed in.", task=task.title), "success")
    return redirect(url_for("nomination.page", token=token) + f"#task-{task_id}")


@link_bp.get("/n/<token>/files/<int:file_id>")
@limiter.limit("60 per minute")
def unit_file(token: str, file_id: int):
    link = _nomination_link(token)
    return _send(services.find_file(link.event, file_id, unit=link.unit))


@link_bp.get("/n/<token>/calendar.ics")
@limiter.limit("60 per minute")
def unit_calendar(token: str):
    link = _nomination_link(token)
    return _ics(calendar.unit_feed(link), "lich-don-vi")


@link_bp.get("/i/<token>/calendar.ics")
@limiter.limit("60 per minute")
def invitation_calendar(token: str):
    from ..attendees.invitations import InvitationReplaced, find_invitation, invitation_url

    try:
        invitation = find_invitation(token)
    except InvitationReplaced:
        abort(410)
    return _ics(calendar.invitation_feed(invitation, invitation_url(invitation)), "hoi-nghi")


# --- the staff member's own calendar -----------------------------------------------------

@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def my_calendar():
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        services.calendar_feed(current_user, reset=True)
        flash(_("A new calendar address was made; the old one no longer works."), "info")
        return redirect(url_for("plans.my_calendar"))
    feed = services.calendar_feed(current_user)
    url = current_app.config["PUBLIC_URL"] + url_for("plan_links.staff_calendar",
                                                     token=feed.token)
    return render_template("plans/calendar.html", url=url, confirm=form)


@link_bp.get("/calendar/<token>.ics")
@limiter.limit("60 per minute")
def staff_calendar(token: str):
    try:
        user = services.feed_user(token)
    except DomainError:
        abort(404)
    return _ics(calendar.organizer_feed(user), "lich-cong-tac")


# --- programmes (their organizers) ---------------------------------------------------

def programme_access(view):
    """Load ``programme_id`` (404) and require its organizer (or an admin)."""

    @wraps(view)
    @login_required
    def wrapped(programme_id: int, **kwargs):
        programme = db.session.get(Programme, programme_id)
        if programme is None:
            abort(404)
        if not services.can_run(current_user, programme):
            abort(403)
        g.programme = programme
        return view(programme=programme, **kwargs)

    return wrapped


@bp.route("/programmes/", methods=["GET", "POST"])
@organizer_required
def programmes():
    form = ProgrammeForm()
    form.scope_unit_id.choices = unit_choices(_("— every unit —"))
    if form.validate_on_submit():
        try:
            programme = services.create_programme(
                title=form.title.data, year=form.year.data, created_by=current_user,
                scope=db.session.get(Unit, form.scope_unit_id.data or 0))
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Programme created."), "success")
            return redirect(url_for("plans.programme", programme_id=programme.id))
    elif request.method == "GET":
        form.year.data = utcnow().year
    return render_template("plans/programmes.html", form=form,
                           programmes=services.visible_programmes(current_user)), \
        422 if form.errors else 200


def _meeting_form() -> MeetingForm:
    form = MeetingForm()
    pairs = [(f"q{q}", _("Quarter %(n)s", n=("I", "II", "III", "IV")[q - 1])) for q in range(1, 5)]
    pairs += [(f"m{m}", _("Month %(n)d", n=m)) for m in range(1, 13)]
    form.when.choices = options(pairs)
    return form


def _event_choices(blank: str):
    from ..auth.services import visible_events_query

    return options([(0, blank)] + [(e.id, f"{e.title} ({to_local(e.starts_at):%d/%m/%Y})")
                                   for e in db.session.scalars(visible_events_query(current_user))])


def _rules_form(programme: Programme, formdata=True) -> TargetRulesForm:
    if formdata is None:
        rules = services.target_rules(programme)
        data = {"rules": [{"metric": r.metric, "unit_kind": r.unit_kind,
                           "min_members_exclusive": r.min_members_exclusive,
                           "amount": r.amount} for r in rules] + [{}]}
        return TargetRulesForm(formdata=None, data=data)
    return TargetRulesForm()


def _programme_page(programme: Programme, *, status: int = 200, rules_form=None,
                    meeting_form=None):
    units = services.programme_units(programme)
    target_map = services.targets(programme)
    target_form = TargetForm(formdata=None)
    target_form.unit_id.choices = options((u.id, u.name) for u in units)
    link_forms = {}
    for m in programme.meetings:
        f = LinkEventForm(formdata=None, prefix=f"m{m.id}", data={"event_id": m.event_id or 0})
        f.event_id.choices = _event_choices(_("— date not fixed yet —"))
        link_forms[m.id] = f
    links = services.programme_links(programme)
    return render_template(
        "plans/programme.html", programme=programme, meetings=services.meetings(programme),
        meeting_form=meeting_form or _meeting_form(), link_forms=link_forms,
        rules_form=rules_form or _rules_form(programme, None), target_form=target_form,
        units=units, targets=target_map, metrics=METRICS,
        target_unit_ids={uid for uid, _m in target_map}, labels=services.METRIC_LABELS,
        links={uid: current_app.config["PUBLIC_URL"] + url_for("plan_links.page",
                                                                 token=link.token)
               for uid, link in links.items()},
        period_label=services.period_label, organizers=services.organizers(programme),
        candidates=services.organizer_candidates(programme), confirm=ConfirmForm()), status


@bp.get("/programmes/<int:programme_id>")
@programme_access
def programme(programme: Programme):
    return _programme_page(programme)


@bp.post("/programmes/<int:programme_id>/meetings")
@programme_access
def add_meeting(programme: Programme):
    form = _meeting_form()
    if form.validate_on_submit():
        when = form.when.data or "q1"
        try:
            services.add_planned_meeting(
                programme, title=form.title.data, kind=form.kind.data,
                period_kind="quarter" if when[0] == "q" else "month", period=when[1:],
                note=form.note.data)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Meeting planned."), "success")
            return redirect(url_for("plans.programme", programme_id=programme.id))
    return _programme_page(programme, status=422, meeting_form=form)


@bp.post("/programmes/<int:programme_id>/meetings/<int:meeting_id>")
@programme_access
def link_meeting(programme: Programme, meeting_id: int):
    from ..auth.services import can

    meeting = services.find_meeting(programme, meeting_id)
    form = LinkEventForm(prefix=f"m{meeting_id}")
    form.event_id.choices = _event_choices("")
    if form.validate_on_submit():
        event = db.session.get(Event, form.event_id.data or 0)
        if event is not None and not can(current_user, event, "moderator"):
            abort(403)
        services.link_event(meeting, event)
        flash(_("Saved."), "success")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("plans.programme", programme_id=programme.id) + "#meetings")


@bp.post("/programmes/<int:programme_id>/meetings/<int:meeting_id>/delete")
@programme_access
def delete_meeting(programme: Programme, meeting_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_meeting(services.find_meeting(programme, meeting_id))
    flash(_("Planned meeting removed."), "info")
    return redirect(url_for("plans.programme", programme_id=programme.id) + "#meetings")


@bp.post("/programmes/<int:programme_id>/rules")
@programme_access
def save_rules(programme: Programme):
    form = _rules_form(programme)
    if form.validate_on_submit():
        try:
            services.set_target_rules(programme, [entry.data for entry in form.rules])
            count = services.apply_target_rules(programme,
                                                overwrite_manual=form.overwrite_manual.data)
            services.ensure_links(programme)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("plans.programme", programme_id=programme.id))
        else:
            flash(_("Targets set by the rules for %(n)d unit target(s).", n=count), "success")
            return redirect(url_for("plans.programme", programme_id=programme.id) + "#targets")
    return _programme_page(programme, status=422, rules_form=form)


@bp.post("/programmes/<int:programme_id>/targets")
@programme_access
def set_target(programme: Programme):
    form = TargetForm()
    form.unit_id.choices = options((u.id, u.name) for u in services.programme_units(programme))
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) or abort(404)
        try:
            services.set_target(programme, unit, form.metric.data, form.amount.data)
            services.ensure_links(programme)
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            flash(_("Target saved."), "success")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("plans.programme", programme_id=programme.id) + "#targets")


@bp.post("/programmes/<int:programme_id>/links/<int:unit_id>/renew")
@programme_access
def renew_link(programme: Programme, unit_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    link = services.programme_links(programme).get(unit_id) or abort(404)
    services.revoke_link(link)
    flash(_("A new link was made; the old one no longer works."), "info")
    return redirect(url_for("plans.programme", programme_id=programme.id) + "#targets")


@bp.post("/programmes/<int:programme_id>/contacts/<int:unit_id>")
@programme_access
def programme_contact(programme: Programme, unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    if unit.id not in {u.id for u in services.programme_units(programme)}:
        abort(404)
    form = ContactForm(prefix=f"c{unit_id}")
    if form.validate_on_submit():
        try:
            services.set_unit_contact(unit, email=form.email.data, name=form.name.data)
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            flash(_("Contact of %(unit)s saved.", unit=unit.name), "success")
    return redirect(url_for("plans.review", programme_id=programme.id,
                            period=request.args.get("period", "")))


@bp.get("/programmes/<int:programme_id>/ideas")
@programme_access
def ideas(programme: Programme):
    outcome = request.args.get("outcome") or None
    items = services.ideas(programme, outcome=outcome)
    forms = {}
    choices = _event_choices(_("— none —"))
    for idea in items:
        f = ClassifyForm(formdata=None, obj=idea, prefix=f"i{idea.id}",
                         data={"selected_event_id": idea.selected_event_id or 0})
        f.selected_event_id.choices = choices
        forms[idea.id] = f
    return render_template("plans/ideas.html", programme=programme, ideas=items, forms=forms,
                           outcome=outcome, kinds=services.IDEA_KIND_LABELS,
                           outcomes=services.IDEA_OUTCOME_LABELS)


@bp.post("/programmes/<int:programme_id>/ideas/<int:idea_id>")
@programme_access
def classify(programme: Programme, idea_id: int):
    from ..auth.services import can

    idea = services.find_idea(programme, idea_id)
    form = ClassifyForm(prefix=f"i{idea_id}")
    form.selected_event_id.choices = _event_choices("")
    if form.validate_on_submit():
        event = db.session.get(Event, form.selected_event_id.data or 0)
        if event is not None and not can(current_user, event):
            abort(403)
        try:
            services.classify_idea(idea, category=form.category.data,
                                   outcome=form.outcome.data,
                                   outcome_note=form.outcome_note.data, selected_event=event)
        except ValidationError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            flash(_("Saved."), "success")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("plans.ideas", programme_id=programme.id) + f"#idea-{idea_id}")


def _period(programme: Programme) -> str:
    period = request.values.get("period") or services.current_period(programme)
    if period not in services.PERIOD_MONTHS:
        raise NotFound(_("No such period."), code="invalid_period")
    return period


@bp.get("/programmes/<int:programme_id>/review")
@programme_access
def review(programme: Programme):
    period = _period(programme)
    rev = services.review(programme, period)
    contacts = {r.unit.id: services.unit_contact(r.unit) for r in rev.behind}
    return render_template(
        "plans/review.html", programme=programme, review=rev, period=period,
        periods=services.PERIOD_LABELS, labels=services.METRIC_LABELS,
        reminders={r.unit.id: services.review_reminder(r, rev) for r in rev.behind},
        contact_forms={uid: ContactForm(formdata=None, obj=c, prefix=f"c{uid}")
                       for uid, c in contacts.items()},
        progress_svg=Markup(charts.progress_svg(rev)),
        quarters_svg=Markup(charts.quarters_svg(services.quarterly_totals(programme))),
        confirm=ConfirmForm())


@bp.post("/programmes/<int:programme_id>/review/remind")
@programme_access
def review_remind(programme: Programme):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    period = _period(programme)
    if current_app.config["MAIL_SEND_INLINE"]:
        _flash_reminders(services.send_review_reminders(services.review(programme, period)))
    else:
        app = current_app._get_current_object()

        def run(programme_id: int) -> None:
            with app.app_context():
                services.send_review_reminders(
                    services.review(db.session.get(Programme, programme_id), period))

        socketio.start_background_task(run, programme.id)
        flash(_("Reminders are being sent."), "info")
    return redirect(url_for("plans.review", programme_id=programme.id, period=period))


@bp.post("/programmes/<int:programme_id>/organizers")
@programme_access
def add_organizer(programme: Programme):
    from ..auth.models import User

    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, request.form.get("user_id", type=int) or 0) or abort(404)
    try:
        services.add_organizer(programme, user)
    except DomainError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("%(name)s now runs this programme too.", name=user.full_name), "success")
    return redirect(url_for("plans.programme", programme_id=programme.id) + "#organizers")


@bp.post("/programmes/<int:programme_id>/organizers/<int:user_id>/remove")
@programme_access
def remove_organizer(programme: Programme, user_id: int):
    from ..auth.models import User

    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id) or abort(404)
    try:
        services.remove_organizer(programme, user)
    except DomainError as exc:
        flash(str(exc.message), "error")
    return redirect(url_for("plans.programme", programme_id=programme.id) + "#organizers")


@bp.get("/programmes/<int:programme_id>/report")
@programme_access
def programme_report(programme: Programme):
    from types import SimpleNamespace

    period = _period(programme)
    # The report's heading names the programme where an event report names the meeting.
    heading = SimpleNamespace(id=0, title=programme.title, venue="", starts_at=None,
                              host_unit=None)
    exported = _export(heading, _("Programme report"),
                       services.programme_sections(
                           programme, period, every_idea=request.args.get("format") != "pdf"),
                       f"chuong-trinh-{programme.id}-{period}")
    if exported is None:
        return redirect(url_for("plans.review", programme_id=programme.id, period=period))
    return exported


# --- the unit's programme link (no account: the token is the key) -----------------------

def _programme_link(token: str):
    try:
        return services.find_link(token)
    except NotFound:
        abort(404)


def _link_page(link, form=None, status: int = 200):
    programme = link.programme
    rev = services.review(programme, services.current_period(programme))
    row = next((r for r in rev.rows if r.unit.id == link.unit_id), None)
    if form is None:
        form = IdeaForm(formdata=None, data={"nonce": new_token()})
    return render_template(
        "plans/unit_programme.html", link=link, programme=programme, unit=link.unit,
        row=row, review=rev, form=form, fields=services.IDEA_FIELDS,
        ideas=services.ideas(programme, unit=link.unit), labels=services.METRIC_LABELS,
        kinds=services.IDEA_KIND_LABELS, outcomes=services.IDEA_OUTCOME_LABELS,
        meetings=services.meetings(programme), period_label=services.period_label), status


@link_bp.get("/p/<token>")
@limiter.limit("60 per minute")
def page(token: str):
    return _link_page(_programme_link(token))


@link_bp.post("/p/<token>")
@limiter.limit("30 per minute")
def submit_idea(token: str):
    link = _programme_link(token)
    form = IdeaForm()
    if form.validate_on_submit():
        try:
            idea = services.submit_idea(link, kind=form.kind.data, title=form.title.data,
                                        description=form.description.data,
                                        field=form.field.data,
                                        author_name=form.author_name.data,
                                        nonce=form.nonce.data)
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Thank you: “%(title)s” is in the idea bank.", title=idea.title), "success")
            return redirect(url_for("plan_links.page", token=token) + "#ideas")
    return _link_page(link, form, 422)


@link_bp.get("/p/<token>/calendar.ics")
@limiter.limit("60 per minute")
def programme_calendar(token: str):
    return _ics(calendar.programme_feed(_programme_link(token)), "lich-chuong-trinh")
