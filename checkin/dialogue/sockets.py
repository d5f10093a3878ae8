"""Socket.IO: a delegate's phone follows its meeting (never writes; actions go over HTTP)."""

from __future__ import annotations

from flask_socketio import join_room

from ..attendees.invitations import find_invitation
from ..broadcast import attendee_room, event_room
from ..errors import DomainError
from ..extensions import socketio
from .services import my_state, public_state


@socketio.on("follow")
def follow(data):
    """Join the room of the invitation's meeting and the delegate's own room."""
    try:
        invitation = find_invitation(str((data or {}).get("token", "")))
    except DomainError as exc:
        return {"ok": False, "error": exc.code}
    person = invitation.attendee
    join_room(event_room(person.event_id, "public"))
    join_room(attendee_room(person.id))
    return {"ok": True, "state": public_state(person.event), "mine": my_state(person.event,
                                                                             person)}
