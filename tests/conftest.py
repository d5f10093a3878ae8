"""Fixtures: one migrated database per run, emptied between tests; factories.

The suite runs on SQLite by default. With ``TEST_DATABASE_URL`` set (``make test``
sets it for the second pass) it runs on PostgreSQL; the schema is rebuilt from the
Alembic migrations at the start of each run, which also tests the migrations.

Tests run in the production configuration: CSRF is on, and every request made by a
test client runs in its own app context with its own database session, as it would
in the server (see :class:`ProductionClient`). The test's own session, which the
factories use, is expired after every request, so what a test reads afterwards is
what the database holds.
"""

from __future__ import annotations

import contextvars
import os
import re
import secrets
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from checkin import create_app
from checkin.extensions import db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "mật-khẩu-đủ-dài"


def local(*args) -> datetime:
    """A wall-clock time in Hồ Chí Minh City as an aware datetime."""
    return datetime(*args, tzinfo=HCM)


_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ProductionClient(FlaskClient):
    """A test client that behaves like a browser talking to the real server.

    * Each request runs in a fresh :mod:`contextvars` context, so Flask pushes a new
      app context and Flask-SQLAlchemy hands out a new session for it, exactly as in
      the server; a view that forgets to commit loses its change here too.
    * Unsafe requests carry a CSRF token read from a page, as the pages and scripts
      do (the ``<meta name="csrf-token">`` of the layout): in a form field for form
      posts, in the ``X-CSRFToken`` header otherwise. ``csrf=False`` sends none, to
      prove a refusal; nor does a request with a bearer token (a gate device).
    * Afterwards the test's own session is expired, so objects the test holds are
      re-read from the database on their next use.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._csrf: tuple[str | None, str] | None = None

    def csrf_token(self) -> str:
        """The token a page of this session carries (fetched again when the session
        changes its secret, e.g. after signing out)."""
        raw = self._session_secret()
        if self._csrf is None or self._csrf[0] != raw or raw is None:
            page = self.get("/login", follow_redirects=True).get_data(as_text=True)
            match = _CSRF_META.search(page)
            assert match, "the layout carries no csrf-token meta tag"
            self._csrf = (self._session_secret(), match.group(1))
        return self._csrf[1]

    def _session_secret(self) -> str | None:
        if not self._cookies:
            return None
        with self.session_transaction() as session:
            return session.get("csrf_token")

    def open(self, *args, csrf: bool = True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method in _UNSAFE and (not args or isinstance(args[0], str)):
            self._add_csrf(kwargs)
        return _fresh(super().open, *args, **kwargs)

    def _add_csrf(self, kwargs) -> None:
        headers = dict(kwargs.get("headers") or {})
        data = kwargs.get("data")
        if "X-CSRFToken" in headers or (isinstance(data, dict) and "csrf_token" in data):
            return
        if "Authorization" in headers:
            return  # a gate device with its bearer token has no page and no token
        token = self.csrf_token()
        if isinstance(data, dict) and "json" not in kwargs:
            kwargs["data"] = {**data, "csrf_token": token}
        else:
            headers["X-CSRFToken"] = token
            kwargs["headers"] = headers


def _database_url(tmp_path_factory) -> str:
    """SQLite in a temporary folder, or a schema of its own in ``TEST_DATABASE_URL``.

    Each run on PostgreSQL gets a fresh schema (and drops it at the end), so two
    ``make test`` running side by side on one machine never share tables; server
    processes started by tests reach the same schema through the same URL.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)
    schema = f"test_{os.getpid()}_{secrets.token_hex(3)}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def _drop_schema(url: str) -> None:
    match = re.search(r"search_path%3D(\w+)", url)
    if match:
        engine = create_engine(url.split("?")[0])
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {match.group(1)} CASCADE"))
        engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "PUBLIC_URL": "https://hop.example.vn",
        "SERVER_NAME": None,
    })
    app.instance_path = str(instance)
    app.test_client_class = ProductionClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    _drop_schema(url)


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Every test starts with empty tables, fresh rate limits and an app context."""
    from checkin.extensions import limiter

    limiter.reset()
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
                for name in reversed(tables):
                    conn.exec_driver_sql(f"DELETE FROM {name}")
                conn.commit()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- factories ---------------------------------------------------------------

_seq = count(1)


@pytest.fixture
def make_user():
    from checkin.auth.services import create_user

    def make(role: str = "organizer", username: str | None = None, **kw):
        return create_user(username=username or f"user{next(_seq)}", password=PASSWORD,
                           full_name=kw.pop("full_name", "Trần Thị Bình"), role=role, **kw)

    return make


@pytest.fixture
def admin(make_user):
    return make_user("admin", username="admin")


@pytest.fixture
def organizer(make_user):
    return make_user("organizer", username="bantochuc")


@pytest.fixture
def make_unit():
    from checkin.units.services import create_unit

    def make(name: str | None = None, kind: str = "grassroots", member_count: int = 20,
             parent=None, code=None):
        return create_unit(name=name or f"Đoàn cơ sở số {next(_seq)}", kind=kind,
                           member_count=member_count, parent=parent, code=code)

    return make


@pytest.fixture
def make_event(organizer):
    from checkin.events.services import create_event

    def make(created_by=None, **kw):
        kw.setdefault("title", "Hội nghị tọa đàm thanh niên")
        kw.setdefault("starts_at", local(2030, 9, 20, 13, 30))
        kw.setdefault("kind", "forum")
        return create_event(created_by=created_by or organizer, **kw)

    return make


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def quota_unit(event, make_unit):
    """A unit with 3 seats in ``event``."""
    from checkin.units.services import set_quota

    unit = make_unit("Chi đoàn Công ty May Tây Ninh", kind="branch")
    set_quota(event, unit, 3)
    return unit


@pytest.fixture
def nomination_link(event, quota_unit):
    from checkin.units.services import create_nomination_link

    return create_nomination_link(event, quota_unit)


def signed_in(client) -> int | None:
    """The id of the account the client's session belongs to, if any."""
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    # The session keeps "<id>:<session generation>" (checkin.auth.models.User.get_id).
    return int(str(user_id).partition(":")[0]) if user_id else None


