"""Configuration, read in one place.

Every setting comes from the environment (or from the overrides that
:func:`checkin.create_app` receives in tests); nothing else in the package
reads ``os.environ``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """A stable secret for a single-machine install without configuration.

    Generated once and kept in the instance folder, so that sessions survive a
    restart of ``make run``. Production deployments set ``SECRET_KEY``.
    """
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: str, environ: Mapping[str, str] | None = None) -> dict:
    """Return the Flask configuration built from ``environ`` (the process environment)."""
    env = os.environ if environ is None else environ
    inst = Path(instance_path)
    inst.mkdir(parents=True, exist_ok=True)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{inst / 'checkin.db'}"
    if database_url.startswith("postgres://"):  # the scheme some hosts hand out
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    public_url = env.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    https = public_url.startswith("https://")
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _secret_key(inst),
        "SQLALCHEMY_DATABASE_URI": database_url,
        #: SQLite waits this many seconds for a competing writer instead of failing.
        "SQLITE_BUSY_TIMEOUT": float(env.get("SQLITE_BUSY_TIMEOUT", "15")),
        #: PostgreSQL connections per process: kept open, and extra ones under load. A
        #: gevent worker admits thousands of requests at once; the pool, not the worker,
        #: is what limits work on the database. Keep (size + overflow) × processes below
        #: the server's max_connections (100 by default) minus what other clients need.
        "DB_POOL_SIZE": int(env.get("DB_POOL_SIZE", "10")),
        "DB_MAX_OVERFLOW": int(env.get("DB_MAX_OVERFLOW", "10")),
        #: Seconds a request waits for a free connection before it is answered
        #: 503 + Retry-After (instead of waiting 30 s and failing with a 500).
        "DB_POOL_TIMEOUT": float(env.get("DB_POOL_TIMEOUT", "5")),
        #: PostgreSQL cancels a statement (or a wait for a lock) after this many
        #: milliseconds; the request answers 503. 0 disables it (the CLI does, for
        #: migrations and backups).
        "DB_STATEMENT_TIMEOUT_MS": int(env.get("DB_STATEMENT_TIMEOUT_MS", "10000")),
        #: Every open page of a meeting in progress hears the latest versions this often
        #: (and as soon as the message queue comes back); 0 turns the heartbeat off.
        "HEARTBEAT_SECONDS": float(env.get("HEARTBEAT_SECONDS", "10")),
        #: /healthz fails below this much free disk where the server writes.
        "HEALTH_MIN_FREE_MB": int(env.get("HEALTH_MIN_FREE_MB", "200")),
        #: PostgreSQL ends a session left idle inside a transaction this long (a request
        #: that died half-way must not keep the event's row locked). 0 disables it.
        "DB_IDLE_IN_TRANSACTION_MS": int(env.get("DB_IDLE_IN_TRANSACTION_MS", "300000")),
        #: A 503 tells clients to come back after this many seconds.
        "RETRY_AFTER_SECONDS": int(env.get("RETRY_AFTER_SECONDS", "3")),
        #: Base of every link we hand out (nomination links, later invitations).
        "PUBLIC_URL": public_url,
        #: Socket.IO message queue for several server processes (redis://…).
        "MESSAGE_QUEUE": env.get("MESSAGE_QUEUE") or None,
        "SOCKETIO_ASYNC_MODE": env.get("SOCKETIO_ASYNC_MODE", "threading"),
        #: permessage-deflate for WebSockets (off: it costs CPU per recipient, see create_app).
        "WEBSOCKET_COMPRESSION": env.get("WEBSOCKET_COMPRESSION", "0") == "1",
        #: Redis channel the processes of one installation share.
        "SOCKETIO_CHANNEL": env.get("SOCKETIO_CHANNEL", "flask-socketio"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        #: Addresses or networks of the proxies whose X-Forwarded-For/-Proto we believe
        #: ("127.0.0.1" for nginx on the same machine); empty: none, the peer is the client.
        "TRUSTED_PROXIES": [p for p in env.get("TRUSTED_PROXIES", "").split(",") if p.strip()],
        #: How many proxies in a row add to X-Forwarded-For (ProxyFix's x_for).
        "PROXY_FIX_X_FOR": int(env.get("PROXY_FIX_X_FOR", "1")),
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1") != "0",
        "RATELIMIT_HEADERS_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Asia/Ho_Chi_Minh"),
        "LANGUAGES": ("vi", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        #: Cookies only over HTTPS when the site is served over HTTPS (the default then).
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "1" if https else "0") == "1",
        #: Strict-Transport-Security max-age in seconds on every answer (0: no header);
        #: a year by default behind HTTPS.
        "HSTS_MAX_AGE": int(env.get("HSTS_MAX_AGE", str(365 * 24 * 3600) if https else "0")),
        #: A staff sign-in lasts a working day (the session is permanent for this long).
        "PERMANENT_SESSION_LIFETIME": int(env.get("SESSION_HOURS", "12")) * 3600,
        "SESSION_REFRESH_EACH_REQUEST": False,
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        #: A gate's pairing QR pairs one device, then changes ("0": any number for 30 min).
        "GATE_PAIRING_SINGLE_USE": env.get("GATE_PAIRING_SINGLE_USE", "1") == "1",
        #: Hours the "this phone holds invitation X" cookie lasts (self check-in).
        "INVITATION_COOKIE_HOURS": int(env.get("INVITATION_COOKIE_HOURS", "18")),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        #: Staff screens get at most one board message per event this often (seconds):
        #: the first check-in of a quiet spell at once, a burst's others together.
        "BOARD_COALESCE_SECONDS": float(env.get("BOARD_COALESCE_SECONDS", "0.1")),
        #: Largest contribution text a unit may upload (PDF or DOCX).
        "CONTRIBUTION_MAX_BYTES": int(env.get("CONTRIBUTION_MAX_BYTES", str(5 * 1024 * 1024))),
        "WTF_CSRF_TIME_LIMIT": None,
        #: Outgoing mail for invitations (SMTP).
        "MAIL_SERVER": env.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": env.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "checkin <no-reply@localhost>"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "30")),
        #: Preparation reminders sent in the request instead of a background task (tests).
        "MAIL_SEND_INLINE": env.get("MAIL_SEND_INLINE", "0") == "1",
        #: Where handed-in files are kept (default: plan_files in the instance folder).
        "PLAN_FILES_DIR": env.get("PLAN_FILES_DIR", ""),
        #: Largest file a unit may hand in for a preparation task (PDF, DOCX, XLSX).
        "PLAN_UPLOAD_MAX_BYTES": int(env.get("PLAN_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))),
        "DEMO_ADMIN_PASSWORD": env.get("DEMO_ADMIN_PASSWORD", "checkin-demo"),
        #: Level of the JSON log lines on standard error (DEBUG also logs static files,
        #: Socket.IO polls and health checks).
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        #: Where background jobs wait for a worker (see checkin/jobs): ``sqlite:///path``
        #: (the default, None: instance/jobs.db, nothing to install) or
        #: ``redis://…`` (workers on any machine). Defaults to Redis when MESSAGE_QUEUE is.
        "JOBS_URL": env.get("JOBS_URL") or _jobs_url(env),
        #: Name of the queue, so that several installations can share one Redis.
        "JOBS_QUEUE": env.get("JOBS_QUEUE", "checkin-jobs"),
        #: Folder of finished job files. Workers on other machines must share it with
        #: the web servers (a network folder), or run on the same machine.
        #: None: instance/jobs.
        "JOBS_DIR": env.get("JOBS_DIR") or None,
        #: Finished files (letters, reports) are kept this many hours, then deleted.
        "JOBS_KEEP_HOURS": float(env.get("JOBS_KEEP_HOURS", "24")),
        #: Threads per ``checkin worker`` process (PDF rendering holds the GIL; use
        #: several worker processes for parallel work, not many threads).
        "JOBS_WORKERS": int(env.get("JOBS_WORKERS", "2")),
        #: A running job whose worker has not reported for this long is shown as
        #: interrupted, with a retry button.
        "JOBS_STALE_SECONDS": float(env.get("JOBS_STALE_SECONDS", "90")),
    }


def engine_options(config: Mapping) -> dict:
    """SQLAlchemy engine options for the configured database (``SQLALCHEMY_ENGINE_OPTIONS``).

    SQLite: a busy timeout, so a writer waits for another instead of failing. PostgreSQL:
    a pool sized by ``DB_POOL_SIZE`` + ``DB_MAX_OVERFLOW`` with a short ``DB_POOL_TIMEOUT``,
    connections checked before use (a restarted server is not a burst of 500s), and a
    ``statement_timeout`` so that no request holds a connection (or a row lock) for long.
    """
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": config["SQLITE_BUSY_TIMEOUT"]}}
    options = {
        "pool_size": config["DB_POOL_SIZE"],
        "max_overflow": config["DB_MAX_OVERFLOW"],
        "pool_timeout": config["DB_POOL_TIMEOUT"],
        "pool_pre_ping": True,
        "pool_recycle": 1800,
    }
    if uri.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        # Keep options the URL already gives (e.g. ?options=-csearch_path%3D…): the
        # driver takes this argument instead of the URL's.
        given = make_url(uri).query.get("options", "")
        given = given if isinstance(given, str) else " ".join(given)
        options["connect_args"] = {
            "connect_timeout": 5,
            "options": f"{given} -c statement_timeout={int(config['DB_STATEMENT_TIMEOUT_MS'])} "
                       "-c idle_in_transaction_session_timeout="
                       f"{int(config['DB_IDLE_IN_TRANSACTION_MS'])}".strip(),
        }
    return options


def _jobs_url(env: Mapping[str, str]) -> str | None:
    queue = env.get("MESSAGE_QUEUE") or ""
    if queue.startswith(("redis://", "rediss://", "unix://")):
        return queue
    return None  # instance/jobs.db, decided when the queue is first used
