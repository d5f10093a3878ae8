"""Real servers for the reliability tests: gunicorn + gevent processes, as production
runs them, and a Redis of the test's own (its own port, stopped and restarted at will —
never the shared one on 6379). Every process is stopped by its pid in a finalizer."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, timeout: float = 30) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Redis:
    """A redis-server on its own port, in memory only."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None


def start_gunicorn(database_url: str, *, processes: int = 2, env: dict | None = None,
                   timeout: float = 90) -> tuple[list[str], list[subprocess.Popen]]:
    """``processes`` single-worker gevent servers on their own ports, ready (``/healthz``
    answers) before this returns."""
    environment = dict(os.environ, DATABASE_URL=database_url, SOCKETIO_ASYNC_MODE="gevent",
                       SECRET_KEY="reliability", RATELIMIT_ENABLED="0",
                       PUBLIC_URL="http://127.0.0.1", **(env or {}))
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    ports = [free_port() for _ in range(processes)]
    procs = [subprocess.Popen([gunicorn, "-k", "gevent", "-w", "1", "--worker-connections",
                               "2000", "-b", f"127.0.0.1:{p}", "--graceful-timeout", "5",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT,
                              env=environment) for p in ports]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    deadline = time.monotonic() + timeout
    try:
        for url, proc in zip(urls, procs, strict=True):
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"gunicorn on {url} exited")
                try:
                    if requests.get(f"{url}/healthz", timeout=5).status_code in (200, 503):
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn on {url} did not become ready")
                time.sleep(0.2)
    except Exception:
        for proc in procs:
            stop(proc)
        raise
    return urls, procs
