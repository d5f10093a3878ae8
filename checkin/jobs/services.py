"""Starting, running, cancelling and retrying background jobs.

A job is a row in ``jobs`` (:class:`~.models.Job`) plus a message on the queue
(:mod:`.queue`) that carries its id to a worker. The row is the truth: a worker
*claims* a queued job with one atomic UPDATE (so a message delivered twice runs the
job once), reports progress on its own connection (so the job's own transaction is
never disturbed), writes the file under a temporary name and renames it when
complete, and records the outcome. A worker that dies leaves its job *running*; the
next worker to start on that machine, or the periodic sweep on any machine once the
job has been silent for ``JOBS_STALE_SECONDS``, marks it failed with the code
``interrupted`` and the organizer gets a Retry button. Nothing vanishes and nothing
half-written is served.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..types import utcnow
from . import queue
from .models import ACTIVE, Job

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A kind of job: its name for people, the function that runs it, the role it needs."""

    label: object
    #: ``"module:function"``, called as ``function(job, progress) -> Output``.
    runner: str
    #: The event role that may start, see and download it (organizers always may).
    role: str = "organizer"


KINDS: dict[str, Kind] = {
    "letters": Kind(_l("Invitation letters"), "checkin.attendees.jobs:make_letters"),
    "badges": Kind(_l("Badges"), "checkin.attendees.jobs:make_badges"),
    "import_check": Kind(_l("Checking an imported list"), "checkin.attendees.jobs:check_import"),
    "import_apply": Kind(_l("Importing a list"), "checkin.attendees.jobs:apply_import"),
    "email": Kind(_l("Sending invitations by e-mail"), "checkin.attendees.jobs:send_email"),
    "report": Kind(_l("Report file"), "checkin.reports.jobs:export_report", role="moderator"),
}


STATUS_LABELS = {"queued": _l("Waiting for a worker"), "running": _l("Running"),
                 "done": _l("Done"), "failed": _l("Failed"), "cancelled": _l("Cancelled")}


@dataclass
class Output:
    """What a job hands back: optionally a file, and a summary for the page."""

    content: bytes | None = None
    filename: str = ""
    mime: str = ""
    summary: dict = field(default_factory=dict)


class JobCancelled(Exception):
    """Raised inside a job when the organizer cancelled it."""


class Progress:
    """The running job's progress reporter: ``progress(done, total)``.

    Writes at most every ``interval`` seconds (and always at the end), on a connection
    of its own, refreshing the job's heartbeat; raises :class:`JobCancelled` when the
    organizer has cancelled the job meanwhile.
    """

    def __init__(self, job: Job, interval: float = 0.3) -> None:
        self.job_id = job.id
        self.event_id = job.event_id
        self.user_id = job.created_by_id
        self.kind = job.kind
        self.started = time.monotonic()
        self.interval = interval
        self.done = 0
        self.total = job.total or 0
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        with db.engine.begin() as conn:
            conn.execute(update(Job).where(Job.id == self.job_id).values(
                done=self.done, total=self.total, heartbeat_at=utcnow()))
            cancelled = conn.scalar(select(Job.cancel_requested).where(Job.id == self.job_id))
        _announce({"id": self.job_id, "event_id": self.event_id, "user_id": self.user_id,
                   "kind": self.kind, "status": "running", "done": self.done,
                   "total": self.total, "eta": _eta(now - self.started, self.done,
                                                     self.total)})
        if cancelled:
            raise JobCancelled()


def _eta(elapsed: float, done: int, total: int) -> int | None:
    if not total or not done or done >= total:
        return None
    return round(elapsed / done * (total - done))


def _announce(payload: dict) -> None:
    """Tell the user's pages over Socket.IO, when a message queue connects us to them
    (without one, the web process relays from the database: see :mod:`.sockets`)."""
    if current_app.config.get("MESSAGE_QUEUE"):
        from .. import broadcast

        try:
            broadcast.job_changed(payload)
        except Exception:  # noqa: BLE001 — progress must never fail the job
            log.exception("job broadcast failed")


