"""Versions per stream, counted by the database: never skipped, never lost, never shared.

Run on SQLite and (second pass) on PostgreSQL, where the old read-then-write
``event.version += 1`` lost most increments under concurrency.
"""

from __future__ import annotations

from checkin import versions
from checkin.attendance.services import check_in, undo_check_in
from checkin.dialogue.models import Question
from checkin.dialogue.services import approve, set_agenda
from checkin.events.live import announce
from checkin.events.models import Event
from checkin.extensions import db

from .workers import run_threads


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id)


def test_each_stream_counts_its_own_changes(event, invite):
    people, tokens = invite(2)
    start = versions.current(event)
    assert start == {"attendance": 1, "dialogue": 1, "live": 1}
    assert check_in(event, tokens[0]).version == 2
    assert check_in(event, tokens[0]).version is None  # a repeat changes nothing
    undo_check_in(event, people[0])
    announce(event, "Mời đại biểu ổn định chỗ ngồi")
    set_agenda(event, questions_open=True)
    assert versions.current(event) == {"attendance": 3, "dialogue": 2, "live": 2}
    db.session.refresh(event)
    assert (event.attendance_version, event.dialogue_version, event.live_version) == (3, 2, 2)


def test_a_bump_is_part_of_the_callers_transaction(event):
    versions.bump(event, "dialogue")
    assert event.dialogue_version == 2  # the session's copy follows, without a reload
    db.session.rollback()
    assert versions.current(event)["dialogue"] == 1
    versions.bump(event.id, "live")
    db.session.commit()
    assert versions.current(event.id)["live"] == 2


def test_an_unknown_stream_is_a_programming_error(event):
    import pytest

    with pytest.raises(ValueError):
        versions.bump(event, "everything")


def test_concurrent_changes_on_one_stream_each_get_their_own_number(app, event, invite):
    """16 threads check in 64 people while 8 others approve 32 questions: every change
    takes exactly one number of its own stream, and the third stream does not move."""
    _people, tokens = invite(64)
    questions = [Question(event_id=event.id, text=f"Câu hỏi {i}", original_text=f"Câu hỏi {i}",
                          source="live", kind="question", asker_name="")
                 for i in range(32)]
    db.session.add_all(questions)
    db.session.commit()
    question_ids = [q.id for q in questions]
    event_id = event.id

    def scans(chunk):
        def job():
            return [check_in(_event(event_id), t).version for t in chunk]
        return job

    def approvals(chunk):
        def job():
            return [approve(db.session.get(Question, qid)).id for qid in chunk]
        return job

    jobs = [scans(tokens[i::16]) for i in range(16)] + \
        [approvals(question_ids[i::8]) for i in range(8)]
    results = run_threads(app, jobs)
    assert [r for r in results if isinstance(r, Exception)] == []
    numbers = sorted(v for r in results[:16] for v in r)
    assert numbers == list(range(2, 66))  # 64 check-ins: 2…65, none skipped, none twice
    assert versions.current(event_id) == {"attendance": 65, "dialogue": 33, "live": 1}
