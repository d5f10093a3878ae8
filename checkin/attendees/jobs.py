"""The heavy work of the people pages, run by a worker as background jobs.

Each function is a job kind's runner (see :data:`checkin.jobs.services.KINDS`):
``run(job, progress) -> Output``. They call the same services the pages used to call
in the request, and report progress as they go.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _

from ..errors import DomainError
from ..events.models import Event
from ..extensions import db
from ..jobs.services import Output, Progress, jobs_dir
from . import letters, mailing, services, transfer

PDF = "application/pdf"


def _event(job) -> Event:
    return db.session.get(Event, job.event_id)


def _people(event: Event, params: dict) -> list:
    people = services.select_attendees(event, unit_id=params.get("unit"),
                                       category=params.get("category"),
                                       attendee_id=params.get("attendee"))
    if not people:
        raise DomainError(_("Nobody matches this selection."), code="empty_selection")
    return people


def selection_params(unit_id, category, attendee_id) -> dict:
    """The job parameters of a selection (only what is set, so equal selections dedupe)."""
    params = {"unit": unit_id, "category": category, "attendee": attendee_id}
    return {k: v for k, v in params.items() if v}


def make_letters(job, progress: Progress) -> Output:
    event = _event(job)
    pdf = letters.render_letters(event, _people(event, job.params), progress=progress)
    return Output(pdf, _name("giay-moi", job.params, "pdf"), PDF)


def make_badges(job, progress: Progress) -> Output:
    event = _event(job)
    pdf = letters.render_badges(event, _people(event, job.params), progress=progress)
    return Output(pdf, _name("the-dai-bieu", job.params, "pdf"), PDF)


def _name(stem: str, params: dict, ext: str) -> str:
    parts = [stem] + [f"{k}-{v}" for k, v in sorted(params.items()) if k != "format"]
    return "-".join(parts) + f".{ext}"


# --- import: check, then apply --------------------------------------------------

def uploads_dir() -> Path:
    """Uploaded lists wait here between the check and the import (shared with workers)."""
    path = jobs_dir() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(event_id: int, key: str) -> Path:
    return uploads_dir() / f"{event_id}-{key}"


def _upload(job) -> bytes:
    path = upload_path(job.event_id, job.params["upload"])
    if not path.is_file():
        raise DomainError(_("The uploaded file has expired. Please upload it again."),
                          code="missing_upload")
    return path.read_bytes()


def check_import(job, progress: Progress) -> Output:
    """Read and check the list (nothing is saved): the preview the page shows."""
    event = _event(job)
    plan = transfer.plan_import(event, job.params["upload"], _upload(job), progress=progress)
    summary = {
        "ok": plan.ok,
        "add": [{"row": p.row, "values": p.values,
                 "unit": {"id": p.unit.id, "name": p.unit.name} if p.unit else None}
                for p in plan.add],
        "duplicates": plan.duplicates,
        "errors": plan.errors,
        "next": {"endpoint": "attendees.import_people",
                 "args": {"event_id": event.id, "check": job.id}},
    }
    return Output(summary=summary)


def apply_import(job, progress: Progress) -> Output:
    """Add everyone in the checked list (or nobody, if it changed and no longer fits)."""
    event = _event(job)
    data = _upload(job)
    progress(0, 1, force=True)
    plan = transfer.import_people(event, job.params["upload"], data,
                                  by_user=job.created_by)
    upload_path(job.event_id, job.params["upload"]).unlink(missing_ok=True)
    progress(1, 1, force=True)
    return Output(summary={"added": len(plan.add), "duplicates": len(plan.duplicates),
                           "next": {"endpoint": "attendees.index",
                                    "args": {"event_id": event.id}}})


# --- e-mail -----------------------------------------------------------------------

def send_email(job, progress: Progress) -> Output:
    """Send the event's pending invitations; a stopped batch fails with the reason (the
    rest stay pending for Retry)."""
    event = _event(job)
    result = mailing.send_pending(event, progress=progress)
    if result.stopped:
        raise DomainError(_("Sending stopped: %(reason)s. The rest are still waiting; press "
                            "Retry to continue.", reason=result.stopped), code="mail_stopped")
    return Output(summary={"sent": result.sent, "failed": result.failed,
                           "next": {"endpoint": "attendees.email",
                                    "args": {"event_id": event.id}}})
