"""Preparation plans, templates, hand-ins and reminders; programmes, targets, ideas, reviews.

Every operation here validates, changes and commits; views, the CLI, the demo and the
tests all go through these functions. Deadlines are typed and shown as wall-clock
times in Asia/Ho_Chi_Minh and stored in UTC.
"""

from __future__ import annotations

import math
import smtplib
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.utils import secure_filename

from ..audit import services as audit
from ..errors import Conflict, DomainError, Forbidden, NotFound
from ..events.signals import event_copied
from ..extensions import db
from ..i18n import format_short, from_local, to_local
from ..types import new_token, utcnow
from ..validation import field_error, normalize_email, optional_text, parse_count, required_text
from .models import (
    DELIVERABLES,
    IDEA_KINDS,
    IDEA_OUTCOMES,
    METRICS,
    OWNER_ROLES,
    TASK_STATUSES,
    CalendarFeed,
    Idea,
    PlannedMeeting,
    PlanTask,
    PlanTemplate,
    Programme,
    ProgrammeLink,
    ProgrammeOrganizer,
    Target,
    TargetRule,
    TaskFile,
    TaskReminder,
    TemplateTask,
    UnitContact,
)

DELIVERABLE_LABELS = {
    "document": _l("A document"),
    "list": _l("A list"),
    "contributions": _l("Contributions"),
    "none": _l("Nothing to hand in"),
}

STATUS_LABELS = {
    "todo": _l("To do"),
    "in_progress": _l("In progress"),
    "submitted": _l("Handed in"),
    "done": _l("Done"),
}

OWNER_ROLE_LABELS = {
    "office": _l("The organizing office"),
    "host": _l("The host unit"),
    "cohost": _l("The co-host unit"),
    "none": _l("Nobody yet"),
}

METRIC_LABELS = {
    "ideas": _l("Ideas"),
    "initiatives": _l("Initiatives"),
    "questions": _l("Questions to dialogues"),
    "delegates": _l("Delegates sent"),
    "attendance": _l("Attendance"),
}

IDEA_KIND_LABELS = {"idea": _l("An idea"), "initiative": _l("An initiative")}

IDEA_OUTCOME_LABELS = {
    "new": _l("New"),
    "reviewing": _l("Being reviewed"),
    "selected": _l("Picked for a forum"),
    "adopted": _l("Adopted"),
    "implemented": _l("Put into practice"),
    "declined": _l("Not taken up"),
}

#: Fields an idea may concern (the author picks one; free text is kept too).
IDEA_FIELDS = ("Chuyển đổi số", "Cải cách hành chính", "Văn hóa công sở", "Môi trường",
               "An toàn giao thông", "Khởi nghiệp, kinh tế", "Giáo dục, đào tạo",
               "Công tác Đoàn, Hội", "An sinh xã hội", "Khác")

PERIOD_LABELS = {
    "Q1": _l("Quarter I"), "Q2": _l("Quarter II"), "Q3": _l("Quarter III"),
    "Q4": _l("Quarter IV"), "H1": _l("First half-year"), "H2": _l("Second half-year"),
    "Y": _l("The whole year"),
}

#: (first month, last month) of each review period.
PERIOD_MONTHS = {"Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
                 "H1": (1, 6), "H2": (7, 12), "Y": (1, 12)}

#: A deadline typed without an hour falls at the end of the office day.
END_OF_DAY = time(17, 0)

#: What a unit may hand in: extension → (MIME type, check of the first bytes).
UPLOAD_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ZIP_MARKER = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def clock() -> datetime:
    """Now, for every "late" and "due soon" of this package (one place to read the time)."""
    return utcnow()


# --- tasks ------------------------------------------------------------------------

def plan_tasks(event) -> list[PlanTask]:
    return list(db.session.scalars(select(PlanTask).where(PlanTask.event_id == event.id)
                                   .order_by(PlanTask.due_at, PlanTask.position)))


def unit_tasks(event, unit) -> list[PlanTask]:
    """The tasks a unit owns in a meeting's plan (shown on its nomination link)."""
    return list(db.session.scalars(select(PlanTask).where(
        PlanTask.event_id == event.id, PlanTask.owner_unit_id == unit.id)
        .order_by(PlanTask.due_at, PlanTask.position)))


def find_task(event, task_id: int) -> PlanTask:
    task = db.session.get(PlanTask, task_id)
    if task is None or task.event_id != event.id:
        raise NotFound(_("This task does not exist."), code="unknown_task")
    return task


def _task_fields(*, title, due_at, deliverable, owner_unit, owner_user, note) -> dict:
    if due_at is None:
        raise field_error("due_at", _("Give the deadline (date and hour)."), "required")
    if due_at.tzinfo is None:
        raise ValueError("deadlines are aware datetimes")
    if deliverable not in DELIVERABLES:
        raise field_error("deliverable", _("Choose what is to be handed in."),
                          "invalid_deliverable")
    if owner_unit is not None and owner_user is not None:
        raise field_error("owner", _("A task has one owner: a unit or a staff member."),
                          "two_owners")
    return {"title": required_text(title, "title", max_length=500), "due_at": due_at,
            "deliverable": deliverable, "owner_unit_id": owner_unit.id if owner_unit else None,
            "owner_user_id": owner_user.id if owner_user else None,
            "note": optional_text(note, "note", max_length=2000)}


def add_task(event, *, title: str, due_at: datetime, deliverable: str = "document",
             owner_unit=None, owner_user=None, note: str = "") -> PlanTask:
    """Add a task to the meeting's preparation plan."""
    fields = _task_fields(title=title, due_at=due_at, deliverable=deliverable,
                          owner_unit=owner_unit, owner_user=owner_user, note=note)
    last = db.session.scalar(select(func.max(PlanTask.position))
                             .where(PlanTask.event_id == event.id)) or 0
    task = PlanTask(event_id=event.id, position=last + 1, **fields)
    db.session.add(task)
    db.session.flush()
    audit.record("task.add", event=event, target=task, after=_audit_fields(task))
    db.session.commit()
    return task


def _audit_fields(task: PlanTask) -> dict:
    return {"title": task.title, "due_at": task.due_at, "owner_unit_id": task.owner_unit_id,
            "owner_user_id": task.owner_user_id, "deliverable": task.deliverable,
            "status": task.status, "note": task.note}


