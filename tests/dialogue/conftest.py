from __future__ import annotations

from datetime import timedelta

import pytest

from checkin.attendance.services import check_in
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.dialogue.services import set_agenda, set_lists
from checkin.types import utcnow


@pytest.fixture
def event(make_event):
    start = utcnow() - timedelta(minutes=30)
    event = make_event(title="Gặp gỡ, đối thoại với thanh niên công nhân", kind="dialogue",
                       starts_at=start, ends_at=start + timedelta(hours=3))
    set_lists(event, topics=["Việc làm", "Nhà ở công nhân"],
              agencies=["Sở Nội vụ", "Hội Nông dân tỉnh"])
    return event


@pytest.fixture
def delegates(event, quota_unit):
    people = [nominate(event, quota_unit, full_name=n) for n in
              ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường")]
    for person in people[:2]:
        check_in(event, active_invitation(person).token)
    return people


@pytest.fixture
def open_questions(event):
    set_agenda(event, questions_open=True)
    return event


@pytest.fixture
def token(delegates):
    return active_invitation(delegates[0]).token