def login(client, user, password: str = PASSWORD):
    """Sign ``user`` in through the login form and prove that they, not someone
    else, are now signed in on this client."""
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert signed_in(client) == user.id, "another account is signed in on this client"
    return response


@pytest.fixture
def as_organizer(client, organizer):
    login(client, organizer)
    return client


def flashes(html: str) -> list[str]:
    """The texts of the page's flash messages and form errors."""
    return [re.sub(r"\s+", " ", m).strip() for m in
            re.findall(r'class="(?:flash [^"]*|error)"[^>]*>(.*?)</(?:div|p)>', html, re.S)]


def _fresh(function, *args, **kwargs):
    """Run ``function`` as the server would: in its own app context and session."""
    result = contextvars.Context().run(function, *args, **kwargs)
    if has_app_context():
        db.session.expire_all()
    return result


def _in_fresh_context(method):
    def run(*args, **kwargs):
        return _fresh(method, *args, **kwargs)

    return run


@pytest.fixture
def socket_client(app):
    """Flask-SocketIO test clients, and afterwards the server as real browsers need it.

    Each connection and event runs in its own app context, as in the server, so the
    signed-in user of one client never leaks into another's handler.

    Flask-SocketIO's test client replaces the server's packet senders with ones that
    deliver only to test clients; left in place, later browser tests would never hear
    anything. This puts the real ones back.
    """
    from checkin.extensions import socketio

    server = socketio.server
    saved = (server.async_handlers, server.eio.async_handlers)
    made = []

    def make(**kwargs):
        client = _fresh(socketio.test_client, app, **kwargs)
        for name in ("emit", "send", "connect", "disconnect"):
            setattr(client, name, _in_fresh_context(getattr(client, name)))
        made.append(client)
        return client

    yield make
    for client in made:
        if client.is_connected():
            client.disconnect()
    for name in ("_send_packet", "_send_eio_packet"):
        server.__dict__.pop(name, None)
    server.async_handlers, server.eio.async_handlers = saved
