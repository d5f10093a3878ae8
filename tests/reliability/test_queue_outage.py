"""Redis stopped during a moderation burst: every connected phone, on either server
process, agrees with the database within 5 s of Redis coming back — without a reload.

Two gunicorn + gevent processes share a Redis of the test's own (its own port: the test
stops and restarts it). Phones are Socket.IO clients that do what static/js/phone.js
does: apply a message numbered one more than theirs, fetch the snapshot on a gap, and
fetch it when a heartbeat says the dialogue is ahead.
"""

from __future__ import annotations

import re
import secrets
import threading
import time

import pytest
import requests
import socketio as sio

from checkin.attendance.services import check_in
from checkin.attendees.invitations import active_invitation
from checkin.dialogue.services import ask, public_state, set_agenda
from checkin.events.models import Event
from checkin.extensions import db
from tests.conftest import PASSWORD
from tests.servers import gunicorn, server_env

from .servers import Redis

PHONES_PER_PROCESS = 3
OUTAGE_SECONDS = 10
BURST = 9


class Phone:
    def __init__(self, server: str, token: str) -> None:
        self.server, self.token = server, token
        self.version, self.queue = 0, None
        self.lock = threading.Lock()
        self.client = sio.Client(reconnection=True, reconnection_delay=0.5)
        self.client.on("dialogue", self.on_dialogue)
        self.client.on("heartbeat", self.on_heartbeat)

    def apply(self, state: dict) -> None:
        with self.lock:
            if state["version"] >= self.version:
                self.version = state["version"]
                self.queue = [q["text"] for q in state["queue"]]

    def snapshot(self) -> None:
        try:
            response = requests.get(f"{self.server}/i/{self.token}/dialogue.json", timeout=10)
            self.apply(response.json()["state"])
        except (requests.RequestException, ValueError):
            pass  # the next heartbeat tries again

    def on_dialogue(self, state: dict) -> None:
        if state["version"] > self.version + 1:
            self.snapshot()
        else:
            self.apply(state)

    def on_heartbeat(self, beat: dict) -> None:
        if beat["versions"]["dialogue"] > self.version:
            self.snapshot()

    def connect(self) -> None:
        self.client.connect(self.server, transports=["polling"], wait_timeout=30)
        reply = self.client.call("follow", {"token": self.token}, timeout=30)
        assert reply["ok"]
        self.apply(reply["state"])


def _truth(event_id: int) -> tuple[int, list[str]]:
    db.session.remove()
    state = public_state(db.session.get(Event, event_id))
    return state["version"], [q["text"] for q in state["queue"]]


def _wait_agree(phones, event_id, timeout) -> float | None:
    """Seconds until every phone equals the database, or None after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        version, queue = _truth(event_id)
        if all(p.version == version and p.queue == queue for p in phones):
            return time.monotonic() - start
        time.sleep(0.1)
    return None


@pytest.fixture
def redis_server():
    server = Redis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def servers(app, redis_server):
    # Plain HTTP to 127.0.0.1: with the test app's https PUBLIC_URL the session cookie
    # would be Secure and requests would never send it back (no sign-in for the chair).
    env = server_env(app, MESSAGE_QUEUE=redis_server.url, RATELIMIT_ENABLED="0",
                     SOCKETIO_CHANNEL=f"checkin-outage-{secrets.token_hex(4)}",
                     PUBLIC_URL="http://127.0.0.1")
    with gunicorn(env, count=2) as urls:
        yield urls


def test_every_phone_agrees_with_the_database_soon_after_redis_returns(
        app, event, invite, organizer, redis_server, servers):
    event_id = event.id
    people, tokens = invite(PHONES_PER_PROCESS * 2)
    for token in tokens:
        check_in(event, token)
    set_agenda(event, questions_open=True)
    questions = [ask(event, people[i % len(people)], text=f"Câu hỏi số {i:02d}")
                 for i in range(BURST + 1)]
    ids = [q.id for q in questions]
    tokens = [active_invitation(p).token for p in people]
    process_a, process_b = servers
    phones = [Phone(process_a if i % 2 == 0 else process_b, tokens[i])
              for i in range(len(tokens))]
    try:
        for phone in phones:
            phone.connect()

        chair = requests.Session()
        page = chair.get(f"{process_b}/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        chair.post(f"{process_b}/login", data={"username": organizer.username,
                                               "password": PASSWORD, "csrf_token": csrf},
                   timeout=10)
        console = chair.get(f"{process_b}/events/{event_id}/console", timeout=10).text
        header = re.search(r'"csrf": "([^"]+)"', console).group(1)

        def approve(question_id):
            response = chair.post(
                f"{process_b}/events/{event_id}/questions/{question_id}/approve",
                headers={"X-CSRFToken": header, "Accept": "application/json"}, timeout=30)
            assert response.status_code == 200 and response.json()["ok"], response.text

        approve(ids[0])  # with the queue up: the live path works
        assert _wait_agree(phones, event_id, 15) is not None

        redis_server.stop()
        stopped = time.monotonic()
        for question_id in ids[1:]:  # the moderation burst, with the queue gone
            approve(question_id)
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        redis_server.start()
        caught_up = _wait_agree(phones, event_id, 5)
        version, queue = _truth(event_id)
        assert len(queue) == BURST + 1
        assert caught_up is not None, [(p.server, p.version, len(p.queue or [])) for p in phones]
        print(f"\nall {len(phones)} phones equal the database {caught_up:.2f} s after Redis "
              f"returned (dialogue version {version})")
        health = requests.get(f"{process_a}/healthz", timeout=10).json()
        assert health["checks"]["message_queue"] == "ok"
    finally:
        for phone in phones:
            if phone.client.connected:
                phone.client.disconnect()
