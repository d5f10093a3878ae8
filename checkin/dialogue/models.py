"""Questions, support votes, requests for the floor, and the state of the dialogue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

#: question: câu hỏi · petition: kiến nghị · proposal: đề xuất · idea: hiến kế ·
#: written: ý kiến bằng văn bản (counts as a speech, seed 000).
KINDS = ("question", "petition", "proposal", "idea", "written")

#: submitted → approved / rejected → answering → answered; or merged into another.
STATUSES = ("submitted", "approved", "answering", "answered", "rejected", "merged")

#: Public statuses: the only ones whose text the room, the projector and phones may see.
PUBLIC_STATUSES = ("approved", "answering", "answered")


class Topic(db.Model):
    """A topic from the event's list ("Việc làm", "Nhà ở công nhân")."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))


class Agency(db.Model):
    """An answering agency ("Sở Nội vụ", "Hội Nông dân tỉnh")."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class DialogueState(db.Model):
    """Where the meeting is: the current agenda item, whether questions are open,
    and the pre-meeting collection's deadline and minimum per unit."""

    __tablename__ = "dialogue_states"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    current_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"))
    #: Delegates may send questions from their phones.
    questions_open: Mapped[bool] = mapped_column(Boolean, default=False)
    #: If set, questions are accepted only while this agenda item is current.
    questions_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"))
    #: Units submit their questions before this time (seed 002: 30/8) …
    unit_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: … at least this many each (seed 002: 5).
    unit_minimum: Mapped[int] = mapped_column(Integer, default=0)
    #: Speaking time given with the floor, in seconds.
    speaking_seconds: Mapped[int] = mapped_column(Integer, default=180)
    #: Longest question a delegate may type.
    max_length: Mapped[int] = mapped_column(Integer, default=500)


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("event_id", "client_nonce"),
                      UniqueConstraint("event_id", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: Its number within the meeting (#1, #2 …), as the room and the report show it.
    number: Mapped[int | None] = mapped_column(Integer)
    #: The delegate who asked from their phone (None for a unit's written submission).
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="SET NULL"), index=True)
    #: The unit it comes from.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    #: Who asked, as the unit wrote it (pre-meeting submissions).
    asker_name: Mapped[str] = mapped_column(String(120), default="")
    #: Whether the room may see the asker's name (else only the unit).
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    #: One of :data:`KINDS`.
    kind: Mapped[str] = mapped_column(String(16), default="question")
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    #: The text as shown (a moderator may edit it) …
    text: Mapped[str] = mapped_column(Text)
    #: … and as the asker wrote it.
    original_text: Mapped[str] = mapped_column(Text)
    #: One of :data:`STATUSES`.
    status: Mapped[str] = mapped_column(String(16), default="submitted", index=True)
    #: Told privately to the author when rejected.
    reject_reason: Mapped[str] = mapped_column(String(500), default="")
    #: The chair's short note of the answer.
    answer_note: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="SET NULL"))
    #: "unit" (before the meeting, through the unit's link) or "live" (from a phone).
    source: Mapped[str] = mapped_column(String(8), default="live")
    #: The chair's order in the approved queue (smaller first).
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Bumped by every change: a moderator's change made on an older version is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    client_nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attendee: Mapped["Attendee | None"] = relationship()  # noqa: F821, UP037
    unit: Mapped["Unit | None"] = relationship()  # noqa: F821, UP037
    topic: Mapped[Topic | None] = relationship()
    agency: Mapped[Agency | None] = relationship()


class Vote(db.Model):
    """One delegate's support for one question."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("question_id", "attendee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"),
                                             index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FloorRequest(db.Model):
    """A delegate asks for the floor ("xin phát biểu") on a topic."""

    __tablename__ = "floor_requests"
    __table_args__ = (UniqueConstraint("event_id", "client_nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(200), default="")
    #: waiting → speaking → done; or cancelled by the delegate.
    status: Mapped[str] = mapped_column(String(12), default="waiting", index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seconds: Mapped[int] = mapped_column(Integer, default=180)
    client_nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendee: Mapped["Attendee"] = relationship()  # noqa: F821, UP037
