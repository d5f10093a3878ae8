"""Report files (PDF, Excel, CSV) made by a worker as background jobs."""

from __future__ import annotations

from flask_babel import gettext as _

from ..errors import DomainError
from ..events.models import Event, EventSeries
from ..extensions import db
from ..jobs.services import Output, Progress
from . import services
from .documents import attendance_sections, dialogue_sections, series_sections
from .exporters import to_csv, to_pdf, to_xlsx

MIME = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export_report(job, progress: Progress) -> Output:
    """params: report (attendance, dialogue, series), format, agency, series."""
    params = job.params
    event = db.session.get(Event, job.event_id)
    progress(0, 3, force=True)
    if params["report"] == "attendance":
        title = _("Attendance report")
        sections = attendance_sections(services.attendance_report(event))
        name = f"diem-danh-{event.id}"
    elif params["report"] == "dialogue":
        agency = params.get("agency")
        title = _("Compiled opinions, questions and proposals")
        sections = dialogue_sections(services.dialogue_report(event, agency_id=agency))
        name = f"tong-hop-y-kien-{event.id}" + (f"-{agency}" if agency else "")
    elif params["report"] == "series":
        series = db.session.get(EventSeries, params["series"])
        if series is None:
            raise DomainError(_("This series no longer exists."), code="series_not_found")
        events, rows = services.series_report(series)
        title = _("Attendance across the series")
        sections = series_sections(events, rows)
        event = events[-1]
        name = f"chuoi-{series.id}"
    else:
        raise DomainError(_("Unknown report."), code="unknown_report")
    progress(1, 3, force=True)
    fmt = params["format"]
    if fmt == "pdf":
        content = to_pdf(event, title, sections)
    elif fmt == "xlsx":
        content = to_xlsx(sections)
    else:
        content = to_csv(sections)
    progress(2, 3, force=True)
    return Output(content, f"{name}.{fmt}", MIME[fmt])
