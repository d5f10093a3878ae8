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

import threading
import time

from flask import current_app
from socketio import PubSubManager, RedisManager

from .extensions import socketio


def event_room(event_id: int, audience: str) -> str:
    """Room names: ``event:<id>:staff`` (organizers, gates, projector),
    ``event:<id>:moderators`` (the consoles) and ``event:<id>:public`` (phones)."""
    return f"event:{event_id}:{audience}"


def attendance_changed(event, board: dict, *, checkin: dict | None = None) -> None:
    """The board changed in a way screens cannot add up (an undo, a walk-in or a substitute
    changes who is expected): the whole board, which replaces theirs."""
    socketio.emit("attendance", {"stream": "attendance", "version": board["version"],
                                 "board": board, "checkin": checkin},
                  to=event_room(event.id, "staff"))


class BoardCoalescer:
    """Check-ins of one event leave as at most one ``attendance`` message per
    :data:`BOARD_COALESCE_SECONDS` (config): the first of a quiet spell at once, the rest
    of a burst together when the interval is up. A message carries only what changed —
    one ``[version, unit_id, category, online, +1]`` per check-in, which screens add to
    their counters — and the newest arrivals; never the whole board.

    Each process coalesces its own check-ins; with several processes the versions of one
    message need not be consecutive, so screens track every version and fetch the snapshot
    only when one stays missing.
    """

    #: Arrivals listed per message (the board shows the newest few).
    ARRIVALS = 8

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.lock = threading.Lock()
        self.pending: dict[int, tuple[list, list]] = {}
        self.last_sent: dict[int, float] = {}

    def add(self, event_id: int, change: list, arrival: dict | None) -> None:
        with self.lock:
            waiting = event_id in self.pending
            changes, arrivals = self.pending.setdefault(event_id, ([], []))
            changes.append(change)
            if arrival is not None:
                arrivals.append(arrival)
                del arrivals[:-self.ARRIVALS]
            if waiting:
                return  # a flush is already due
            wait = self.last_sent.get(event_id, float("-inf")) + self.interval - time.monotonic()
        if wait > 0:
            socketio.start_background_task(self._flush_later, event_id, wait)
        else:
            self.flush(event_id)

    def _flush_later(self, event_id: int, wait: float) -> None:
        socketio.sleep(wait)
        self.flush(event_id)

    def flush(self, event_id: int) -> None:
        with self.lock:
            batch = self.pending.pop(event_id, None)
            self.last_sent[event_id] = time.monotonic()
        if not batch:
            return
        changes, arrivals = batch
        socketio.emit("attendance", {
            "stream": "attendance", "version": max(c[0] for c in changes),
            "changes": changes, "arrivals": arrivals[::-1]}, to=event_room(event_id, "staff"))


def _coalescer() -> BoardCoalescer:
    extensions = current_app.extensions
    if "board_coalescer" not in extensions:
        extensions["board_coalescer"] = BoardCoalescer(
            current_app.config["BOARD_COALESCE_SECONDS"])
    return extensions["board_coalescer"]


def attendance_arrived(event_id: int, change: list, arrival: dict | None = None) -> None:
    """Someone checked in: their board change (and arrival line) joins the event's next
    coalesced ``attendance`` message."""
    _coalescer().add(event_id, change, arrival)


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


# --- access that ends ---------------------------------------------------------

def user_room(user_id: int) -> str:
    """Every socket a staff account opened (joined when it watches an event)."""
    return f"user:{user_id}"


def device_room(device_id: int) -> str:
    """Every socket a paired gate device opened."""
    return f"device:{device_id}"


#: Rooms whose closing disconnects their members (see :func:`end_access`).
_PARTY_ROOMS = ("user:", "device:")


def end_access(room: str) -> None:
    """Disconnect at once every socket in ``room`` (a :func:`user_room` or
    :func:`device_room`), on every server process.

    Called after access was taken away and committed (sign-out, new password,
    deactivation, a role removed, a device revoked). The party may connect again, and
    is then asked anew whether it may join anything.
    """
    server = socketio.server
    if server is None:
        return
    manager = server.manager
    if isinstance(manager, PubSubManager):
        # A close_room travels through the message queue to every process, where
        # _KickOnClose turns it into disconnects of that process's own sockets.
        manager.close_room(room, namespace="/")
        return
    _disconnect_members(server, room)


def _disconnect_members(server, room: str, *, ignore_queue: bool = False) -> None:
    for sid, _eio_sid in list(server.manager.get_participants("/", room)):
        server.disconnect(sid, namespace="/", ignore_queue=ignore_queue)


class _KickOnClose:
    """Closing a party room (``user:…``, ``device:…``) disconnects its members."""

    def _handle_close_room(self, message):
        room = message.get("room") or ""
        if isinstance(room, str) and room.startswith(_PARTY_ROOMS):
            _disconnect_members(self.server, room, ignore_queue=True)
        return super()._handle_close_room(message)


class KickingRedisManager(_KickOnClose, RedisManager):
    """Flask-SocketIO's Redis message queue, with :func:`end_access` across processes."""


def client_manager(message_queue: str | None, channel: str):
    """The Socket.IO client manager for ``MESSAGE_QUEUE`` (None: Flask-SocketIO's default)."""
    if message_queue and message_queue.startswith(("redis://", "rediss://")):
        return KickingRedisManager(message_queue, channel=channel)
    return None

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
