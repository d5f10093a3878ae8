"""Events, their agenda, and series of events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

#: Kinds of meeting: hội nghị, diễn đàn/tọa đàm, giao ban, gặp gỡ đối thoại.
EVENT_KINDS = ("conference", "forum", "briefing", "dialogue")

#: How a meeting is held: trực tiếp, trực tuyến, kết hợp.
EVENT_MODES = ("in_person", "online", "hybrid")


class EventSeries(db.Model):
    """Meetings repeated with a rotating host (a "giao ban" series, seed 001)."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[Event]] = relationship(
        back_populates="series", order_by="Event.starts_at"
    )


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    #: The meeting's theme ("Chủ đề"), often a long quoted sentence.
    theme: Mapped[str] = mapped_column(Text, default="")
    #: One of :data:`EVENT_KINDS`.
    kind: Mapped[str] = mapped_column(String(16), default="conference")
    #: One of :data:`EVENT_MODES`.
    mode: Mapped[str] = mapped_column(String(16), default="in_person")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Hall and address as the invitation prints them.
    venue: Mapped[str] = mapped_column(String(255), default="")
    venue_address: Mapped[str] = mapped_column(String(255), default="")
    #: The unit that hosts this meeting (rotates within a series).
    host_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL")
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    #: Units may nominate until then (unit links may set their own, earlier deadline).
    nomination_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Versions of the three streams open pages follow, counted by the database
    #: (:func:`checkin.versions.bump`): check-ins; the dialogue and agenda;
    #: the mode, livestream, announcements and the event's details.
    attendance_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    dialogue_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    live_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    series: Mapped[EventSeries | None] = relationship(back_populates="events")
    host_unit: Mapped["Unit | None"] = relationship()  # noqa: F821, UP037
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="event", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    staff: Mapped[list["EventRole"]] = relationship(  # noqa: F821, UP037
        back_populates="event", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class AgendaItem(db.Model):
    """One item of the programme ("Chương trình"), in order."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: 1-based order within the event.
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    #: Planned start, wall clock in the local zone (stored as UTC).
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Planned length in minutes.
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    #: Who presents it ("Đồng chí Bí thư Đoàn Khối").
    presenter: Mapped[str] = mapped_column(String(255), default="")

    event: Mapped[Event] = relationship(back_populates="agenda")
    contributions: Mapped[list[Contribution]] = relationship(
        back_populates="agenda_item", order_by="Contribution.position",
        cascade="all, delete-orphan",
    )


class Contribution(db.Model):
    """A prepared talk ("tham luận") assigned to a unit under an agenda item."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    #: Presenter's name, when known.
    speaker: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=1)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="contributions")
    unit: Mapped["Unit"] = relationship()  # noqa: F821, UP037


class Livestream(db.Model):
    """Where remote people watch the meeting, and the room a remote speaker joins."""

    __tablename__ = "livestreams"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    #: A YouTube live URL, a Facebook live video URL or an HLS (.m3u8) URL.
    primary_url: Mapped[str] = mapped_column(String(500), default="")
    #: The stream to switch to if the first fails.
    backup_url: Mapped[str] = mapped_column(String(500), default="")
    #: "primary" or "backup".
    active: Mapped[str] = mapped_column(String(8), default="primary")
    #: Zoom, Google Meet, Jitsi… given to a remote delegate who gets the floor.
    meeting_room_url: Mapped[str] = mapped_column(String(500), default="")


class Announcement(db.Model):
    """A short message to every open page and the projector."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
