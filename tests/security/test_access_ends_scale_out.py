"""Access that ends, in the many-machines deployment: a role removed through process B
disconnects the moderator's console socket held by process A (through Redis).

Needs Redis on 127.0.0.1:6379 (``make test`` starts it); fails, never skips, without it.
"""

from __future__ import annotations

import re
import secrets
import threading
import time

import pytest
import requests
import socketio as sio

from checkin.auth.models import EventRole
from checkin.auth.services import assign_event_role
from checkin.extensions import db
from tests.conftest import PASSWORD
from tests.servers import gunicorn, server_env

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def two_servers(app):
    channel = f"checkin-13-{secrets.token_hex(4)}"
    env = server_env(app, MESSAGE_QUEUE=REDIS, SOCKETIO_CHANNEL=channel,
                     RATELIMIT_ENABLED="0", PUBLIC_URL="http://127.0.0.1")
    with gunicorn(env, count=2) as urls:
        yield urls


def browser_session(base: str, user) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = session.post(f"{base}/login", data={"username": user.username,
                                                   "password": PASSWORD, "csrf_token": csrf},
                            allow_redirects=False)
    assert response.status_code == 302
    return session


def test_removing_a_role_on_one_process_disconnects_the_socket_on_another(
        two_servers, event, organizer, make_user):
    process_a, process_b = two_servers
    moderator = make_user("staff", username="thuky2")
    assign_event_role(event, moderator, "moderator")
    grant_id = db.session.scalar(db.select(EventRole.id).where(
        EventRole.user_id == moderator.id))

    laptop = browser_session(process_a, moderator)
    cookie = "; ".join(f"{c.name}={c.value}" for c in laptop.cookies)
    console = sio.Client(reconnection=False)
    gone = threading.Event()
    console.on("disconnect", lambda *args: gone.set())
    console.connect(process_a, headers={"Cookie": cookie}, transports=["polling"],
                    wait_timeout=20)
    assert console.call("watch", {"event": event.id}, timeout=20)["ok"]

    chair = browser_session(process_b, organizer)
    staff_page = chair.get(f"{process_b}/events/{event.id}/staff").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', staff_page).group(1)
    response = chair.post(f"{process_b}/events/{event.id}/staff/{grant_id}/delete",
                          data={"csrf_token": csrf}, allow_redirects=False)
    assert response.status_code == 302
    started = time.perf_counter()
    try:
        assert gone.wait(timeout=5), "the socket on the other process stayed connected"
        print(f"disconnected {time.perf_counter() - started:.3f} s after the answer")
    finally:
        if console.connected:
            console.disconnect()
