"""Does heavy work stall the hall? Gates and a phone, idle and while organizers work.

    .venv/bin/python bench/stall.py [idle_seconds] [people]

Prepares a throw-away SQLite database: an event under way, ``people`` guests with
invitations (default 600), 20 staff accounts, open questions. Starts what ``make run``
starts (scripts/serve: gunicorn -k gevent -w 1, and ``checkin worker``), then measures
two things at a steady pace:

* a gate: scans through the API (``POST /api/v1/events/<id>/checkins``), 5 per second;
* a phone: connected over Socket.IO and following its invitation; once a second the
  chair approves a question and the phone's delay until it hears of it is timed.

First while idle, then while, together, an organizer prints letters for everyone (a
job), another imports a 1,000-row list (check, then apply: two jobs) and 20 staff sign
in (argon2). Prints p50/p99/max of both phases, the ratio of p99 under load to idle
(goal ≤ 2), requests over 1 s, dropped sockets, gunicorn worker timeouts, and the
worker's letters per second (goal: 500 letters in ≤ 10 s).
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import requests
from harness import ROOT, free_port  # bench/harness.py, beside this script

PASSWORD = "bench-mat-khau"
STAFF = 20


def prepare(db_url: str, people: int) -> dict:
    from flask_migrate import upgrade

    from checkin import create_app
    from checkin.attendance.services import check_in, make_device_token
    from checkin.attendees.invitations import active_invitations
    from checkin.attendees.transfer import import_people
    from checkin.auth.services import create_user
    from checkin.dialogue.services import ask, set_agenda
    from checkin.events.services import create_event
    from checkin.types import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "RATELIMIT_ENABLED": False})
    with app.app_context(), app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        admin = create_user(username="bantochuc", password=PASSWORD, full_name="Ban Tổ chức",
                            role="admin")
        for i in range(STAFF):
            create_user(username=f"canbo{i:02d}", password=PASSWORD, full_name=f"Cán bộ {i}")
        event = create_event(created_by=admin, title="Hội nghị — đo độ trễ", kind="dialogue",
                             starts_at=utcnow() - timedelta(minutes=10),
                             ends_at=utcnow() + timedelta(hours=3))
        rows = "\n".join(f"Khách mời số {i},Khách mời,09{i:08d}" for i in range(people))
        import_people(event, "ds.csv", f"Họ và tên,Thành phần,Điện thoại\n{rows}\n".encode(),
                      by_user=admin)
        invitations = list(active_invitations(event).values())
        set_agenda(event, questions_open=True)
        askers = [inv.attendee for inv in invitations[:80]]
        questions = []
        for n, person in enumerate(askers):
            check_in(event, next(i.token for i in invitations if i.attendee_id == person.id))
            questions.append(ask(event, person, text=f"Câu hỏi số {n} cho bài đo").id)
        return {"event": event.id, "phone": invitations[0].token, "questions": questions,
                "scans": [i.token for i in invitations[100:]],
                "device": make_device_token(event, gate_name="Cổng 1")}


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return float("nan"), float("nan"), float("nan")
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[98], max(values)


class Gate(threading.Thread):
    """Scans at 5 per second; records (phase, seconds) per answer."""

    def __init__(self, base: str, data: dict, phase: list[str]) -> None:
        super().__init__(daemon=True)
        self.base, self.data, self.phase = base, data, phase
        self.results: list[tuple[str, float]] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        url = f"{self.base}/api/v1/events/{self.data['event']}/checkins"
        headers = {"Authorization": f"Bearer {self.data['device']}"}
        n, next_at = 0, time.monotonic()
        while not self.stop.is_set():
            token = self.data["scans"][n % len(self.data["scans"])]
            n += 1
            start = time.monotonic()
            try:
                r = session.post(url, json={"token": token, "nonce": secrets.token_hex(8)},
                                 headers=headers, timeout=30)
                ok = r.status_code < 500
            except requests.RequestException:
                ok = False
            if ok:
                self.results.append((self.phase[0], time.monotonic() - start))
            else:
                self.errors += 1
            next_at += 0.2
            time.sleep(max(0.0, next_at - time.monotonic()))


class Phone(threading.Thread):
    """A phone following its invitation over a WebSocket (asyncio client, as in
    bench/fanout.py); the chair approves a question once a second and the phone's delay
    until its "dialogue" message lists the question is recorded."""

    def __init__(self, base: str, data: dict, phase: list[str]) -> None:
        super().__init__(daemon=True)
        self.base, self.data, self.phase = base, data, phase
        self.results: list[tuple[str, float]] = []
        self.disconnects = 0
        self.stop = threading.Event()
        self.arrived: dict[int, float] = {}
        self.ready = threading.Event()

    def run(self) -> None:
        import asyncio

        asyncio.run(self._listen())

    async def _listen(self) -> None:
        import asyncio

        import socketio

        client = socketio.AsyncClient(reconnection=True)

        @client.on("dialogue")
        async def on_dialogue(state):
            now = time.monotonic()
            for q in state.get("queue", []):
                self.arrived.setdefault(q["id"], now)

        @client.on("disconnect")
        async def on_disconnect(*_args):
            if not self.stop.is_set():
                self.disconnects += 1

        await client.connect(self.base, transports=["websocket"], wait_timeout=30)
        await client.call("follow", {"token": self.data["phone"]}, timeout=30)
        self.ready.set()
        while not self.stop.is_set():
            await asyncio.sleep(0.05)
        await client.disconnect()

    def approve_each_second(self) -> None:
        """The chair's side (its own thread)."""
        self.ready.wait(timeout=60)
        chair = signed_in(self.base, "bantochuc")
        console = chair.get(f"{self.base}/events/{self.data['event']}/console").text
        csrf = re.search(r'"csrf": "([^"]+)"', console).group(1)
        for qid in self.data["questions"]:
            if self.stop.is_set():
                break
            sent = time.monotonic()
            phase = self.phase[0]
            chair.post(f"{self.base}/events/{self.data['event']}/questions/{qid}/approve",
                       headers={"X-CSRFToken": csrf, "Accept": "application/json"},
                       timeout=30)
            while qid not in self.arrived and time.monotonic() - sent < 10:
                time.sleep(0.005)
            if qid in self.arrived:
                self.results.append((phase, self.arrived[qid] - sent))
            time.sleep(max(0.0, 1.0 - (time.monotonic() - sent)))


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def signed_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    csrf = _csrf(session.get(f"{base}/login", timeout=30).text)
    r = session.post(f"{base}/login", data={"username": username, "password": PASSWORD,
                                             "csrf_token": csrf}, timeout=30,
                     allow_redirects=False)
    assert r.status_code == 302, r.status_code
    return session


