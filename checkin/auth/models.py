"""Staff accounts and their roles."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..types import UTCDateTime, utcnow

#: Account-wide roles. ``admin`` may do everything; ``organizer`` may create
#: events and runs those they organize; ``staff`` acts only where an event gives
#: them a role (moderator, gate).
ACCOUNT_ROLES = ("admin", "organizer", "staff")

#: Roles within one event.
EVENT_ROLES = ("organizer", "moderator", "gate")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, stored lower case.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: Name shown in the interface, with diacritics.
    full_name: Mapped[str] = mapped_column(String(120))
    #: Argon2id hash of the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: One of :data:`ACCOUNT_ROLES`.
    role: Mapped[str] = mapped_column(String(16), default="staff")
    #: A deactivated account cannot sign in; its history stays.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Part of every session's user id (``"<id>:<generation>"``); raising it ends every
    #: session signed in before (sign-out, new password, deactivation).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Wrong passwords in a row; reset by a successful sign-in.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: No sign-in is tried before this time (lock-out with back-off after wrong passwords).
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    event_roles: Mapped[list[EventRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the session generation."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class EventRole(db.Model):
    """A staff member's role in one event (organizer, moderator or gate)."""

    __tablename__ = "event_roles"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: One of :data:`EVENT_ROLES`.
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="event_roles")
    event: Mapped["Event"] = relationship(back_populates="staff")  # noqa: F821, UP037
