"""Report pages and their exports. The views only render; the numbers come from services."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..attendees.services import find_attendee
from ..auth.access import event_access
from ..auth.services import can
from ..events.forms import ConfirmForm
from ..events.models import Event, EventSeries
from ..extensions import db
from ..jobs.responses import started
from ..jobs.services import start_job
from ..security import db_int
from . import charts, services
from .documents import (
    STATUS_LABELS,
    _labels,
    attendance_sections,
    dialogue_sections,
    series_sections,
)
from .exporters import to_csv

bp = Blueprint("reports", __name__)

def _csv(sections, name: str):
    """CSV stays in the request: a few milliseconds of string formatting."""
    if request.args.get("format") != "csv":
        return None
    response = make_response(to_csv(sections))
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _start_export(event: Event, params: dict):
    """PDF and Excel files are made by a worker: start (or join) the job."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    fmt = request.form.get("format")
    if fmt not in ("pdf", "xlsx", "csv"):
        abort(400)
    job = start_job(event, "report", {**params, "format": fmt}, by_user=current_user,
                    locale=str(get_locale()))
    return started(job)


@bp.get("/events/<int:event_id>/reports")
@event_access("moderator")
def attendance(event: Event):
    report = services.attendance_report(event)
    exported = _csv(attendance_sections(report), f"diem-danh-{event.id}")
    if exported is not None:
        return exported
    return render_template("reports/attendance.html", event=event, report=report,
                           rate_svg=Markup(charts.rate_svg(
                               report, title=_("Attendance by unit"))),
                           arrivals_svg=Markup(charts.arrivals_svg(
                               report, title=_("Arrivals over time (per 5 minutes, per gate)"))),
                           confirm=ConfirmForm(), status=STATUS_LABELS)


@bp.post("/events/<int:event_id>/reports/export")
@event_access("moderator")
def export_attendance(event: Event):
    return _start_export(event, {"report": "attendance"})


@bp.post("/events/<int:event_id>/reports/dialogue/export")
@event_access("moderator")
def export_dialogue(event: Event):
    agency_id = request.form.get("agency", type=int)
    return _start_export(event, {"report": "dialogue", **({"agency": agency_id}
                                                          if agency_id else {})})


@bp.post("/events/<int:event_id>/reports/excuse/<int:attendee_id>")
@event_access()
def excuse(event: Event, attendee_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = find_attendee(event, attendee_id)
    services.set_excuse(event, person, reason=request.form.get("reason", ""),
                        by_user=current_user)
    flash(_("Saved."), "success")
    return redirect(url_for("reports.attendance", event_id=event.id) + "#people")


@bp.get("/events/<int:event_id>/reports/dialogue")
@event_access("moderator")
def dialogue(event: Event):
    from ..dialogue.services import agencies

    agency_id = request.args.get("agency", type=db_int)
    report = services.dialogue_report(event, agency_id=agency_id)
    exported = _csv(dialogue_sections(report),
                    f"tong-hop-y-kien-{event.id}" + (f"-{agency_id}" if agency_id else ""))
    if exported is not None:
        return exported
    _c, kinds, statuses = _labels()
    return render_template("reports/dialogue.html", event=event, report=report,
                           agencies=agencies(event), agency_id=agency_id, kinds=kinds,
                           statuses=statuses, confirm=ConfirmForm())


@bp.get("/series/<int:series_id>/report")
@login_required
def series(series_id: int):
    series = db.session.get(EventSeries, series_id) or abort(404)
    if not all(can(current_user, e, "moderator") for e in series.events):
        abort(403)
    events, rows = services.series_report(series)
    exported = _csv(series_sections(events, rows), f"chuoi-{series.id}")
    if exported is not None:
        return exported
    return render_template("reports/series.html", series=series, events=events, rows=rows,
                           confirm=ConfirmForm())


@bp.post("/series/<int:series_id>/report/export")
@login_required
def export_series(series_id: int):
    """The series report's file; the job belongs to the series' latest meeting."""
    series = db.session.get(EventSeries, series_id) or abort(404)
    if not series.events or not all(can(current_user, e, "moderator") for e in series.events):
        abort(403)
    return _start_export(series.events[-1], {"report": "series", "series": series.id})
