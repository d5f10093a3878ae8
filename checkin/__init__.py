"""checkin: QR check-in and live dialogue for Youth Union meetings."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from .config import engine_options, load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: config → extensions → blueprints → sockets → cli."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        # Templates, static files, migrations and translations live inside the package,
        # so an installed wheel serves exactly what a checkout does.
        template_folder="templates",
        static_folder="static",
    )
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)

    _init_extensions(app)
    _register_blueprints(app)

    from .cli import register_commands

    register_commands(app)
    from . import limits

    limits.init_app(app)  # last: it wraps Socket.IO's middleware too
    return app


def _init_extensions(app: Flask) -> None:
    from . import assets, broadcast, health, i18n, logs, security, templating
    from .errors import keep_retry_after, register_error_handlers
    from .extensions import babel, csrf, db, limiter, login, migrate, socketio

    # First: its checks (body size, NUL, integer ranges) run before any other hook
    # reads the body, and its "int" converter must exist before routes are added.
    security.init_app(app)
    # Options given by the caller (tests) win over the ones built from the configuration.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**engine_options(app.config),
                                               **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path) / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    login.init_app(app)
    login.login_view = "auth.login"
    login.login_message = None  # the login page says what to do
    login.session_protection = "strong"
    babel.init_app(app, locale_selector=i18n.select_locale,
                   default_translation_directories="translations")
    keep_retry_after(app)  # before the limiter: its hook must run after the limiter's
    limiter.init_app(app)
    # cors_allowed_origins=None: only pages served from the same host may connect.
    # With Redis, our own client manager: it can also disconnect a party's sockets on
    # every process (broadcast.end_access).
    manager = broadcast.client_manager(app.config["MESSAGE_QUEUE"],
                                       app.config["SOCKETIO_CHANNEL"])
    queue = {"client_manager": manager} if manager is not None else {
        "message_queue": app.config["MESSAGE_QUEUE"], "channel": app.config["SOCKETIO_CHANNEL"]}
    socketio.init_app(app, async_mode=app.config["SOCKETIO_ASYNC_MODE"],
                      cors_allowed_origins=None, **queue)
    if not app.config["WEBSOCKET_COMPRESSION"]:
        app.wsgi_app = WithoutWebSocketCompression(app.wsgi_app)
    register_error_handlers(app)
    templating.init_app(app)
    logs.init_app(app)
    assets.init_app(app)
    health.init_app(app)

    from .auth.models import User

    @login.unauthorized_handler
    def unauthorized():
        from flask import jsonify, redirect, request, url_for
        from flask_babel import gettext as _

        if request.path.startswith("/api/"):
            return jsonify({"error": "unauthorized",
                            "message": _("Sign in to use this page.")}), 401
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @login.user_loader
    def load_user(user_id: str):
        """The account of a session, if the session is of its current generation."""
        ident, _, generation = str(user_id).partition(":")
        if not re.fullmatch(r"[0-9]{1,18}", ident) or not re.fullmatch(r"[0-9]{1,9}",
                                                                          generation):
            return None
        user = db.session.get(User, int(ident))
        if user is None or user.session_generation != int(generation):
            return None  # signed out, password changed or deactivated since
        return user


class WithoutWebSocketCompression:
    """Turn off permessage-deflate for Socket.IO's WebSockets.

    Under gunicorn's gevent worker, python-engineio serves WebSockets with simple-websocket,
    which accepts permessage-deflate whenever the browser offers it (they all do): every
    broadcast is then deflated once *per phone*, a third of the cost of a fan-out. Our
    messages are small; Node's socket.io leaves compression off by default too. The
    extension is negotiated from the ``Sec-WebSocket-Extensions`` request header, so not
    passing it on is all it takes.
    """

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers and one writer work at once; foreign keys are off by default."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from .attendance import sockets  # noqa: F401  (registers the Socket.IO handlers)
    from .attendance.api import api as api_v1_bp
    from .attendance.views import bp as attendance_bp
    from .attendees.views import bp as attendees_bp
    from .attendees.views import invitation_bp
    from .audit.views import bp as audit_bp
    from .auth.views import bp as auth_bp
    from .dialogue import sockets as dialogue_sockets  # noqa: F401
    from .dialogue.views import bp as dialogue_bp
    from .events.views import bp as events_bp
    from .jobs import sockets as jobs_sockets  # noqa: F401
    from .jobs.views import bp as jobs_bp
    from .plans.views import bp as plans_bp
    from .plans.views import link_bp as plan_links_bp
    from .reports.views import bp as reports_bp
    from .site import bp as site_bp
    from .units.views import bp as units_bp
    from .units.views import nomination_bp

    for bp in (site_bp, auth_bp, events_bp, units_bp, nomination_bp, attendees_bp,
               invitation_bp, attendance_bp, api_v1_bp, dialogue_bp, reports_bp, audit_bp,
               plans_bp, plan_links_bp, jobs_bp):
        app.register_blueprint(bp)
