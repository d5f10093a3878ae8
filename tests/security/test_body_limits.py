"""Requests that cannot stall the server, against a real ``gunicorn -k gevent -w 1``.

A client starts sending 50 MB to a POST route: the answer (413) arrives within a second,
while the sender is still sending, and meanwhile another client's ``/healthz`` is
answered within 200 ms. The connection is closed rather than the body read and thrown
away (reading 100 MB from a fast client kept the gevent worker busy for 30 s).
"""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from checkin.security import body_limit

FIFTY_MB = 50 * 1024 * 1024
CHUNK = b"a=" + b"x" * (64 * 1024 - 2)


def post_routes(app) -> list[tuple[str, str]]:
    """Every POST route, with 1 for each URL variable: (endpoint, path)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
            path = path.replace("/<any(svg, png):fmt>", "/svg")
            routes.append((rule.endpoint, path))
    return sorted(routes)


class Flood:
    """One client sending a large body as fast as it can, in a thread."""

    def __init__(self, address, path: str, *, size: int = FIFTY_MB, chunked: bool = False):
        self.sock = socket.create_connection(address, timeout=5)
        self.sent = 0
        self.stop = threading.Event()
        length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
        self.sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{length}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n".encode())
        self.size, self.chunked = size, chunked
        self.thread = threading.Thread(target=self._pump, daemon=True)
        self.started = time.perf_counter()
        self.thread.start()

    def _pump(self) -> None:
        try:
            while not self.stop.is_set() and self.sent < self.size:
                data = CHUNK
                if self.chunked:
                    data = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
                self.sock.sendall(data)
                self.sent += len(CHUNK)
        except OSError:
            pass  # the server closed the connection: what we want

    def status(self) -> tuple[int, float]:
        """The status code of the answer and the seconds it took."""
        data = b""
        try:
            while b"\r\n" not in data:
                piece = self.sock.recv(4096)
                if not piece:
                    break
                data += piece
        except OSError:
            pass
        elapsed = time.perf_counter() - self.started
        self.stop.set()
        match = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        return (int(match.group(1)) if match else 0), elapsed

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


def health_time(address) -> float:
    started = time.perf_counter()
    with socket.create_connection(address, timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n" not in data:
            data += sock.recv(4096)
    assert data.startswith(b"HTTP/1.1 200"), data[:40]
    return time.perf_counter() - started


def test_every_route_has_a_small_limit_and_only_imports_a_large_one(app):
    with app.test_request_context():
        limits = {endpoint: body_limit(endpoint) for endpoint, _ in post_routes(app)}
    large = {e for e, n in limits.items() if n > 256 * 1024}
    assert large == {"units.import_units", "attendees.import_people", "plans.staff_upload",
                     "plan_links.unit_upload"}
    assert max(limits.values()) <= 8 * 1024 * 1024


def test_fifty_megabytes_to_every_post_route_answer_413_at_once(app, gunicorn_server):
    health_time(gunicorn_server)  # warm up (first database connection)
    slow = []
    for endpoint, path in post_routes(app):
        flood = Flood(gunicorn_server, path)
        try:
            status, seconds = flood.status()
        finally:
            flood.close()
        assert status == 413, (endpoint, status)
        if seconds >= 1.0:
            slow.append((endpoint, round(seconds, 2)))
    assert not slow, slow


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_other_clients_are_served_while_large_bodies_arrive(gunicorn_server, chunked):
    health_time(gunicorn_server)  # warm up (first database connection)
    warm = Flood(gunicorn_server, "/login", chunked=chunked)  # and the refusal's first use
    warm.status()
    warm.close()
    floods = [Flood(gunicorn_server, path, chunked=chunked)
              for path in ("/login", "/units/import", "/events/1/people/import")]
    try:
        waits = [health_time(gunicorn_server) for _ in range(5)]
        answers = [flood.status() for flood in floods]
        waits += [health_time(gunicorn_server) for _ in range(5)]
    finally:
        for flood in floods:
            flood.close()
    # With a Content-Length every one answers 413 from the header alone; a body without
    # a length is refused as such (411), before any of it is read.
    for status, seconds in answers:
        assert status == (411 if chunked else 413), answers
        assert seconds < 1.0, answers
    assert max(waits) < 0.2, [round(w, 3) for w in waits]
