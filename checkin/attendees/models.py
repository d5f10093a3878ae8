"""The people of an event: delegates, guests, press and the presidium."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
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
    #: Client-made id of the form submission that created it: a resubmitted
    #: form (double tap, flaky network) returns this row instead of a duplicate.
    client_nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped["Unit | None"] = relationship()  # noqa: F821, UP037
    event: Mapped["Event"] = relationship()  # noqa: F821, UP037

    @property
    def affiliation(self) -> str:
        """The unit's name, else the guest's organisation."""
        return self.unit.name if self.unit else self.organization
