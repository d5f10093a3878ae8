"""What the benchmarks share: the production server on a free port, and best-of timing."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(db_url: str, *extra: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """The production server (gunicorn, one gevent worker) on ``db_url``: (process, base URL).

    ``BENCH_WORKER`` picks another gunicorn worker class to compare WebSocket stacks, e.g.
    ``geventwebsocket.gunicorn.workers.GeventWebSocketWorker`` (gevent-websocket).
    """
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, SOCKETIO_ASYNC_MODE="gevent",
               SECRET_KEY="bench", RATELIMIT_ENABLED="0")
    worker = os.environ.get("BENCH_WORKER", "gevent")
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-k", worker, "-w", "1",
                               *extra, "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "wsgi:app"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def best_of(runs: int, fn: Callable):
    """(fastest seconds, last result) of ``runs`` calls."""
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out
