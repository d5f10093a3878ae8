"""What every page gets: date filters, labels, the language switch, safe headers."""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask_babel import get_locale, refresh

from . import i18n


def init_app(app: Flask) -> None:
    from .attendees.labels import CATEGORY_LABELS
    from .auth.forms import ACCOUNT_ROLE_LABELS, EVENT_ROLE_LABELS
    from .events.services import KIND_LABELS, MODE_LABELS
    from .jobs.services import STATUS_LABELS as JOB_STATUS_LABELS
    from .units.services import KIND_LABELS as UNIT_KIND_LABELS

    app.jinja_env.filters.update(
        when=i18n.format_when,
        day=i18n.format_day,
        time=i18n.format_time,
        short=i18n.format_short,
        clock=i18n.format_clock,
    )
    app.jinja_env.globals.update(
        EVENT_KINDS=KIND_LABELS,
        EVENT_MODES=MODE_LABELS,
        UNIT_KINDS=UNIT_KIND_LABELS,
        CATEGORIES=CATEGORY_LABELS,
        ROLE_LABELS=ACCOUNT_ROLE_LABELS,
        EVENT_ROLE_LABELS=EVENT_ROLE_LABELS,
        JOB_STATUSES=JOB_STATUS_LABELS,
    )

    @app.before_request
    def fresh_request_state():
        # A request may run inside an app context that outlives it (tests, CLI);
        # the language and the CSP nonce belong to the request, not to that context.
        refresh()
        g.pop("csp_nonce", None)

    @app.context_processor
    def inject_locale():
        return {"locale": str(get_locale() or "vi"), "csp_nonce": _nonce()}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            f"script-src 'self' 'nonce-{_nonce()}'; connect-src 'self' ws: wss:; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        if request.path.startswith("/i/"):
            # The livestream plays in YouTube's or Facebook's player, or from an HLS server.
            response.headers["Content-Security-Policy"] = (
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                f"script-src 'self' 'nonce-{_nonce()}'; connect-src 'self' ws: wss: https:; "
                "media-src 'self' blob: https:; worker-src 'self' blob:; "
                "frame-src https://www.youtube-nocookie.com https://www.facebook.com; "
                "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
        # Personal links: never leak or index.
        if request.path.startswith(("/n/", "/i/", "/p/", "/calendar/")):
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
            response.headers["Cache-Control"] = "no-store"
        return response


def _nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce
