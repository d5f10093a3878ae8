"""The reports as sections (title, header, rows, chart) for the exporters.

Shared by the report pages (CSV in the request) and the background jobs that make
the PDF and Excel files (:mod:`.jobs`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import charts
from .exporters import Section

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
               clock(p.checked_in_at), p.gate, p.method, p.note] for p in report.people]
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


def clock(value) -> str:
    from ..i18n import format_short

    return format_short(value) if value else ""


def series_sections(events, rows) -> list[Section]:
    header = [_("Unit")] + [f"{e.title} ({clock(e.starts_at)})" for e in events]
    return [Section(_("Attendance across the series"), header,
                    [[u] + [f"{p}/{q}" if q else str(p) for p, q in cells]
                     for u, cells in rows], [34] + [18] * len(events))]