def update_task(task: PlanTask, *, title: str, due_at: datetime, deliverable: str,
                owner_unit=None, owner_user=None, note: str = "",
                status: str | None = None) -> PlanTask:
    """Change a task; a new status is applied as :func:`set_task_status` does."""
    before = _audit_fields(task)
    for key, value in _task_fields(title=title, due_at=due_at, deliverable=deliverable,
                                   owner_unit=owner_unit, owner_user=owner_user,
                                   note=note).items():
        setattr(task, key, value)
    if status is not None:
        _apply_status(task, status)
    old, new = audit.changes(before, _audit_fields(task))
    if new:
        audit.record("task.update", event=task.event, target=task, before=old, after=new)
    db.session.commit()
    return task


def _apply_status(task: PlanTask, status: str) -> None:
    if status not in TASK_STATUSES:
        raise field_error("status", _("Choose a status."), "invalid_status")
    now = clock()
    if status in ("submitted", "done") and task.submitted_at is None:
        task.submitted_at = now
    task.done_at = now if status == "done" else None
    if status in ("todo", "in_progress"):
        task.submitted_at = None
    task.status = status


def set_task_status(task: PlanTask, status: str) -> PlanTask:
    """Move a task to ``status`` (todo, in_progress, submitted, done)."""
    before = task.status
    _apply_status(task, status)
    if before != status:
        audit.record("task.update", event=task.event, target=task, before={"status": before},
                     after={"status": status})
    db.session.commit()
    return task


def delete_task(task: PlanTask) -> None:
    """Remove a task with its files (on disk too)."""
    paths = [file_path(f) for f in task.files]
    audit.record("task.delete", event=task.event, target=task, before=_audit_fields(task))
    db.session.delete(task)
    db.session.commit()
    for path in paths:
        path.unlink(missing_ok=True)


@dataclass
class TimelineDay:
    day: date
    tasks: list[PlanTask]


def timeline(event) -> list[TimelineDay]:
    """The plan's tasks grouped by their deadline's local day, in order."""
    days: dict[date, list[PlanTask]] = {}
    for task in plan_tasks(event):
        days.setdefault(to_local(task.due_at).date(), []).append(task)
    return [TimelineDay(d, ts) for d, ts in days.items()]


@dataclass
class PlanSummary:
    total: int = 0
    done: int = 0
    submitted: int = 0
    open: int = 0
    late: int = 0


def plan_summary(event, now: datetime | None = None) -> PlanSummary:
    now = now or clock()
    summary = PlanSummary()
    for task in plan_tasks(event):
        summary.total += 1
        if task.status == "done":
            summary.done += 1
        elif task.status == "submitted":
            summary.submitted += 1
        else:
            summary.open += 1
        summary.late += task.is_late(now)
    return summary


# --- files handed in --------------------------------------------------------------

def upload_dir() -> Path:
    """PLAN_FILES_DIR, or plan_files in the instance folder."""
    configured = current_app.config.get("PLAN_FILES_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "plan_files"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(task_file: TaskFile) -> Path:
    return upload_dir() / task_file.stored_name


def check_upload(filename: str, data: bytes) -> tuple[str, str]:
    """The cleaned name and MIME type of an acceptable upload, or a ValidationError.

    Only PDF, DOCX and XLSX are taken, and the content must be what the name says
    (a PDF header; an Office file's zip with its main part), within the size limit.
    """
    limit = current_app.config["PLAN_UPLOAD_MAX_BYTES"]
    name = secure_filename(filename or "") or "tai-lieu"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in UPLOAD_TYPES:
        raise field_error("file", _("Only PDF, Word (.docx) or Excel (.xlsx) files."),
                          "file_type")
    if not data:
        raise field_error("file", _("The file is empty."), "empty_file")
    if len(data) > limit:
        raise field_error("file", _("The file is too large (at most %(n)d MB).",
                                    n=limit // (1024 * 1024)), "file_too_large")
    if ext == "pdf":
        ok = data[:5] == b"%PDF-"
    else:
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                ok = _ZIP_MARKER[ext] in archive.namelist()
        except zipfile.BadZipFile:
            ok = False
    if not ok:
        raise field_error("file", _("The file's content is not a %(kind)s file.",
                                    kind=ext.upper()), "file_content")
    # Keep the person's own name with diacritics for display; the disk name is random.
    shown = optional_text((filename or name).replace("/", "_").replace("\\", "_"), "file",
                          max_length=255) or name
    return shown, UPLOAD_TYPES[ext]


def hand_in_file(task: PlanTask, *, filename: str, data: bytes, via: str = "link") -> TaskFile:
    """Keep a file handed in for ``task``; the task counts as handed in from then."""
    shown, mime = check_upload(filename, data)
    ext = shown.rsplit(".", 1)[-1].lower()
    stored = f"{new_token()}.{ext}"
    (upload_dir() / stored).write_bytes(data)
    task_file = TaskFile(task_id=task.id, filename=shown, stored_name=stored,
                         content_type=mime, size=len(data), uploaded_via=via)
    db.session.add(task_file)
    if task.status in ("todo", "in_progress"):
        _apply_status(task, "submitted")
    audit.record("task.handin", event=task.event, target=task,
                 after={"file": shown, "size": len(data), "via": via})
    db.session.commit()
    return task_file


def find_file(event, file_id: int, *, unit=None) -> TaskFile:
    """A file of the event's plan; with ``unit``, only one of that unit's tasks."""
    task_file = db.session.get(TaskFile, file_id)
    if task_file is None or task_file.task.event_id != event.id or (
            unit is not None and task_file.task.owner_unit_id != unit.id):
        raise NotFound(_("This file does not exist."), code="unknown_file")
    return task_file


# --- templates --------------------------------------------------------------------

#: Seed 004's «tiến độ thực hiện» (meeting on 20/8/2024): the shipped example.
SEED_004_NAME = "Hội nghị tọa đàm (theo Kế hoạch 121-KH/ĐTN)"
SEED_004_TASKS = [
    # (title, deliverable, owner role, days before the meeting, deadline "HH:MM")
    ("Dự thảo, trình Ban Thường vụ Đảng ủy Khối về chủ trương, báo cáo Ban Thường vụ "
     "Thành Đoàn, ban hành Kế hoạch và phân công nhiệm vụ cho 02 đơn vị đăng cai",
     "document", "office", 19, "17:00"),
    ("Dự thảo Chương trình, đề dẫn và các phát biểu chỉ đạo", "document", "host", 12, "17:00"),
    ("Tổng hợp tham luận từ các tổ chức cơ sở đoàn (theo chủ đề Hội nghị)", "contributions",
     "cohost", 12, "16:00"),
    ("Hoàn chỉnh Chương trình, Kịch bản, các tham luận trình Ban Thường vụ Đoàn Khối",
     "document", "host", 7, "17:00"),
    ("Trình Ban Thường vụ Thành Đoàn và báo cáo tiến độ thực hiện", "document", "office", 4,
     "17:00"),
]


def ensure_builtin_templates() -> PlanTemplate:
    """The shipped example template (seed 004), created once."""
    template = db.session.scalar(select(PlanTemplate).where(PlanTemplate.builtin.is_(True)))
    if template is not None:
        return template
    template = PlanTemplate(name=SEED_004_NAME, builtin=True)
    for n, (title, deliverable, role, days, hhmm) in enumerate(SEED_004_TASKS, start=1):
        hour, minute = (int(x) for x in hhmm.split(":"))
        template.tasks.append(TemplateTask(position=n, title=title, deliverable=deliverable,
                                           owner_role=role, days_before=days,
                                           due_minute=hour * 60 + minute))
    db.session.add(template)
    db.session.commit()
    return template


def templates() -> list[PlanTemplate]:
    ensure_builtin_templates()
    return list(db.session.scalars(select(PlanTemplate)
                                   .order_by(PlanTemplate.builtin.desc(), PlanTemplate.name)))


def find_template(template_id: int) -> PlanTemplate:
    template = db.session.get(PlanTemplate, template_id)
    if template is None:
        raise NotFound(_("This template does not exist."), code="unknown_template")
    return template


def _meeting_day(event) -> date:
    return to_local(event.starts_at).date()


def _owner_role(task: PlanTask, event) -> str:
    if task.owner_user_id is not None:
        return "office"
    if task.owner_unit_id is None:
        return "none"
    return "host" if task.owner_unit_id == event.host_unit_id else "cohost"


def save_as_template(event, *, name: str, by_user=None) -> PlanTemplate:
    """Save the meeting's plan as a template: deadlines become days before the meeting,
    owners become roles (office, host, co-host)."""
    name = required_text(name, "name", max_length=255)
    tasks = plan_tasks(event)
    if not tasks:
        raise DomainError(_("The plan has no tasks to save."), code="empty_plan")
    day = _meeting_day(event)
    template = PlanTemplate(name=name, created_by_id=by_user.id if by_user else None)
    for n, task in enumerate(tasks, start=1):
        local = to_local(task.due_at)
        template.tasks.append(TemplateTask(
            position=n, title=task.title, deliverable=task.deliverable,
            owner_role=_owner_role(task, event), days_before=(day - local.date()).days,
            due_minute=local.hour * 60 + local.minute, note=task.note))
    db.session.add(template)
    db.session.commit()
    return template


def delete_template(template: PlanTemplate) -> None:
    if template.builtin:
        raise Conflict(_("The shipped example cannot be deleted."), code="builtin_template")
    db.session.delete(template)
    db.session.commit()


def apply_template(event, template: PlanTemplate, *, host_unit=None, cohost_unit=None,
                   office_user=None) -> list[PlanTask]:
    """Add the template's tasks to the meeting's plan, deadlines counted back from the
    meeting's day; roles become the given host and co-host units and office member."""
    if host_unit is None:
        host_unit = event.host_unit
    owners = {"host": ("unit", host_unit), "cohost": ("unit", cohost_unit),
              "office": ("user", office_user), "none": ("unit", None)}
    day = _meeting_day(event)
    last = db.session.scalar(select(func.max(PlanTask.position))
                             .where(PlanTask.event_id == event.id)) or 0
    made = []
    for n, tt in enumerate(template.tasks, start=last + 1):
        kind, owner = owners.get(tt.owner_role if tt.owner_role in OWNER_ROLES else "none")
        due = from_local(datetime.combine(day - timedelta(days=tt.days_before),
                                          time(tt.due_minute // 60, tt.due_minute % 60)))
        task = PlanTask(event_id=event.id, position=n, title=tt.title, due_at=due,
                        deliverable=tt.deliverable, note=tt.note,
                        owner_unit_id=owner.id if kind == "unit" and owner else None,
                        owner_user_id=owner.id if kind == "user" and owner else None)
        db.session.add(task)
        made.append(task)
    audit.record("plan.template", event=event, target=template,
                 after={"tasks": len(made), "host_unit_id": getattr(host_unit, "id", None),
                        "cohost_unit_id": getattr(cohost_unit, "id", None)})
    db.session.commit()
    return made


def copy_plan(source, target, shift: timedelta) -> int:
    """Copy the preparation plan to the next meeting ("Copy as next meeting"): the same
    tasks and owners, deadlines moved with the meeting, statuses and files not copied.
    Does not commit: the caller's transaction does."""
    count = 0
    for task in plan_tasks(source):
        db.session.add(PlanTask(event_id=target.id, position=task.position, title=task.title,
                                due_at=task.due_at + shift, deliverable=task.deliverable,
                                owner_unit_id=task.owner_unit_id,
                                owner_user_id=task.owner_user_id))
        count += 1
    return count


@event_copied.connect
def _on_event_copied(source, *, new, shift: timedelta, **_kw) -> None:
    copy_plan(source, new, shift)


# --- reminders --------------------------------------------------------------------

def unit_contact(unit) -> UnitContact | None:
    return db.session.get(UnitContact, unit.id)


def set_unit_contact(unit, *, email: str, name: str = "") -> UnitContact:
    """Where the unit's reminders go (its secretary's e-mail)."""
    contact = db.session.get(UnitContact, unit.id) or UnitContact(unit_id=unit.id)
    contact.email = normalize_email(email, "email")
    contact.name = optional_text(name, "name", max_length=120)
    db.session.add(contact)
    db.session.commit()
    return contact


def _public(endpoint: str, **values) -> str:
    base = current_app.config["PUBLIC_URL"]
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


def unit_link_url(event, unit) -> str:
    """The unit's current nomination link for the meeting, or ""."""
    from ..units.models import NominationLink

    link = db.session.scalar(select(NominationLink).where(
        NominationLink.event_id == event.id, NominationLink.unit_id == unit.id,
        NominationLink.revoked_at.is_(None)).order_by(NominationLink.id.desc()))
    return _public("nomination.page", token=link.token) if link else ""


def reminder_text(task: PlanTask, now: datetime | None = None) -> str:
    """The reminder, in Vietnamese, ready to paste into the unit's chat group."""
    now = now or clock()
    with force_locale("vi"):
        when = format_short(task.due_at)
        lines = [_("Reminder from the organizers of “%(event)s”:", event=task.event.title),
                 _("Task: %(title)s", title=task.title),
                 _("Owner: %(owner)s", owner=task.owner_name or "—"),
                 _("To hand in: %(what)s", what=str(DELIVERABLE_LABELS[task.deliverable])),
                 (_("Deadline: %(when)s (already past)", when=when) if task.due_at < now
                  else _("Deadline: %(when)s", when=when))]
        if task.owner_unit is not None:
            url = unit_link_url(task.event, task.owner_unit)
            if url:
                lines.append(_("Hand in through your unit's link: %(url)s", url=url))
    return "\n".join(lines)


def tasks_to_remind(*, now: datetime | None = None, within: timedelta = timedelta(days=2),
                    event=None) -> list[PlanTask]:
    """Open unit tasks whose deadline falls within ``within`` from ``now`` (not past)."""
    now = now or clock()
    stmt = select(PlanTask).where(PlanTask.status.in_(("todo", "in_progress")),
                                  PlanTask.owner_unit_id.is_not(None),
                                  PlanTask.due_at > now, PlanTask.due_at <= now + within)
    if event is not None:
        stmt = stmt.where(PlanTask.event_id == event.id)
    return list(db.session.scalars(stmt.order_by(PlanTask.due_at)))


@dataclass
class ReminderResult:
    sent: int = 0
    failed: int = 0
    already: int = 0
    no_address: list[str] = field(default_factory=list)
    stopped: str = ""


def build_reminder(task: PlanTask, address: str, now: datetime) -> EmailMessage:
    with force_locale("vi"):
        subject = _("Reminder: %(title)s — due %(when)s", title=task.title[:120],
                    when=format_short(task.due_at))
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = address
    message.set_content(reminder_text(task, now))
    return message


def _claim_reminder(task: PlanTask, address: str) -> TaskReminder | None:
    """Mark the reminder as being sent, committed, so two senders never both send it:
    a new row under the (task, deadline, address) unique key, or a failed one retried
    by an UPDATE that only one sender wins. None if someone else holds it."""
    key = (TaskReminder.task_id == task.id, TaskReminder.due_at == task.due_at,
           TaskReminder.address == address)
    if db.session.scalar(select(TaskReminder.id).where(*key)) is None:
        db.session.add(TaskReminder(task_id=task.id, due_at=task.due_at, address=address,
                                    status="sending"))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return None
    else:
        claimed = db.session.execute(
            update(TaskReminder).where(*key, TaskReminder.status == "failed")
            .values(status="sending").execution_options(synchronize_session=False))
        db.session.commit()
        if claimed.rowcount != 1:
            return None
    record = db.session.scalar(select(TaskReminder).where(*key))
    db.session.refresh(record)
    return record


def send_task_reminders(*, now: datetime | None = None, within: timedelta = timedelta(days=2),
                        event=None) -> ReminderResult:
    """E-mail each unit owning an open task due soon, once per task and deadline,
    through the same SMTP set-up as invitations (checkin.attendees.mailing)."""
    from ..attendees.mailing import _connect, _reason

    now = now or clock()
    result = ReminderResult()
    todo: list[tuple[PlanTask, str]] = []
    for task in tasks_to_remind(now=now, within=within, event=event):
        contact = unit_contact(task.owner_unit)
        if contact is None or not contact.email:
            result.no_address.append(task.owner_unit.name)
            continue
        done = db.session.scalar(select(TaskReminder.id).where(
            TaskReminder.task_id == task.id, TaskReminder.due_at == task.due_at,
            TaskReminder.address == contact.email, TaskReminder.status.in_(("sent", "sending"))))
        if done is not None:
            result.already += 1
            continue
        todo.append((task, contact.email))
    if not todo:
        return result
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        result.stopped = _reason(exc)
        return result
    try:
        for task, address in todo:
            record = _claim_reminder(task, address)
            if record is None:  # another sender (a second cron run, a button) took it
                result.already += 1
                continue
            try:
                smtp.send_message(build_reminder(task, address, now))
            except (OSError, smtplib.SMTPException) as exc:
                record.status, record.error = "failed", _reason(exc)
                result.failed += 1
            else:
                record.status, record.error, record.sent_at = "sent", "", clock()
                result.sent += 1
            audit.record("task.remind", event=task.event, target=task,
                         after={"address": address, "status": record.status})
            db.session.add(record)
            db.session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return result


def reminders_sent(event) -> dict[int, TaskReminder]:
    """The latest reminder per task of the event."""
    out: dict[int, TaskReminder] = {}
    for r in db.session.scalars(select(TaskReminder).join(PlanTask).where(
            PlanTask.event_id == event.id).order_by(TaskReminder.id)):
        out[r.task_id] = r
    return out


# --- the progress report («báo cáo tiến độ») --------------------------------------

def progress_sections(event, now: datetime | None = None):
    from ..reports.exporters import Section

    now = now or clock()
    s = plan_summary(event, now)
    summary = Section(_("Summary"), [_("Tasks"), _("Done"), _("Handed in"), _("Open"),
                                     _("Late")], [[s.total, s.done, s.submitted, s.open, s.late]])
    rows = []
    for n, task in enumerate(plan_tasks(event), start=1):
        rows.append([n, task.title, task.owner_name, format_short(task.due_at),
                     str(DELIVERABLE_LABELS[task.deliverable]),
                     str(STATUS_LABELS[task.status]) + (" — " + _("late") if task.is_late(now)
                                                        else ""),
                     format_short(task.submitted_at), ", ".join(f.filename for f in task.files),
                     task.note])
    tasks = Section(_("Tasks"), ["#", _("Task"), _("Owner"), _("Deadline"), _("To hand in"),
                                 _("Status"), _("Handed in"), _("Files"), _("Note")], rows,
                    [4, 40, 24, 13, 12, 14, 13, 20, 20])
    return [summary, tasks]


# --- programmes -------------------------------------------------------------------

def create_programme(*, title: str, year: object, created_by, scope=None) -> Programme:
    """Start a year's programme; its creator runs it."""
    year_n = parse_count(year, "year", allow_blank=False)
    if not 2000 <= year_n <= 2100:
        raise field_error("year", _("Give a year such as 2021."), "invalid_year")
    programme = Programme(title=required_text(title, "title", max_length=255), year=year_n,
                          scope_unit_id=scope.id if scope else None,
                          created_by_id=created_by.id if created_by else None)
    db.session.add(programme)
    db.session.flush()
    if created_by is not None:
        db.session.add(ProgrammeOrganizer(programme_id=programme.id, user_id=created_by.id))
    db.session.commit()
    return programme


def can_run(user, programme: Programme) -> bool:
    """Admins, and the programme's organizers."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return db.session.scalar(select(ProgrammeOrganizer.id).where(
        ProgrammeOrganizer.programme_id == programme.id,
        ProgrammeOrganizer.user_id == user.id)) is not None


def organizers(programme: Programme) -> list:
    from ..auth.models import User

    return list(db.session.scalars(select(User).join(
        ProgrammeOrganizer, ProgrammeOrganizer.user_id == User.id).where(
        ProgrammeOrganizer.programme_id == programme.id).order_by(User.full_name)))


def organizer_candidates(programme: Programme) -> list:
    """Active organizer accounts not yet running the programme."""
    from ..auth.models import User

    have = {u.id for u in organizers(programme)}
    return [u for u in db.session.scalars(select(User).where(
        User.role.in_(("admin", "organizer")), User.active.is_(True)).order_by(User.full_name))
        if u.id not in have]


def add_organizer(programme: Programme, user) -> None:
    """Let another organizer account run the programme."""
    if user.role not in ("admin", "organizer") or not user.active:
        raise DomainError(_("Only organizer accounts can run a programme."),
                          code="not_an_organizer")
    if db.session.scalar(select(ProgrammeOrganizer.id).where(
            ProgrammeOrganizer.programme_id == programme.id,
            ProgrammeOrganizer.user_id == user.id)) is None:
        db.session.add(ProgrammeOrganizer(programme_id=programme.id, user_id=user.id))
        db.session.commit()


def remove_organizer(programme: Programme, user) -> None:
    """Take a programme away from an organizer; a programme keeps at least one."""
    rows = list(db.session.scalars(select(ProgrammeOrganizer).where(
        ProgrammeOrganizer.programme_id == programme.id)))
    mine = [r for r in rows if r.user_id == user.id]
    if mine and len(rows) == 1:
        raise Conflict(_("A programme needs at least one organizer."), code="last_organizer")
    for row in mine:
        db.session.delete(row)
    db.session.commit()


def visible_programmes(user) -> list[Programme]:
    stmt = select(Programme).order_by(Programme.year.desc(), Programme.title)
    if not user.is_admin:
        stmt = stmt.where(Programme.id.in_(select(ProgrammeOrganizer.programme_id).where(
            ProgrammeOrganizer.user_id == user.id)))
    return list(db.session.scalars(stmt))


def meetings(programme: Programme) -> list[PlannedMeeting]:
    """Planned meetings in calendar order (a month within its quarter after the quarter)."""
    def key(m: PlannedMeeting):
        month = m.period if m.period_kind == "month" else (m.period - 1) * 3 + 1
        return (month, m.period_kind == "month", m.id)

    return sorted(programme.meetings, key=key)


def add_planned_meeting(programme: Programme, *, title: str, kind: str = "dialogue",
                        period_kind: str = "quarter", period: object = 1, note: str = "",
                        event=None) -> PlannedMeeting:
    """Plan a meeting in a quarter or a month; its date is fixed later by linking an event."""
    from ..events.models import EVENT_KINDS

    if kind not in EVENT_KINDS:
        raise field_error("kind", _("Choose the kind of meeting."), "invalid_kind")
    if period_kind not in ("quarter", "month"):
        raise field_error("period_kind", _("Choose a quarter or a month."), "invalid_period")
    number = parse_count(period, "period", allow_blank=False)
    if not 1 <= number <= (4 if period_kind == "quarter" else 12):
        raise field_error("period", _("No such quarter or month."), "invalid_period")
    meeting = PlannedMeeting(programme_id=programme.id,
                             title=required_text(title, "title", max_length=255), kind=kind,
                             period_kind=period_kind, period=number,
                             note=optional_text(note, "note", max_length=2000),
                             event_id=event.id if event else None)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def find_meeting(programme: Programme, meeting_id: int) -> PlannedMeeting:
    meeting = db.session.get(PlannedMeeting, meeting_id)
    if meeting is None or meeting.programme_id != programme.id:
        raise NotFound(_("This planned meeting does not exist."), code="unknown_meeting")
    return meeting


def link_event(meeting: PlannedMeeting, event) -> PlannedMeeting:
    """Fix the planned meeting's date by linking the event held for it (None unlinks)."""
    meeting.event_id = event.id if event is not None else None
    db.session.commit()
    return meeting


def delete_meeting(meeting: PlannedMeeting) -> None:
    db.session.delete(meeting)
    db.session.commit()


def programme_events(programme: Programme) -> list:
    return [m.event for m in meetings(programme) if m.event is not None]


def programme_units(programme: Programme) -> list:
    """The units that take part: those under the scope (or every unit), Union units only."""
    from ..units.models import Unit
    from ..units.services import descendants

    if programme.scope_unit is not None:
        units = [u for u in descendants(programme.scope_unit) if u.id != programme.scope_unit_id]
    else:
        units = list(db.session.scalars(select(Unit)))
    units = [u for u in units if u.kind not in ("agency",)]
    return sorted(units, key=lambda u: u.name_folded)


def set_target_rules(programme: Programme, rules: list[dict]) -> list[TargetRule]:
    """Replace the programme's target rules ({metric, unit_kind, min_members_exclusive,
    amount}); rows without an amount are ignored."""
    from ..units.models import UNIT_KINDS

    clean, seen = [], set()
    for n, rule in enumerate(rules):
        if rule.get("amount") in (None, ""):
            continue
        metric, kind = rule.get("metric"), rule.get("unit_kind")
        if metric not in METRICS:
            raise field_error(f"rules-{n}-metric", _("Choose what is counted."),
                              "invalid_metric")
        if kind not in UNIT_KINDS:
            raise field_error(f"rules-{n}-unit_kind", _("Choose a unit kind."), "invalid_kind")
        threshold = parse_count(rule.get("min_members_exclusive"), "min_members_exclusive")
        key = (metric, kind, threshold)
        if key in seen:
            raise field_error(f"rules-{n}-unit_kind", _("The same rule is given twice."),
                              "duplicate_rule")
        seen.add(key)
        clean.append(TargetRule(programme_id=programme.id, metric=metric, unit_kind=kind,
                                min_members_exclusive=threshold,
                                amount=parse_count(rule.get("amount"), "amount")))
    for old in db.session.scalars(select(TargetRule).where(
            TargetRule.programme_id == programme.id)):
        db.session.delete(old)
    db.session.flush()
    db.session.add_all(clean)
    db.session.commit()
    return clean


def target_rules(programme: Programme) -> list[TargetRule]:
    return list(db.session.scalars(select(TargetRule).where(
        TargetRule.programme_id == programme.id).order_by(
        TargetRule.metric, TargetRule.unit_kind, TargetRule.min_members_exclusive)))


def _rule_amount(rules: list[TargetRule], unit, metric: str) -> int | None:
    best = None
    for rule in rules:
        if rule.metric == metric and rule.unit_kind == unit.kind and (
                rule.min_members_exclusive == 0
                or unit.member_count > rule.min_members_exclusive):
            if best is None or rule.min_members_exclusive > best.min_members_exclusive:
                best = rule
    return best.amount if best else None


def apply_target_rules(programme: Programme, *, overwrite_manual: bool = False) -> int:
    """Set every unit's targets by the rules (targets typed by hand are kept unless
    ``overwrite_manual``); returns how many targets were set."""
    rules = target_rules(programme)
    if not rules:
        raise DomainError(_("Add at least one target rule first."), code="no_rules")
    existing = {(t.unit_id, t.metric): t for t in db.session.scalars(select(Target).where(
        Target.programme_id == programme.id))}
    touched = 0
    for unit in programme_units(programme):
        for metric in METRICS:
            amount = _rule_amount(rules, unit, metric)
            target = existing.get((unit.id, metric))
            if target is not None and target.source == "manual" and not overwrite_manual:
                continue
            if amount is None:
                if target is not None:
                    db.session.delete(target)
                continue
            if target is None:
                target = Target(programme_id=programme.id, unit_id=unit.id, metric=metric)
                db.session.add(target)
            target.amount, target.source = amount, "rule"
            touched += 1
    db.session.commit()
    return touched


def set_target(programme: Programme, unit, metric: str, amount: object) -> Target | None:
    """Set one unit's target by hand; blank or 0 removes it."""
    if metric not in METRICS:
        raise field_error("metric", _("Choose what is counted."), "invalid_metric")
    count = parse_count(amount, "amount")
    target = db.session.scalar(select(Target).where(
        Target.programme_id == programme.id, Target.unit_id == unit.id,
        Target.metric == metric))
    if count == 0:
        if target is not None:
            db.session.delete(target)
            db.session.commit()
        return None
    if target is None:
        target = Target(programme_id=programme.id, unit_id=unit.id, metric=metric)
        db.session.add(target)
    target.amount, target.source = count, "manual"
    db.session.commit()
    return target


def targets(programme: Programme) -> dict[tuple[int, str], Target]:
    return {(t.unit_id, t.metric): t for t in db.session.scalars(select(Target).where(
        Target.programme_id == programme.id))}


# --- the units' programme links and the idea bank ----------------------------------

def ensure_links(programme: Programme) -> list[ProgrammeLink]:
    """A link for every unit with a target (made once; kept)."""
    have = {link.unit_id: link for link in db.session.scalars(select(ProgrammeLink).where(
        ProgrammeLink.programme_id == programme.id))}
    unit_ids = {uid for uid, _m in targets(programme)}
    for uid in unit_ids - set(have):
        link = ProgrammeLink(programme_id=programme.id, unit_id=uid)
        db.session.add(link)
        have[uid] = link
    db.session.commit()
    return sorted(have.values(), key=lambda link: link.unit.name_folded)


def programme_links(programme: Programme) -> dict[int, ProgrammeLink]:
    return {link.unit_id: link for link in db.session.scalars(select(ProgrammeLink).where(
        ProgrammeLink.programme_id == programme.id, ProgrammeLink.revoked_at.is_(None)))}


def find_link(token: str) -> ProgrammeLink:
    link = db.session.scalar(select(ProgrammeLink).where(ProgrammeLink.token == token))
    if link is None or link.revoked_at is not None:
        raise NotFound(_("This link does not exist or has been withdrawn."),
                       code="unknown_link")
    return link


def revoke_link(link: ProgrammeLink) -> ProgrammeLink:
    """Withdraw a unit's link: the old address stops working, a new one replaces it."""
    link.token = new_token()
    link.created_at = utcnow()
    db.session.commit()
    return link


def submit_idea(link: ProgrammeLink, *, kind: str, title: str, description: str = "",
                field: str = "", author_name: str, nonce: str | None = None,
                at: datetime | None = None) -> Idea:
    """A unit's member puts an idea or initiative in the bank, at any time of the year.
    The same ``nonce`` twice returns the first idea."""
    if nonce:
        earlier = db.session.scalar(select(Idea).where(
            Idea.programme_id == link.programme_id, Idea.client_nonce == nonce))
        if earlier is not None:
            return earlier
    if kind not in IDEA_KINDS:
        raise field_error("kind", _("Choose idea or initiative."), "invalid_kind")
    idea = Idea(programme_id=link.programme_id, unit_id=link.unit_id, kind=kind,
                title=required_text(title, "title", max_length=255),
                description=optional_text(description, "description", max_length=5000),
                field=optional_text(field, "field", max_length=120),
                author_name=required_text(author_name, "author_name", max_length=120),
                client_nonce=nonce or None, submitted_at=at or clock())
    db.session.add(idea)
    db.session.commit()
    return idea


#: Outcomes the printed report lists.
TAKEN_FURTHER = ("selected", "adopted", "implemented")


def ideas(programme: Programme, *, unit=None, outcome: str | None = None) -> list[Idea]:
    stmt = select(Idea).options(selectinload(Idea.unit), selectinload(Idea.selected_event)) \
        .where(Idea.programme_id == programme.id)
    if unit is not None:
        stmt = stmt.where(Idea.unit_id == unit.id)
    if outcome:
        stmt = stmt.where(Idea.outcome == outcome)
    return list(db.session.scalars(stmt.order_by(Idea.submitted_at.desc(), Idea.id.desc())))


def find_idea(programme: Programme, idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.programme_id != programme.id:
        raise NotFound(_("This idea does not exist."), code="unknown_idea")
    return idea


def classify_idea(idea: Idea, *, category: str = "", outcome: str = "new",
                  outcome_note: str = "", selected_event=None) -> Idea:
    """The organizers classify an idea, pick it for a forum, mark what became of it."""
    if outcome not in IDEA_OUTCOMES:
        raise field_error("outcome", _("Choose what became of it."), "invalid_outcome")
    if selected_event is not None and outcome == "new":
        outcome = "selected"
    idea.category = optional_text(category, "category", max_length=120)
    idea.outcome = outcome
    idea.outcome_note = optional_text(outcome_note, "outcome_note", max_length=2000)
    idea.selected_event_id = selected_event.id if selected_event is not None else None
    db.session.commit()
    return idea


# --- progress and the review --------------------------------------------------------

def period_bounds(year: int, period: str) -> tuple[datetime, datetime]:
    """[start, end) of a review period, local midnights as UTC."""
    if period not in PERIOD_MONTHS:
        raise field_error("period", _("No such period."), "invalid_period")
    first, last = PERIOD_MONTHS[period]
    start = from_local(datetime(year, first, 1))
    end = from_local(datetime(year + 1, 1, 1) if last == 12 else datetime(year, last + 1, 1))
    return start, end


def counts(programme: Programme, *, since: datetime, until: datetime) -> dict:
    """{(unit_id, metric): n} of what each unit did in [since, until).

    ideas: the bank's ideas plus ideas a unit sent to a programme meeting's dialogue;
    initiatives: the bank's initiatives; questions: questions, petitions and proposals
    sent to the programme's meetings; delegates: named for those meetings;
    attendance: checked in at them.
    """
    from ..attendance.models import Attendance
    from ..attendees.models import Attendee
    from ..dialogue.models import Question
    from ..events.models import Event

    out: dict[tuple[int, str], int] = {}

    def add(rows, metric):
        for unit_id, n in rows:
            if unit_id is not None:
                out[(unit_id, metric)] = out.get((unit_id, metric), 0) + n

    for kind, metric in (("idea", "ideas"), ("initiative", "initiatives")):
        add(db.session.execute(select(Idea.unit_id, func.count()).where(
            Idea.programme_id == programme.id, Idea.kind == kind, Idea.submitted_at >= since,
            Idea.submitted_at < until).group_by(Idea.unit_id)), metric)
    event_ids = [m.event_id for m in programme.meetings if m.event_id is not None]
    if event_ids:
        live = Question.status.not_in(("rejected", "merged"))
        add(db.session.execute(select(Question.unit_id, func.count()).where(
            Question.event_id.in_(event_ids), Question.kind == "idea", live,
            Question.created_at >= since, Question.created_at < until)
            .group_by(Question.unit_id)), "ideas")
        add(db.session.execute(select(Question.unit_id, func.count()).where(
            Question.event_id.in_(event_ids), Question.kind != "idea", live,
            Question.created_at >= since, Question.created_at < until)
            .group_by(Question.unit_id)), "questions")
        add(db.session.execute(select(Attendee.unit_id, func.count()).join(
            Event, Event.id == Attendee.event_id).where(
            Attendee.event_id.in_(event_ids), Attendee.category == "delegate",
            Attendee.replaced.is_(False), Event.starts_at >= since, Event.starts_at < until)
            .group_by(Attendee.unit_id)), "delegates")
        add(db.session.execute(select(Attendee.unit_id, func.count()).join(
            Attendance, Attendance.attendee_id == Attendee.id).where(
            Attendance.event_id.in_(event_ids), Attendance.checked_in_at >= since,
            Attendance.checked_in_at < until).group_by(Attendee.unit_id)), "attendance")
    return out


@dataclass
class ReviewCell:
    metric: str
    target: int
    #: The share of the year's target due by the end of the period (rounded up).
    expected: int
    #: Done since the start of the year, up to the end of the period.
    actual: int
    #: Done within the period.
    in_period: int

    @property
    def behind(self) -> bool:
        return self.actual < self.expected

    @property
    def rate(self) -> float:
        return self.actual / self.target if self.target else 1.0


@dataclass
class ReviewRow:
    unit: object
    cells: dict[str, ReviewCell]

    @property
    def behind(self) -> list[ReviewCell]:
        return [c for c in self.cells.values() if c.behind]


@dataclass
class Review:
    programme: Programme
    period: str
    start: datetime
    end: datetime
    metrics: list[str]
    rows: list[ReviewRow]

    @property
    def behind(self) -> list[ReviewRow]:
        return [r for r in self.rows if r.behind]


def review(programme: Programme, period: str) -> Review:
    """Each unit's progress against each target by the end of ``period`` (Q1–Q4, H1, H2,
    Y): the year-to-date count against the pro-rata share of the year's target."""
    start, end = period_bounds(programme.year, period)
    year_start, _ = period_bounds(programme.year, "Y")
    months = PERIOD_MONTHS[period][1]
    to_date = counts(programme, since=year_start, until=end)
    within = counts(programme, since=start, until=end)
    by_unit: dict[int, dict[str, Target]] = {}
    for (unit_id, metric), target in targets(programme).items():
        by_unit.setdefault(unit_id, {})[metric] = target
    metrics = [m for m in METRICS if any(m in ts for ts in by_unit.values())]
    rows = []
    for unit in programme_units(programme):
        unit_targets = by_unit.get(unit.id)
        if not unit_targets:
            continue
        cells = {}
        for metric, target in unit_targets.items():
            cells[metric] = ReviewCell(
                metric, target.amount, math.ceil(target.amount * months / 12 - 1e-9),
                to_date.get((unit.id, metric), 0), within.get((unit.id, metric), 0))
        rows.append(ReviewRow(unit, cells))
    return Review(programme, period, start, end, metrics, rows)


def review_reminder(row: ReviewRow, review_: Review) -> str:
    """What to send a unit behind its targets (Vietnamese, ready for e-mail or chat)."""
    with force_locale("vi"):
        lines = [_("To %(unit)s:", unit=row.unit.name),
                 _("By the end of %(period)s of “%(programme)s”, your unit is behind on:",
                   period=str(PERIOD_LABELS[review_.period]),
                   programme=review_.programme.title)]
        for cell in row.behind:
            lines.append(_("- %(metric)s: %(actual)d so far, %(expected)d expected by now "
                           "(%(target)d for the year)", metric=str(METRIC_LABELS[cell.metric]),
                           actual=cell.actual, expected=cell.expected, target=cell.target))
        link = programme_links(review_.programme).get(row.unit.id)
        if link is not None:
            lines.append(_("Send ideas and initiatives through your unit's link: %(url)s",
                           url=_public("plan_links.page", token=link.token)))
    return "\n".join(lines)


def send_review_reminders(review_: Review) -> ReminderResult:
    """E-mail each unit behind target its reminder (units without an address are listed)."""
    from ..attendees.mailing import _connect, _reason

    result = ReminderResult()
    todo = []
    for row in review_.behind:
        contact = unit_contact(row.unit)
        if contact is None or not contact.email:
            result.no_address.append(row.unit.name)
        else:
            todo.append((row, contact.email))
    if not todo:
        return result
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        result.stopped = _reason(exc)
        return result
    try:
        for row, address in todo:
            message = EmailMessage()
            with force_locale("vi"):
                message["Subject"] = _("Targets of “%(programme)s”: %(period)s",
                                       programme=review_.programme.title,
                                       period=str(PERIOD_LABELS[review_.period]))
            message["From"] = current_app.config["MAIL_FROM"]
            message["To"] = address
            message.set_content(review_reminder(row, review_))
            try:
                smtp.send_message(message)
            except (OSError, smtplib.SMTPException):
                result.failed += 1
            else:
                result.sent += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return result


def quarterly_totals(programme: Programme) -> dict[str, list[int]]:
    """{metric: [Q1, Q2, Q3, Q4]} across every unit (for the chart)."""
    out = {m: [0, 0, 0, 0] for m in METRICS}
    for q in range(4):
        start, end = period_bounds(programme.year, f"Q{q + 1}")
        for (_u, metric), n in counts(programme, since=start, until=end).items():
            out[metric][q] += n
    return out


def programme_sections(programme: Programme, period: str = "Y", *, every_idea: bool = True):
    """The programme report: targets and progress per unit, the units behind, the
    meetings, the ideas by field, and the idea bank; with the charts drawn into the PDF.

    Without ``every_idea`` (the printed report) the bank lists only the ideas the
    organizers took further (picked, adopted, put into practice); the workbook has all.
    """
    from ..reports.exporters import Section
    from . import charts

    rev = review(programme, period)
    quarters = quarterly_totals(programme)
    bank = ideas(programme)
    by_field: dict[str, list[int]] = {}
    for idea in bank:
        by_field.setdefault(idea.field, [0, 0])[idea.kind == "initiative"] += 1
    header = [_("Unit")]
    for m in rev.metrics:
        header += [f"{METRIC_LABELS[m]}: " + _("target"), _("done"), _("expected")]
    rows = []
    for row in rev.rows:
        line = [row.unit.name]
        for m in rev.metrics:
            cell = row.cells.get(m)
            line += [cell.target, cell.actual, cell.expected] if cell else ["", "", ""]
        rows.append(line)
    sections = [
        Section(_("Progress against targets by unit (%(period)s)",
                  period=str(PERIOD_LABELS[period])), header, rows,
                [30] + [9] * (len(header) - 1),
                chart=lambda pdf, x, y, w: charts.draw_progress(pdf, rev, x, y, w)),
        Section(_("Submissions per quarter"), [_("What")] + ["I", "II", "III", "IV"],
                [[str(METRIC_LABELS[m])] + quarters[m] for m in METRICS],
                [30, 10, 10, 10, 10],
                chart=lambda pdf, x, y, w: charts.draw_quarters(pdf, quarters, x, y, w)),
        Section(_("Units behind target"), [_("Unit"), _("Behind on")],
                [[r.unit.name, "; ".join(f"{METRIC_LABELS[c.metric]} {c.actual}/{c.expected}"
                                          for c in r.behind)] for r in rev.behind], [40, 60]),
        Section(_("Planned meetings"), [_("When"), _("Meeting"), _("Date")],
                [[period_label(m), m.title, format_short(m.event.starts_at) if m.event else
                  _("to be fixed")] for m in meetings(programme)], [16, 60, 24]),
        Section(_("Ideas and initiatives by field"), [_("Field"), _("Ideas"), _("Initiatives")],
                [[name or "—", n_ideas, n_initiatives] for name, (n_ideas, n_initiatives)
                 in sorted(by_field.items())], [40, 15, 15]),
        Section(_("Idea bank") if every_idea else _("Ideas taken further"),
                [_("Unit"), _("Kind"), _("Title of the idea"), _("Field"),
                 _("Author"), _("Submitted"), _("Classification"), _("Outcome")],
                [[i.unit.name, str(IDEA_KIND_LABELS[i.kind]), i.title, i.field, i.author_name,
                  format_short(i.submitted_at), i.category, str(IDEA_OUTCOME_LABELS[i.outcome])]
                 for i in bank if every_idea or i.outcome in TAKEN_FURTHER],
                [22, 10, 34, 14, 16, 13, 14, 14]),
    ]
    return sections


def period_label(meeting: PlannedMeeting) -> str:
    if meeting.period_kind == "quarter":
        return str(PERIOD_LABELS[f"Q{meeting.period}"])
    return _("Month %(n)d", n=meeting.period)


def current_period(programme: Programme, now: datetime | None = None) -> str:
    local = to_local(now or clock())
    if local.year < programme.year:
        return "Q1"
    if local.year > programme.year:
        return "Y"
    return f"Q{(local.month - 1) // 3 + 1}"


# --- calendar tokens --------------------------------------------------------------

def calendar_feed(user, *, reset: bool = False) -> CalendarFeed:
    """The staff member's private calendar address; ``reset`` issues a new one."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    elif reset:
        feed.token = new_token()
    db.session.commit()
    return feed


def feed_user(token: str):
    from ..auth.models import User

    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    user = db.session.get(User, feed.user_id) if feed else None
    if user is None or not user.active:
        raise Forbidden(_("This calendar address is not valid."), code="unknown_feed")
    return user
