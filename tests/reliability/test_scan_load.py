"""Scans from 8 gate processes against two gunicorn + gevent processes (with Redis as
the message queue, as the many-machines deployment runs): exactly one attendance per
person, no 5xx, and the attendance version moved exactly once per attendance.

The issue asks for 5,000 scans of 500 invitations. On this 2-core machine, shared with
other work (2,000 scans took 107 s there), the suite runs 1,000 scans of 100 invitations —
the same shape: every invitation scanned 10 times on average, 8 gate processes of 4
connections each; ``RELIABILITY_FULL=1`` runs the full 5,000 of 500.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import secrets
import time

import pytest
from sqlalchemy import func, select

from checkin import versions
from checkin.attendance.models import Attendance, Scan
from checkin.attendance.services import make_device_token
from checkin.extensions import db
from tests.servers import gunicorn, server_env

from .gates import gate_process
from .servers import Redis

FULL = os.environ.get("RELIABILITY_FULL") == "1"
INVITATIONS = 500 if FULL else 100
SCANS = 5000 if FULL else 1000
GATES = 8


@pytest.fixture
def redis_server():
    server = Redis()
    server.start()
    yield server
    server.stop()


def test_scans_from_eight_gates_count_everyone_once(app, event, invite, redis_server):
    _people, tokens = invite(INVITATIONS)
    devices = [make_device_token(event, gate_name=f"Cổng {i + 1}") for i in range(GATES)]
    event_id = event.id
    start_version = versions.current(event_id)["attendance"]
    db.session.commit()  # hold no transaction while the servers work
    rng = random.Random(12)
    scans = tokens + [rng.choice(tokens) for _ in range(SCANS - len(tokens))]
    rng.shuffle(scans)
    plan = [(token, secrets.token_hex(12)) for token in scans]
    env = server_env(app, MESSAGE_QUEUE=redis_server.url, RATELIMIT_ENABLED="0",
                     SOCKETIO_CHANNEL=f"checkin-load-{secrets.token_hex(4)}")
    with gunicorn(env, count=2) as urls:
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        gates = [ctx.Process(target=gate_process, args=(
            urls, f"/api/v1/events/{event_id}/checkins", devices[i], plan[i::GATES], 4, out))
            for i in range(GATES)]
        started = time.monotonic()
        for gate in gates:
            gate.start()
        reports = [out.get(timeout=600) for _ in gates]
        elapsed = time.monotonic() - started
        for gate in gates:
            gate.join(timeout=30)
            if gate.is_alive():
                gate.kill()
    statuses: dict[int, int] = {}
    results: dict[str, int] = {}
    errors: list[str] = []
    for s, r, _latencies, e, _span in reports:
        for k, v in s.items():
            statuses[k] = statuses.get(k, 0) + v
        for k, v in r.items():
            results[k] = results.get(k, 0) + v
        errors += e
    print(f"\n{SCANS} scans of {INVITATIONS} invitations from {GATES} gates: "
          f"statuses {statuses}, results {results}, connection errors {len(errors)}, "
          f"{elapsed:.1f} s")
    assert not [s for s in statuses if s >= 500], statuses
    assert results == {"checked_in": INVITATIONS, "already_checked_in": SCANS - INVITATIONS}
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == INVITATIONS
    assert db.session.scalar(select(func.count()).select_from(Scan)) == SCANS
    assert versions.current(event_id)["attendance"] == start_version + INVITATIONS
