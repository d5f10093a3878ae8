"""Socket.IO handlers: adapters that check who is asking and put them in rooms.

They never write to the database; they only admit a connection to the rooms its
session (staff) or device token (gate) entitles it to.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_socketio import join_room

from .. import versions
from ..auth.services import can
from ..broadcast import device_room, event_room, user_room
from ..extensions import db, socketio
from ..security import db_int
from .services import gate_device


def _event(event_id):
    from ..events.models import Event

    if isinstance(event_id, bool):
        return None
    try:
        return db.session.get(Event, db_int(event_id))
    except (TypeError, ValueError):
        return None


@socketio.on("watch")
def watch(data):
    """Join an event's staff room: staff with a role in it, or one of its gate devices."""
    if not isinstance(data, dict):
        return {"ok": False, "error": "invalid"}
    event = _event(data.get("event"))
    if event is None:
        return {"ok": False, "error": "not_found"}
    device = gate_device(request.cookies.get("gate_device"))
    allowed = (device is not None and device.event_id == event.id) or (
        current_user.is_authenticated and can(current_user, event, "moderator", "gate"))
    if not allowed:
        return {"ok": False, "error": "forbidden"}
    # The party's own room, so that taking its access away disconnects this socket.
    if device is not None:
        join_room(device_room(device.id))
    if current_user.is_authenticated:
        join_room(user_room(current_user.id))
    join_room(event_room(event.id, "staff"))
    join_room(event_room(event.id, "public"))  # staff screens show the room's view too
    if current_user.is_authenticated and can(current_user, event, "moderator"):
        join_room(event_room(event.id, "moderators"))  # the console: unapproved text, names
    return {"ok": True, "versions": versions.current(event)}
