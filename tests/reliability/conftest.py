"""Fixtures for the reliability tests: an open meeting with many invited delegates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from checkin.types import utcnow


@pytest.fixture
def event(make_event):
    """A meeting that started half an hour ago: check-in is open."""
    start = utcnow() - timedelta(minutes=30)
    return make_event(title="Đại hội đại biểu Đoàn Khối", starts_at=start,
                      ends_at=start + timedelta(hours=4))


@pytest.fixture
def invite(event, make_unit):
    """``invite(n)`` → n delegates of one unit (quota raised to fit) and their tokens."""
    from checkin.attendees.invitations import active_invitation
    from checkin.attendees.services import nominate
    from checkin.extensions import db
    from checkin.units.services import set_quota

    def make(n: int, *, unit_name: str = "Đoàn cơ sở Tổng công ty Điện lực"):
        unit = make_unit(unit_name, kind="grassroots", member_count=5000)
        set_quota(event, unit, n)
        people = [nominate(event, unit, full_name=f"Đại biểu số {i:04d}") for i in range(n)]
        tokens = [active_invitation(p).token for p in people]
        db.session.commit()
        return people, tokens

    return make



@pytest.fixture
def engine_swap(app):
    """``engine_swap(url=None, **options)``: serve the app through another engine (a tiny
    pool, a short timeout, read-only connections) for the rest of the test.

    Flask-SQLAlchemy builds its engines once, at ``init_app``; a second app would re-bind
    the process-wide Socket.IO server, so the test swaps the engine instead (through
    ``db._app_engines``, the extension's own map) and puts the original back after.
    """
    from sqlalchemy import create_engine

    from checkin.extensions import db

    engines = db._app_engines[app]
    original = engines[None]
    made = []

    def swap(url: str | None = None, **options):
        db.session.remove()
        given = original.url.query.get("options")  # the run's own schema (search_path)
        if url is None and given and "options" in options.get("connect_args", {}):
            options["connect_args"]["options"] = f"{given} {options['connect_args']['options']}"
        engine = create_engine(url or original.url, **options)
        made.append(engine)
        engines[None] = engine
        return engine

    yield swap
    db.session.remove()
    engines[None] = original
    for engine in made:
        engine.dispose()


@pytest.fixture
def gate_token(event):
    """A paired gate device's bearer token (no CSRF needed)."""
    from checkin.attendance.services import make_device_token

    return make_device_token(event, gate_name="Cổng chính")


@pytest.fixture(autouse=True)
def _forget_refused_writes():
    """A test that makes the database refuse a write leaves /healthz failing for a
    minute in this process (as it should in production); later tests start afresh."""
    yield
    import checkin.errors

    checkin.errors._last_refusal = None
