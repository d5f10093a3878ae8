"""Two arrivals of one action at the same moment answer like one after the other: the
second gets the first one's answer — never a 500, never a second row — for a question,
a support vote, a request for the floor, a scan, a walk-in and a substitute.

20 pairs per endpoint, all 40 requests released together, each pair from its own
address (a phone, a gate); on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from checkin.attendance.models import Attendance, Scan
from checkin.attendance.services import check_in
from checkin.attendees.models import Attendee
from checkin.dialogue.models import FloorRequest, Question, Vote
from checkin.dialogue.services import approve, set_agenda
from checkin.extensions import db

from .workers import run_threads

PAIRS = 20


def _csrf(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'"csrf": "([^"]+)"', html).group(1)


def _twins(app, send) -> list[tuple]:
    """Send each pair's request twice at the same moment; returns (status, json) pairs."""
    def job(i):
        def run():
            response = send(i)
            return response.status_code, response.get_json()
        return run

    results = run_threads(app, [job(i) for i in range(PAIRS) for _twin in (0, 1)])
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    return [(results[2 * i], results[2 * i + 1]) for i in range(PAIRS)]


def _assert_same(pairs) -> None:
    statuses = [a[0] for pair in pairs for a in pair]
    assert all(s < 500 for s in statuses), statuses
    for first, second in pairs:
        assert first == second


@pytest.fixture
def present(event, invite):
    """20 delegates checked in, questions open."""
    people, tokens = invite(PAIRS)
    for token in tokens:
        check_in(event, token)
    set_agenda(event, questions_open=True)
    return people, tokens


def _phone(app, token: str, i: int):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.12.{i}.1"
    return client, _csrf(client, f"/i/{token}")


def test_the_same_question_sent_twice_at_once(app, event, present):
    _people, tokens = present

    def send(i):
        client, csrf = _phone(app, tokens[i], i)
        return client.post(f"/i/{tokens[i]}/ask", headers={
            "X-CSRFToken": csrf, "Accept": "application/json"},
            data={"text": f"Câu hỏi của đại biểu số {i}", "nonce": f"ask-nonce-{i:04d}"})

    pairs = _twins(app, send)
    _assert_same(pairs)
    assert all(first[0] == 200 and first[1]["ok"] for first, _ in pairs)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Question)) == PAIRS


def test_the_same_support_sent_twice_at_once(app, event, present):
    _people, tokens = present
    ids = []
    for i in range(PAIRS):
        question = Question(event_id=event.id, text=f"Câu hỏi {i}", original_text=f"Câu hỏi {i}",
                            source="live", kind="question", asker_name="")
        db.session.add(question)
        db.session.commit()
        approve(question)
        ids.append(question.id)

    def send(i):
        client, csrf = _phone(app, tokens[i], i)
        return client.post(f"/i/{tokens[i]}/vote/{ids[i]}", data={"support": "1"},
                           headers={"X-CSRFToken": csrf, "Accept": "application/json"})

    pairs = _twins(app, send)
    _assert_same(pairs)
    assert all(first[1] == {"ok": True, "votes": 1} for first, _ in pairs)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Vote)) == PAIRS


def test_the_same_request_for_the_floor_sent_twice_at_once(app, event, present):
    _people, tokens = present

    def send(i):
        client, csrf = _phone(app, tokens[i], i)
        return client.post(f"/i/{tokens[i]}/floor", data={"topic": "Việc làm",
                                                          "nonce": f"floor-nonce-{i:04d}"},
                           headers={"X-CSRFToken": csrf, "Accept": "application/json"})

    pairs = _twins(app, send)
    _assert_same(pairs)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(FloorRequest)) == PAIRS


def test_the_same_scan_sent_twice_at_once(app, event, invite, gate_token):
    _people, tokens = invite(PAIRS)
    event_id = event.id

    def send(i):
        client = app.test_client()
        return client.post(f"/api/v1/events/{event_id}/checkins",
                           json={"token": tokens[i], "nonce": f"scan-nonce-{i:04d}"},
                           headers={"Authorization": f"Bearer {gate_token}"})

    pairs = _twins(app, send)
    _assert_same(pairs)
    assert {first[1]["result"] for first, _ in pairs} == {"checked_in"}
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == PAIRS
    assert db.session.scalar(select(func.count()).select_from(Scan)) == PAIRS


def test_the_same_walk_in_sent_twice_at_once(app, event, gate_token):
    event_id = event.id

    def send(i):
        client = app.test_client()
        return client.post(f"/events/{event_id}/walk-in", data={
            "category": "press", "full_name": f"Phóng viên số {i}",
            "organization": "Báo Thanh Niên", "phone": f"09120000{i:02d}",
            "nonce": f"walk-in-nonce-{i:04d}"},
            headers={"Authorization": f"Bearer {gate_token}"})

    pairs = _twins(app, send)
    _assert_same(pairs)
    assert {first[1]["result"] for first, _ in pairs} == {"checked_in"}
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == PAIRS
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == PAIRS


def test_the_same_substitute_sent_twice_at_once(app, event, invite, gate_token):
    people, _tokens = invite(PAIRS)
    event_id, ids = event.id, [p.id for p in people]

    def send(i):
        client = app.test_client()
        return client.post(f"/events/{event_id}/substitute", data={
            "replaces_id": str(ids[i]), "full_name": f"Người thay số {i}",
            "nonce": f"substitute-nonce-{i:04d}"},
            headers={"Authorization": f"Bearer {gate_token}"})

    pairs = _twins(app, send)
    _assert_same(pairs)
    assert {first[1]["result"] for first, _ in pairs} == {"checked_in"}
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Attendee).where(
        Attendee.substitute_for_id.is_not(None))) == PAIRS
