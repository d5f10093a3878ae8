"""Jobs of an event: the list, one job's page and status, its file, cancel and retry."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.access import event_access
from ..auth.services import can
from ..events.forms import ConfirmForm
from ..events.models import Event
from . import services
from .models import Job
from .responses import started, status_json

bp = Blueprint("jobs", __name__)


def _job(event: Event, job_id: int) -> Job:
    job = services.find_job(event, job_id)
    kind = services.KINDS.get(job.kind)
    if not can(current_user, event, kind.role if kind else "organizer"):
        abort(403)
    return job


@bp.get("/events/<int:event_id>/jobs/")
@event_access("moderator")
def index(event: Event):
    jobs = [j for j in services.event_jobs(event)
            if can(current_user, event, services.KINDS[j.kind].role
                   if j.kind in services.KINDS else "organizer")]
    return render_template("jobs/index.html", event=event, jobs=jobs, status_json=status_json,
                           confirm=ConfirmForm())


@bp.get("/events/<int:event_id>/jobs/<int:job_id>")
@event_access("moderator")
def show(event: Event, job_id: int):
    job = _job(event, job_id)
    return render_template("jobs/show.html", event=event, job=job, info=status_json(job),
                           confirm=ConfirmForm())


@bp.get("/events/<int:event_id>/jobs/<int:job_id>.json")
@event_access("moderator")
def status(event: Event, job_id: int):
    response = jsonify(status_json(_job(event, job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events/<int:event_id>/jobs/<int:job_id>/download")
@event_access("moderator")
def download(event: Event, job_id: int):
    job = _job(event, job_id)
    path = services.job_file(job)
    if path is None:
        abort(404)
    inline = job.result_mime == "application/pdf"
    response = send_file(path, mimetype=job.result_mime, as_attachment=not inline,
                         download_name=job.result_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/events/<int:event_id>/jobs/<int:job_id>/cancel")
@event_access("moderator")
def cancel(event: Event, job_id: int):
    job = _job(event, job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.cancel_job(job)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(status_json(job))
    return redirect(url_for("jobs.show", event_id=event.id, job_id=job.id), code=303)


@bp.post("/events/<int:event_id>/jobs/<int:job_id>/retry")
@event_access("moderator")
def retry(event: Event, job_id: int):
    job = _job(event, job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return started(services.retry_job(job))


@bp.get("/jobs/mine.json")
@login_required
def mine():
    """The signed-in user's active and recently ended jobs: the notice on every page."""
    jobs = services.recent_jobs_of(current_user)
    response = jsonify({"jobs": [status_json(j) for j in jobs],
                        "title": _("Background jobs")})
    response.headers["Cache-Control"] = "no-store"
    return response
