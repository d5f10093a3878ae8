"""Personal invitation tokens: issuing, finding, revoking and reissuing.

A token is 128 bits from :mod:`secrets`, never derived from an id; the link is
``PUBLIC_URL/i/<token>`` so that its QR code stays small and quick to scan.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..audit import services as audit
from ..errors import DomainError, NotFound
from ..extensions import db
from ..types import utcnow
from .models import Attendee, Invitation

#: What a token looks like; anything else is refused before touching the database.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


#: The cookie that remembers, on a delegate's phone, which invitation it opened.
INVITATION_COOKIE = "invitation"


def new_invitation_token() -> str:
    """128 random bits, URL-safe base64 without padding (22 characters)."""
    return secrets.token_urlsafe(16)


def issue_invitation(attendee: Attendee, *, by_user=None) -> Invitation:
    """Give ``attendee`` a fresh active invitation (added to the session, not committed)."""
    invitation = Invitation(attendee=attendee, token=new_invitation_token(),
                            created_by_id=by_user.id if by_user else None)
    db.session.add(invitation)
    return invitation


def active_invitation(attendee: Attendee) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.attendee_id == attendee.id,
                                                      Invitation.revoked_at.is_(None)))


def active_invitations(event) -> dict[int, Invitation]:
    """The active invitation of every attendee of ``event``, by attendee id (one query)."""
    rows = db.session.scalars(
        select(Invitation).join(Attendee, Invitation.attendee_id == Attendee.id)
        .where(Attendee.event_id == event.id, Invitation.revoked_at.is_(None)))
    return {inv.attendee_id: inv for inv in rows}


def invitation_url(invitation: Invitation) -> str:
    """The link printed in the QR code: from configuration, never from the request."""
    return f"{current_app.config['PUBLIC_URL']}/i/{invitation.token}"


def token_from(text: str) -> str:
    """The token in a scanned text: a bare token or a full invitation URL."""
    text = (text or "").strip()
    if "/i/" in text:
        text = text.rsplit("/i/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].rstrip("/")


def find_invitation(token: str) -> Invitation:
    """The active invitation for ``token``.

    Raises ``unknown_invitation`` for a malformed or unknown token and
    ``invitation_replaced`` (with the invitation) for a revoked one.
    """
    if not TOKEN_SHAPE.match(token or ""):
        raise NotFound(_("This invitation link is not valid. Check that it was copied "
                         "whole."), code="unknown_invitation")
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    if invitation is None:
        raise NotFound(_("This invitation does not exist."), code="unknown_invitation")
    if invitation.revoked_at is not None:
        raise InvitationReplaced(invitation)
    return invitation


class InvitationReplaced(DomainError):
    status = 410

    def __init__(self, invitation: Invitation) -> None:
        super().__init__(_("This invitation was replaced by a new one. Use the latest "
                           "invitation you received, or ask the organizers."),
                         code="invitation_replaced")
        self.invitation = invitation


def lock_attendee(attendee_id: int) -> None:
    """Take the write lock on a person's row for this transaction: an UPDATE that
    changes nothing, so that PostgreSQL locks the row and SQLite starts its write
    transaction here. Two organizers acting on one person are served one at a time."""
    db.session.execute(update(Attendee).where(Attendee.id == attendee_id)
                       .values(replaced=Attendee.replaced)
                       .execution_options(synchronize_session=False))


def reissue_invitation(attendee: Attendee, *, by_user=None, reason: str = "") -> Invitation:
    """Revoke the attendee's invitation (the old link and QR stop working at once) and
    issue a new one. Who did it, when and why is kept on the old invitation.

    Serialised per person (a double-click, two organizers at once): the second reissue
    waits for the first and revokes the invitation the first one made, so exactly one
    invitation stays valid — which the database also enforces with a unique index.
    """
    now = utcnow()
    lock_attendee(attendee.id)
    live = list(db.session.scalars(select(Invitation.id).where(
        Invitation.attendee_id == attendee.id, Invitation.revoked_at.is_(None))))
    if live:
        db.session.execute(update(Invitation).where(Invitation.id.in_(live)).values(
            revoked_at=now, revoke_reason=(reason or "")[:255],
            revoked_by_id=by_user.id if by_user else None)
            .execution_options(synchronize_session=False))
    new = issue_invitation(attendee, by_user=by_user)
    db.session.flush()
    if live:
        db.session.execute(update(Invitation).where(Invitation.id.in_(live))
                           .values(replaced_by_id=new.id)
                           .execution_options(synchronize_session=False))
    audit.record("invitation.reissue", event=attendee.event_id, target=attendee,
                 after={"reason": reason or ""}, by_user=by_user)
    db.session.commit()
    return new


def invitation_history(attendee: Attendee) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(
        Invitation.attendee_id == attendee.id).order_by(Invitation.created_at.desc(),
                                                         Invitation.id.desc())))
