"""Gates, gate devices, attendances and the log of every scan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

#: How someone was checked in: scanned at a gate, found by hand, scanned the hall's QR
#: with their own phone ("self"), or joined online (recorded by the hybrid meeting).
METHODS = ("scan", "manual", "self", "online")

#: Stable answers of a check-in, for gates, pages and tests.
RESULTS = ("checked_in", "already_checked_in", "revoked", "unknown", "wrong_event", "closed")


class Gate(db.Model):
    """A reception desk at the hall's door ("Cổng 1")."""

    __tablename__ = "gates"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    #: Token of the pairing QR a tablet scans to become this gate; rotated on demand.
    pairing_token: Mapped[str] = mapped_column(String(64), unique=True)
    pairing_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    devices: Mapped[list[GateDevice]] = relationship(back_populates="gate",
                                                     cascade="all, delete-orphan")


class GateDevice(db.Model):
    """A phone or tablet signed in as a gate, by a scoped, revocable device token."""

    __tablename__ = "gate_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    gate_id: Mapped[int] = mapped_column(ForeignKey("gates.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the device token; the token itself lives only on the device.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The browser that paired ("Android 10; SM-A105F"), to tell devices apart.
    label: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The server's clock minus the device's, in milliseconds, measured from the clock
    #: the gate sends with its requests (``X-Gate-Clock``) at pairing and every sync.
    clock_offset_ms: Mapped[int | None] = mapped_column(Integer)
    #: The device's latest time out of contact: from its last request before a gap
    #: (server time) to the request that ended it. Scans it sends late are believed
    #: only if (corrected by the offset) they fall in it, or in the last few minutes.
    offline_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offline_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    gate: Mapped[Gate] = relationship(back_populates="devices")


class Attendance(db.Model):
    """One person present at one event: at most one row, enforced by the database."""

    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("event_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    #: When the person arrived: the server's time for an online scan; for a scan an
    #: offline gate sends later, the gate's time corrected by its clock offset, if it
    #: falls within the gate's offline span. Two gates admitting one person offline:
    #: the earliest admission (with its gate) is kept.
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: One of :data:`METHODS`.
    method: Mapped[str] = mapped_column(String(16), default="scan")
    gate_id: Mapped[int | None] = mapped_column(ForeignKey("gates.id", ondelete="SET NULL"))
    #: The staff member who checked the person in by hand.
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The scan that created it.
    scan_nonce: Mapped[str | None] = mapped_column(String(64))
    #: Online attendance: the last time the delegate's page said it was still open.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendee: Mapped["Attendee"] = relationship()  # noqa: F821, UP037
    gate: Mapped[Gate | None] = relationship()

    @classmethod
    def of(cls, attendee) -> Attendance | None:
        """The attendance of ``attendee`` at their event, if they are present."""
        return db.session.scalar(select(cls).where(cls.event_id == attendee.event_id,
                                                   cls.attendee_id == attendee.id))


class Scan(db.Model):
    """Every scan or check-in attempt, successful or not, with its answer.

    The (event, nonce) pair is unique: a scan sent again gets the first answer.
    """

    __tablename__ = "scans"
    __table_args__ = (UniqueConstraint("event_id", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: Client-made id of the scan.
    nonce: Mapped[str] = mapped_column(String(64))
    #: What was read (a token or a link), cut to 255 characters.
    scanned: Mapped[str] = mapped_column(String(255), default="")
    #: One of :data:`RESULTS`.
    result: Mapped[str] = mapped_column(String(24))
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"), index=True
    )
    gate_id: Mapped[int | None] = mapped_column(ForeignKey("gates.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(16), default="scan")
    #: When the gate read it, as the server counts it (see ``Attendance.checked_in_at``),
    #: and when the server heard of it.
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The time the gate itself said, by its own clock (None: it said none).
    device_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The gate admitted the person while offline, but someone else had already
    #: checked them in: the organizer should look at it.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)

    attendee: Mapped["Attendee | None"] = relationship()  # noqa: F821, UP037
    gate: Mapped[Gate | None] = relationship()


class CheckinUndo(db.Model):
    """The record kept when an organizer undoes a check-in."""

    __tablename__ = "checkin_undos"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    method: Mapped[str] = mapped_column(String(16))
    gate_id: Mapped[int | None] = mapped_column(ForeignKey("gates.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(255), default="")
