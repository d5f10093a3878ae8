"""The organizer's audit page for an event, and its export."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _

from ..auth.access import event_access
from ..events.models import Event
from ..i18n import format_when
from ..reports.exporters import Section, to_csv, to_xlsx
from . import services
from .labels import ACTION_LABELS

bp = Blueprint("audit", __name__, url_prefix="/events/<int:event_id>/audit")

PAGE_SIZE = 500


@bp.get("/")
@event_access()
def index(event: Event):
    return render_template("audit/index.html", event=event, labels=ACTION_LABELS,
                           entries=services.event_entries(event, limit=PAGE_SIZE))


def _section(event: Event) -> Section:
    def text(value):
        return json.dumps(value, ensure_ascii=False) if value else ""

    rows = [[format_when(e.at), e.actor, str(ACTION_LABELS.get(e.action, e.action)),
             e.target, text(e.before), text(e.after), e.request_id]
            for e in services.event_entries(event)]
    return Section(title=_("Audit trail"), rows=rows, widths=[22, 28, 30, 30, 40, 40, 14],
                   header=[_("When"), _("Who"), _("Action"), _("On"), _("Before"),
                           _("After"), _("Request")])


@bp.get("/audit.<any(csv, xlsx):fmt>")
@event_access()
def export(event: Event, fmt: str):
    sections = [_section(event)]
    if fmt == "csv":
        body, mimetype = to_csv(sections), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(sections)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="audit-{event.id}.{fmt}"'})
