"""Units, quotas, nomination links, and the secretary's nomination page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..attendees import services as attendee_services
from ..attendees.forms import PersonForm
from ..auth.access import event_access, organizer_required
from ..errors import DomainError, ValidationError
from ..events.forms import ConfirmForm
from ..events.models import Event
from ..extensions import db, limiter
from ..forms import apply_errors
from ..limits import limit_guesses
from ..security import allow_upload, db_int
from ..types import new_token
from . import services
from .forms import DeadlineForm, ImportForm, QuotaForm, QuotaRulesForm, UnitForm, unit_choices
from .models import NominationLink, QuotaRule, Unit

bp = Blueprint("units", __name__)
nomination_bp = Blueprint("nomination", __name__)


def public_url(endpoint: str, **values) -> str:
    """An absolute link for people outside (PUBLIC_URL when configured)."""
    return current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)


# --- the unit tree ---------------------------------------------------------

@bp.get("/units/")
@organizer_required
def index():
    return render_template("units/index.html", tree=services.unit_tree(),
                           form=_unit_form(), import_form=ImportForm(), confirm=ConfirmForm())


def _unit_form(obj: Unit | None = None) -> UnitForm:
    form = UnitForm(obj=obj)
    form.parent_id.choices = unit_choices(_("— top level —"))
    if obj is not None and request.method == "GET":
        form.parent_id.data = obj.parent_id or 0
    return form


@bp.post("/units/")
@organizer_required
def create():
    form = _unit_form()
    if form.validate_on_submit():
        try:
            unit = services.create_unit(name=form.name.data, kind=form.kind.data,
                                        member_count=form.member_count.data or 0,
                                        parent=db.session.get(Unit, form.parent_id.data or 0),
                                        code=form.code.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Unit “%(name)s” added.", name=unit.name), "success")
            return redirect(url_for("units.index") + f"#unit-{unit.id}")
    return render_template("units/index.html", tree=services.unit_tree(), form=form,
                           import_form=ImportForm(), confirm=ConfirmForm()), 422


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@organizer_required
def edit(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    form = _unit_form(unit)
    if form.validate_on_submit():
        try:
            services.update_unit(unit, name=form.name.data, kind=form.kind.data,
                                 member_count=form.member_count.data or 0,
                                 parent=db.session.get(Unit, form.parent_id.data or 0),
                                 code=form.code.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Unit saved."), "success")
            return redirect(url_for("units.index") + f"#unit-{unit.id}")
    status = 422 if request.method == "POST" else 200
    return render_template("units/edit.html", form=form, unit=unit, confirm=ConfirmForm()), status


@bp.post("/units/<int:unit_id>/delete")
@organizer_required
def delete(unit_id: int):
    unit = db.session.get(Unit, unit_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_unit(unit)
    flash(_("Unit deleted."), "info")
    return redirect(url_for("units.index"))


@bp.post("/units/import")
@organizer_required
@allow_upload
def import_units():
    form = ImportForm()
    errors: list[dict] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = services.import_units(upload.filename, upload.read())
        except ValidationError as exc:
            errors = exc.errors
            form.file.errors = [str(exc.message)]
        else:
            flash(_("Import done: %(created)d unit(s) added, %(updated)d updated.",
                    created=result.created, updated=result.updated), "success")
            return redirect(url_for("units.index"))
    return render_template("units/index.html", tree=services.unit_tree(), form=_unit_form(),
                           import_form=form, import_errors=errors, confirm=ConfirmForm()), 422


# --- quotas ----------------------------------------------------------------

def _rules_form(event: Event, formdata=True) -> QuotaRulesForm:
    rules = db.session.scalars(select(QuotaRule).where(QuotaRule.event_id == event.id)
                               .order_by(QuotaRule.unit_kind,
                                         QuotaRule.min_members_exclusive)).all()
    if formdata is None or request.method == "GET":
        data = [{"unit_kind": r.unit_kind, "min_members_exclusive": r.min_members_exclusive,
                 "seats": r.seats} for r in rules]
        data += [{"unit_kind": "grassroots", "min_members_exclusive": 0, "seats": None}] * max(
            0, 4 - len(data) if len(data) < 4 else 1)
        form = QuotaRulesForm(formdata=None, data={"rules": data})
    else:
        form = QuotaRulesForm()
    form.scope_id.choices = unit_choices(_("— every unit of this meeting's tree —"),
                                         event=event)
    if request.method == "GET" or formdata is None:
        # The scope last used stays chosen (it comes back in the redirect).
        form.scope_id.data = request.args.get("scope", type=int) or 0
    return form


def _quota_page(event: Event, *, rules_form=None, quota_form=None, status: int = 200,
                release=None):
    quota_form = quota_form or QuotaForm()
    quota_form.unit_id.choices = unit_choices(event=event)
    if not event.quotas_enabled:
        quota_form.unit_id.label.text = _("Unit")
    return render_template("units/quotas.html", event=event, table=services.quota_table(event),
                           rules_form=rules_form or _rules_form(event, None),
                           quota_form=quota_form, confirm=ConfirmForm(),
                           deadline_form=DeadlineForm(), link_url=_link_url,
                           release=release), status


def _link_url(link: NominationLink) -> str:
    return public_url("nomination.page", token=link.token)


@bp.get("/events/<int:event_id>/quotas")
@event_access()
def quotas(event: Event):
    return _quota_page(event)


@bp.post("/events/<int:event_id>/quotas/rules")
@event_access()
def save_rules(event: Event):
    form = _rules_form(event)
    if form.validate_on_submit():
        try:
            result = services.save_quota_rules(
                event, [entry.data for entry in form.rules.entries],
                scope=db.session.get(Unit, form.scope_id.data or 0),
                overwrite_manual=form.overwrite_manual.data)
        except DomainError as exc:
            form.form_errors.append(str(exc.message))
        else:
            message = _("Quotas allocated by rule: %(seats)d seats to %(units)d unit(s).",
                        seats=result.allocated, units=result.units)
            if result.kept_manual:
                message += " " + _("%(n)d quota(s) set by hand were kept.", n=result.kept_manual)
            flash(message, "success")
            for unit, named, seats in result.held:
                flash(_("%(unit)s has already named %(named)d delegate(s), more than the "
                        "%(seats)d its rule gives: its quota stays at %(named)d until you "
                        "choose whom to release (set its seats by hand).",
                        unit=unit.name, named=named, seats=seats), "warning")
            return redirect(url_for("units.quotas", event_id=event.id,
                                    scope=form.scope_id.data or None))
    return _quota_page(event, rules_form=form, status=422)


@bp.post("/events/<int:event_id>/quotas")
@event_access()
def set_quota(event: Event):
    form = QuotaForm()
    form.unit_id.choices = unit_choices(event=event)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit_id.data) or abort(404)
        release = [int(v) for v in request.form.getlist("release") if v.isdigit()]
        try:
            services.set_quota(event, unit, form.seats.data, release=release)
        except ValidationError as exc:
            apply_errors(form, exc)
        except services.QuotaBelowNamed as exc:
            form.form_errors.append(str(exc.message))
            people = attendee_services.unit_delegates(event, unit)
            present = services.checked_in_ids(event, [p.id for p in people])
            return _quota_page(event, quota_form=form, status=409, release={
                "unit": unit, "seats": exc.seats, "n": exc.to_release,
                "people": [p for p in people if not p.replaced],
                "present": present, "chosen": set(release)})
        except DomainError as exc:
            form.form_errors.append(str(exc.message))
            return _quota_page(event, quota_form=form, status=409)
        else:
            if release:
                flash(_("%(n)d delegate(s) of %(unit)s released.", n=len(release),
                        unit=unit.name), "info")
            flash(_("Quota of %(unit)s set to %(seats)d.", unit=unit.name,
                    seats=form.seats.data), "success")
            return redirect(url_for("units.quotas", event_id=event.id) + f"#quota-{unit.id}")
    return _quota_page(event, quota_form=form, status=422)


@bp.get("/api/events/<int:event_id>/quotas")
@event_access()
def quotas_json(event: Event):
    """The quota table as JSON (the same figures as the page)."""
    table = services.quota_table(event)
    return {
        "event": event.id,
        "version": event.attendance_version,
        "quotas": table.with_quotas,
        "units": [{"unit": {"id": r.unit.id, "name": r.unit.name, "kind": r.unit.kind,
                            "member_count": r.unit.member_count},
                   "seats": r.seats, "source": r.quota.source if r.quota else None,
                   "nominated": r.nominated, "arrived": r.arrived} for r in table.rows],
        "total": {"seats": table.total_seats, "nominated": table.total_nominated,
                  "arrived": table.total_arrived},
    }


# --- nomination links ------------------------------------------------------

def _event_link(event: Event, link_id: int) -> NominationLink:
    link = db.session.get(NominationLink, link_id)
    if link is None or link.event_id != event.id:
        abort(404)
    return link


@bp.post("/events/<int:event_id>/links")
@event_access()
def create_links(event: Event):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    unit_id = request.form.get("unit_id", type=db_int)
    if unit_id:
        unit = db.session.get(Unit, unit_id) or abort(404)
        try:
            services.create_nomination_link(event, unit, by_user=current_user,
                                            closes_at=event.nomination_deadline)
        except DomainError as exc:
            flash(str(exc.message), "error")
            return redirect(url_for("units.quotas", event_id=event.id))
        flash(_("New nomination link for %(unit)s. Earlier links of the unit no longer work.",
                unit=unit.name), "success")
    else:
        count = services.create_missing_nomination_links(event, by_user=current_user)
        flash(_("%(n)d nomination link(s) created.", n=count), "success")
    return redirect(url_for("units.quotas", event_id=event.id))


@bp.post("/events/<int:event_id>/links/<int:link_id>/revoke")
@event_access()
def revoke_link(event: Event, link_id: int):
    link = _event_link(event, link_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.revoke_nomination_link(link, by_user=current_user)
    flash(_("The nomination link of %(unit)s no longer works.", unit=link.unit.name), "info")
    return redirect(url_for("units.quotas", event_id=event.id))


@bp.post("/events/<int:event_id>/links/<int:link_id>/deadline")
@event_access()
def set_deadline(event: Event, link_id: int):
    link = _event_link(event, link_id)
    form = DeadlineForm()
    if form.validate_on_submit():
        services.set_nomination_deadline(link, form.closes_at.aware)
        flash(_("Deadline saved."), "success")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("units.quotas", event_id=event.id))


# --- the secretary's page (no account; the token is the key) ---------------

def _link_or_404(token: str) -> NominationLink:
    link = db.session.scalar(select(NominationLink).where(NominationLink.token == token))
    if link is None:
        abort(404)
    return link


def _nomination_page(link: NominationLink, form: PersonForm | None = None, status: int = 200,
                     editing: int | None = None, edit_form: PersonForm | None = None):
    event, unit = link.event, link.unit
    delegates = attendee_services.unit_delegates(event, unit)
    table = {row.unit.id: row for row in services.quota_table(event).rows}
    quota = table.get(unit.id)
    try:
        services.check_link_open(link)
        closed_reason = None
    except DomainError as exc:
        closed_reason = exc
    if form is None:
        form = PersonForm(formdata=None, data={"nonce": new_token()})
    edit_forms = {a.id: PersonForm(formdata=None, obj=a, prefix=f"p{a.id}") for a in delegates}
    if edit_form is not None and editing in edit_forms:
        edit_forms[editing] = edit_form
    from ..dialogue import services as dialogue
    from ..plans import services as plans

    state = dialogue.dialogue_state(event)
    from ..events.services import unit_contributions

    return render_template(
        "units/nominate.html", link=link, event=event, unit=unit, delegates=delegates,
        questions_enabled=event.kind == "dialogue" or state.unit_minimum > 0,
        dialogue=state, unit_questions=dialogue.unit_questions(event, unit.id),
        kinds=dialogue.KIND_LABELS, topics=dialogue.topics(event), question_nonce=new_token(),
        seats=quota.seats if quota else (None if not event.quotas_enabled else 0),
        form=form, edit_forms=edit_forms,
        to_confirm=[p for p in delegates if p.carried_over],
        contributions=unit_contributions(event, unit.id),
        max_mb=f"{current_app.config['CONTRIBUTION_MAX_BYTES'] / 1024 / 1024:g}",
        closed=closed_reason, closes_at=services.link_closes_at(link), confirm=ConfirmForm(),
        editing=editing, tasks=plans.unit_tasks(event, unit), now=plans.clock()), status


@nomination_bp.get("/n/<token>")
@limiter.limit("60 per minute")
@limit_guesses
def page(token: str):
    link = _link_or_404(token)
    if link.revoked_at is not None:
        return render_template("units/link_revoked.html", link=link), 410
    return _nomination_page(link, editing=request.args.get("edit", type=db_int))


@nomination_bp.post("/n/<token>")
@limiter.limit("60 per minute")
@limit_guesses
def nominate(token: str):
    link = _link_or_404(token)
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = attendee_services.nominate(
                link.event, link.unit, full_name=form.full_name.data,
                position=form.position.data, phone=form.phone.data, email=form.email.data,
                link=link, nonce=form.nonce.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.form_errors.append(str(exc.message))
            return _nomination_page(link, form, 409)
        else:
            flash(_("%(name)s has been added.", name=person.full_name), "success")
            return redirect(url_for("nomination.page", token=token))
    return _nomination_page(link, form, 422)


@nomination_bp.post("/n/<token>/contributions/<int:contribution_id>")
@limiter.limit("20 per minute")
def contribution_text(token: str, contribution_id: int):
    from ..events.models import Contribution
    from ..events.services import submit_contribution_text

    link = _link_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    contribution = db.session.get(Contribution, contribution_id) or abort(404)
    upload = request.files.get("document")
    try:
        submit_contribution_text(
            link, contribution, filename=upload.filename if upload else "",
            data=upload.read(current_app.config["CONTRIBUTION_MAX_BYTES"] + 1) if upload
            else b"", max_bytes=current_app.config["CONTRIBUTION_MAX_BYTES"])
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        flash(_("The text of “%(title)s” has been received.", title=contribution.title),
              "success")
    return redirect(url_for("nomination.page", token=token) + "#contributions")


@nomination_bp.get("/n/<token>/contributions/<int:contribution_id>")
@limiter.limit("30 per minute")
def contribution_download(token: str, contribution_id: int):
    from ..downloads import contribution_download
    from ..events.models import Contribution

    link = _link_or_404(token)
    contribution = db.session.get(Contribution, contribution_id)
    if link.revoked_at is not None or contribution is None \
            or contribution.unit_id != link.unit_id \
            or contribution.agenda_item.event_id != link.event_id:
        abort(404)
    return contribution_download(contribution)


@nomination_bp.post("/n/<token>/confirm")
@limiter.limit("60 per minute")
def confirm(token: str):
    link = _link_or_404(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        count = attendee_services.confirm_carried_over(link)
    except DomainError as exc:
        flash(str(exc.message), "error")
    else:
        flash(_("%(n)d delegate(s) confirmed for this meeting.", n=count), "success")
    return redirect(url_for("nomination.page", token=token))


@nomination_bp.post("/n/<token>/<int:attendee_id>")
@limiter.limit("60 per minute")
@limit_guesses
def update(token: str, attendee_id: int):
    link = _link_or_404(token)
    person = attendee_services.find_attendee(link.event, attendee_id)
    form = PersonForm(prefix=f"p{attendee_id}")
    if form.validate_on_submit():
        try:
            attendee_services.update_attendee(
                person, full_name=form.full_name.data, position=form.position.data,
                phone=form.phone.data, email=form.email.data, link=link)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            flash(str(exc.message), "error")
            return redirect(url_for("nomination.page", token=token))
        else:
            flash(_("Changes to %(name)s saved.", name=person.full_name), "success")
            return redirect(url_for("nomination.page", token=token))
    return _nomination_page(link, status=422, editing=attendee_id, edit_form=form)


@nomination_bp.post("/n/<token>/<int:attendee_id>/delete")
@limiter.limit("60 per minute")
@limit_guesses
def remove(token: str, attendee_id: int):
    link = _link_or_404(token)
    person = attendee_services.find_attendee(link.event, attendee_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    attendee_services.remove_attendee(person, link=link)
    flash(_("%(name)s has been removed from the list.", name=person.full_name), "info")
    return redirect(url_for("nomination.page", token=token))
