"""Socket.IO: a delegate's phone follows its meeting (never writes; actions go over HTTP)."""

from __future__ import annotations

from flask import request
from flask_socketio import join_room

from ..attendees.invitations import find_invitation
from ..broadcast import attendee_room, event_room
from ..errors import DomainError
from ..extensions import socketio
from ..limits import GUESSES_PER_ADDRESS, allow, client_address
from .services import my_state, public_state

#: ``follow`` events one connection may send (a phone sends one per reconnect).
FOLLOWS_PER_CONNECTION = "10 per minute"


@socketio.on("follow")
def follow(data):
    """Join the room of the invitation's meeting and the delegate's own room.

    Limited like its HTTP twin (the invitation page): per connection, and unknown
    tokens per address, so that the socket is no faster way to guess invitations.
    """
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not 0 < len(token) <= 128 or "\x00" in token:
        return {"ok": False, "error": "invalid"}
    guesses = f"follow-guess:{client_address()}"
    if not allow(f"follow:{request.sid}", FOLLOWS_PER_CONNECTION) or not allow(
            guesses, GUESSES_PER_ADDRESS, count=False):
        return {"ok": False, "error": "rate_limited"}
    try:
        invitation = find_invitation(token)
    except DomainError as exc:
        allow(guesses, GUESSES_PER_ADDRESS)  # only refusals count against the address
        return {"ok": False, "error": exc.code}
    person = invitation.attendee
    join_room(event_room(person.event_id, "public"))
    join_room(attendee_room(person.id))
    return {"ok": True, "state": public_state(person.event), "mine": my_state(person.event,
                                                                             person)}
