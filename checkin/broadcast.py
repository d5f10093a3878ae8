"""The only module that emits realtime messages.

Each function is called by a service's caller *after* the change is committed,
with a payload built by the same serializers as the JSON API, and every message
carries its stream and that stream's version (``{"stream": "attendance" | "dialogue"
| "live", "version": n, …}``, see :mod:`checkin.versions`): a client that sees
a gap in one stream (or reconnects) fetches that stream's snapshot over HTTP. With
``MESSAGE_QUEUE`` set, Flask-SocketIO relays through Redis so that every server process
reaches its own clients.
"""

from __future__ import annotations

from .extensions import socketio


def event_room(event_id: int, audience: str) -> str:
    """Room names: ``event:<id>:staff`` (organizers, gates, projector),
    ``event:<id>:moderators`` (the consoles) and ``event:<id>:public`` (phones)."""
    return f"event:{event_id}:{audience}"


def attendance_changed(event, board: dict, *, checkin: dict | None = None) -> None:
    """A check-in (or its undo) changed the attendance figures."""
    socketio.emit("attendance", {"stream": "attendance", "version": board["version"],
                                 "board": board, "checkin": checkin},
                  to=event_room(event.id, "staff"))


def attendee_room(attendee_id: int) -> str:
    """A delegate's own room: their questions' status and private answers."""
    return f"attendee:{attendee_id}"


def dialogue_changed(event, public: dict, console: dict) -> None:
    """The dialogue moved: the room's view to phones and the projector, the full view to
    the moderators' consoles."""
    socketio.emit("dialogue", public, to=event_room(event.id, "public"))  # carries its version
    socketio.emit("console", console, to=event_room(event.id, "moderators"))


def live_changed(event, live: dict) -> None:
    """The mode, the livestream or an announcement changed: every page of the meeting
    (phones, projector, board, stage) shows it."""
    socketio.emit("live", {"stream": "live", "version": event.live_version, "live": live},
                  to=event_room(event.id, "public"))


def heartbeat(event_id: int, versions: dict[str, int]) -> None:
    """The latest version of each stream, to every page of the meeting *served by this
    process* — sent without the message queue, so it arrives while the queue is away.
    A page behind on a stream fetches that stream's snapshot (see :mod:`checkin.health`)."""
    socketio.emit("heartbeat", {"event": event_id, "versions": versions},
                  to=event_room(event_id, "public"), ignore_queue=True)


def reload_pages(event_id: int) -> None:
    """The database was restored: every open page of the event reloads."""
    socketio.emit("reload", {"event": event_id}, to=event_room(event_id, "public"))


def own_questions_changed(attendee_id: int, mine: dict) -> None:
    socketio.emit("mine", mine, to=attendee_room(attendee_id))


def stage_zoom(event, zoom: int) -> None:
    """The chair enlarged or reduced the text on the dialogue screen (the screens keep it)."""
    socketio.emit("stage", {"zoom": zoom}, to=event_room(event.id, "staff"))


def staff_user_room(user_id: int) -> str:
    """A staff member's own room: the progress and the end of the jobs they started."""
    return f"user:{user_id}"


def job_changed(job: dict) -> None:
    """A background job moved (progress, done, failed): to the pages of who started it.

    Sent by the worker itself when a message queue links it to the web processes, else
    relayed by the web process from the database (see :mod:`checkin.jobs.sockets`).
    """
    if job.get("user_id"):
        socketio.emit("job", job, to=staff_user_room(job["user_id"]))
