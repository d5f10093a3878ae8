"""What ``/healthz`` checks, and the heartbeat that lets pages recover from lost messages.

Socket.IO delivers at most once, and with several processes every message passes through
the message queue (Redis): while Redis is unreachable, a message emitted by one process
never reaches the clients of another. So each process, on its own (without the queue),
sends every open page of a meeting in progress a tiny ``heartbeat`` every
``HEARTBEAT_SECONDS`` — the latest version of each stream, read from the database — and
once more as soon as it sees the queue come back. A page that missed a message sees a
version above its own and fetches that stream's snapshot: after an outage every page
agrees with the database within seconds, without a reload.

The queue's trouble is logged once when it starts and once when it ends (with how many
errors were kept out of the log), not once per message.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select, text

from .extensions import db, socketio

log = logging.getLogger(__name__)

#: Messages python-socketio logs per failed publish or receive while Redis is away.
_QUEUE_ERRORS = ("Cannot publish to redis", "Cannot receive from redis")


class MessageQueue:
    """The state of this process's message queue, as last seen."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.ok = True
        self.down_since: float | None = None
        self.suppressed = 0
        #: Set when the queue comes back; taken by the heartbeat (see take_recovered).
        self.recovered = False
        self._client = None
        self._lock = threading.Lock()

    def configure(self, url: str | None) -> None:
        self.url = url
        self._client = None

    def _redis(self):
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.url, socket_timeout=1,
                                                socket_connect_timeout=1)
        return self._client

    def check(self) -> bool | None:
        """Ping the queue: True, False, or None without one. Logs the changes of state."""
        if not self.url:
            return None
        try:
            self._redis().ping()
            ok = True
        except Exception:  # noqa: BLE001 — any failure means "unreachable"
            ok = False
        self.seen(ok)
        return ok

    def seen(self, ok: bool) -> bool:
        """Record the queue's state; True when it has just come back."""
        with self._lock:
            was = self.ok
            self.ok = ok
            if was and not ok:
                self.down_since = time.monotonic()
                log.error("message queue unreachable (%s): live updates between server "
                          "processes are paused; pages catch up by the heartbeat",
                          _safe(self.url))
                return False
            if ok and not was:
                away = time.monotonic() - (self.down_since or time.monotonic())
                log.warning("message queue back after %.0f s (%d errors not logged)",
                            away, self.suppressed)
                self.suppressed, self.down_since, self.recovered = 0, None, True
                return True
            return False

    def take_recovered(self) -> bool:
        """True once after the queue came back."""
        with self._lock:
            recovered, self.recovered = self.recovered, False
            return recovered


def _safe(url: str | None) -> str:
    """A queue URL without its password."""
    if not url or "@" not in url:
        return url or ""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://…@{rest.split('@', 1)[1]}"


queue = MessageQueue()


