"""The organizer's list of people: delegates, guests, press, presidium."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth.access import event_access
from ..errors import DomainError, ValidationError
from ..events.forms import ConfirmForm
from ..events.models import Event
from ..extensions import db
from ..forms import apply_errors, options, unit_choices
from ..types import new_token
from ..units.models import Unit
from . import services
from .forms import AttendeeForm
from .models import CATEGORIES

bp = Blueprint("attendees", __name__, url_prefix="/events/<int:event_id>/people")

CATEGORY_LABELS = {
    "delegate": _l("Delegate"),
    "guest": _l("Guest"),
    "press": _l("Press"),
    "presidium": _l("Presidium"),
}


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
                           confirm=ConfirmForm()), status


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
            db.session.rollback()
            apply_errors(form, exc)
        except DomainError as exc:
            db.session.rollback()
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
            db.session.rollback()
            apply_errors(form, exc)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc.message))
        else:
            flash(_("Changes to %(name)s saved.", name=person.full_name), "success")
            return redirect(url_for("attendees.index", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("attendees/edit.html", event=event, person=person, form=form), status


@bp.post("/<int:attendee_id>/delete")
@event_access()
def delete(event: Event, attendee_id: int):
    person = services.find_attendee(event, attendee_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_attendee(person)
    flash(_("%(name)s has been removed from the list.", name=person.full_name), "info")
    return redirect(url_for("attendees.index", event_id=event.id))
