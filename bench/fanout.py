"""Fan-out: how long from a moderator's approval until the last of N phones hears of it?

    .venv/bin/python bench/fanout.py [clients ...]      # default: 1000 2000

Prepares a throw-away SQLite database with the demo's Tây Ninh dialogue moved to now,
N invited delegates (their phones) and open questions, starts the production server
(gunicorn, one gevent worker), connects N Socket.IO clients (asyncio, in a separate
process) that each follow their own invitation, then approves a question over HTTP as
the chair and measures, per client, the time until the "dialogue" message with that
question arrives. Prints p50/p99/last delivery, the server's memory (RSS) before and
with the clients connected, and the ratio to ARCHITECTURE.md's 116 ms for 1,000.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from harness import ROOT, gunicorn  # bench/harness.py, beside this script

REFERENCE_MS = 116.0


def rss_mb(pid: int) -> float:
    """Resident memory of gunicorn's worker (the child of the arbiter ``pid``)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    worker = int(children[0]) if children else pid
    text = Path(f"/proc/{worker}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def prepare(db_url: str, clients: int) -> tuple[int, list[str], int]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from checkin import create_app
    from checkin.attendance.services import check_in
    from checkin.attendees.invitations import active_invitation
    from checkin.attendees.services import add_attendee
    from checkin.auth.services import create_user
    from checkin.dialogue.services import ask, set_agenda
    from checkin.events.models import Event
    from checkin.extensions import db
    from checkin.types import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "RATELIMIT_ENABLED": False})
    with app.app_context(), app.test_request_context():
        upgrade(directory=str(ROOT / "checkin" / "migrations"))
        event = db.session.scalars(select(Event)).first()
        if event is None:
            from checkin.events.services import create_event

            create_user(username="chair", password="fanout-bench", full_name="Chủ trì",
                        role="admin")
            event = create_event(created_by=None, title="Đối thoại — bench", kind="dialogue",
                                 starts_at=utcnow() - timedelta(minutes=10))
        people = [add_attendee(event, category="guest", full_name=f"Đại biểu {i}")
                  for i in range(clients)]
        check_in(event, active_invitation(people[0]).token)
        set_agenda(event, questions_open=True)
        question = ask(event, people[0], text="Câu hỏi cho bài đo fan-out")
        return event.id, [active_invitation(p).token for p in people], question.id


async def run_clients(url: str, tokens: list[str], ready, go, out) -> None:
    import socketio

    received: list[float] = []
    connected = 0
    sentinel = asyncio.Event()
    clients = []

    async def one(token: str) -> None:
        nonlocal connected
        client = socketio.AsyncClient(reconnection=False)
        done = False

        @client.on("dialogue")
        async def on_dialogue(state):
            nonlocal done
            if not done and state.get("queue"):
                done = True
                received.append(time.time())
                if len(received) == len(tokens):
                    sentinel.set()

        await client.connect(url, transports=["websocket"], wait_timeout=30)
        await client.call("follow", {"token": token}, timeout=60)
        connected += 1
        clients.append(client)

    for start in range(0, len(tokens), 100):  # connect in waves, as a hall fills up
        await asyncio.gather(*(one(t) for t in tokens[start:start + 100]))
    ready.put(connected)
    while not go.is_set():
        await asyncio.sleep(0.01)
    try:
        await asyncio.wait_for(sentinel.wait(), timeout=60)
    except TimeoutError:
        pass
    out.put(received)
    await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)


def client_process(url, tokens, ready, go, out) -> None:
    asyncio.run(run_clients(url, tokens, ready, go, out))


def measure(n: int) -> None:
    import requests

    tmp = tempfile.mkdtemp()
    db_url = f"sqlite:///{tmp}/fanout.db"
    event_id, tokens, question_id = prepare(db_url, n)
    with gunicorn(db_url, "--worker-connections", "10000") as (server, base):
        time.sleep(1)
        idle = rss_mb(server.pid)
        ctx = multiprocessing.get_context("spawn")
        ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        proc = ctx.Process(target=client_process, args=(base, tokens, ready, go, out))
        proc.start()
        connected = ready.get(timeout=600)
        loaded = rss_mb(server.pid)
        chair = requests.Session()
        page = chair.get(f"{base}/login").text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        chair.post(f"{base}/login", data={"username": "chair", "password": "fanout-bench",
                                          "csrf_token": csrf})
        console = chair.get(f"{base}/events/{event_id}/console").text
        token = re.search(r'"csrf": "([^"]+)"', console).group(1)
        go.set()
        start = time.time()
        response = chair.post(f"{base}/events/{event_id}/questions/{question_id}/approve",
                              headers={"X-CSRFToken": token, "Accept": "application/json"})
        assert response.json()["ok"], response.text
        received = out.get(timeout=120)
        proc.join(timeout=60)
    delays = sorted((t - start) * 1000 for t in received)
    q = statistics.quantiles(delays, n=100) if len(delays) > 1 else delays * 99
    print(f"{n:5d} clients ({connected} connected, {len(delays)} received): "
          f"p50 {q[49]:7.1f} ms  p99 {q[98]:7.1f} ms  last {delays[-1]:7.1f} ms  "
          f"(ratio to {REFERENCE_MS:.0f} ms: {delays[-1] / REFERENCE_MS:.2f})  "
          f"server RSS {idle:.0f} MB idle → {loaded:.0f} MB connected")


def main() -> None:
    import resource

    # Each client is a socket on both sides: lift the usual 1,024 open-file limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    for n in [int(a) for a in sys.argv[1:]] or [1000, 2000]:
        measure(n)


if __name__ == "__main__":
    main()
