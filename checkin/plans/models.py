"""Plans around the meetings: a meeting's preparation tasks, and the year's programme.

- A **task** ("nhiệm vụ") belongs to one event's preparation plan (seed 004's «tiến độ
  thực hiện»): an owner (a unit, or a staff member), a deadline, what is handed in, a
  status and a note. Units hand in files through their nomination link.
- A **template** is a plan saved for reuse, with deadlines as offsets from the meeting.
- A **programme** ("chương trình công tác năm", seed 003) holds planned meetings by month
  or quarter, targets per unit, and the idea bank its units feed through their links.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, new_token, utcnow

#: What a task asks to be handed in: a document, a list of people, contributions, nothing.
DELIVERABLES = ("document", "list", "contributions", "none")

#: todo → in_progress → submitted (the owner handed in) → done (the organizer accepted).
TASK_STATUSES = ("todo", "in_progress", "submitted", "done")

#: Who a template task falls to when the template is applied to a meeting.
OWNER_ROLES = ("office", "host", "cohost", "none")

#: What a programme counts per unit.
METRICS = ("ideas", "initiatives", "questions", "delegates", "attendance")

#: Idea bank entries: an idea ("ý tưởng") or an initiative ("sáng kiến").
IDEA_KINDS = ("idea", "initiative")

#: What became of an idea.
IDEA_OUTCOMES = ("new", "reviewing", "selected", "adopted", "implemented", "declined")


class PlanTask(db.Model):
    """One task of a meeting's preparation plan."""

    __tablename__ = "plan_tasks"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: 1-based order in the plan.
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    #: The unit that owns the task (it sees it on its link and hands in there) …
    owner_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL"), index=True)
    #: … or the staff member who owns it.
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Deadline ("hạn chót"), stored in UTC, entered and shown in Asia/Ho_Chi_Minh.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: One of :data:`DELIVERABLES`.
    deliverable: Mapped[str] = mapped_column(String(16), default="document")
    #: One of :data:`TASK_STATUSES`.
    status: Mapped[str] = mapped_column(String(16), default="todo")
    note: Mapped[str] = mapped_column(Text, default="")
    #: When the owner handed in (first file, or "mark handed in").
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner_unit: Mapped["Unit | None"] = relationship()  # noqa: F821, UP037
    owner_user: Mapped["User | None"] = relationship()  # noqa: F821, UP037
    event: Mapped["Event"] = relationship()  # noqa: F821, UP037
    files: Mapped[list[TaskFile]] = relationship(
        back_populates="task", order_by="TaskFile.id", cascade="all, delete-orphan")

    @property
    def owner_name(self) -> str:
        if self.owner_unit is not None:
            return self.owner_unit.name
        if self.owner_user is not None:
            return self.owner_user.full_name
        return ""

    def is_late(self, now: datetime) -> bool:
        """Past its deadline and not handed in."""
        return self.status in ("todo", "in_progress") and self.due_at < now


class TaskFile(db.Model):
    """A file handed in for a task, kept under the instance folder."""

    __tablename__ = "plan_task_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"),
                                         index=True)
    #: The name as uploaded (cleaned), shown and used for downloads.
    filename: Mapped[str] = mapped_column(String(255))
    #: Random name on disk, never derived from the upload.
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    #: "link" (the unit's page) or "staff".
    uploaded_via: Mapped[str] = mapped_column(String(8), default="link")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[PlanTask] = relationship(back_populates="files")


class TaskReminder(db.Model):
    """A reminder e-mail about a task: one per task, deadline and address."""

    __tablename__ = "plan_task_reminders"
    __table_args__ = (UniqueConstraint("task_id", "due_at", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_tasks.id", ondelete="CASCADE"),
                                         index=True)
    #: The deadline the reminder was about (a moved deadline earns a new reminder).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(255))
    #: "sending" (claimed by a sender), "sent" or "failed".
    status: Mapped[str] = mapped_column(String(8), default="sent")
    error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UnitContact(db.Model):
    """Where a unit is reached for reminders (its secretary's e-mail)."""

    __tablename__ = "unit_contacts"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"),
                                         primary_key=True)
    email: Mapped[str] = mapped_column(String(255), default="")
    name: Mapped[str] = mapped_column(String(120), default="")


class PlanTemplate(db.Model):
    """A preparation plan saved for reuse."""

    __tablename__ = "plan_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    #: The shipped example (seed 004); it cannot be deleted.
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tasks: Mapped[list[TemplateTask]] = relationship(
        back_populates="template", order_by="TemplateTask.position",
        cascade="all, delete-orphan")