def dedupe_key(event_id: int, kind: str, params: dict) -> str:
    raw = json.dumps([event_id, kind, params], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


# --- starting, cancelling, retrying -------------------------------------------

def start_job(event, kind: str, params: dict | None = None, *, by_user=None,
              locale: str = "vi", total: int = 0) -> Job:
    """Queue ``kind`` for ``event`` and return the job.

    If the same job (same event, kind and parameters) is already queued or running,
    that job is returned instead: a second click joins the first.
    """
    if kind not in KINDS:
        raise DomainError(_("Unknown kind of job."), code="unknown_job_kind")
    params = dict(params or {})
    key = dedupe_key(event.id, kind, params)
    existing = _active_with_key(key)
    if existing is not None:
        return existing
    job = Job(event_id=event.id, kind=kind, params=params, dedupe_key=key, status="queued",
              created_by_id=by_user.id if by_user is not None else None, locale=locale,
              total=total, result={})
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # someone started the same job a moment before
        db.session.rollback()
        existing = _active_with_key(key)
        if existing is None:
            raise
        return existing
    queue.enqueue(current_app._get_current_object(), job.id)
    return job


def _active_with_key(key: str) -> Job | None:
    return db.session.scalar(select(Job).where(Job.dedupe_key == key,
                                               Job.status.in_(ACTIVE)))


def load_job(job_id: int) -> Job | None:
    """The job as the database has it now (a worker changes it behind our back)."""
    return db.session.get(Job, job_id, populate_existing=True)


def find_job(event, job_id: int) -> Job:
    job = load_job(job_id)
    if job is None or job.event_id != event.id:
        raise NotFound(_("This job does not exist."), code="job_not_found")
    return job


def cancel_job(job: Job) -> Job:
    """Stop a job: a queued one at once, a running one at its next progress report."""
    if job.status == "queued":
        db.session.execute(update(Job).where(Job.id == job.id, Job.status == "queued")
                           .values(status="cancelled", finished_at=utcnow(),
                                   cancel_requested=True))
    elif job.status == "running":
        db.session.execute(update(Job).where(Job.id == job.id).values(cancel_requested=True))
    else:
        raise Conflict(_("This job has already ended."), code="job_ended")
    db.session.commit()
    db.session.refresh(job)
    _announce(job_payload(job))
    return job


def retry_job(job: Job) -> Job:
    """Queue a failed, cancelled or expired job again with the same parameters (or join
    the identical job already running)."""
    if job.active:
        return job
    if job.status == "done" and job_file(job) is not None:
        raise Conflict(_("This job has finished; download its file."), code="job_done")
    try:
        changed = db.session.execute(
            update(Job).where(Job.id == job.id, Job.status.notin_(ACTIVE)).values(
                status="queued", done=0, error="", error_code="", cancel_requested=False,
                started_at=None, finished_at=None, heartbeat_at=None, worker="",
                result={}, result_path="", expires_at=None, created_at=utcnow()))
        db.session.commit()
    except IntegrityError:  # the same job was started again meanwhile: join it
        db.session.rollback()
        return _active_with_key(job.dedupe_key) or job
    db.session.refresh(job)
    if changed.rowcount:
        queue.enqueue(current_app._get_current_object(), job.id)
    return job


def event_jobs(event, *, limit: int = 50) -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.event_id == event.id)
                                   .order_by(Job.id.desc()).limit(limit)
                                   .execution_options(populate_existing=True)))


def recent_jobs_of(user, *, since_minutes: int = 60) -> list[Job]:
    """The user's active jobs and those that ended in the last hour (for notices)."""
    since = utcnow() - timedelta(minutes=since_minutes)
    return list(db.session.scalars(select(Job).where(
        Job.created_by_id == user.id,
        or_(Job.status.in_(ACTIVE), Job.finished_at >= since)).order_by(Job.id.desc())
        .limit(20).execution_options(populate_existing=True)))


# --- what a job looks like to people --------------------------------------------

def job_label(job: Job) -> str:
    kind = KINDS.get(job.kind)
    label = str(kind.label) if kind else job.kind
    fmt = (job.params or {}).get("format")
    return f"{label} ({fmt.upper()})" if fmt else label


def error_text(job: Job) -> str:
    """Why the job failed, in the reader's language where the code is known."""
    if job.error_code == "interrupted":
        return _("The job was interrupted (the worker stopped or restarted). Nothing was "
                 "kept; press Retry to run it again.")
    if job.error_code == "internal":
        return _("Something went wrong while running this job. Press Retry; if it fails "
                 "again, tell the administrator.")
    if job.error_code == "missing_upload":
        return _("The uploaded file has expired. Please upload it again.")
    return job.error or _("The job failed.")


def job_file(job: Job) -> Path | None:
    """The finished file, if it is complete and still kept."""
    if job.status != "done" or not job.result_path:
        return None
    if job.expires_at is not None and job.expires_at <= utcnow():
        return None
    path = jobs_dir() / job.result_path
    return path if path.is_file() else None


def job_payload(job: Job) -> dict:
    """The job as the status JSON and the live messages carry it."""
    eta = None
    if job.status == "running" and job.started_at is not None:
        eta = _eta((utcnow() - job.started_at).total_seconds(), job.done, job.total)
    return {"id": job.id, "event_id": job.event_id, "user_id": job.created_by_id,
            "kind": job.kind, "status": job.status, "done": job.done, "total": job.total,
            "eta": eta}


# --- running (in the worker) -------------------------------------------------

