"""Slowness and a database that cannot write answer 503 with Retry-After, never a 500
after a 30-s wait: JSON for the gate API, a translated page for people."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from checkin.extensions import db


def _is_pg(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def _scan(client, event_id, gate_token, token, nonce="n-0000001"):
    return client.post(f"/api/v1/events/{event_id}/checkins",
                       json={"token": token, "nonce": nonce},
                       headers={"Authorization": f"Bearer {gate_token}"})


def test_no_free_connection_answers_503_quickly(app, client, event, invite, gate_token,
                                                engine_swap):
    _people, tokens = invite(1)
    event_id = event.id  # the swap below ends the session: keep plain values
    engine = engine_swap(pool_size=1, max_overflow=0, pool_timeout=0.3)
    held = engine.connect()  # every connection of the pool is busy elsewhere
    try:
        response = _scan(client, event_id, gate_token, tokens[0])
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "3"
        assert response.get_json()["error"] == "busy"
        page = client.get(f"/i/{tokens[0]}", headers={"Accept": "text/html"})
        assert page.status_code == 503 and page.headers["Retry-After"]
        assert "Máy chủ đang rất bận" in page.get_data(as_text=True)  # Vietnamese first
    finally:
        held.close()
    # The connection is back: the same scan (same nonce) goes through, once.
    assert _scan(client, event_id, gate_token, tokens[0]).get_json()["result"] == "checked_in"


def test_a_write_that_waits_too_long_answers_503(app, client, event, invite, gate_token,
                                                 engine_swap):
    """Another transaction holds the event's row (PostgreSQL) or the database's write
    lock (SQLite) for longer than the statement or busy timeout allows."""
    _people, tokens = invite(1)
    event_id = event.id  # the swap below ends the session: keep plain values
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if _is_pg(app):
        engine_swap(connect_args={"options": "-c statement_timeout=300"})
    else:
        engine_swap(connect_args={"timeout": 0.3})
    from sqlalchemy import create_engine

    blocker = create_engine(url).connect()
    locked, release = threading.Event(), threading.Event()

    def hold():
        if _is_pg(app):
            blocker.execute(text("SELECT id FROM events WHERE id = :id FOR UPDATE"),
                            {"id": event_id})
        else:
            blocker.exec_driver_sql("BEGIN IMMEDIATE")
        locked.set()
        release.wait(30)
        blocker.rollback()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert locked.wait(10)
    try:
        response = _scan(client, event_id, gate_token, tokens[0])
    finally:
        release.set()
        holder.join(10)
        blocker.close()
        blocker.engine.dispose()
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_json()["error"] == "busy"
    db.session.remove()
    # Nothing half-saved: the retry checks the person in.
    assert _scan(client, event_id, gate_token, tokens[0]).get_json()["result"] == "checked_in"


def test_a_database_that_refuses_writes_answers_cannot_save(app, client, event, invite,
                                                            gate_token, engine_swap):
    _people, tokens = invite(1)
    event_id = event.id  # the swap below ends the session: keep plain values
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if _is_pg(app):
        engine_swap(connect_args={"options": "-c default_transaction_read_only=on"})
    else:
        path = url.removeprefix("sqlite:///")
        engine_swap(f"sqlite:///file:{path}?mode=ro&uri=true")
    response = _scan(client, event_id, gate_token, tokens[0])
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "cannot_save" and body["message"]


def test_a_database_out_of_reach_answers_unavailable(app, client, event, invite, gate_token,
                                                     engine_swap):
    _people, tokens = invite(1)
    event_id = event.id
    engine_swap("postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
                connect_args={"connect_timeout": 2})
    response = _scan(client, event_id, gate_token, tokens[0])
    assert response.status_code == 503 and response.get_json()["error"] == "unavailable"


@pytest.mark.parametrize("trouble", ["busy", "cannot_save", "unavailable"])
def test_every_trouble_says_what_to_do_in_vietnamese(app, trouble):
    from checkin.errors import unavailable_response

    with app.test_request_context("/api/v1/x", headers={"Accept-Language": "vi"}):
        response = unavailable_response(trouble)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["message"].startswith("Máy chủ")
