"""Many gates in several processes scanning the same invitations at once: exactly one
attendance per person, on SQLite and on PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

import multiprocessing
import random

from checkin.attendance.models import Attendance, Scan
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.extensions import db
from checkin.units.services import set_quota

PROCESSES = 4
ROUNDS = 3


def gate_process(url: str, event_id: int, tokens: list[str], seed: int, out) -> None:
    from checkin import create_app
    from checkin.attendance.services import check_in
    from checkin.events.models import Event

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                      "RATELIMIT_ENABLED": False})
    rng = random.Random(seed)
    codes: dict[str, int] = {}
    errors = 0
    with app.app_context():
        event = db.session.get(Event, event_id)
        for _ in range(ROUNDS):
            order = tokens[:]
            rng.shuffle(order)
            for token in order:
                try:
                    code = check_in(event, token).code
                    codes[code] = codes.get(code, 0) + 1
                except Exception:  # noqa: BLE001 — counted: the test wants none
                    db.session.rollback()
                    errors += 1
    out.put((codes, errors))


def test_simultaneous_gates_never_count_anyone_twice(app, event, quota_unit):
    set_quota(event, quota_unit, 40)
    people = [nominate(event, quota_unit, full_name=f"Đại biểu {i:02d}") for i in range(40)]
    tokens = [active_invitation(p).token for p in people]
    db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=gate_process,
                         args=(app.config["SQLALCHEMY_DATABASE_URI"], event.id, tokens, i, out))
             for i in range(PROCESSES)]
    try:
        for p in procs:
            p.start()
        results = [out.get(timeout=300) for _ in procs]
    finally:
        # Never leave a gate writing into the next test's tables.
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
                p.join(timeout=10)
    totals: dict[str, int] = {}
    for codes, errors in results:
        assert errors == 0
        for code, n in codes.items():
            totals[code] = totals.get(code, 0) + n
    scans = PROCESSES * ROUNDS * len(tokens)
    assert totals == {"checked_in": 40, "already_checked_in": scans - 40}
    assert db.session.query(Attendance).filter_by(event_id=event.id).count() == 40
    assert db.session.query(Scan).filter_by(event_id=event.id).count() == scans
