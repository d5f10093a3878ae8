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

