"""The many-machines deployment: two server processes, Redis as Socket.IO's message queue.

A phone connected to process A hears a question the chair approved on process B. Needs
Redis on 127.0.0.1:6379 (``make test`` starts it); fails, never skips, without it.
"""

from __future__ import annotations

import re
import secrets
import threading

import pytest
import requests
import socketio as sio

from checkin.attendees.invitations import active_invitation
from checkin.dialogue.services import ask
from tests.conftest import PASSWORD
from tests.servers import gunicorn, server_env

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def two_servers(app):
    channel = f"checkin-test-{secrets.token_hex(4)}"
    env = server_env(app, MESSAGE_QUEUE=REDIS, SOCKETIO_CHANNEL=channel, SECRET_KEY="scale-out",
                     RATELIMIT_ENABLED="0", PUBLIC_URL="http://127.0.0.1")
    with gunicorn(env, count=2) as urls:
        yield urls


def test_redis_is_there():
    import redis

    assert redis.Redis.from_url(REDIS).ping()


def test_a_phone_on_one_process_hears_an_approval_made_on_another(
        two_servers, event, organizer, quota_unit):
    from checkin.attendance.services import check_in
    from checkin.attendees.services import nominate
    from checkin.dialogue.services import set_agenda
    from checkin.events.services import update_event
    from checkin.types import utcnow

    start = utcnow()
    update_event(event, title=event.title, starts_at=start, kind="dialogue")
    person = nominate(event, quota_unit, full_name="Ngô Thanh Vân")
    token = active_invitation(person).token
    check_in(event, token)
    set_agenda(event, questions_open=True)
    question = ask(event, person, text="Câu hỏi qua hai máy chủ")

    process_a, process_b = two_servers
    heard = threading.Event()
    phone = sio.Client(reconnection=False)

    @phone.on("dialogue")
    def on_dialogue(state):
        if any(q["text"] == "Câu hỏi qua hai máy chủ" for q in state["queue"]):
            heard.set()

    phone.connect(process_a, transports=["polling"], wait_timeout=20)
    assert phone.call("follow", {"token": token}, timeout=20)["ok"]

    chair = requests.Session()
    page = chair.get(f"{process_b}/login").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    chair.post(f"{process_b}/login", data={"username": organizer.username,
                                           "password": PASSWORD, "csrf_token": csrf})
    console = chair.get(f"{process_b}/events/{event.id}/console").text
    header = re.search(r'"csrf": "([^"]+)"', console).group(1)
    response = chair.post(f"{process_b}/events/{event.id}/questions/{question.id}/approve",
                          data={"version": question.version},
                          headers={"X-CSRFToken": header, "Accept": "application/json"})
    assert response.json()["ok"]
    try:
        assert heard.wait(timeout=15), "the approval never reached the other process's phone"
    finally:
        phone.disconnect()