def wait_job(session: requests.Session, base: str, status_url: str) -> dict:
    while True:
        job = session.get(base + status_url, timeout=30).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.25)


def organizer_work(base: str, data: dict, people: int, out: dict) -> None:
    """Letters for everyone, a 1,000-row import (check + apply), 20 sign-ins: together."""
    event = data["event"]
    results: dict[str, object] = {}

    def letters() -> None:
        s = signed_in(base, "bantochuc")
        csrf = _csrf(s.get(f"{base}/events/{event}/people/print", timeout=30).text)
        job = s.post(f"{base}/events/{event}/people/letters", data={"csrf_token": csrf},
                     headers={"Accept": "application/json"}, timeout=30).json()
        results["letters"] = wait_job(s, base, job["status_url"])

    def importing() -> None:
        s = signed_in(base, "bantochuc")
        csrf = _csrf(s.get(f"{base}/events/{event}/people/import", timeout=30).text)
        rows = "\n".join(f"Người nhập số {i},Khách mời,08{i:08d}" for i in range(1000))
        data_ = f"Họ và tên,Thành phần,Điện thoại\n{rows}\n".encode()
        r = s.post(f"{base}/events/{event}/people/import", data={"csrf_token": csrf},
                   files={"file": ("ds.csv", data_, "text/csv")},
                   headers={"Accept": "application/json"}, timeout=30).json()
        check = wait_job(s, base, r["status_url"])
        page = s.get(base + check["next"], timeout=30).text
        key = re.search(r'name="upload" type="hidden" value="([^"]+)"', page).group(1)
        r = s.post(f"{base}/events/{event}/people/import/confirm",
                   data={"csrf_token": _csrf(page), "upload": key},
                   headers={"Accept": "application/json"}, timeout=30).json()
        results["import"] = (check, wait_job(s, base, r["status_url"]))

    def sign_ins() -> None:
        times = []
        for i in range(STAFF):
            start = time.monotonic()
            signed_in(base, f"canbo{i:02d}")
            times.append(time.monotonic() - start)
        results["sign_ins"] = times

    threads = [threading.Thread(target=f) for f in (letters, importing, sign_ins)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.update(results)


def main() -> None:
    idle_s = float(sys.argv[1]) if len(sys.argv) > 1 else 15
    people = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    tmp = Path(tempfile.mkdtemp())
    db_url = f"sqlite:///{tmp}/stall.db"
    started = time.monotonic()
    data = prepare(db_url, people)
    print(f"prepared {people} people, {STAFF} staff, {len(data['questions'])} questions in "
          f"{time.monotonic() - started:.1f} s")
    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, SECRET_KEY="bench", RATELIMIT_ENABLED="0",
               JOBS_URL=f"sqlite:///{tmp}/jobs.db", JOBS_DIR=str(tmp / "jobs"),
               PUBLIC_URL=f"http://127.0.0.1:{port}",
               # gevent reports any greenlet that holds the event loop over 100 ms.
               GEVENT_MONITOR_THREAD_ENABLE="1", GEVENT_MAX_BLOCKING_TIME="0.1")
    log = open(tmp / "serve.log", "w")
    serve = subprocess.Popen([sys.executable, str(ROOT / "scripts/serve"), "127.0.0.1",
                              str(port)], cwd=ROOT, env=env, stdout=log,
                             stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        phase = ["idle"]
        gate, phone = Gate(base, data, phase), Phone(base, data, phase)
        phone.start()
        phone.ready.wait(timeout=60)
        chair = threading.Thread(target=phone.approve_each_second, daemon=True)
        gate.start()
        chair.start()
        time.sleep(idle_s)
        phase[0] = "load"
        cpu_before = worker_cpu(serve.pid)
        work: dict = {}
        load_start = time.monotonic()
        organizer_work(base, data, people, work)
        load_s = time.monotonic() - load_start
        time.sleep(2)  # answers to requests sent during the work
        gate.stop.set()
        phone.stop.set()
        gate.join(timeout=30)
        chair.join(timeout=30)
        phone.join(timeout=30)
        cpu = worker_cpu(serve.pid) - cpu_before
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        log.close()
    report(data, gate, phone, work, idle_s, load_s, tmp, db_url, cpu)


def worker_cpu(serve_pid: int) -> float:
    """CPU seconds used so far by ``checkin worker`` (a child of scripts/serve)."""
    tick = os.sysconf("SC_CLK_TCK")
    for child in Path(f"/proc/{serve_pid}/task/{serve_pid}/children").read_text().split():
        if Path(f"/proc/{child}/cmdline").read_bytes().endswith(b"checkin\x00worker\x00"):
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick
    return float("nan")


def blocked_sites(log: str) -> list[tuple[str, int]]:
    """The innermost frame of our code in each blocking report of gevent's monitor."""
    from collections import Counter

    sites: Counter = Counter()
    for report_ in log.split("appears to be blocked")[1:]:
        frames = re.findall(r'File "([^"]+)", line (\d+), in (\w+)', report_.split("\n\n")[0])
        ours = [f for f in frames if "/checkin/" in f[0] and "/.venv/" not in f[0]]
        where = ours[-1] if ours else (frames[-1] if frames else ("?", "?", "?"))
        sites[f"{Path(where[0]).name}:{where[1]} {where[2]}"] += 1
    return sites.most_common()


def report(data, gate, phone, work, idle_s, load_s, tmp: Path, db_url: str,
           cpu: float) -> None:
    from sqlalchemy import create_engine, text

    print(f"idle phase {idle_s:.0f} s; load phase {load_s:.1f} s (until every job ended)")
    ratios = {}
    for name, series in (("gate scan (API, 5/s)", gate.results),
                         ("phone live update", phone.results)):
        row = {}
        for phase in ("idle", "load"):
            values = [s * 1000 for p, s in series if p == phase]
            p50, p99, top = percentiles(values)
            row[phase] = p99
            print(f"{name:22s} {phase:4s}: n={len(values):4d}  p50 {p50:7.1f} ms  "
                  f"p99 {p99:7.1f} ms  max {top:7.1f} ms")
        ratios[name] = row["load"] / row["idle"] if row["idle"] else float("nan")
        print(f"{name:22s} p99 load/idle ratio: {ratios[name]:.2f}  (goal ≤ 2)")
    slow = sum(1 for _p, s in gate.results + phone.results if s > 1.0)
    log_text = (tmp / "serve.log").read_text(errors="replace")
    timeouts = log_text.count("WORKER TIMEOUT")
    print(f"requests over 1 s: {slow}; gate errors: {gate.errors}; dropped sockets: "
          f"{phone.disconnects}; gunicorn worker timeouts: {timeouts}")
    blocked = log_text.count("appears to be blocked")
    print(f"event loop held over 100 ms (gevent's monitor): {blocked} time(s)")
    for where, n in blocked_sites(log_text)[:5]:
        print(f"    {n:3d} × {where}")
    sign_ins = work.get("sign_ins") or []
    if sign_ins:
        print(f"20 sign-ins: p50 {statistics.median(sign_ins) * 1000:.0f} ms, "
              f"max {max(sign_ins) * 1000:.0f} ms each")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kind, status, done, total, started_at, finished_at "
                                 "FROM jobs ORDER BY id")).all()
    from datetime import datetime

    for kind, status, done, total, started, finished in rows:
        seconds = (datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))
                   ).total_seconds() if started and finished else float("nan")
        line = f"job {kind:13s} {status:9s} {done:5d}/{total:<5d} {seconds:6.2f} s"
        if kind == "letters" and seconds == seconds and seconds > 0:
            rate = done / seconds
            line += (f"  {rate:6.0f} letters/s; 500 letters in {500 / rate:5.1f} s "
                     f"(goal ≤ 10 s, ratio {500 / rate / 10:.2f})")
        print(line)
    print(f"worker CPU during the load phase: {cpu:.1f} s for all its jobs (the machine is "
          f"shared: wall-clock rates above are lower than on an idle machine; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