class _QueueLogFilter(logging.Filter):
    """Keep python-socketio's per-message queue errors out of the log: the first one
    marks the queue down (logged once by :class:`MessageQueue`), the rest are counted."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(_QUEUE_ERRORS):
            return True
        if queue.ok:
            queue.seen(False)
        else:
            queue.suppressed += 1
        return False


_filter = _QueueLogFilter()


def init_app(app: Flask) -> None:
    queue.configure(app.config.get("MESSAGE_QUEUE"))
    for name in ("socketio.server", "socketio"):
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)

    @app.before_request
    def _heartbeat_running() -> None:
        # The first request a serving process answers starts its heartbeat (pages are
        # always loaded over HTTP before their socket connects); CLI commands never do.
        if not _started:
            start_heartbeat(app)


# --- /healthz ---------------------------------------------------------------------------

def checks() -> tuple[bool, dict, list[str]]:
    """``(serving, checks, problems)``. ``serving`` is False when this process cannot do
    its job — the database refuses writes or the disk is full — and a load balancer
    should send people elsewhere. A missing message queue is reported but does not make
    the process unhealthy: every process shares it, and taking them all out of service
    would stop check-in, which works without it."""
    results: dict[str, str] = {}
    problems: list[str] = []
    results["database"] = _database(problems)
    results["disk"] = _disk(problems)
    state = queue.check()
    results["message_queue"] = ("not configured" if state is None
                                else "ok" if state else "unreachable")
    if state is False:
        problems.append("message queue unreachable: live updates between server processes "
                        "are paused")
    serving = results["database"] == "ok" and results["disk"] == "ok"
    return serving, results, problems


def _database(problems: list[str]) -> str:
    from .errors import database_trouble

    try:
        db.session.execute(text("SELECT 1"))
        # A write that changes nothing: refused by a read-only database (a standby, a
        # read-only file, default_transaction_read_only) as any real write would be.
        db.session.execute(text("UPDATE events SET id = id WHERE 1 = 0"))
        db.session.rollback()
    except Exception as exc:  # noqa: BLE001 — reported, not raised
        db.session.rollback()
        trouble = database_trouble(exc) or "error"
        problems.append(f"database: {trouble}: {str(getattr(exc, 'orig', exc))[:200]}")
        return "cannot write" if trouble == "cannot_save" else trouble
    refused = _recent_refusal()
    if refused is not None:
        problems.append(f"database refused a write {refused:.0f} s ago (disk full or "
                        "read-only)")
        return "refused writes"
    return "ok"


#: How long /healthz keeps reporting a write the database refused (503 cannot_save).
REFUSAL_MEMORY = 60.0


def _recent_refusal() -> float | None:
    from .errors import seconds_since_refusal

    ago = seconds_since_refusal()
    return ago if ago is not None and ago < REFUSAL_MEMORY else None


def _disk(problems: list[str]) -> str:
    """Free space where this process writes: the instance folder (jobs, files) and, for
    SQLite, the database's folder."""
    minimum = current_app.config["HEALTH_MIN_FREE_MB"] * 1024 * 1024
    paths = {Path(current_app.instance_path)}
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        paths.add(Path(uri.removeprefix("sqlite:///")).parent)
    status = "ok"
    for path in paths:
        try:
            free = shutil.disk_usage(path).free
        except OSError as exc:
            problems.append(f"disk: cannot read {path}: {exc}")
            status = "unknown"
            continue
        if free < minimum:
            problems.append(f"disk full: {free // (1024 * 1024)} MB free at {path} "
                            f"(at least {minimum // (1024 * 1024)} MB needed)")
            status = "full"
    return status


# --- the heartbeat ----------------------------------------------------------------------

_started = False
_start_lock = threading.Lock()
#: Meetings get heartbeats from when check-in opens (6 h before the start) for two days.
HEARTBEAT_BEFORE = timedelta(hours=6)


def start_heartbeat(app: Flask) -> None:
    """Start this process's heartbeat (once; not under tests, not with 0 seconds)."""
    global _started
    if app.testing or not app.config.get("HEARTBEAT_SECONDS"):
        return
    with _start_lock:
        if _started:
            return
        _started = True
    socketio.start_background_task(_heartbeat_loop, app)


def _heartbeat_loop(app: Flask) -> None:
    period = float(app.config["HEARTBEAT_SECONDS"])
    last = 0.0
    while True:
        socketio.sleep(1)
        try:
            queue.check()
            if queue.take_recovered() or time.monotonic() - last >= period:
                last = time.monotonic()
                with app.app_context():
                    beat()
        except Exception:  # noqa: BLE001 — the loop must outlive a bad moment
            log.exception("heartbeat failed")


def beat() -> int:
    """Send every meeting in progress its streams' versions, to this process's own
    clients (not through the queue). Returns how many meetings it told."""
    from . import broadcast
    from .events.models import Event
    from .types import utcnow

    now = utcnow()
    rows = db.session.execute(
        select(Event.id, Event.attendance_version, Event.dialogue_version,
               Event.live_version)
        .where(Event.starts_at <= now + HEARTBEAT_BEFORE,
               Event.starts_at >= now - timedelta(days=2))).all()
    db.session.rollback()  # end the read: never hold a transaction between beats
    for event_id, attendance, dialogue, live in rows:
        broadcast.heartbeat(event_id, {"attendance": attendance, "dialogue": dialogue,
                                       "live": live})
    return len(rows)
