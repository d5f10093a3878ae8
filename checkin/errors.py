"""Domain errors and the handlers that turn them into pages or JSON.

Services raise :class:`DomainError` with a stable ``code``; pages, scanners
and tests branch on the code, and show the (translated) message to people.
"""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


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


def register_error_handlers(app: Flask) -> None:
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
