"""Route guards: every staff page states the role it needs, checked on the server."""

from __future__ import annotations

from functools import wraps

from flask import abort, g
from flask_login import current_user, login_required

from ..extensions import db
from .services import can, can_create_events


def event_access(*roles: str):
    """Load ``event_id`` from the URL (404 if missing) and require one of ``roles``
    (organizers and admins always pass). The event is passed as ``event``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(event_id: int, **kwargs):
            from ..events.models import Event

            event = db.session.get(Event, event_id)
            if event is None:
                abort(404)
            if not can(current_user, event, *roles):
                abort(403)
            g.event = event
            return view(event=event, **kwargs)

        return wrapped

    return decorator


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def organizer_required(view):
    """Account-wide organizers and admins (who may create events and manage units)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_create_events(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
