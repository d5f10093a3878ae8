"""Socket.IO: a delegate's phone follows its meeting (never writes; actions go over HTTP)."""

from __future__ import annotations

from flask_socketio import join_room

from ..attendees.invitations import invitation_owner
from ..attendees.models import Attendee
from ..broadcast import attendee_room, event_room
from ..errors import DomainError
from ..extensions import db, socketio
from .services import cached_public_state, my_state


@socketio.on("follow")
def follow(data):
    """Join the room of the invitation's meeting and the delegate's own room.

    Answers with the room's view from memory (the invitation's owner and the view are
    cached briefly): a join costs no database round trip, so a hall of phones coming back
    at once after a restart is not a thousand queries. The delegate's own list (``mine``)
    is read only when asked for (``{"mine": true}``: a phone reconnecting); a page just
    opened has it already.
    """
    data = data if isinstance(data, dict) else {}
    try:
        attendee_id, event_id = invitation_owner(str(data.get("token", "")))
    except DomainError as exc:
        return {"ok": False, "error": exc.code}
    join_room(event_room(event_id, "public"))
    join_room(attendee_room(attendee_id))
    reply = {"ok": True, "state": cached_public_state(event_id)}
    if data.get("mine"):
        person = db.session.get(Attendee, attendee_id)
        reply["mine"] = my_state(person.event, person)
    return reply
