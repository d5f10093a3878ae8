"""Pages that belong to no feature: the home page, the language switch, health."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, make_response, redirect, request, url_for
from flask_login import current_user

from .i18n import LANG_COOKIE
from .urls import safe_next

bp = Blueprint("site", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("events.index"))
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def set_language(code: str):
    """The visible language switch: remembers the choice for a year."""
    target = request.args.get("next") or ""
    if not target and request.referrer:
        parts = urlsplit(request.referrer)
        if parts.netloc == request.host:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
    # Only a path on this site (checkin.urls): never "//host", "/<tab>/host", "https:host".
    response = make_response(redirect(safe_next(target, fallback=url_for("site.index"))))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on pages that do not name an icon (PDFs, JSON)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/healthz")
def health():
    """For load balancers and monitoring: 200 while this process can serve — the
    database takes writes, the disk has room — else 503 with the reasons. A message
    queue that cannot be reached is reported (``"status": "degraded"``) but keeps 200."""
    from . import health as checks

    serving, results, problems = checks.checks()
    status = "failing" if not serving else "degraded" if problems else "ok"
    body = {"status": status, "checks": results, "problems": problems}
    return body, 200 if serving else 503, {"Cache-Control": "no-store"}
