"""The dialogue's operations: asking, supporting, moderating, the floor, the agenda.

Every moderator's change names the version of the question it was made on; a
change made on an older version is refused (``stale``) instead of overwriting
another moderator's work. Delegates' submissions carry a client-made nonce: a
retry returns the first result.
"""

from __future__ import annotations

import time

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..attendees.models import Attendee
from ..audit import services as audit
from ..errors import Conflict, DomainError, NotFound
from ..extensions import db
from ..nonces import first_wins
from ..transaction import commit, transactional
from ..types import utcnow
from ..validation import field_error, optional_text, required_text
from ..versions import bump
from .models import (
    KINDS,
    PUBLIC_STATUSES,
    Agency,
    DialogueState,
    FloorRequest,
    Question,
    Topic,
    Vote,
)

KIND_LABELS = {
    "question": _l("Question"),
    "petition": _l("Petition"),
    "proposal": _l("Proposal"),
    "idea": _l("Idea"),
    "written": _l("Written contribution"),
}

STATUS_LABELS = {
    "submitted": _l("New"),
    "approved": _l("Approved"),
    "answering": _l("Now answering"),
    "answered": _l("Answered"),
    "rejected": _l("Rejected"),
    "merged": _l("Merged"),
}


def dialogue_state(event, *, for_update: bool = False) -> DialogueState:
    """The event's dialogue state. Reading never writes: without a saved row, the
    defaults are returned unsaved; ``for_update`` adds the row to the session."""
    state = db.session.get(DialogueState, event.id)
    if state is None:
        state = DialogueState(event_id=event.id, questions_open=False, unit_minimum=0,
                              speaking_seconds=180, max_length=500)
        if for_update:
            db.session.add(state)
    return state


def _touch(event) -> int:
    """The dialogue changed: its version goes up by one, in this transaction."""
    return bump(event, "dialogue")


def _next_number(event) -> int:
    """The next question number of this meeting (#1, #2 …).

    Bumps the dialogue's version first (:func:`checkin.versions.bump` flushes, then its
    UPDATE holds the event's row, and SQLite's write lock, until the commit), so two
    questions arriving at once are numbered one after the other, never twice the same
    (the unique (event_id, number) constraint guards it too).
    """
    _touch(event)
    return db.session.scalar(select(func.coalesce(func.max(Question.number), 0) + 1)
                             .where(Question.event_id == event.id))


# --- lists and settings ----------------------------------------------------------

@transactional
def set_lists(event, *, topics: list[str], agencies: list[str]) -> None:
    """Replace the event's topics and answering agencies (names kept, new ones added)."""
    for model, names in ((Topic, topics), (Agency, agencies)):
        wanted = []
        for name in names:
            name = optional_text(name, "name", max_length=200)
            if name and name not in wanted:
                wanted.append(name)
        existing = {row.name: row for row in db.session.scalars(
            select(model).where(model.event_id == event.id))}
        for name in wanted:
            if name not in existing:
                db.session.add(model(event_id=event.id, name=name))
        for name, row in existing.items():
            if name not in wanted:
                db.session.delete(row)
    commit()


@transactional
def update_settings(event, *, unit_deadline=None, unit_minimum: int = 0,
                    speaking_seconds: int = 180, max_length: int = 500) -> DialogueState:
    state = dialogue_state(event, for_update=True)
    if not 0 <= unit_minimum <= 100:
        raise field_error("unit_minimum", _("Between 0 and 100."), "out_of_range")
    if not 30 <= speaking_seconds <= 1800:
        raise field_error("speaking_seconds", _("Between 30 and 1800 seconds."), "out_of_range")
    if not 50 <= max_length <= 2000:
        raise field_error("max_length", _("Between 50 and 2000 characters."), "out_of_range")
    state.unit_deadline, state.unit_minimum = unit_deadline, unit_minimum
    state.speaking_seconds, state.max_length = speaking_seconds, max_length
    _touch(event)
    commit()
    return state


@transactional
def configure(event, *, topics: list[str], agencies: list[str], **settings) -> DialogueState:
    """The dialogue's settings page as one action: settings (see :func:`update_settings`)
    and the topic and agency lists, saved together or not at all."""
    state = update_settings(event, **settings)
    set_lists(event, topics=topics, agencies=agencies)
    return state


def topics(event) -> list[Topic]:
    return list(db.session.scalars(select(Topic).where(Topic.event_id == event.id)
                                   .order_by(Topic.name)))


def agencies(event) -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(Agency.event_id == event.id)
                                   .order_by(Agency.name)))


# --- asking ------------------------------------------------------------------------

def _made(model, event, nonce):
    if not nonce:
        return None
    return db.session.scalar(select(model).where(model.event_id == event.id,
                                                 model.client_nonce == nonce))


def _check_kind_topic(event, kind: str, topic_id: int | None) -> Topic | None:
    if kind not in KINDS:
        raise field_error("kind", _("Choose the kind: question, petition, proposal or idea."),
                          "invalid_kind")
    if not topic_id:
        return None
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.event_id != event.id:
        raise field_error("topic_id", _("Choose a topic from the list."), "invalid_topic")
    return topic


def _check_present(event, attendee: Attendee, not_present: str) -> None:
    """A delegate acts only in their own meeting, and only once there (hall or online)."""
    from ..attendance.services import attendance_of

    if attendee.event_id != event.id:
        raise DomainError(_("This invitation is for another meeting."), code="wrong_event")
    if attendance_of(attendee) is None:
        raise DomainError(not_present, code="not_checked_in")


def questions_accepting(event) -> bool:
    state = dialogue_state(event)
    if not state.questions_open:
        return False
    return state.questions_item_id is None or state.questions_item_id == state.current_item_id


def ask(event, attendee: Attendee, *, text: str, kind: str = "question",
        topic_id: int | None = None, show_name: bool = False,
        nonce: str | None = None) -> Question:
    """A delegate sends a question from their phone during the meeting.

    They must be on the event's list and checked in (or attending online), and
    questions must be open. ``nonce`` makes a retry return the first question.
    """

    done = _made(Question, event, nonce)
    if done is not None:
        return done
    if not questions_accepting(event):
        raise DomainError(_("Questions are closed at the moment."), code="questions_closed")
    _check_present(event, attendee,
                   _("Check in at the hall first; then you can send questions."))
    state = dialogue_state(event)
    text = required_text(text, "text", max_length=state.max_length)
    topic = _check_kind_topic(event, kind, topic_id)
    question = Question(event_id=event.id, attendee_id=attendee.id, unit_id=attendee.unit_id,
                        asker_name=attendee.full_name, show_name=bool(show_name), kind=kind,
                        topic=topic, text=text, original_text=text, source="live",
                        client_nonce=nonce or None)
    return first_wins(lambda: _saved(question, event, numbered=True),
                      lambda: _made(Question, event, nonce))


def _saved(row, event, *, numbered: bool = False):
    """Add ``row``, move the dialogue's version on, commit; returns the row.

    A ``numbered`` row (a question) takes the meeting's next number: the version is
    bumped first then (see :func:`_next_number`), which serialises the numbering.
    """
    if numbered:
        row.number = _next_number(event)
        db.session.add(row)
    else:
        db.session.add(row)
        _touch(event)
    db.session.commit()
    return row


