from __future__ import annotations

from datetime import timedelta

import pytest

from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.types import utcnow


@pytest.fixture
def event(make_event):
    """A meeting that started half an hour ago: check-in is open."""
    start = utcnow() - timedelta(minutes=30)
    return make_event(title="Hội nghị đối thoại thanh niên công nhân", starts_at=start,
                      ends_at=start + timedelta(hours=3))


@pytest.fixture
def delegates(event, quota_unit):
    return [nominate(event, quota_unit, full_name=n) for n in
            ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường")]


@pytest.fixture
def token(delegates):
    return active_invitation(delegates[0]).token


@pytest.fixture
def gate(event):
    from checkin.attendance.services import create_gate

    return create_gate(event, name="Cổng 1")
