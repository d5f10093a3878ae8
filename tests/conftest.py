"""Fixtures: one migrated database per run, emptied between tests; factories.

The suite runs on SQLite by default. With ``TEST_DATABASE_URL`` set (``make test``
sets it for the second pass) it runs on PostgreSQL; the schema is rebuilt from the
Alembic migrations at the start of each run, which also tests the migrations.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from checkin import create_app
from checkin.extensions import db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "mật-khẩu-đủ-dài"


def local(*args) -> datetime:
    """A wall-clock time in Hồ Chí Minh City as an aware datetime."""
    return datetime(*args, tzinfo=HCM)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_URL": "https://hop.example.vn",
        "SERVER_NAME": None,
    })
    app.instance_path = str(instance)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


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


def login(client, user, password: str = PASSWORD):
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def as_organizer(client, organizer):
    login(client, organizer)
    return client


def flashes(html: str) -> list[str]:
    """The texts of the page's flash messages and form errors."""
    return [re.sub(r"\s+", " ", m).strip() for m in
            re.findall(r'class="(?:flash [^"]*|error)"[^>]*>(.*?)</(?:div|p)>', html, re.S)]


@pytest.fixture
def socket_client(app):
    """Flask-SocketIO test clients, and afterwards the server as real browsers need it.

    Flask-SocketIO's test client replaces the server's packet senders with ones that
    deliver only to test clients; left in place, later browser tests would never hear
    anything. This puts the real ones back.
    """
    from checkin.extensions import socketio

    server = socketio.server
    saved = (server.async_handlers, server.eio.async_handlers)
    made = []

    def make(**kwargs):
        client = socketio.test_client(app, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        if client.is_connected():
            client.disconnect()
    for name in ("_send_packet", "_send_eio_packet"):
        server.__dict__.pop(name, None)
    server.async_handlers, server.eio.async_handlers = saved
