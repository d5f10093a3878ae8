"""Event pages: the list, creating, editing, copying, the agenda and the staff."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import broadcast
from ..auth import services as auth_services
from ..auth.access import event_access, organizer_required
from ..auth.forms import EventRoleForm
from ..auth.models import EventRole, User
from ..downloads import contribution_download
from ..errors import ValidationError
from ..extensions import db
from ..forms import apply_errors, options
from ..i18n import from_local, to_local
from ..units.forms import unit_choices
from ..units.models import Unit
from ..units.services import quota_table
from . import services
from .forms import (
    AgendaItemForm,
    ConfirmForm,
    ContributionForm,
    CopyEventForm,
    EventForm,
    SeriesForm,
)
from .models import AgendaItem, Contribution, Event

bp = Blueprint("events", __name__, url_prefix="/events")


def _planned(event: Event, value: time | None) -> datetime | None:
    """An agenda time typed as "13:30" on the event's day, as an aware time."""
    if value is None:
        return None
    return from_local(datetime.combine(to_local(event.starts_at).date(), value))


def _parent_choices(event: Event, form: AgendaItemForm, item: AgendaItem | None = None):
    form.parent_id.choices = options(
        [(0, _("— a main item —"))]
        + [(i.id, f"{n}. {i.title[:60]}") for i, n, depth in event.agenda_outline()
           if depth == 0 and (item is None or i.id != item.id)])
    return form


def _item_form(item: AgendaItem) -> AgendaItemForm:
    form = AgendaItemForm(formdata=None, obj=item, prefix=f"i{item.id}")
    form.planned_start.data = to_local(item.planned_start).time() if item.planned_start else None
    form.parent_id.data = item.parent_id or 0
    return _parent_choices(item.event, form, item)


def _unit(unit_id: int | None) -> Unit | None:
    return db.session.get(Unit, unit_id) if unit_id else None


@bp.get("/")
@login_required
def index():
    events = db.session.scalars(auth_services.visible_events_query(current_user)).all()
    return render_template("events/index.html", events=events,
                           can_create=auth_services.can_create_events(current_user))


def _event_values(form: EventForm, starts_at) -> dict:
    return dict(title=form.title.data, theme=form.theme.data, kind=form.kind.data,
                mode=form.mode.data, starts_at=starts_at, ends_at=form.ends_at.aware,
                venue=form.venue.data, venue_address=form.venue_address.data,
                nomination_deadline=form.nomination_deadline.aware,
                host_unit=_unit(form.host_unit_id.data),
                quotas_enabled=form.quotas_enabled.data,
                date_to_be_fixed=form.month_only.data,
                checkin_opens_minutes=form.checkin_opens_minutes.data,
                checkin_closes_minutes=form.checkin_closes_minutes.data)


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def create():
    form = EventForm()
    form.host_unit_id.choices = unit_choices(_("— none —"))
    if form.validate_on_submit() and (starts_at := form.start()) is not None:
        try:
            event = services.create_event(created_by=current_user,
                                          **_event_values(form, starts_at))
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Event created. Now add its agenda and quotas."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=None,
                           defaults=_window_defaults()), status


def _window_defaults() -> dict:
    return {"opens": services.DEFAULT_OPENS_MINUTES, "closes": services.DEFAULT_CLOSES_MINUTES}


@bp.get("/<int:event_id>")
@event_access("moderator", "gate")
def detail(event: Event):
    roles = auth_services.event_roles(current_user, event)
    return render_template("events/detail.html", event=event, table=quota_table(event),
                           roles=roles, confirm=ConfirmForm(),
                           warnings=services.date_warnings(event) if "organizer" in roles
                           else [])


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@event_access()
def edit(event: Event):
    form = EventForm(obj=event)
    form.host_unit_id.choices = unit_choices(_("— none —"))
    if request.method == "GET":
        form.host_unit_id.data = event.host_unit_id or 0
        form.month_only.data = event.date_to_be_fixed
        form.starts_month.data = to_local(event.starts_at).date()
    if form.validate_on_submit() and (starts_at := form.start()) is not None:
        old_start, old_mode = event.starts_at, event.mode
        try:
            services.update_event(event, **_event_values(form, starts_at))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Event saved."), "success")
            if event.starts_at != old_start and event.agenda:
                flash(_("The programme moved with the meeting: every agenda time is now "
                        "%(delta)s.", delta=_delta_words(event.starts_at - old_start)), "info")
            if event.mode != old_mode:
                _push_live(event)
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/form.html", form=form, event=event,
                           defaults=_window_defaults()), status