class TemplateTask(db.Model):
    """A task of a template; its deadline is counted back from the meeting's day."""

    __tablename__ = "plan_template_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("plan_templates.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    deliverable: Mapped[str] = mapped_column(String(16), default="document")
    #: One of :data:`OWNER_ROLES`, resolved when the template is applied.
    owner_role: Mapped[str] = mapped_column(String(8), default="none")
    #: Days before the meeting's (local) day.
    days_before: Mapped[int] = mapped_column(Integer)
    #: Local wall-clock minute of the deadline (17:00 = 1020).
    due_minute: Mapped[int] = mapped_column(Integer, default=17 * 60)
    note: Mapped[str] = mapped_column(Text, default="")

    template: Mapped[PlanTemplate] = relationship(back_populates="tasks")


# --- the year's programme ---------------------------------------------------------

class Programme(db.Model):
    """A year's programme of work (seed 003: «Chương trình công tác năm 2021»)."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    year: Mapped[int] = mapped_column(Integer)
    #: The units under this one take part (their targets and links); None: every unit.
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meetings: Mapped[list[PlannedMeeting]] = relationship(
        back_populates="programme", cascade="all, delete-orphan",
        order_by="PlannedMeeting.id")
    organizers: Mapped[list[ProgrammeOrganizer]] = relationship(cascade="all, delete-orphan")
    scope_unit: Mapped["Unit | None"] = relationship()  # noqa: F821, UP037


class ProgrammeOrganizer(db.Model):
    """A staff member who runs a programme (its creator first)."""

    __tablename__ = "programme_organizers"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class PlannedMeeting(db.Model):
    """A meeting the programme plans in a month or a quarter; its date is fixed later,
    when an event is created for it and linked."""

    __tablename__ = "programme_meetings"
    __table_args__ = (
        CheckConstraint("period >= 1 AND period <= 12", name="period_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    title: Mapped[str] = mapped_column(String(255))
    #: An event kind (conference, forum, briefing, dialogue).
    kind: Mapped[str] = mapped_column(String(16), default="dialogue")
    #: "quarter" or "month".
    period_kind: Mapped[str] = mapped_column(String(8), default="quarter")
    #: 1–4 for a quarter, 1–12 for a month.
    period: Mapped[int] = mapped_column(Integer)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"),
                                                 index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    programme: Mapped[Programme] = relationship(back_populates="meetings")
    event: Mapped["Event | None"] = relationship()  # noqa: F821, UP037

    @property
    def quarter(self) -> int:
        return self.period if self.period_kind == "quarter" else (self.period - 1) // 3 + 1


class TargetRule(db.Model):
    """A target for every unit of a kind (optionally above a member count), like quotas."""

    __tablename__ = "programme_target_rules"
    __table_args__ = (
        UniqueConstraint("programme_id", "metric", "unit_kind", "min_members_exclusive"),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    #: One of :data:`METRICS`.
    metric: Mapped[str] = mapped_column(String(16))
    unit_kind: Mapped[str] = mapped_column(String(16))
    min_members_exclusive: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[int] = mapped_column(Integer)


class Target(db.Model):
    """A unit's target for the year in one metric ("chỉ tiêu phân bổ")."""

    __tablename__ = "programme_targets"
    __table_args__ = (
        UniqueConstraint("programme_id", "unit_id", "metric"),
        CheckConstraint("amount >= 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    metric: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(Integer)
    #: "rule" or "manual" (re-applying rules leaves manual targets alone).
    source: Mapped[str] = mapped_column(String(8), default="manual")

    unit: Mapped["Unit"] = relationship()  # noqa: F821, UP037


class ProgrammeLink(db.Model):
    """A unit's link to the programme: its targets, its ideas, its calendar (no account)."""

    __tablename__ = "programme_links"
    __table_args__ = (UniqueConstraint("programme_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped["Unit"] = relationship()  # noqa: F821, UP037
    programme: Mapped[Programme] = relationship()


class Idea(db.Model):
    """An idea or initiative in the programme's idea bank («hộp thư sáng kiến»)."""

    __tablename__ = "ideas"
    __table_args__ = (UniqueConstraint("programme_id", "client_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    #: One of :data:`IDEA_KINDS`.
    kind: Mapped[str] = mapped_column(String(16), default="idea")
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The field it concerns, as the author chose ("Chuyển đổi số", "Môi trường", …).
    field: Mapped[str] = mapped_column(String(120), default="")
    author_name: Mapped[str] = mapped_column(String(120))
    #: The organizers' classification.
    category: Mapped[str] = mapped_column(String(120), default="")
    #: One of :data:`IDEA_OUTCOMES`.
    outcome: Mapped[str] = mapped_column(String(16), default="new")
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    #: The forum whose agenda it was picked for.
    selected_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"))
    client_nonce: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    unit: Mapped["Unit"] = relationship()  # noqa: F821, UP037
    selected_event: Mapped["Event | None"] = relationship()  # noqa: F821, UP037


class CalendarFeed(db.Model):
    """A staff member's private calendar address (the token is the key)."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
