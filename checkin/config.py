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
        #: Base of every link we hand out (nomination links, later invitations).
        "PUBLIC_URL": public_url,
        #: Socket.IO message queue for several server processes (redis://…).
        "MESSAGE_QUEUE": env.get("MESSAGE_QUEUE") or None,
        "SOCKETIO_ASYNC_MODE": env.get("SOCKETIO_ASYNC_MODE", "threading"),
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


def _jobs_url(env: Mapping[str, str]) -> str | None:
    queue = env.get("MESSAGE_QUEUE") or ""
    if queue.startswith(("redis://", "rediss://", "unix://")):
        return queue
    return None  # instance/jobs.db, decided when the queue is first used