def jobs_dir() -> Path:
    path = Path(current_app.config.get("JOBS_DIR") or
                Path(current_app.instance_path) / "jobs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _resolve(runner: str) -> Callable:
    module, name = runner.split(":")
    return getattr(importlib.import_module(module), name)


def run_job(job_id: int) -> None:
    """Run one job to its end (called by the worker with the job's id).

    Claims the job first: if it is no longer queued (cancelled, or run by another
    worker after a duplicate delivery), nothing happens.
    """
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.status == "queued").values(
            status="running", started_at=utcnow(), heartbeat_at=utcnow(),
            worker=queue.worker_name(), attempts=Job.attempts + 1))
    db.session.commit()
    if claimed.rowcount != 1:
        return
    job = db.session.get(Job, job_id)
    progress = Progress(job)
    _announce(job_payload(job))
    temp: Path | None = None
    try:
        with force_locale(job.locale or "vi"):
            output = _resolve(KINDS[job.kind].runner)(job, progress)
        final = ""
        if output.content is not None:
            directory = jobs_dir()
            name = f"{job.id}-{secrets.token_urlsafe(12)}{Path(output.filename).suffix}"
            temp = directory / f".{name}.part"
            with open(temp, "wb") as out:
                out.write(output.content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, directory / name)  # complete or absent, never half
            temp, final = None, name
        db.session.rollback()  # end whatever the runner left open
        keep = timedelta(hours=current_app.config["JOBS_KEEP_HOURS"])
        done = db.session.execute(update(Job).where(Job.id == job_id,
                                                    Job.status == "running").values(
            status="done", finished_at=utcnow(), result_path=final,
            result_name=output.filename, result_mime=output.mime, result=output.summary,
            done=progress.total or progress.done, total=progress.total or progress.done,
            expires_at=utcnow() + keep if final else None))
        db.session.commit()
        if done.rowcount != 1 and final:  # marked interrupted meanwhile: drop the file
            (jobs_dir() / final).unlink(missing_ok=True)
    except JobCancelled:
        _finish(job_id, status="cancelled")
    except DomainError as exc:
        db.session.rollback()
        details = exc.to_dict()
        _finish(job_id, status="failed", error_code=exc.code, error=str(exc.message),
                result={k: v for k, v in details.items() if k in ("errors",)})
    except Exception:
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        _finish(job_id, status="failed", error_code="internal", error="")
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    if job is not None:
        _announce(job_payload(job))


def _finish(job_id: int, *, status: str, **values) -> None:
    db.session.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                       .values(status=status, finished_at=utcnow(), **values))
    db.session.commit()


# --- keeping house (worker start, every minute) ------------------------------

def recover_jobs(*, requeue: bool = True) -> dict:
    """At worker start: mark jobs whose worker on this machine has died as interrupted,
    drop leftover temporary files, and queue again the queued jobs (their messages may
    have been lost with the queue; a duplicate is harmless, the claim runs it once)."""
    import socket

    host = socket.gethostname()
    interrupted = 0
    for job in db.session.scalars(select(Job).where(Job.status == "running")):
        worker_host, _sep, pid = (job.worker or "").rpartition(":")
        if worker_host == host and pid.isdigit() and not _alive(int(pid)):
            interrupted += _interrupt(job.id)
    for part in jobs_dir().glob(".*.part"):
        job_id = part.name[1:].split("-", 1)[0]
        job = db.session.get(Job, int(job_id)) if job_id.isdigit() else None
        if job is None or job.status != "running":
            part.unlink(missing_ok=True)
    requeued = 0
    if requeue:
        app = current_app._get_current_object()
        for job_id in db.session.scalars(select(Job.id).where(Job.status == "queued")):
            queue.enqueue(app, job_id)
            requeued += 1
    return {"interrupted": interrupted, "requeued": requeued}


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _interrupt(job_id: int) -> int:
    changed = db.session.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                                 .values(status="failed", error_code="interrupted", error="",
                                         finished_at=utcnow()))
    db.session.commit()
    if changed.rowcount:
        job = db.session.get(Job, job_id)
        _announce(job_payload(job))
    return changed.rowcount


def sweep_jobs() -> dict:
    """Every minute: jobs silent for ``JOBS_STALE_SECONDS`` are interrupted; files past
    their time (finished files, unconfirmed uploads) are deleted."""
    stale = utcnow() - timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    interrupted = 0
    for job_id in db.session.scalars(select(Job.id).where(Job.status == "running",
                                                          Job.heartbeat_at < stale)):
        interrupted += _interrupt(job_id)
    expired = 0
    for job in db.session.scalars(select(Job).where(Job.result_path != "",
                                                    Job.expires_at <= utcnow())):
        (jobs_dir() / job.result_path).unlink(missing_ok=True)
        job.result_path = ""
        expired += 1
    db.session.commit()
    # Lists uploaded for an import that was never confirmed.
    cutoff = time.time() - current_app.config["JOBS_KEEP_HOURS"] * 3600
    uploads = jobs_dir() / "uploads"
    for path in uploads.iterdir() if uploads.is_dir() else ():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            expired += 1
    return {"interrupted": interrupted, "expired": expired}
