"""Structured logging, configured in one place: JSON lines on standard error.

Every request gets an id (the proxy's ``X-Request-ID`` when it sends a sane one,
else a new one), returned in the response's ``X-Request-ID`` header, written on
every log line of that request and kept on the audit entries it makes, so an
operator can follow one action from the proxy's log through ours to the record.

Invitation, nomination-link and pairing tokens never reach the log: a path that
carries one is logged with the token cut to its first six characters — enough to
tell two people apart, useless to open their page. (The proxy's own access log is
the operator's to trim: docs/operations.md shows how.)
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_QUIET_PREFIXES = ("/static/", "/socket.io/", "/healthz")


class _RequestContext(logging.Filter):
    """Adds the request id (and the signed-in account) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id", "")
        return True


def redacted_path() -> str:
    """The request's path with any token in it cut short."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "token" in name and isinstance(value, str) and len(value) > 6:
            path = path.replace(value, value[:6] + "…")
    return path


def init_app(app: Flask) -> None:
    level = app.config.get("LOG_LEVEL", "INFO")
    logger = logging.getLogger("checkin")  # also Flask's app.logger
    logger.setLevel(level)
    logger.removeHandler(default_handler)
    if not any(getattr(h, "_checkin", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._checkin = True  # type: ignore[attr-defined]
        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False))
        handler.addFilter(_RequestContext())
        logger.addHandler(handler)
        logger.propagate = False
    requests_log = logging.getLogger("checkin.request")

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id")
        if request_id is None:
            return response
        response.headers["X-Request-ID"] = request_id
        quiet = request.path.startswith(_QUIET_PREFIXES) and response.status_code < 400
        requests_log.log(logging.DEBUG if quiet else logging.INFO, "request", extra={
            "method": request.method, "path": redacted_path(),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 1),
            "user_id": _user_id(), "remote": request.remote_addr,
        })
        return response


def _user_id() -> int | None:
    from flask_login import current_user

    try:
        return current_user.id if current_user.is_authenticated else None
    except Exception:  # noqa: BLE001 - a broken session must not break logging
        return None
