"""Staff accounts, passwords and who may do what."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import services as audit
from ..errors import Conflict, DomainError
from ..extensions import db
from ..transaction import commit, transactional
from ..validation import field_error, required_text
from .models import ACCOUNT_ROLES, EVENT_ROLES, EventRole, User

_hasher = PasswordHasher()


def _off_loop(fn, *args):
    """Run ``fn`` (argon2: ~50 ms of CPU with the GIL released) in gevent's native
    thread pool when the server runs under gevent, so the event loop keeps serving
    gates and phones while a password is checked; directly otherwise."""
    try:
        from gevent import get_hub, monkey
    except ImportError:  # pragma: no cover — gevent is a dependency
        return fn(*args)
    if not monkey.is_module_patched("socket"):
        return fn(*args)
    return get_hub().threadpool.apply(fn, args)


def hash_password(password: str) -> str:
    return _off_loop(_hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    return _off_loop(_hasher.verify, password_hash, password)
_USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")
MIN_PASSWORD = 8


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise field_error("password", _("The password needs at least %(n)d characters.",
                                        n=MIN_PASSWORD), "weak_password")
    return password


def create_user(*, username: str, password: str, full_name: str, role: str = "staff") -> User:
    """Create a staff account. Usernames are lower case letters, digits, . _ -."""
    username = (username or "").strip().lower()
    if not _USERNAME.match(username):
        raise field_error("username", _("Use 3–64 lower-case letters, digits, dots, dashes or "
                                        "underscores."), "invalid_username")
    if role not in ACCOUNT_ROLES:
        raise field_error("role", _("Choose a role."), "invalid_role")
    full_name = required_text(full_name, "full_name", max_length=120)
    _check_password(password)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise field_error("username", _("This username is taken."), "username_taken")
    user = User(username=username, full_name=full_name, role=role,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


@transactional
def set_password(user: User, password: str) -> None:
    _check_password(password)
    user.password_hash = hash_password(password)
    commit()


@transactional
def update_user(user: User, *, full_name: str, role: str, active: bool,
                by_user: User | None = None, password: str | None = None) -> User:
    """Change an account — and its password, when one is given — as one action. An
    administrator cannot take away their own rights (and so lock everyone out)."""
    if by_user is not None and user.id == by_user.id and (role != "admin" or not active):
        raise field_error("role", _("You cannot remove your own administrator rights."),
                          "own_admin")
    if role not in ACCOUNT_ROLES:
        raise field_error("role", _("Choose a role."), "invalid_role")
    user.full_name = required_text(full_name, "full_name", max_length=120)
    user.role, user.active = role, active
    if password:
        set_password(user, password)
    commit()
    return user


def authenticate(username: str, password: str) -> User:
    """The active account with these credentials, else ``bad_credentials``.

    The same answer for an unknown name and a wrong password, so that the form
    does not reveal which accounts exist.
    """
    user = db.session.scalar(select(User).where(User.username == (username or "").strip()
                                                .lower()))
    error = DomainError(_("Wrong username or password."), code="bad_credentials")
    if user is None:
        hash_password(password or "x")  # spend the same time as a real check
        raise error
    try:
        _verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        raise error from None
    if not user.active:
        raise DomainError(_("This account has been deactivated."), code="inactive")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


# --- roles in events -------------------------------------------------------

def event_roles(user, event) -> set[str]:
    """The roles ``user`` holds in ``event`` (an admin holds all of them)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if user.is_admin:
        return set(EVENT_ROLES)
    return set(db.session.scalars(select(EventRole.role).where(
        EventRole.event_id == event.id, EventRole.user_id == user.id)))


def can(user, event, *roles: str) -> bool:
    """Whether ``user`` holds one of ``roles`` in ``event`` (organizers may do all)."""
    held = event_roles(user, event)
    return bool(held & ({"organizer"} | set(roles)))


def can_create_events(user) -> bool:
    return bool(user and user.is_authenticated and user.role in ("admin", "organizer"))


def assign_event_role(event, user: User, role: str) -> EventRole:
    """Give a staff member a role in an event (organizer, moderator, gate)."""
    if role not in EVENT_ROLES:
        raise field_error("role", _("Choose a role."), "invalid_role")
    existing = db.session.scalar(select(EventRole).where(
        EventRole.event_id == event.id, EventRole.user_id == user.id, EventRole.role == role))
    if existing is not None:
        return existing
    grant = EventRole(event_id=event.id, user_id=user.id, role=role)
    db.session.add(grant)
    audit.record("role.assign", event=event, target=user, after={"role": role})
    db.session.commit()
    return grant


def revoke_event_role(grant: EventRole) -> None:
    """Take a role away; an event always keeps at least one organizer."""
    if grant.role == "organizer":
        others = db.session.scalar(select(EventRole.id).where(
            EventRole.event_id == grant.event_id, EventRole.role == "organizer",
            EventRole.id != grant.id))
        if others is None:
            raise Conflict(_("An event needs at least one organizer."), code="last_organizer")
    audit.record("role.revoke", event=grant.event_id, target=grant.user,
                 before={"role": grant.role})
    db.session.delete(grant)
    db.session.commit()


def visible_events_query(user):
    """Events the user may open: all for an admin, else those they hold a role in."""
    from ..events.models import Event

    stmt = select(Event).order_by(Event.starts_at.desc())
    if not user.is_admin:
        stmt = stmt.where(Event.id.in_(select(EventRole.event_id)
                                       .where(EventRole.user_id == user.id)))
    return stmt
