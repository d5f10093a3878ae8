"""Helpers for the security tests: sign in the way a browser does (CSRF token from the page)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def csrf_from(client, path: str) -> dict:
    """The CSRF token of the form on ``path``, as form data (empty when CSRF is off)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    return {"csrf_token": match.group(1)} if match else {}


def sign_in(client, user, password: str = PASSWORD, *, next: str | None = None):
    path = "/login" + (f"?next={next}" if next is not None else "")
    data = {"username": user.username, "password": password, **csrf_from(client, "/login")}
    return client.post(path, data=data)


def forget_loaded_user(*_args, **_kwargs) -> None:
    """Forget the user Flask-Login loaded for an earlier request.

    The suite runs every request inside the test's own app context, so ``g`` (where
    Flask-Login keeps the loaded user) outlives a request; in production each request
    has a fresh one. Without this a request would see the previous request's user.
    """
    from flask import g

    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def _fresh_user_per_request(app):
    from flask import request_started

    request_started.connect(forget_loaded_user, app)
    yield
    request_started.disconnect(forget_loaded_user, app)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn_server(app):
    """The app as production runs it: ``gunicorn -k gevent -w 1``, on the test database."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SOCKETIO_ASYNC_MODE="gevent", SECRET_KEY="edge-tests", RATELIMIT_ENABLED="0",
               PUBLIC_URL="http://127.0.0.1", TRUSTED_PROXIES="127.0.0.1")
    env.pop("MESSAGE_QUEUE", None)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen([gunicorn, "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start")
        # The worker boots after the port opens; wait for its first answer (a busy
        # machine takes seconds), so that tests time the server, not its start.
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert sock.recv(64).startswith(b"HTTP/1.1 200")
        yield ("127.0.0.1", port)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