def submit_unit_question(link, *, text: str, kind: str = "question",
                         topic_id: int | None = None, asker_name: str = "",
                         nonce: str | None = None) -> Question:
    """A unit sends a question, petition or proposal before the meeting through its link."""
    event = link.event
    done = _made(Question, event, nonce)
    if done is not None:
        return done
    if link.revoked_at is not None:  # the nomination deadline does not close questions
        raise DomainError(_("This nomination link has been withdrawn. Ask the organizers "
                            "for the new one."), code="link_revoked")
    state = dialogue_state(event)
    if state.unit_deadline is not None and utcnow() >= state.unit_deadline:
        from ..i18n import format_when

        raise DomainError(_("Questions were due by %(when)s.",
                            when=format_when(state.unit_deadline)), code="deadline_passed")
    text = required_text(text, "text", max_length=2000)
    topic = _check_kind_topic(event, kind, topic_id)
    question = Question(event_id=event.id, unit_id=link.unit_id, kind=kind, topic=topic,
                        asker_name=optional_text(asker_name, "asker_name", max_length=120),
                        text=text, original_text=text, source="unit",
                        client_nonce=nonce or None)
    return first_wins(lambda: _saved(question, event, numbered=True),
                      lambda: _made(Question, event, nonce))


def unit_questions(event, unit_id: int) -> list[Question]:
    return list(db.session.scalars(select(Question).where(
        Question.event_id == event.id, Question.unit_id == unit_id, Question.source == "unit")
        .order_by(Question.id)))


def unit_counts(event) -> list[dict]:
    """Per unit with a quota: questions sent before the meeting against the minimum."""
    from ..units.services import quota_table

    counts = dict(db.session.execute(
        select(Question.unit_id, func.count()).where(Question.event_id == event.id,
                                                     Question.source == "unit")
        .group_by(Question.unit_id)).all())
    minimum = dialogue_state(event).unit_minimum
    return [{"unit": row.unit, "link": row.link, "count": counts.get(row.unit.id, 0),
             "minimum": minimum, "short": max(minimum - counts.get(row.unit.id, 0), 0)}
            for row in quota_table(event).rows]


def vote(question: Question, attendee: Attendee, *, support: bool = True) -> int:
    """Support a public question once (or take the support back); returns the count."""
    if attendee.event_id != question.event_id:
        raise DomainError(_("This invitation is for another meeting."), code="wrong_event")
    if question.status not in ("approved", "answering"):
        raise DomainError(_("Only questions in the queue can be supported."),
                          code="not_votable")
    # One statement each way, harmless twice and at the same moment: the second support
    # of a pair inserts nothing, the second withdrawal deletes nothing.
    if support:
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        changed = db.session.execute(
            insert(Vote).values(question_id=question.id, attendee_id=attendee.id)
            .on_conflict_do_nothing(index_elements=["question_id", "attendee_id"])
            .returning(Vote.id)).first() is not None
    else:
        changed = db.session.execute(delete(Vote).where(
            Vote.question_id == question.id, Vote.attendee_id == attendee.id)
            .execution_options(synchronize_session=False)).rowcount > 0
    if changed:
        _touch(question_event(question))
    db.session.commit()
    return vote_count(question)


def vote_count(question: Question) -> int:
    return db.session.scalar(select(func.count()).where(Vote.question_id == question.id))


def question_event(question: Question):
    from ..events.models import Event

    return db.session.get(Event, question.event_id)


# --- moderating -----------------------------------------------------------------------

def _stale() -> Conflict:
    return Conflict(_("Someone else changed this question a moment ago. The console now "
                    "shows the latest version; check it and try again."), code="stale")


