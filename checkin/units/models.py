"""The unit tree, quota rules and quotas, and nomination links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, new_token, utcnow

#: Kinds of unit, top to bottom of the tree.
#: province: Tỉnh/Thành đoàn · district: Huyện/Thị/Thành đoàn, Đoàn khối, Đoàn trực thuộc ·
#: grassroots: Đoàn cơ sở · branch: Chi đoàn (cơ sở) · association: Chi hội ·
#: agency: a body outside the Union tree (department, association) that sends guests.
UNIT_KINDS = ("province", "district", "grassroots", "branch", "association", "agency")


class Unit(db.Model):
    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("parent_id", "name_folded"),
        CheckConstraint("member_count >= 0", name="member_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Optional short code the organisation uses ("DMC"); unique when given.
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    #: Name as written, with diacritics ("Huyện đoàn Dương Minh Châu").
    name: Mapped[str] = mapped_column(String(255))
    #: :func:`checkin.i18n.fold` of the name, for search and duplicate checks.
    name_folded: Mapped[str] = mapped_column(String(255), index=True)
    #: One of :data:`UNIT_KINDS`.
    kind: Mapped[str] = mapped_column(String(16))
    #: Union members ("đoàn viên"); quota rules read it.
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name!r}>"


class QuotaRule(db.Model):
    """Seats for every unit of a kind, optionally above a member count.

    Seed 004: grassroots → 2, branch → 1, grassroots with more than 50 members → 3.
    A unit takes the matching rule with the highest threshold.
    """

    __tablename__ = "quota_rules"
    __table_args__ = (
        UniqueConstraint("event_id", "unit_kind", "min_members_exclusive"),
        CheckConstraint("seats >= 0", name="seats_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: One of :data:`UNIT_KINDS`.
    unit_kind: Mapped[str] = mapped_column(String(16))
    #: The rule applies to units with strictly more members than this (0: all units).
    min_members_exclusive: Mapped[int] = mapped_column(Integer, default=0)
    seats: Mapped[int] = mapped_column(Integer)


class Quota(db.Model):
    """Seats allocated to one unit for one event ("chỉ tiêu phân bổ")."""

    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint("event_id", "unit_id"),
        CheckConstraint("seats >= 0", name="seats_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    seats: Mapped[int] = mapped_column(Integer)
    #: "rule" when set by :func:`apply_quota_rules`, "manual" when typed by an organizer
    #: (re-applying rules leaves manual quotas alone).
    source: Mapped[str] = mapped_column(String(8), default="manual")
    #: Bumped by every nomination for this unit: the write that serialises
    #: concurrent nominations so the quota can never be exceeded.
    nomination_counter: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[Unit] = relationship()


class NominationLink(db.Model):
    """The link a unit's secretary opens to name its delegates (no account needed)."""

    __tablename__ = "nomination_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    #: Unguessable (192 random bits), never derived from an id.
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    #: After this time the link shows the list but accepts no changes.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Set when the organizer revokes it; the link then stops working.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    unit: Mapped[Unit] = relationship()
    event: Mapped["Event"] = relationship()  # noqa: F821, UP037

    @property
    def active(self) -> bool:
        return self.revoked_at is None
