"""Version numbers per stream, counted by the database.

An event has three streams that open pages follow: ``attendance`` (check-ins and their
undo), ``dialogue`` (questions, votes, moderation, the floor, the agenda's current item)
and ``live`` (the mode, the livestream, announcements, the event's details and agenda).
Each has its own counter on the event's row. A change bumps its stream's counter *in the
database*, in the same transaction as the change::

    UPDATE events SET dialogue_version = dialogue_version + 1 WHERE id = :id
    RETURNING dialogue_version

so two processes changing the same stream at once get consecutive numbers (a
read-then-write ``event.version += 1`` lost most increments on PostgreSQL). The row
stays locked until the caller commits, which is what orders the numbers; callers bump
last, just before their commit, to hold that lock as briefly as possible.

Messages carry ``{"stream": …, "version": …}``; a client whose last known version of a
stream is *v* applies a message numbered *v + 1*, ignores one at or below *v*, and
fetches that stream's snapshot on a larger jump. A change on one stream never makes
clients of another refetch.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from .events.models import Event
from .extensions import db

#: The streams, in the order heartbeats and snapshots list them.
STREAMS = ("attendance", "dialogue", "live")

_COLUMNS = {stream: getattr(Event, f"{stream}_version") for stream in STREAMS}


def _column(stream: str):
    try:
        return _COLUMNS[stream]
    except KeyError:
        raise ValueError(f"unknown stream {stream!r}; expected one of {STREAMS}") from None


def bump(event: Event | int, stream: str) -> int:
    """Add one to ``stream``'s version of ``event`` (an Event or its id) in the database,
    inside the caller's transaction, and return the new number.

    The Event object in the session (if loaded) is updated without being marked dirty,
    so a later flush never writes an older number back.
    """
    column = _column(stream)
    event_id = event if isinstance(event, int) else event.id
    table = Event.__table__
    # Write the caller's pending changes first: a refused insert fails here, before the
    # event's row is locked, and the lock is held only from now until the commit.
    db.session.flush()
    version = db.session.execute(
        update(table).where(table.c.id == event_id)
        .values({column.key: table.c[column.key] + 1})
        .returning(table.c[column.key])).scalar_one()
    loaded = event if not isinstance(event, int) else db.session.identity_map.get(
        identity_key(Event, event_id))
    if loaded is not None:
        set_committed_value(loaded, column.key, version)
    return version


def current(event: Event | int) -> dict[str, int]:
    """The committed version of every stream, read from the database (not the session's
    possibly stale copy): ``{"attendance": …, "dialogue": …, "live": …}``."""
    event_id = event if isinstance(event, int) else event.id
    row = db.session.execute(select(*_COLUMNS.values()).where(Event.id == event_id)).one()
    return dict(zip(STREAMS, row, strict=True))