def _checked(question: Question, version: int | None) -> Question:
    """Refuse a change made on an older version; else take the row's version forward."""
    if version is not None and int(version) != question.version:
        raise _stale()
    result = db.session.execute(
        update(Question).where(Question.id == question.id, Question.version == question.version)
        .values(version=Question.version + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise _stale()
    db.session.refresh(question)
    return question


def find_question(event, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        raise NotFound(_("This question does not exist."), code="unknown_question")
    return question


_AUDITED = ("status", "text", "kind", "topic_id", "agency_id", "reject_reason", "answer_note")


def _snapshot(question: Question) -> dict:
    return {name: getattr(question, name) for name in _AUDITED}


def _save(question: Question, action: str, before: dict) -> Question:
    """Commit a moderator's change to ``question``, with its audit entry."""
    event = question_event(question)
    before, after = audit.changes(before, _snapshot(question))
    audit.record(action, event=event, target=question, target_type="question",
                 before=before, after=after)
    _touch(event)  # last: the event's row stays locked only until the commit
    db.session.commit()
    return question


def approve(question: Question, *, version: int | None = None) -> Question:
    before = _snapshot(question)
    _checked(question, version)
    if question.status not in ("submitted", "rejected"):
        raise Conflict(_("Only new or rejected questions can be approved."), code="bad_status")
    last = db.session.scalar(select(func.max(Question.position)).where(
        Question.event_id == question.event_id, Question.status == "approved")) or 0
    question.status, question.position, question.reject_reason = "approved", last + 1, ""
    return _save(question, "question.approve", before)


def reject(question: Question, *, version: int | None = None, reason: str = "") -> Question:
    before = _snapshot(question)
    _checked(question, version)
    if question.status in ("answered", "merged"):
        raise Conflict(_("This question can no longer be rejected."), code="bad_status")
    question.status = "rejected"
    question.reject_reason = optional_text(reason, "reason", max_length=500)
    return _save(question, "question.reject", before)


def edit(question: Question, *, version: int | None = None, text: str | None = None,
         kind: str | None = None, topic_id: int | None = None,
         agency_id: int | None = None) -> Question:
    """Change the text (the original stays), the kind, topic or answering agency."""
    before = _snapshot(question)
    _checked(question, version)
    event = question_event(question)
    if text is not None:
        question.text = required_text(text, "text", max_length=2000)
    if kind is not None:
        question.topic = _check_kind_topic(event, kind, topic_id or None)
        question.kind = kind
    if agency_id is not None:
        agency = db.session.get(Agency, agency_id) if agency_id else None
        if agency_id and (agency is None or agency.event_id != event.id):
            raise field_error("agency_id", _("Choose an agency from the list."),
                              "invalid_agency")
        question.agency = agency
    return _save(question, "question.edit", before)


def start_answering(question: Question, *, version: int | None = None) -> Question:
    """Put a question on the screen as "now answering"; the previous one goes back to
    the queue unless it was marked answered."""
    before = _snapshot(question)
    _checked(question, version)
    if question.status not in ("approved", "submitted"):
        raise Conflict(_("Approve the question first."), code="bad_status")
    for other in db.session.scalars(select(Question).where(
            Question.event_id == question.event_id, Question.status == "answering",
            Question.id != question.id)):
        other.status = "approved"
        other.version = Question.version + 1
    question.status = "answering"
    return _save(question, "question.answering", before)


def mark_answered(question: Question, *, version: int | None = None,
                  note: str = "") -> Question:
    before = _snapshot(question)
    _checked(question, version)
    if question.status not in ("answering", "approved"):
        raise Conflict(_("Only a question being answered can be marked answered."),
                       code="bad_status")
    question.status, question.answered_at = "answered", utcnow()
    question.answer_note = optional_text(note, "note", max_length=2000)
    return _save(question, "question.answered", before)


def reorder(event, ordered_ids: list[int]) -> None:
    """The chair's order of the approved queue (ids first to last)."""
    queue = {q.id: q for q in db.session.scalars(select(Question).where(
        Question.event_id == event.id, Question.status == "approved"))}
    rest = [qid for qid in queue if qid not in ordered_ids]
    for position, qid in enumerate([i for i in ordered_ids if i in queue] + rest, start=1):
        queue[qid].position = position
    _touch(event)
    db.session.commit()


def order_by_support(event) -> None:
    """Order the approved queue by support, most supported first (ties: oldest first)."""
    votes = _votes(event)
    queue = db.session.scalars(select(Question).where(
        Question.event_id == event.id, Question.status == "approved")).all()
    reorder(event, [q.id for q in sorted(queue, key=lambda q: (-votes.get(q.id, 0), q.id))])


@transactional
def merge(event, survivor: Question, others: list[Question]) -> Question:
    """Merge duplicates into ``survivor``: their supporters move over, they point to it."""
    if survivor.status == "merged":
        raise Conflict(_("Choose a question that is not itself merged."), code="bad_status")
    for other in others:
        if other.id == survivor.id or other.event_id != event.id:
            continue
        voters = set(db.session.scalars(select(Vote.attendee_id).where(
            Vote.question_id == survivor.id)))
        for v in db.session.scalars(select(Vote).where(Vote.question_id == other.id)):
            if v.attendee_id in voters:
                db.session.delete(v)
            else:
                v.question_id = survivor.id
                voters.add(v.attendee_id)
        for child in db.session.scalars(select(Question).where(
                Question.merged_into_id == other.id)):
            child.merged_into_id = survivor.id
        other.status, other.merged_into_id = "merged", survivor.id
        other.version = Question.version + 1
    survivor.version = Question.version + 1
    audit.record("question.merge", event=event, target=survivor, target_type="question",
                 after={"merged": [o.id for o in others if o.id != survivor.id]})
    _touch(event)
    db.session.commit()
    return survivor


def merged_into(question: Question) -> list[Question]:
    return list(db.session.scalars(select(Question).where(
        Question.merged_into_id == question.id).order_by(Question.id)))


@transactional
def bulk_classify(event, question_ids: list[int], *, kind: str | None = None,
                  topic_id: int | None = None, agency_id: int | None = None) -> int:
    """Set kind, topic and/or agency on many questions at once; returns how many."""
    if kind is not None and kind not in KINDS:
        raise field_error("kind", _("Choose the kind: question, petition, proposal or idea."),
                          "invalid_kind")
    topic = _check_kind_topic(event, "question", topic_id) if topic_id else None
    agency = db.session.get(Agency, agency_id) if agency_id else None
    if agency_id and (agency is None or agency.event_id != event.id):
        raise field_error("agency_id", _("Choose an agency from the list."), "invalid_agency")
    changed = 0
    for question in db.session.scalars(select(Question).where(
            Question.event_id == event.id, Question.id.in_(question_ids))):
        if kind:
            question.kind = kind
        if topic is not None:
            question.topic = topic
        if agency is not None:
            question.agency = agency
        question.version = Question.version + 1
        changed += 1
    _touch(event)
    db.session.commit()
    return changed


# --- the floor and the agenda -------------------------------------------------------

def request_floor(event, attendee: Attendee, *, topic: str = "",
                  nonce: str | None = None) -> FloorRequest:

    done = _made(FloorRequest, event, nonce)
    if done is not None:
        return done
    _check_present(event, attendee,
                   _("Check in at the hall first; then you can ask for the floor."))
    waiting = db.session.scalar(select(FloorRequest).where(
        FloorRequest.event_id == event.id, FloorRequest.attendee_id == attendee.id,
        FloorRequest.status.in_(("waiting", "speaking"))))
    if waiting is not None:
        return waiting
    request = FloorRequest(event_id=event.id, attendee_id=attendee.id,
                           topic=optional_text(topic, "topic", max_length=200),
                           client_nonce=nonce or None,
                           seconds=dialogue_state(event).speaking_seconds)
    return first_wins(lambda: _saved(request, event),
                      lambda: _made(FloorRequest, event, nonce))


def find_floor(event, request_id: int) -> FloorRequest:
    request = db.session.get(FloorRequest, request_id)
    if request is None or request.event_id != event.id:
        raise NotFound(_("This request for the floor does not exist."), code="unknown_floor")
    return request


def set_floor(event, request: FloorRequest, status: str) -> FloorRequest:
    """Give the floor (the previous speaker is done), finish, or cancel a request."""
    if status == "speaking":
        for other in db.session.scalars(select(FloorRequest).where(
                FloorRequest.event_id == event.id, FloorRequest.status == "speaking")):
            other.status = "done"
        request.started_at = utcnow()
        request.seconds = dialogue_state(event).speaking_seconds
    elif status not in ("done", "cancelled", "waiting"):
        raise field_error("status", _("Unknown floor status."), "invalid_status")
    request.status = status
    _touch(event)
    db.session.commit()
    return request


def set_agenda(event, *, current_item_id: int | None = None,
               questions_open: bool | None = None,
               questions_item_id: int | None | str = "keep") -> DialogueState:
    """Move to an agenda item; open or close questions (for the event or one item)."""
    from ..events.models import AgendaItem

    state = dialogue_state(event, for_update=True)
    for value in (current_item_id, questions_item_id):
        if isinstance(value, int) and value:
            item = db.session.get(AgendaItem, value)
            if item is None or item.event_id != event.id:
                raise field_error("item", _("Choose an item of this meeting's agenda."),
                                  "invalid_item")
    if current_item_id is not None:
        state.current_item_id = current_item_id or None
    if questions_open is not None:
        state.questions_open = questions_open
    if questions_item_id != "keep":
        state.questions_item_id = questions_item_id or None
    _touch(event)
    db.session.commit()
    return state


# --- what each audience sees ----------------------------------------------------------

def _asker(question: Question, *, public: bool) -> dict:
    unit = question.unit.name if question.unit else (
        question.attendee.affiliation if question.attendee else "")
    name = question.asker_name if (question.show_name or not public) else ""
    return {"unit": unit, "name": name}


def _votes(event) -> dict[int, int]:
    return dict(db.session.execute(
        select(Vote.question_id, func.count()).join(Question, Question.id == Vote.question_id)
        .where(Question.event_id == event.id).group_by(Vote.question_id)).all())


def public_question(question: Question, votes: dict[int, int]) -> dict:
    return {"id": question.id, "number": question.number, "text": question.text,
            "kind": question.kind,
            "topic": question.topic.name if question.topic else "",
            "status": question.status, "votes": votes.get(question.id, 0),
            "answer": question.answer_note if question.status == "answered" else "",
            **_asker(question, public=True)}


def _speaker(event) -> dict | None:
    speaking = db.session.scalar(select(FloorRequest).where(
        FloorRequest.event_id == event.id, FloorRequest.status == "speaking"))
    if speaking is None:
        return None
    return {"id": speaking.id, "name": speaking.attendee.full_name,
            "unit": speaking.attendee.affiliation, "topic": speaking.topic,
            "started_at": speaking.started_at.isoformat() if speaking.started_at else None,
            "seconds": speaking.seconds}


#: A phone that joins gets the room's view from this process's memory if it is this
#: fresh (seconds); this process's own changes replace it at once (see
#: :func:`remember_public_state`), another process's within this time — and the phone
#: then sees a version gap on the next message and fetches the snapshot.
PUBLIC_STATE_SECONDS = 1.0


def remember_public_state(event_id: int, state: dict) -> None:
    """Keep the room's view just broadcast, for phones joining next."""
    cache = current_app.extensions.setdefault("public_states", {})
    cache[event_id] = (time.monotonic() + PUBLIC_STATE_SECONDS, state)


def forget_public_state(event_id: int) -> None:
    """The mode, stream or announcement changed: the next phone to join reads afresh (a
    phone reloading right after joining online must not get the view from before)."""
    current_app.extensions.setdefault("public_states", {}).pop(event_id, None)


def cached_public_state(event_id: int) -> dict:
    """The room's view of ``event_id`` (see :data:`PUBLIC_STATE_SECONDS`): a hall's phones
    joining at once cost one computation per second, not one each."""
    cache = current_app.extensions.setdefault("public_states", {})
    hit = cache.get(event_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    from ..events.models import Event

    state = public_state(db.session.get(Event, event_id))
    remember_public_state(event_id, state)
    return state


def public_state(event) -> dict:
    """What the room may see: never rejected, new or merged text."""
    from ..events.models import AgendaItem

    state = dialogue_state(event)
    votes = _votes(event)
    shown = db.session.scalars(select(Question).where(
        Question.event_id == event.id, Question.status.in_(PUBLIC_STATUSES))).all()
    queue = sorted((q for q in shown if q.status == "approved"),
                   key=lambda q: (q.position, q.id))
    answered = sorted((q for q in shown if q.status == "answered"),
                      key=lambda q: q.answered_at or q.updated_at, reverse=True)
    answering = next((q for q in shown if q.status == "answering"), None)
    item = db.session.get(AgendaItem, state.current_item_id) if state.current_item_id else None
    from ..events.live import live_state

    return {
        "stream": "dialogue",
        "version": event.dialogue_version,
        "live_version": event.live_version,
        "live": live_state(event),
        "agenda_item": {"id": item.id, "title": item.title} if item else None,
        "questions_open": questions_accepting(event),
        "answering": public_question(answering, votes) if answering else None,
        "queue": [public_question(q, votes) for q in queue],
        "answered": [public_question(q, votes) for q in answered[:20]],
        "speaker": _speaker(event),
    }


def _remote(event) -> set[int]:
    """Attendees present online, not in the hall."""
    from ..attendance.models import Attendance

    return set(db.session.scalars(select(Attendance.attendee_id).where(
        Attendance.event_id == event.id, Attendance.method == "online")))


def console_state(event) -> dict:
    """Everything the moderators need, for the console."""
    votes = _votes(event)
    remote = _remote(event)
    questions = db.session.scalars(select(Question).where(Question.event_id == event.id)
                                   .order_by(Question.position, Question.id)).all()
    floor = db.session.scalars(select(FloorRequest).where(
        FloorRequest.event_id == event.id, FloorRequest.status.in_(("waiting", "speaking")))
        .order_by(FloorRequest.created_at)).all()
    state = dialogue_state(event)
    return {
        "stream": "dialogue",
        "version": event.dialogue_version,
        "current_item_id": state.current_item_id,
        "questions_open": state.questions_open,
        "questions_item_id": state.questions_item_id,
        "questions": [{
            "id": q.id, "number": q.number, "version": q.version, "status": q.status,
            "kind": q.kind,
            "text": q.text, "original_text": q.original_text, "source": q.source,
            "topic_id": q.topic_id, "agency_id": q.agency_id,
            "topic": q.topic.name if q.topic else "", "agency": q.agency.name if q.agency else "",
            "votes": votes.get(q.id, 0), "show_name": q.show_name, "position": q.position,
            "answer": q.answer_note, "reject_reason": q.reject_reason,
            "merged_into": q.merged_into_id, "remote": q.attendee_id in remote,
            **_asker(q, public=False)} for q in questions],
        "floor": [{"id": f.id, "status": f.status, "name": f.attendee.full_name,
                   "remote": f.attendee_id in remote,
                   "unit": f.attendee.affiliation, "topic": f.topic,
                   "started_at": f.started_at.isoformat() if f.started_at else None,
                   "seconds": f.seconds} for f in floor],
    }


def my_state(event, attendee: Attendee) -> dict:
    """A delegate's own questions (with a private rejection reason), votes and floor request."""
    mine = db.session.scalars(select(Question).where(Question.event_id == event.id,
                                                     Question.attendee_id == attendee.id)
                              .order_by(Question.id.desc())).all()
    voted = set(db.session.scalars(select(Vote.question_id).join(
        Question, Question.id == Vote.question_id).where(Question.event_id == event.id,
                                                         Vote.attendee_id == attendee.id)))
    floor = db.session.scalar(select(FloorRequest).where(
        FloorRequest.event_id == event.id, FloorRequest.attendee_id == attendee.id,
        FloorRequest.status.in_(("waiting", "speaking"))))
    return {
        "questions": [{"id": q.id, "number": q.number, "text": q.text, "status": q.status,
                       "status_label": str(STATUS_LABELS[q.status]),
                       "reject_reason": q.reject_reason, "answer": q.answer_note}
                      for q in mine],
        "voted": sorted(voted),
        "floor": {"id": floor.id, "status": floor.status,
                  "room": _meeting_room(event) if floor.status == "speaking"
                  and attendee.id in _remote(event) else ""} if floor else None,
    }


def _meeting_room(event) -> str:
    from ..events.live import livestream

    return livestream(event).meeting_room_url
