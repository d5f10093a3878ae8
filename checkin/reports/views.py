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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from ..attendees.services import find_attendee
from ..auth.access import event_access
from ..auth.services import can
from ..events.forms import ConfirmForm
from ..events.models import Event, EventSeries
from ..extensions import db
from ..security import db_int
from . import charts, services
from .exporters import Section, to_csv, to_pdf, to_xlsx

bp = Blueprint("reports", __name__)

STATUS_LABELS = {"in_person": _l("Present in person"), "online": _l("Present online"),
                 "excused": _l("Absent, excused"), "absent": _l("Absent, unexcused")}


def _labels():
    from ..attendees.labels import CATEGORY_LABELS
    from ..dialogue.services import KIND_LABELS, STATUS_LABELS

    return CATEGORY_LABELS, KIND_LABELS, STATUS_LABELS


def attendance_sections(report) -> list[Section]:
    categories, _kinds, _statuses = _labels()
    unit_header = [_("Unit"), _("Quota"), _("Nominated"), _("In person"), _("Online"),
                   _("Present"), _("Rate"), _("Absent, excused"), _("Absent, unexcused"),
                   _("Substitutes")]

    def row(r, label):
        return [label, r.quota, r.nominated, r.in_person, r.online, r.present,
                f"{r.rate:.0%}", r.excused, r.unexcused, r.substitutes]

    units = [row(r, r.unit) for r in report.units] + [row(report.total, _("Total"))]
    others = [row(r, str(categories.get(r.unit, r.unit))) for r in report.others]
    people = [[p.name, p.position, p.affiliation, str(categories.get(p.category, p.category)),
               str(STATUS_LABELS[p.status]),
               _clock(p.checked_in_at), p.gate, p.method, p.note] for p in report.people]
    return [
        Section(_("Attendance by unit"), unit_header, units, [34, 8, 9, 9, 8, 8, 7, 10, 11, 9],
                chart=lambda pdf, x, y, w: charts.draw_rates(pdf, report, x, y, w)),
        Section(_("Guests, press and presidium"), unit_header, others,
                [34, 8, 9, 9, 8, 8, 7, 10, 11, 9]),
        Section(_("Arrivals over time (per 5 minutes, per gate)"), [], [],
                chart=lambda pdf, x, y, w: charts.draw_arrivals(pdf, report, x, y, w)),
        Section(_("Everyone, with check-in time, gate and method"),
                [_("Full name"), _("Position"), _("Unit or organisation"), _("Category"),
                 _("Status"), _("Time"), _("Gate"), _("Method"), _("Reason")],
                people, [28, 22, 30, 12, 14, 9, 12, 10, 20]),
    ]


def dialogue_sections(report) -> list[Section]:
    _categories, kinds, statuses = _labels()
    header = ["#", _("Question"), _("Unit"), _("Kind"), _("Topic"), _("Answering agency"),
              _("Support"), _("Status"), _("Answer")]
    widths = [5, 50, 22, 12, 16, 20, 8, 12, 35]

    def rows(items):
        out = []
        for q in items:
            out.append([q.id, q.text, q.unit, str(kinds[q.kind]), q.topic, q.agency, q.votes,
                        str(statuses[q.status]), q.answer])
            for m in q.merged:
                out.append([f"↳ {m.id}", m.text, m.unit, str(kinds[m.kind]), "", "", m.votes,
                            str(statuses["merged"]), ""])
        return out

    sections = [Section(_("By topic") + f": {topic}", header, rows(items), widths)
                for topic, items in report.by_topic.items()]
    sections += [Section(_("Unanswered — to send to") + f" {agency}", header, rows(items), widths)
                 for agency, items in report.unanswered_by_agency.items()]
    return sections


def _clock(value) -> str:
    from ..i18n import format_short

    return format_short(value) if value else ""


def _export(event: Event, title: str, sections: list[Section], name: str):
    fmt = request.args.get("format")
    if fmt == "xlsx":
        response = make_response(to_xlsx(sections))
        response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        response = make_response(to_csv(sections))
        response.mimetype = "text/csv"
        response.charset = "utf-8"
    elif fmt == "pdf":
        response = make_response(to_pdf(event, title, sections))
        response.mimetype = "application/pdf"
    else:
        return None
    disposition = "inline" if fmt == "pdf" else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}.{fmt}"'
    return response


@bp.get("/events/<int:event_id>/reports")
@event_access("moderator")
def attendance(event: Event):
    report = services.attendance_report(event)
    exported = _export(event, _("Attendance report"), attendance_sections(report),
                       f"diem-danh-{event.id}")
    if exported is not None:
        return exported
    return render_template("reports/attendance.html", event=event, report=report,
                           rate_svg=Markup(charts.rate_svg(
                               report, title=_("Attendance by unit"))),
                           arrivals_svg=Markup(charts.arrivals_svg(
                               report, title=_("Arrivals over time (per 5 minutes, per gate)"))),
                           confirm=ConfirmForm(), status=STATUS_LABELS)


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
    title = _("Compiled opinions, questions and proposals")
    exported = _export(event, title, dialogue_sections(report),
                       f"tong-hop-y-kien-{event.id}" + (f"-{agency_id}" if agency_id else ""))
    if exported is not None:
        return exported
    _c, kinds, statuses = _labels()
    return render_template("reports/dialogue.html", event=event, report=report,
                           agencies=agencies(event), agency_id=agency_id, kinds=kinds,
                           statuses=statuses)


@bp.get("/series/<int:series_id>/report")
@login_required
def series(series_id: int):
    series = db.session.get(EventSeries, series_id) or abort(404)
    if not all(can(current_user, e, "moderator") for e in series.events):
        abort(403)
    events, rows = services.series_report(series)
    header = [_("Unit")] + [f"{e.title} ({_clock(e.starts_at)})" for e in events]
    sections = [Section(_("Attendance across the series"), header,
                        [[u] + [f"{p}/{q}" if q else str(p) for p, q in cells]
                         for u, cells in rows], [34] + [18] * len(events))]
    exported = _export(events[-1], _("Attendance across the series"), sections,
                       f"chuoi-{series.id}")
    if exported is not None:
        return exported
    return render_template("reports/series.html", series=series, events=events, rows=rows)
