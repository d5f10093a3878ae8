"""The record after (and during) the meeting: attendance and the compiled dialogue.

Each report is built from a handful of aggregate queries, never one query per unit,
person or question (a test counts them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..attendance.models import Attendance, Gate
from ..attendees.models import Attendee
from ..dialogue.models import Agency, Question, Topic, Vote
from ..errors import NotFound
from ..extensions import db
from ..units.models import Quota, Unit
from ..validation import optional_text
from .models import Excuse

# --- excuses ---------------------------------------------------------------------

def set_excuse(event, attendee: Attendee, *, reason: str, by_user=None) -> Excuse | None:
    """Record (or, with an empty reason, remove) an excused absence."""
    if attendee.event_id != event.id:
        raise NotFound(_("This person is not on the list (any more)."), code="unknown_attendee")
    excuse = db.session.scalar(select(Excuse).where(Excuse.event_id == event.id,
                                                    Excuse.attendee_id == attendee.id))
    reason = optional_text(reason, "reason", max_length=255)
    if not reason:
        if excuse is not None:
            db.session.delete(excuse)
            db.session.commit()
        return None
    if excuse is None:
        excuse = Excuse(event_id=event.id, attendee_id=attendee.id,
                        created_by_id=by_user.id if by_user else None)
        db.session.add(excuse)
    excuse.reason = reason
    db.session.commit()
    return excuse


# --- attendance ----------------------------------------------------------------------

@dataclass
class UnitRow:
    unit: str
    quota: int = 0
    nominated: int = 0
    in_person: int = 0
    online: int = 0
    excused: int = 0
    unexcused: int = 0
    substitutes: int = 0
    #: Not checked in while the meeting has not ended (they are not "absent" yet).
    not_arrived: int = 0

    def missing(self, over: bool) -> int:
        return self.unexcused if over else self.not_arrived

    @property
    def present(self) -> int:
        return self.in_person + self.online

    @property
    def rate(self) -> float:
        """Present against the quota (or the nominated, without a quota)."""
        base = self.quota or self.nominated
        return self.present / base if base else 0.0


@dataclass
class PersonRow:
    id: int
    name: str
    position: str
    affiliation: str
    category: str
    #: in_person, online, excused, absent (after the meeting), not_arrived (before and
    #: during it), replaced (a substitute came in their place).
    status: str
    checked_in_at: datetime | None = None
    gate: str = ""
    method: str = ""
    note: str = ""
    #: For a substitute: whom they came in place of; for a replaced delegate: who came.
    replaces: str = ""
    replaced_by: str = ""


@dataclass
class AttendanceReport:
    units: list[UnitRow]
    others: list[UnitRow]  # guests, press, presidium, by category
    people: list[PersonRow]
    arrivals: dict[str, list[int]]  # gate name → count per 5-minute slot
    slot_start: datetime | None
    total: UnitRow = field(default_factory=lambda: UnitRow(""))
    #: False before and during the meeting: nobody is "absent" yet, only not arrived.
    over: bool = True

    def arrival_rows(self) -> list[list]:
        """Per 5-minute slot: its start, the count per gate, the total, the running total."""
        if self.slot_start is None:
            return []
        gates = list(self.arrivals)
        slots = max(len(v) for v in self.arrivals.values())
        out, running = [], 0
        for i in range(slots):
            counts = [self.arrivals[g][i] for g in gates]
            running += sum(counts)
            out.append([self.slot_start + timedelta(minutes=5 * i), *counts, sum(counts),
                        running])
        return out


def meeting_over(event, now: datetime | None = None) -> bool:
    """Whether the meeting has ended (its end, else the close of check-in)."""
    from ..attendance.services import checkin_window
    from ..types import utcnow

    now = now or utcnow()
    return now >= (event.ends_at or checkin_window(event)[1])


def attendance_report(event, *, now: datetime | None = None) -> AttendanceReport:
    """Per unit: quota, nominated, in person, online, excused, unexcused, substitutes;
    guests and press apart; everyone with time, gate and method; arrivals per 5 minutes.

    Before and during the meeting, people not checked in are "not yet arrived"; only
    after it are they "absent". A replaced delegate stays on the list, marked as
    replaced and naming the substitute (who names them in turn)."""
    from ..i18n import sort_key

    over = meeting_over(event, now)
    people = db.session.execute(
        select(Attendee, Unit.name, Attendance.checked_in_at, Attendance.method, Gate.name,
               Excuse.reason)
        .outerjoin(Unit, Unit.id == Attendee.unit_id)
        .outerjoin(Attendance, (Attendance.attendee_id == Attendee.id)
                   & (Attendance.event_id == event.id))
        .outerjoin(Gate, Gate.id == Attendance.gate_id)
        .outerjoin(Excuse, (Excuse.attendee_id == Attendee.id) & (Excuse.event_id == event.id))
        .where(Attendee.event_id == event.id)).all()
    people = sorted(people, key=lambda r: (sort_key(r[1] or ""), sort_key(r[0].full_name)))
    replaced = {r[0].id: r[0] for r in people if r[0].replaced}
    substitutes = {r[0].substitute_for_id: r[0].full_name for r in people
                   if r[0].substitute_for_id}
    quotas = dict(db.session.execute(
        select(Unit.name, Quota.seats).join(Quota, Quota.unit_id == Unit.id)
        .where(Quota.event_id == event.id)).all()) if event.quotas_enabled else {}
    units: dict[str, UnitRow] = {name: UnitRow(name, quota=seats) for name, seats in
                                 sorted(quotas.items(), key=lambda kv: sort_key(kv[0]))}
    others: dict[str, UnitRow] = {}
    rows: list[PersonRow] = []
    times: list[tuple[datetime, str]] = []
    for person, unit_name, at, method, gate, excuse in people:
        if person.replaced and at is None:
            rows.append(PersonRow(person.id, person.full_name, person.position,
                                  unit_name or person.organization, person.category,
                                  "replaced", replaced_by=substitutes.get(person.id, "")))
            continue
        if person.category == "delegate" and unit_name:
            row = units.setdefault(unit_name, UnitRow(unit_name))
        else:
            row = others.setdefault(person.category, UnitRow(person.category))
        row.nominated += 1
        if person.substitute_for_id:
            row.substitutes += 1
        if at is not None:
            status = "online" if method == "online" else "in_person"
            if status == "online":
                row.online += 1
            else:
                row.in_person += 1
                times.append((at, gate or _("by hand")))
        elif excuse:
            status = "excused"
            row.excused += 1
        elif over:
            status = "absent"
            row.unexcused += 1
        else:
            status = "not_arrived"
            row.not_arrived += 1
        original = replaced.get(person.substitute_for_id)
        rows.append(PersonRow(person.id, person.full_name, person.position,
                              unit_name or person.organization, person.category, status, at,
                              gate or "", method or "", excuse or "",
                              replaces=original.full_name if original else ""))
    arrivals, start = _arrivals(times)
    report = AttendanceReport(list(units.values()), list(others.values()), rows, arrivals, start,
                              over=over)
    for row in report.units:
        for name in ("quota", "nominated", "in_person", "online", "excused", "unexcused",
                     "substitutes", "not_arrived"):
            setattr(report.total, name, getattr(report.total, name) + getattr(row, name))
    return report


def _arrivals(times: list[tuple[datetime, str]]) -> tuple[dict[str, list[int]], datetime | None]:
    if not times:
        return {}, None
    first = min(t for t, _g in times)
    start = first.replace(minute=first.minute - first.minute % 5, second=0, microsecond=0)
    slots = int((max(t for t, _g in times) - start) / timedelta(minutes=5)) + 1
    by_gate: dict[str, list[int]] = defaultdict(lambda: [0] * slots)
    for at, gate in times:
        by_gate[gate][int((at - start) / timedelta(minutes=5))] += 1
    return dict(sorted(by_gate.items())), start


# --- the compiled dialogue -----------------------------------------------------------------

@dataclass
class QuestionRow:
    id: int
    text: str
    kind: str
    unit: str
    asker: str
    topic: str
    agency: str
    status: str
    votes: int
    answer: str
    source: str
    merged: list[QuestionRow] = field(default_factory=list)
    #: The question's number within the meeting (#1, #2 …).
    number: int | None = None


@dataclass
class DialogueReport:
    questions: list[QuestionRow]
    by_topic: dict[str, list[QuestionRow]]
    by_agency: dict[str, list[QuestionRow]]
    unanswered_by_agency: dict[str, list[QuestionRow]]
    written: int  # written contributions, which count as speeches
    #: The contributions assigned to units, in programme order.
    contributions: list[ContributionRow] = field(default_factory=list)

    @property
    def contributions_received(self) -> int:
        return sum(1 for c in self.contributions if c.submitted_at)


@dataclass
class ContributionRow:
    item: str
    unit: str
    title: str
    speaker: str
    deadline: datetime | None
    submitted_at: datetime | None
    document: str


def dialogue_report(event, *, agency_id: int | None = None) -> DialogueReport:
    """All questions, petitions and proposals — before and during the meeting — grouped by
    topic and by answering agency, merged duplicates under their survivor; the unanswered
    ones per agency apart (they go to the agencies in writing)."""
    rows = db.session.execute(
        select(Question, Unit.name, Topic.name, Agency.name)
        .outerjoin(Unit, Unit.id == Question.unit_id)
        .outerjoin(Topic, Topic.id == Question.topic_id)
        .outerjoin(Agency, Agency.id == Question.agency_id)
        .where(Question.event_id == event.id).order_by(Question.id)).all()
    votes: dict[int, int] = defaultdict(int)
    for (qid,) in db.session.execute(select(Vote.question_id).join(
            Question, Question.id == Vote.question_id).where(Question.event_id == event.id)):
        votes[qid] += 1
    made: dict[int, QuestionRow] = {}
    merged_into: dict[int, int] = {}
    for q, unit, topic, agency in rows:
        made[q.id] = QuestionRow(q.id, q.text, q.kind, unit or "", q.asker_name, topic or "",
                                 agency or "", q.status, votes[q.id], q.answer_note, q.source,
                                 number=q.number)
        if q.merged_into_id:
            merged_into[q.id] = q.merged_into_id
    survivors = []
    for qid, row in made.items():
        if qid in merged_into and merged_into[qid] in made:
            made[merged_into[qid]].merged.append(row)
        elif row.status != "rejected":
            survivors.append(row)
    if agency_id is not None:
        wanted = db.session.get(Agency, agency_id)
        survivors = [r for r in survivors if wanted and r.agency == wanted.name]
    by_topic: dict[str, list[QuestionRow]] = defaultdict(list)
    by_agency: dict[str, list[QuestionRow]] = defaultdict(list)
    unanswered: dict[str, list[QuestionRow]] = defaultdict(list)
    for row in survivors:
        by_topic[row.topic or _("No topic")].append(row)
        by_agency[row.agency or _("No agency yet")].append(row)
        if row.status != "answered" and row.kind != "written":
            unanswered[row.agency or _("No agency yet")].append(row)
    return DialogueReport(survivors, dict(sorted(by_topic.items())),
                          dict(sorted(by_agency.items())), dict(sorted(unanswered.items())),
                          sum(1 for r in survivors if r.kind == "written"),
                          contribution_rows(event))


def contribution_rows(event) -> list[ContributionRow]:
    """The assigned contributions with their units and whether the text came (one query)."""
    from ..events.models import AgendaItem, Contribution

    rows = db.session.execute(
        select(AgendaItem.title, Unit.name, Contribution.title, Contribution.speaker,
               Contribution.deadline, Contribution.submitted_at, Contribution.document_name)
        .join(Contribution, Contribution.agenda_item_id == AgendaItem.id)
        .join(Unit, Unit.id == Contribution.unit_id)
        .where(AgendaItem.event_id == event.id)
        .order_by(AgendaItem.position, Contribution.position))
    return [ContributionRow(*row) for row in rows]


# --- across a series -----------------------------------------------------------------------

def series_report(series) -> tuple[list, list[tuple[str, list[tuple[int, int]]]]]:
    """Per unit, for each meeting of the series: (present, quota)."""
    events = list(series.events)
    ids = [e.id for e in events]
    present = defaultdict(int)
    for event_id, unit in db.session.execute(
            select(Attendance.event_id, Unit.name).join(Attendee,
                                                         Attendee.id == Attendance.attendee_id)
            .join(Unit, Unit.id == Attendee.unit_id).where(Attendance.event_id.in_(ids))):
        present[(event_id, unit)] += 1
    quota = {(e, u): s for e, u, s in db.session.execute(
        select(Quota.event_id, Unit.name, Quota.seats).join(Unit, Unit.id == Quota.unit_id)
        .where(Quota.event_id.in_(ids)))}
    units = sorted({u for _e, u in present} | {u for _e, u in quota})
    return events, [(u, [(present[(e, u)], quota.get((e, u), 0)) for e in ids]) for u in units]
