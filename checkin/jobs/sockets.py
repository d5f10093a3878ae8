"""Socket.IO: a staff member's pages join their own room to hear about their jobs.

With a message queue (Redis), workers emit progress themselves. Without one (the
one-machine install), workers cannot reach the web process's sockets, so the web
process relays: a background task reads the jobs that moved, twice a second, and
emits them through :func:`checkin.broadcast.job_changed`. It only reads.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_login import current_user
from flask_socketio import join_room
from sqlalchemy import or_, select

from ..broadcast import job_changed, staff_user_room
from ..extensions import db, socketio
from ..types import utcnow
from .models import ACTIVE, Job

_relays: set[int] = set()


@socketio.on("jobs")
def follow_jobs(_data=None):
    if not current_user.is_authenticated:
        return {"ok": False, "error": "unauthorized"}
    join_room(staff_user_room(current_user.id))
    app = current_app._get_current_object()
    if not app.config.get("MESSAGE_QUEUE") and id(app) not in _relays:
        _relays.add(id(app))
        socketio.start_background_task(_relay, app)
    return {"ok": True}


def _relay(app, interval: float = 0.5) -> None:
    from .services import job_payload

    seen: dict[int, tuple] = {}
    while True:
        socketio.sleep(interval)
        try:
            with app.app_context():
                recent = utcnow() - timedelta(seconds=30)
                jobs = db.session.scalars(select(Job).where(
                    or_(Job.status.in_(ACTIVE), Job.finished_at >= recent))).all()
                for job in jobs:
                    state = (job.status, job.done, job.total)
                    if seen.get(job.id) != state:
                        if job.id in seen or job.active:
                            job_changed(job_payload(job))
                        seen[job.id] = state
                current = {job.id for job in jobs}
                for job_id in [k for k in seen if k not in current]:
                    del seen[job_id]
                db.session.remove()
        except Exception:  # noqa: BLE001 — a database hiccup must not end the relay
            app.logger.exception("job relay")
