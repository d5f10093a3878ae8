"""Staff accounts, passwords and who may do what."""

from __future__ import annotations

import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..audit import services as audit
from ..errors import Conflict, DomainError
from ..extensions import db
from ..transaction import commit, transactional
from ..types import utcnow
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
MIN_PASSWORD = 10
#: Wrong passwords in a row before an account makes the next try wait.
LOCK_AFTER = 5


#: zxcvbn's score (0–4) a password needs: 3 is "safely unguessable" online and slow
#: offline (about 10^10 guesses), as the estimator's authors suggest for accounts.
MIN_PASSWORD_SCORE = 3
#: Words of this site that a password should not lean on.
_SITE_WORDS = ("doan", "tinhdoan", "hoinghi", "daihoi", "admin", "quantri")


def password_policy() -> str:
    """The rule, as the forms show it."""
    return _("At least %(n)d characters, not a common password and not your name or "
             "username: a few unrelated words make a good one.", n=MIN_PASSWORD)


def _check_password(password: str, *, user: User | None = None, username: str = "",
                    full_name: str = "") -> str:
    """Refuse short passwords, common ones (zxcvbn's lists and patterns) and ones built
    on the account's own name."""
    from zxcvbn import zxcvbn

    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise field_error("password", _("The password needs at least %(n)d characters.",
                                        n=MIN_PASSWORD), "weak_password")
    if len(password) > 256:
        raise field_error("password", _("At most %(n)d characters.", n=256), "too_long")
    if user is not None:
        username, full_name = user.username, user.full_name
    own = [w for w in (username, full_name, *(full_name or "").split()) if w]
    if len(username or "") >= 3 and username.casefold() in password.casefold():
        raise field_error("password", _("The password must not contain the username."),
                          "weak_password")
    # zxcvbn is quadratic in the length; the first 64 characters are plenty to judge.
    if zxcvbn(password[:64], user_inputs=[*own, *_SITE_WORDS])["score"] < MIN_PASSWORD_SCORE:
        raise field_error("password", _("This password is too easy to guess: avoid common "
                                        "passwords, names and sequences."), "weak_password")
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
    _check_password(password, username=username, full_name=full_name)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise field_error("username", _("This username is taken."), "username_taken")
    user = User(username=username, full_name=full_name, role=role,
                password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def end_sessions(user: User) -> None:
    """End every session of ``user`` signed in so far (their cookies stop working).

    Counted by the database, so that two processes ending sessions at once both count.
    The caller disconnects the account's sockets after the commit
    (``broadcast.end_access(broadcast.user_room(user.id))``).
    """
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_generation=User.session_generation + 1))
    commit()
    db.session.refresh(user)


@transactional
def set_password(user: User, password: str) -> None:
    """Set a new password and end every session signed in with the old one."""
    _check_password(password, user=user)
    user.password_hash = hash_password(password)
    end_sessions(user)


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
    lost_rights = (user.active and not active) or (user.role != role)
    user.role, user.active = role, active
    if password:
        set_password(user, password)  # ends the account's sessions
    elif lost_rights:  # a deactivated or re-roled account signs in anew
        end_sessions(user)
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
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise DomainError(_("Too many wrong passwords for this account. Try again in "
                            "%(n)d seconds.", n=int((user.locked_until - now).total_seconds())
                            + 1), code="locked")
    try:
        _verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        _count_failure(user)
        raise error from None
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins, user.locked_until = 0, None
        db.session.commit()
    if not user.active:
        raise DomainError(_("This account has been deactivated."), code="inactive")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def _count_failure(user: User) -> None:
    """One more wrong password; from the 5th in a row the account waits before the next
    try, 30 s doubling up to 15 min (counted by the database, whichever process)."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_logins=User.failed_logins + 1))
    failed = db.session.scalar(select(User.failed_logins).where(User.id == user.id))
    if failed >= LOCK_AFTER:
        wait = min(30 * 2 ** (failed - LOCK_AFTER), 15 * 60)
        db.session.execute(update(User).where(User.id == user.id)
                           .values(locked_until=utcnow() + timedelta(seconds=wait)))
    db.session.commit()


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
