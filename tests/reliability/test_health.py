"""/healthz tells a load balancer and a person what is wrong: a database that refuses
writes or a full disk (503), a message queue out of reach (reported, still 200); the
queue's trouble is logged once, not once per message; the heartbeat carries versions."""

from __future__ import annotations

import logging

import pytest

from checkin import health


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["checks"] == {"database": "ok", "disk": "ok",
                              "message_queue": "not configured"}


def test_a_database_that_refuses_writes_fails_the_check(app, client, engine_swap):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        engine_swap(connect_args={"options": "-c default_transaction_read_only=on"})
    else:
        engine_swap(f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "failing" and body["checks"]["database"] == "cannot write"
    assert body["problems"][0].startswith("database: cannot_save")


def test_a_full_disk_fails_the_check(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTH_MIN_FREE_MB", 1 << 40)  # more than any disk
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["disk"] == "full"
    assert "disk full" in response.get_json()["problems"][0]


@pytest.fixture
def message_queue():
    """Point this process's queue check somewhere; put it back after."""
    saved = queue_state = health.queue.url
    yield health.queue
    health.queue.configure(queue_state or saved)
    health.queue.ok, health.queue.suppressed, health.queue.recovered = True, 0, False


def test_an_unreachable_message_queue_is_reported_and_logged_once(client, message_queue,
                                                                  caplog):
    message_queue.configure("redis://127.0.0.1:1/0")
    caplog.set_level(logging.INFO)
    response = client.get("/healthz")
    assert response.status_code == 200  # HTTP check-in works without the queue
    body = response.get_json()
    assert body["status"] == "degraded" and body["checks"]["message_queue"] == "unreachable"
    socketio_log = logging.getLogger("socketio.server")
    for _ in range(113):  # what the servers logged during a 30-s outage
        socketio_log.error("Cannot publish to redis... giving up")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "message queue unreachable" in errors[0].getMessage()
    assert "127.0.0.1:1" in errors[0].getMessage()
    message_queue.configure("redis://127.0.0.1:6379/0")  # it is back
    assert client.get("/healthz").get_json()["checks"]["message_queue"] == "ok"
    back = [r.getMessage() for r in caplog.records if "back after" in r.getMessage()]
    assert back and "113 errors not logged" in back[0]
    assert message_queue.take_recovered() and not message_queue.take_recovered()


def test_the_heartbeat_tells_each_page_where_every_stream_is(app, socket_client, event,
                                                               invite):
    from checkin.attendance.services import check_in
    from checkin.attendees.invitations import active_invitation

    people, tokens = invite(1)
    check_in(event, tokens[0])
    phone = socket_client()
    assert phone.emit("follow", {"token": active_invitation(people[0]).token},
                      callback=True)["ok"]
    phone.get_received()
    assert health.beat() == 1
    (message,) = [m for m in phone.get_received() if m["name"] == "heartbeat"]
    assert message["args"][0] == {"event": event.id, "versions": {
        "attendance": 2, "dialogue": 1, "live": 1}}
