"""A background job, as the organizer sees it: what, for which event, how far, the file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

#: queued → running → done | failed | cancelled. A failed or cancelled job can be retried.
STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")


class Job(db.Model):
    """One piece of heavy work (letters, a report file, an import, a mailing).

    The row lives in our database, so every server process and every worker sees the
    same truth; the queue (Huey) only carries the job's id to a worker.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        # A second identical start joins the running job: at most one active job per key.
        Index("uq_jobs_active_dedupe_key", "dedupe_key", unique=True,
              sqlite_where=text("status IN ('queued', 'running')"),
              postgresql_where=text("status IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    #: What to do: a key of :data:`checkin.jobs.services.KINDS` ("letters", "report_pdf" …).
    kind: Mapped[str] = mapped_column(String(32))
    #: The job's inputs (selection, format, upload key); JSON.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Hash of (event, kind, params): the same request while one is active joins it.
    dedupe_key: Mapped[str] = mapped_column(String(64))
    #: One of :data:`STATUSES`.
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    #: Progress: ``done`` of ``total`` items (people, rows, messages); total 0 = unknown.
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    #: Who started it (their notices, their language for messages).
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    #: The language the job's messages and files are made in.
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Last sign of life from the worker running it (progress writes it).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``host:pid`` of the worker running it: a worker starting on the same host finds
    #: the jobs of a dead predecessor at once.
    worker: Mapped[str] = mapped_column(String(120), default="")
    #: The organizer asked to stop; the worker stops at its next progress report.
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    attempts: Mapped[int] = mapped_column(default=0)
    #: Stable code of the failure (``interrupted``, ``invalid``, ``internal`` …).
    error_code: Mapped[str] = mapped_column(String(40), default="")
    #: The failure in the job's language (a domain error's message), shown as is.
    error: Mapped[str] = mapped_column(Text, default="")
    #: The finished file, relative to the jobs folder; written under a temporary name
    #: and renamed when complete, so a half-written file is never served.
    result_path: Mapped[str] = mapped_column(String(255), default="")
    #: Download name and type of the file.
    result_name: Mapped[str] = mapped_column(String(255), default="")
    result_mime: Mapped[str] = mapped_column(String(100), default="")
    #: What the job reports besides a file (counts, the rows of an import preview).
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    #: When the file is deleted.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User", lazy="joined")

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
