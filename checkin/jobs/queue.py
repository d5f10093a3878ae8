"""The queue that carries job ids to workers: Huey, chosen by ``JOBS_URL``.

Why Huey (docs/deployment.md says more): it runs on a single SQLite file with nothing
to install (``make run``), on Redis for workers on many machines, and works on every
platform the app does; RQ needs Redis and fork(), Celery is a large system for a small
need, Dramatiq needs a broker. Huey only carries the id of a :class:`~.models.Job`: the
job's state, progress and file live in our database and folder, so nothing depends on
the queue keeping results.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

RUN_TASK = "checkin.jobs.run"
SWEEP_TASK = "checkin.jobs.sweep"


def make_huey(url: str, name: str) -> Huey:
    """A Huey instance for ``url`` (``sqlite:///path`` or ``redis://…``)."""
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteHuey(name=name, filename=path, results=False, utc=True, timeout=15)
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey(name=name, url=url, results=False, utc=True)
    raise ValueError(f"JOBS_URL must be sqlite:///… or redis://…, not {url!r}")


def huey_for(app: Flask) -> Huey:
    """The application's queue, made on first use (tests may change JOBS_URL before)."""
    huey = app.extensions.get("huey")
    if huey is None:
        default = os.path.join(app.instance_path, "jobs.db")
        url = app.config.get("JOBS_URL") or f"sqlite:///{default}"
        huey = make_huey(url, app.config["JOBS_QUEUE"])
        _register_tasks(app, huey)
        app.extensions["huey"] = huey
    return huey


def reset(app: Flask) -> None:
    """Forget the queue (after changing JOBS_URL)."""
    app.extensions.pop("huey", None)


def _register_tasks(app: Flask, huey: Huey) -> None:
    @huey.task(name=RUN_TASK)
    def run(job_id: int) -> None:
        from .services import run_job

        with app.app_context():
            run_job(job_id)

    @huey.periodic_task(crontab(minute="*"), name=SWEEP_TASK)
    def sweep() -> None:
        from .services import sweep_jobs

        with app.app_context():
            sweep_jobs()

    app.extensions["huey_run"] = run


def enqueue(app: Flask, job_id: int) -> None:
    huey_for(app)
    app.extensions["huey_run"](job_id)


def worker_name() -> str:
    """``host:pid`` of this process, stored on the jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


class EmbeddedConsumer(Consumer):
    """A consumer that runs in a thread of another program (tests, benches): it leaves
    the program's signal handlers alone."""

    def _set_signal_handlers(self) -> None:
        pass


def make_consumer(app: Flask, *, workers: int | None = None, embedded: bool = False,
                  max_delay: float = 1.0) -> Consumer:
    """A Huey consumer with ``workers`` threads that runs the app's jobs.

    Threads are enough: PDF rendering holds the GIL, so parallel work means more
    worker *processes* (``checkin worker`` on more cores or machines), not threads.
    """
    huey = huey_for(app)
    cls = EmbeddedConsumer if embedded else Consumer
    return cls(huey, workers=workers or app.config["JOBS_WORKERS"], worker_type="thread",
               initial_delay=0.05, backoff=1.3, max_delay=max_delay, periodic=True,
               check_worker_health=True, scheduler_interval=1, flush_locks=False)