def _delta_words(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    later = minutes > 0
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d day(s)", n=days))
    if hours:
        parts.append(_("%(n)d hour(s)", n=hours))
    if mins:
        parts.append(_("%(n)d minute(s)", n=mins))
    amount = " ".join(parts)
    return _("%(amount)s later", amount=amount) if later else \
        _("%(amount)s earlier", amount=amount)


def _push_live(event: Event) -> None:
    """Tell every open page (phones, projector, gates, consoles) the new mode."""
    from .. import broadcast
    from ..dialogue import services as dialogue

    broadcast.dialogue_changed(event, dialogue.public_state(event),
                               dialogue.console_state(event))


@bp.route("/<int:event_id>/copy", methods=["GET", "POST"])
@event_access()
def copy(event: Event):
    if not auth_services.can_create_events(current_user):
        abort(403)
    proposal = services.propose_next(event)
    if request.method == "GET":
        form = CopyEventForm(formdata=None, data={
            "title": proposal.title, "theme": proposal.theme,
            "starts_at": proposal.starts_at, "month_only": proposal.date_to_be_fixed,
            "starts_month": to_local(proposal.starts_at).date(),
            "venue": proposal.venue, "venue_address": proposal.venue_address,
            "host_unit_id": proposal.host_unit.id if proposal.host_unit else 0,
            "carry_delegates": True})
    else:
        form = CopyEventForm()
    form.host_unit_id.choices = unit_choices(_("— none —"), event=event)
    if form.validate_on_submit() and (starts_at := form.start()) is not None:
        try:
            new = services.copy_event(
                event, created_by=current_user, title=form.title.data, theme=form.theme.data,
                starts_at=starts_at, venue=form.venue.data,
                venue_address=form.venue_address.data,
                host_unit=_unit(form.host_unit_id.data), copy_people=form.copy_people.data,
                date_to_be_fixed=form.month_only.data,
                carry_delegates=form.carry_delegates.data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("The next meeting of the series has been created from “%(title)s”.",
                    title=event.title), "success")
            return redirect(url_for("events.detail", event_id=new.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/copy.html", form=form, event=event,
                           proposal=proposal), status


@bp.route("/<int:event_id>/series", methods=["GET", "POST"])
@event_access()
def series(event: Event):
    """The series' own name, its interval and its host rotation."""
    current = event.series
    if request.method == "GET":
        hosts = [{"unit_id": h.unit_id, "venue": h.venue, "venue_address": h.venue_address}
                 for h in (current.hosts if current else [])]
        if not hosts and event.host_unit_id:
            hosts = [{"unit_id": event.host_unit_id, "venue": event.venue,
                      "venue_address": event.venue_address}]
        hosts += [{"unit_id": 0, "venue": "", "venue_address": ""}] * max(3 - len(hosts), 1)
        form = SeriesForm(formdata=None, data={
            "title": current.title if current else "",
            "short_name": current.short_name if current else "",
            "interval_months": current.interval_months if current else 3, "hosts": hosts})
    else:
        form = SeriesForm()
    choices = unit_choices(_("— none —"), event=event)
    for entry in form.hosts.entries:
        entry.form.unit_id.choices = choices
    if form.validate_on_submit():
        try:
            services.save_series(
                event, title=form.title.data, short_name=form.short_name.data,
                interval_months=form.interval_months.data,
                hosts=[{"unit": _unit(e.form.unit_id.data), "venue": e.form.venue.data,
                        "venue_address": e.form.venue_address.data}
                       for e in form.hosts.entries])
        except ValidationError as exc:
            db.session.rollback()
            apply_errors(form, exc)
        else:
            flash(_("Series saved."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 422 if request.method == "POST" else 200
    return render_template("events/series.html", form=form, event=event), status


@bp.post("/<int:event_id>/delete")
@event_access()
def delete(event: Event):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_event(event)
    flash(_("Event deleted."), "info")
    return redirect(url_for("events.index"))


# --- agenda ----------------------------------------------------------------

def _agenda_page(event: Event, form=None, contribution_form=None, status: int = 200):
    contribution_form = contribution_form or ContributionForm(prefix="c")
    contribution_form.unit_id.choices = unit_choices(event=event)
    return render_template("events/agenda.html", event=event,
                           form=_parent_choices(event, form or AgendaItemForm()),
                           contribution_form=contribution_form, confirm=ConfirmForm(),
                           edit_forms={item.id: _item_form(item) for item in event.agenda},
                           reminder=_contribution_reminder(event)), status


def _contribution_reminder(event: Event):
    """A message to paste into a unit's chat group about a contribution still missing:
    its title, the deadline and the unit's link (where the text is sent)."""
    from flask import current_app
    from sqlalchemy import select as sql_select

    from ..i18n import format_when
    from ..units.models import NominationLink

    links = {link.unit_id: link for link in db.session.scalars(sql_select(NominationLink).where(
        NominationLink.event_id == event.id, NominationLink.revoked_at.is_(None)))}

    def reminder(contribution: Contribution) -> str:
        link = links.get(contribution.unit_id)
        url = (current_app.config["PUBLIC_URL"]
               + url_for("nomination.page", token=link.token)) if link else ""
        deadline = format_when(contribution.deadline) if contribution.deadline else ""
        return _("%(unit)s: the text of your contribution “%(title)s” for “%(event)s” has "
                 "not arrived yet. Please send it (PDF or Word) before %(deadline)s through "
                 "your unit's page: %(url)s", unit=contribution.unit.name,
                 title=contribution.title, event=event.title, deadline=deadline, url=url)

    return reminder


def _agenda_item(event: Event, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.event_id != event.id:
        abort(404)
    return item


@bp.get("/<int:event_id>/agenda")
@event_access()
def agenda(event: Event):
    return _agenda_page(event)


@bp.post("/<int:event_id>/agenda")
@event_access()
def add_agenda_item(event: Event):
    form = AgendaItemForm()
    if form.validate_on_submit():
        try:
            services.add_agenda_item(event, title=form.title.data,
                                     planned_start=_planned(event, form.planned_start.data),
                                     duration_minutes=form.duration_minutes.data,
                                     presenter=form.presenter.data,
                                     parent_id=form.parent_id.data or None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(url_for("events.agenda", event_id=event.id))
    return _agenda_page(event, form=form, status=422)


@bp.post("/<int:event_id>/agenda/<int:item_id>")
@event_access()
def update_agenda_item(event: Event, item_id: int):
    item = _agenda_item(event, item_id)
    form = AgendaItemForm(prefix=f"i{item.id}")
    if form.validate_on_submit():
        try:
            services.update_agenda_item(item, title=form.title.data,
                                        planned_start=_planned(event, form.planned_start.data),
                                        duration_minutes=form.duration_minutes.data,
                                        presenter=form.presenter.data,
                                        parent_id=form.parent_id.data or None)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            flash(_("Agenda item saved."), "success")
            return redirect(url_for("events.agenda", event_id=event.id))
    flash(_("The agenda item was not saved: %(errors)s",
            errors="; ".join(e for errs in form.errors.values() for e in errs)), "error")
    return redirect(url_for("events.agenda", event_id=event.id))


@bp.post("/<int:event_id>/agenda/<int:item_id>/move")
@event_access()
def move_agenda_item(event: Event, item_id: int):
    item = _agenda_item(event, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.move_agenda_item(item, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("events.agenda", event_id=event.id))


@bp.post("/<int:event_id>/agenda/<int:item_id>/delete")
@event_access()
def delete_agenda_item(event: Event, item_id: int):
    item = _agenda_item(event, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_agenda_item(item)
    flash(_("Agenda item removed."), "info")
    return redirect(url_for("events.agenda", event_id=event.id))


@bp.post("/<int:event_id>/agenda/<int:item_id>/contributions")
@event_access()
def add_contribution(event: Event, item_id: int):
    item = _agenda_item(event, item_id)
    form = ContributionForm(prefix="c")
    form.unit_id.choices = unit_choices(event=event)
    if form.validate_on_submit():
        try:
            services.add_contribution(item, unit=_unit(form.unit_id.data),
                                      title=form.title.data, speaker=form.speaker.data,
                                      deadline=form.deadline.aware)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(url_for("events.agenda", event_id=event.id) + f"#item-{item.id}")
    return _agenda_page(event, contribution_form=form, status=422)


@bp.post("/<int:event_id>/contributions/<int:contribution_id>/delete")
@event_access()
def delete_contribution(event: Event, contribution_id: int):
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or contribution.agenda_item.event_id != event.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_contribution(contribution)
    return redirect(url_for("events.agenda", event_id=event.id))


@bp.get("/<int:event_id>/contributions/<int:contribution_id>/document")
@event_access("moderator")
def contribution_document(event: Event, contribution_id: int):
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None or contribution.agenda_item.event_id != event.id:
        abort(404)
    return contribution_download(contribution)


# --- staff -----------------------------------------------------------------

def _staff_page(event: Event, form: EventRoleForm | None = None, status: int = 200):
    form = form or EventRoleForm()
    form.user_id.choices = options((u.id, f"{u.full_name} ({u.username})") for u in
                                   db.session.scalars(select(User).where(User.active.is_(True))
                                                      .order_by(User.full_name)))
    grants = db.session.scalars(select(EventRole).where(EventRole.event_id == event.id)
                                .order_by(EventRole.role)).all()
    return render_template("events/staff.html", event=event, form=form, grants=grants,
                           confirm=ConfirmForm()), status


@bp.get("/<int:event_id>/staff")
@event_access()
def staff(event: Event):
    return _staff_page(event)


@bp.post("/<int:event_id>/staff")
@event_access()
def add_staff(event: Event):
    form = EventRoleForm()
    form.user_id.choices = options((u.id, u.username) for u in db.session.scalars(select(User)))
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) or abort(404)
        auth_services.assign_event_role(event, user, form.role.data)
        flash(_("%(name)s can now act in this event.", name=user.full_name), "success")
        return redirect(url_for("events.staff", event_id=event.id))
    return _staff_page(event, form, 422)


@bp.post("/<int:event_id>/staff/<int:grant_id>/delete")
@event_access()
def remove_staff(event: Event, grant_id: int):
    grant = db.session.get(EventRole, grant_id)
    if grant is None or grant.event_id != event.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user_id = grant.user_id
    auth_services.revoke_event_role(grant)
    # Its sockets may be in this event's rooms: disconnect them; they may come back
    # to what they still hold.
    broadcast.end_access(broadcast.user_room(user_id))
    return redirect(url_for("events.staff", event_id=event.id))
