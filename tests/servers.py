"""Real server processes for tests: gunicorn with the gevent worker, as ``make run``.

Every process is started with its own port, waited for on ``/healthz`` (not a bare
TCP connect: the port listens before the app has loaded), and stopped by its pid in
a finalizer — terminate, then kill if it has not stopped within the grace period —
so a failing or interrupted test never leaves a server writing to the next test's
database. Timeouts are generous for a loaded 2-core machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(app, **overrides) -> dict[str, str]:
    """The environment of a server process that shares the test app's database."""
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SOCKETIO_ASYNC_MODE="gevent", SECRET_KEY=app.config["SECRET_KEY"],
               PUBLIC_URL=app.config["PUBLIC_URL"],
               # The job queue and files of the test app (its instance folder), so that
               # jobs started on a server are run by the test's workers and vice versa.
               JOBS_URL=app.config.get("JOBS_URL") or
               f"sqlite:///{Path(app.instance_path) / 'jobs.db'}",
               JOBS_DIR=app.config.get("JOBS_DIR") or str(Path(app.instance_path) / "jobs"))
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def stop(proc: subprocess.Popen) -> None:
    """Stop a server by its pid; kill it if it does not stop in time."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {proc.returncode}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server for {url} did not answer /healthz in {timeout:.0f} s")


@contextmanager
def gunicorn(env: dict[str, str], *, count: int = 1, extra: tuple[str, ...] = ()):
    """Start ``count`` gunicorn processes (``-k gevent -w 1``); yield their base URLs."""
    procs: list[subprocess.Popen] = []
    try:
        urls = []
        for _ in range(count):
            port = free_port()
            procs.append(subprocess.Popen(
                [GUNICORN, "-k", "gevent", "-w", "1", "--worker-connections", "10000",
                 "-b", f"127.0.0.1:{port}", "--log-level", "warning", *extra, "wsgi:app"],
                cwd=ROOT, env=env))
            urls.append(f"http://127.0.0.1:{port}")
        for url, proc in zip(urls, procs, strict=True):
            wait_healthy(url, proc)
        yield urls
    finally:
        for proc in procs:
            stop(proc)
