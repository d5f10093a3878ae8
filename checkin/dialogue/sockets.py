"""Socket.IO: a delegate's phone follows its meeting (never writes; actions go over HTTP)."""

from __future__ import annotations

from flask import request
from flask_socketio import join_room

from ..attendees.invitations import invitation_owner
from ..attendees.models import Attendee
from ..broadcast import attendee_room, event_room
from ..errors import DomainError
from ..extensions import db, socketio
from ..limits import GUESSES_PER_ADDRESS, allow, client_address
from .services import cached_public_state, my_state

#: ``follow`` events one connection may send (a phone sends one per reconnect).
FOLLOWS_PER_CONNECTION = "10 per minute"


@socketio.on("follow")
def follow(data):
    """Join the room of the invitation's meeting and the delegate's own room.

    Answers with the room's view from memory (the invitation's owner and the view are
    cached briefly): a join costs no database round trip, so a hall of phones coming back
    at once after a restart is not a thousand queries. The delegate's own list (``mine``)
    is read only when asked for (``{"mine": true}``: a phone reconnecting).

    Limited like its HTTP twin (the invitation page): per connection, and unknown
    tokens per address, so that the socket is no faster way to guess invitations.
    """
    data = data if isinstance(data, dict) else {}
    token = data.get("token")
    if not isinstance(token, str) or not 0 < len(token) <= 128 or "\x00" in token:
        return {"ok": False, "error": "invalid"}
    guesses = f"follow-guess:{client_address()}"
    if not allow(f"follow:{request.sid}", FOLLOWS_PER_CONNECTION) or not allow(
            guesses, GUESSES_PER_ADDRESS, count=False):
        return {"ok": False, "error": "rate_limited"}
    try:
        attendee_id, event_id = invitation_owner(token)
    except DomainError as exc:
        allow(guesses, GUESSES_PER_ADDRESS)  # only refusals count against the address
        return {"ok": False, "error": exc.code}
    join_room(event_room(event_id, "public"))
    join_room(attendee_room(attendee_id))
    reply = {"ok": True, "state": cached_public_state(event_id)}
    if data.get("mine"):
        person = db.session.get(Attendee, attendee_id)
        reply["mine"] = my_state(person.event, person)
    return reply
