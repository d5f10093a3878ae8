from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    """One staff action that changed the record. Written in the same transaction as the
    change, so an entry exists exactly when the change does; never updated."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The event the action belongs to; empty for accounts and the unit tree.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: The staff member who acted (kept as a name too, for when the account goes).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who acted, as shown: the account's name, or "gate device …", or "system".
    actor: Mapped[str] = mapped_column(String(160), default="")
    #: A stable action code, e.g. ``invitation.revoke``, ``quota.set``, ``mode.switch``.
    action: Mapped[str] = mapped_column(String(64), index=True)
    #: What was acted on: a kind (``attendee``, ``unit``, ``question``…), its id and name.
    target_type: Mapped[str] = mapped_column(String(32), default="")
    target_id: Mapped[int | None] = mapped_column()
    target: Mapped[str] = mapped_column(String(255), default="")
    #: The values before and after (only the fields that changed), as JSON objects.
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    #: The request that did it (the X-Request-ID of the logs), to join the two.
    request_id: Mapped[str] = mapped_column(String(64), default="")
