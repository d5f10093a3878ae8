"""The people of an event: delegates, guests, press and the presidium."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

#: delegate: under a unit's quota · guest: khách mời · press: phóng viên ·
#: presidium: đoàn chủ tịch (chairs the meeting).
CATEGORIES = ("delegate", "guest", "press", "presidium")


class Attendee(db.Model):
    __tablename__ = "attendees"
    __table_args__ = (UniqueConstraint("event_id", "client_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: One of :data:`CATEGORIES`.
    category: Mapped[str] = mapped_column(String(16), default="delegate")
    #: The unit whose quota the delegate fills (optional for guests and press).
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    #: Organisation of a guest or press member outside the unit tree ("Báo Cần Thơ").
    organization: Mapped[str] = mapped_column(String(255), default="")
    #: :func:`checkin.i18n.fold` of the organisation, for search.
    organization_folded: Mapped[str] = mapped_column(String(255), default="")
    #: Name as typed, with diacritics.
    full_name: Mapped[str] = mapped_column(String(120))
    #: :func:`checkin.i18n.fold` of the name: "nguyen van a" finds "Nguyễn Văn A".
    name_folded: Mapped[str] = mapped_column(String(120), index=True)
    #: Position ("Bí thư Chi đoàn").
    position: Mapped[str] = mapped_column(String(255), default="")
    #: Normalised to digits (0xxxxxxxxx) when given.
    phone: Mapped[str] = mapped_column(String(20), default="", index=True)
    email: Mapped[str] = mapped_column(String(255), default="")
    #: The nomination link it came through, if a unit's secretary added it.
    nomination_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("nomination_links.id", ondelete="SET NULL")
    )
    #: The nominated delegate this person came in place of (same unit; the seat is theirs).
    substitute_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL")
    )
    #: A substitute came in this delegate's place: the seat is the substitute's now.
    replaced: Mapped[bool] = mapped_column(default=False)
    #: Registered at the door, not invited beforehand.
    walk_in: Mapped[bool] = mapped_column(default=False)
    #: Client-made id of the form submission that created it: a resubmitted
    #: form (double tap, flaky network) returns this row instead of a duplicate.
    client_nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped["Unit | None"] = relationship()  # noqa: F821, UP037
    event: Mapped["Event"] = relationship()  # noqa: F821, UP037
    substitute_for: Mapped[Attendee | None] = relationship(remote_side=[id])

    @property
    def affiliation(self) -> str:
        """The unit's name, else the guest's organisation."""
        return self.unit.name if self.unit else self.organization


class Invitation(db.Model):
    """A personal invitation: the token behind ``/i/<token>`` and the person's QR code.

    An attendee has one active invitation at a time — the database holds to it (a unique
    index on the attendee over the rows not revoked). Revoking keeps the row (who, when,
    why) and points it to its replacement, so an old link can say it was replaced.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        Index("uq_invitations_live_attendee", "attendee_id", unique=True,
              sqlite_where=text("revoked_at IS NULL"),
              postgresql_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True
    )
    #: 128 bits from the OS's cryptographic source, URL-safe (22 characters).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why it was revoked ("lost phone", "substitute").
    revoke_reason: Mapped[str] = mapped_column(String(255), default="")
    #: The invitation that replaced this one.
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL")
    )

    attendee: Mapped[Attendee] = relationship()
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821, UP037
    revoked_by: Mapped["User | None"] = relationship(foreign_keys=[revoked_by_id])  # noqa: F821, UP037

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class LetterHead(db.Model):
    """What an event's invitation letters print in the Union's administrative layout
    (seed 004): the bodies on the left, place and date on the right, the signature."""

    __tablename__ = "letter_heads"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    #: The superior body, upper case ("THÀNH ĐOÀN CẦN THƠ").
    superior_body: Mapped[str] = mapped_column(String(255), default="")
    #: The issuing body ("BCH ĐOÀN KHỐI CƠ QUAN DÂN CHÍNH ĐẢNG").
    issuing_body: Mapped[str] = mapped_column(String(255), default="")
    #: Document number ("121-GM/ĐTN").
    number: Mapped[str] = mapped_column(String(64), default="")
    #: Place in the date line ("Cần Thơ").
    place: Mapped[str] = mapped_column(String(120), default="")
    issued_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: "TM. BAN THƯỜNG VỤ" and "BÍ THƯ" above the signature, and the signer's name.
    signer_on_behalf: Mapped[str] = mapped_column(String(120), default="TM. BAN THƯỜNG VỤ")
    signer_title: Mapped[str] = mapped_column(String(120), default="BÍ THƯ")
    signer_name: Mapped[str] = mapped_column(String(120), default="")


class EmailDelivery(db.Model):
    """One attempt-tracked e-mail of an invitation to one person.

    Rows are created "pending" before sending and updated after each message, so an
    interrupted batch resumes where it stopped and nobody gets the same invitation twice.
    """

    __tablename__ = "email_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    #: pending, sent or failed.
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    #: The SMTP server's answer or the reason it could not be sent.
    error: Mapped[str] = mapped_column(String(500), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    attendee: Mapped[Attendee] = relationship()
