"""Domain errors and the handlers that turn them into pages or JSON.

Services raise :class:`DomainError` with a stable ``code``; pages, scanners
and tests branch on the code, and show the (translated) message to people.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, current_app, flash, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. ``message`` is for people, ``code`` for programs."""

    status = 400

    def __init__(self, message: str, code: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details

    def to_dict(self) -> dict:
        return {"error": self.code, "message": str(self.message), **self.details}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class ValidationError(DomainError):
    """Input failed validation; ``errors`` lists problems (for imports: row, field, reason)."""

    status = 422

    def __init__(self, message: str, code: str = "invalid", errors: list | None = None) -> None:
        super().__init__(message, code)
        self.errors = errors or []

    def to_dict(self) -> dict:
        return {**super().to_dict(), "errors": self.errors}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


#: SQLSTATEs that mean "too busy now, the same request will work in a moment":
#: statement timeout (query_canceled), lock timeout, deadlock, serialization failure,
#: too many connections, the server starting up or shutting down.
_BUSY_STATES = {"57014", "55P03", "40P01", "40001", "53300", "57P01", "57P03"}
#: … and "this server cannot save anything until someone acts": disk full, out of
#: memory, a read-only (standby or read-only) database.
_CANNOT_SAVE_STATES = {"53100", "53200", "25006"}
_SQLITE_BUSY = ("database is locked", "database table is locked")
_SQLITE_CANNOT_SAVE = ("database or disk is full", "disk i/o error", "readonly database",
                       "unable to open database file")


def database_trouble(exc: BaseException) -> str | None:
    """What a database error means for the person waiting: ``"busy"`` (try again in a
    few seconds), ``"cannot_save"`` (the server cannot write: full disk, read-only
    database), ``"unavailable"`` (no connection to the database) — or None for an error
    that is a bug and stays a 500."""
    if isinstance(exc, sa_exc.TimeoutError):  # no free connection in the pool in time
        return "busy"
    if not isinstance(exc, sa_exc.DBAPIError):
        return None
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in _BUSY_STATES:
        return "busy"
    if state in _CANNOT_SAVE_STATES:
        return "cannot_save"
    if (state or "").startswith("08") or exc.connection_invalidated:
        return "unavailable"
    text = str(orig).lower()
    if any(s in text for s in _SQLITE_BUSY):
        return "busy"
    if any(s in text for s in _SQLITE_CANNOT_SAVE):
        return "cannot_save"
    if isinstance(exc, sa_exc.OperationalError) and state is None and (
            "connection" in text or "server" in text):
        return "unavailable"
    return None


#: When the database last refused a write (monotonic seconds): /healthz reports it.
_last_refusal: float | None = None


def note_refusal() -> None:
    global _last_refusal
    _last_refusal = time.monotonic()


def seconds_since_refusal() -> float | None:
    return None if _last_refusal is None else time.monotonic() - _last_refusal


class _Throttle:
    """Log a recurring trouble once, then a count at most every ``every`` seconds
    (a burst of 503s must not flood the log)."""

    def __init__(self, every: float = 10.0) -> None:
        self.every, self.last, self.suppressed = every, {}, {}

    def __call__(self, key: str) -> int | None:
        now = time.monotonic()
        if now - self.last.get(key, -1e9) < self.every:
            self.suppressed[key] = self.suppressed.get(key, 0) + 1
            return None
        self.last[key] = now
        return self.suppressed.pop(key, 0)


_log_throttle = _Throttle()


def unavailable_response(trouble: str):
    """503 with Retry-After: JSON for scripts and the API, a translated page for people."""
    from .extensions import db

    db.session.rollback()
    message = {
        "busy": _("The server is very busy. Please try again in a few seconds."),
        "cannot_save": _("The server cannot save right now. Nothing was recorded; please "
                         "try again shortly."),
        "unavailable": _("The server cannot reach its database. Please try again shortly."),
    }[trouble]
    retry = str(current_app.config.get("RETRY_AFTER_SECONDS", 3))
    if wants_json() or request.headers.get("X-Requested-With") == "fetch" or request.is_json:
        response = jsonify({"error": trouble, "message": message})
    else:
        response = current_app.make_response(
            render_template("error.html", message=message, status=503))
    response.status_code = 503
    response.headers["Retry-After"] = retry
    g.retry_after = retry  # see keep_retry_after
    response.headers["Cache-Control"] = "no-store"
    return response


def keep_retry_after(app: Flask) -> None:
    """Keep our own Retry-After on a 503. Flask-Limiter rewrites Retry-After on every
    answer of a rate-limited view (the gate's scan is one) to the time left in its window,
    rounded down: a busy server would say "2" or "59" instead of RETRY_AFTER_SECONDS.
    Call before ``limiter.init_app``: after-request hooks run last-registered first, so
    this one runs after the limiter's."""

    @app.after_request
    def _own_retry_after(response):
        retry = g.get("retry_after")
        if retry is not None and response.status_code == 503:
            response.headers["Retry-After"] = retry
        return response


def register_error_handlers(app: Flask) -> None:
    def handle_database_error(exc: sa_exc.SQLAlchemyError):
        trouble = database_trouble(exc)
        if trouble is None:
            raise exc  # a bug: Flask logs it and answers 500
        if trouble == "cannot_save":
            note_refusal()  # /healthz reports it for a while
        suppressed = _log_throttle(trouble)
        if suppressed is not None:
            log.warning("database %s: answering 503 (%s)%s", trouble,
                        str(exc).splitlines()[0][:200],
                        f"; {suppressed} more since the last report" if suppressed else "")
        return unavailable_response(trouble)

    app.register_error_handler(sa_exc.TimeoutError, handle_database_error)
    app.register_error_handler(sa_exc.DBAPIError, handle_database_error)

    @app.errorhandler(DomainError)
    def handle_domain_error(exc: DomainError):
        if wants_json():
            return jsonify(exc.to_dict()), exc.status
        # A refused form action goes back where it came from with the reason.
        if request.method == "POST" and exc.status in (400, 409, 422):
            flash(str(exc.message), "error")
            return redirect(request.referrer or request.path)
        return render_template("error.html", message=exc.message, status=exc.status), exc.status

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        messages = {
            400: _("The request could not be understood. Please reload the page and try again."),
            403: _("You do not have permission to open this page."),
            404: _("This page does not exist or has been removed."),
            405: _("This action is not allowed here."),
            413: _("The request or file is too large."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        message = messages.get(exc.code or 500, _("Something went wrong. Please try again."))
        if wants_json():
            return jsonify({"error": exc.name.lower().replace(" ", "_"), "message": message}), (
                exc.code or 500
            )
        return render_template("error.html", message=message, status=exc.code), exc.code or 500
