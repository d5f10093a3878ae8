"""Two organizers (or one double-click) reissuing one invitation at once leave exactly
one valid invitation per person — the last one made — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from checkin.attendees.invitations import reissue_invitation
from checkin.attendees.models import Attendee, Invitation
from checkin.extensions import db

from .workers import run_threads


def test_concurrent_reissues_leave_one_valid_invitation_each(app, event, invite, organizer):
    people, _tokens = invite(20)
    ids, user_id = [p.id for p in people], organizer.id

    def reissue(attendee_id):
        def job():
            from checkin.auth.models import User

            person = db.session.get(Attendee, attendee_id)
            return reissue_invitation(person, by_user=db.session.get(User, user_id),
                                      reason="Mất điện thoại").token
        return job

    # Every invitation reissued twice, all 40 at the same moment.
    results = run_threads(app, [reissue(i) for i in ids for _twice in (0, 1)])
    assert [r for r in results if isinstance(r, Exception)] == []
    db.session.remove()
    live = db.session.execute(select(Invitation.attendee_id, func.count())
                              .where(Invitation.revoked_at.is_(None))
                              .group_by(Invitation.attendee_id)).all()
    assert sorted(live) == sorted((i, 1) for i in ids)
    # Three invitations each (the first and two reissues); the valid one is among the
    # two just made, and every revoked one points to a successor.
    for attendee_id in ids:
        rows = db.session.scalars(select(Invitation).where(
            Invitation.attendee_id == attendee_id)).all()
        assert len(rows) == 3
        (valid,) = [r for r in rows if r.revoked_at is None]
        assert valid.token in results
        assert all(r.replaced_by_id for r in rows if r.revoked_at is not None)


def test_the_database_refuses_a_second_live_invitation(event, invite):
    people, _tokens = invite(1)
    db.session.add(Invitation(attendee_id=people[0].id, token="x" * 22))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
