"""What a page gets back about a job: shared by the views that start jobs (people,
reports) and the jobs' own views."""

from __future__ import annotations

from flask import jsonify, redirect, request, url_for

from . import services
from .models import Job


def status_json(job: Job) -> dict:
    """The job for the page that polls it: progress, outcome, links."""
    out = services.job_payload(job)
    out["label"] = services.job_label(job)
    out["status_label"] = str(services.STATUS_LABELS.get(job.status, job.status))
    out["url"] = url_for("jobs.show", event_id=job.event_id, job_id=job.id)
    out["status_url"] = url_for("jobs.status", event_id=job.event_id, job_id=job.id)
    if services.job_file(job) is not None:
        out["download"] = url_for("jobs.download", event_id=job.event_id, job_id=job.id)
        out["filename"] = job.result_name
    follow = (job.result or {}).get("next")
    if job.status == "done" and follow:
        out["next"] = url_for(follow["endpoint"], **follow["args"])
    if job.status == "failed":
        out["error"] = services.error_text(job)
    return out


def started(job: Job):
    """The answer to a form that started a job: JSON for the page's script, else the
    job's own page (which shows the bar and refreshes itself)."""
    if request.accept_mimetypes.best == "application/json":
        return jsonify(status_json(job)), 202
    return redirect(url_for("jobs.show", event_id=job.event_id, job_id=job.id), code=303)
