"""Check-in throughput and server CPU per scan, first check-ins and repeats apart.

    .venv/bin/python bench/checkin_load.py [--people N] [--connections C] [--screens S]
                                           [--pg postgresql://…/db] [--only sqlite|pg]

For each database (SQLite, and PostgreSQL when ``--pg`` names a throw-away database,
which is emptied), prepares the demo with the Tây Ninh dialogue moved to now plus
``N`` more delegates in 40 units with quotas (a 1,000-seat board by default), starts
the production server (gunicorn, one gevent worker), opens ``S`` staff screens on the
board (Socket.IO clients of a paired gate device, in their own process), then drives it
from two load processes over ``C`` keep-alive connections:

1. **first check-ins**: every invitation scanned exactly once (each one a new arrival);
2. **repeats**: every invitation scanned again with a fresh nonce (``already_checked_in``).

For each phase it prints scans/s, latency percentiles, the answers, and the **server
CPU per scan**: the worker's user + system time read from ``/proc/<pid>/stat`` before
and after the phase, divided by the scans (the database server's own CPU is not in it
for PostgreSQL). It also counts the board messages and bytes the screens received.
Ratios: to the 9.5 ms per first check-in measured before the lean path (issue 14), to
the best peer measured the same way in the same sitting as that figure (Indico, 17.1 ms),
and PostgreSQL's CPU per first check-in to SQLite's.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import random
import secrets
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from harness import ROOT, gunicorn  # bench/harness.py, beside this script

BEFORE_MS = 9.5  # CPU per first check-in before this work, SQLite, same bench shape
PEER_MS = 17.1  # Indico's CPU per first check-in, measured the same way (issue 14)
TICK = os.sysconf("SC_CLK_TCK")


def prepare(db_url: str, people: int) -> tuple[int, list[str], str]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from checkin import create_app
    from checkin.attendance.services import make_device_token
    from checkin.attendees.invitations import active_invitations, new_invitation_token
    from checkin.attendees.models import Attendee, Invitation
    from checkin.demo import load_demo
    from checkin.events.models import Event
    from checkin.extensions import db
    from checkin.i18n import fold
    from checkin.types import utcnow
    from checkin.units.models import Quota, Unit

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        if db_url.startswith("postgresql"):
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(directory=str(ROOT / "checkin" / "migrations"))
        load_demo(admin_password="checkin-demo")
        event = db.session.scalars(select(Event).order_by(Event.id)).first()
        event.starts_at = utcnow() - timedelta(minutes=10)
        event.ends_at = event.starts_at + timedelta(hours=3)
        event.nomination_deadline = None
        units = [Unit(name=f"Chi đoàn bài đo {i:02d}", name_folded=fold(f"chi doan bai do {i}"),
                      kind="branch", code=f"BENCH-{i:02d}") for i in range(40)]
        db.session.add_all(units)
        db.session.flush()
        per_unit = max(1, people // len(units))
        db.session.add_all(Quota(event_id=event.id, unit_id=u.id, seats=per_unit) for u in units)
        for i in range(people):
            name = f"Đại biểu Nguyễn Văn {i:04d}"
            person = Attendee(event_id=event.id, category="delegate",
                              unit_id=units[i % len(units)].id, full_name=name,
                              name_folded=fold(name), position="Bí thư Chi đoàn")
            db.session.add(person)
            db.session.add(Invitation(attendee=person, token=new_invitation_token()))
        db.session.commit()
        tokens = [inv.token for inv in active_invitations(event).values()]
        return event.id, tokens, make_device_token(event, gate_name="Cổng 1")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def worker_pid(arbiter: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def load(port: int, path: str, device: str, tokens: list[str], connections: int,
         out) -> None:
    """Scan each of ``tokens`` once, over ``connections`` keep-alive connections."""
    import threading

    latencies: list[float] = []
    answers: dict[str, int] = {}
    errors = 0
    lock = threading.Lock()

    def worker(mine: list[str]) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {device}"}
        for token in mine:
            body = json.dumps({"token": token, "nonce": secrets.token_hex(12)})
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                data = json.loads(response.read())
                elapsed = time.perf_counter() - start
                key = data.get("result", str(response.status))
                with lock:
                    latencies.append(elapsed)
                    answers[key] = answers.get(key, 0) + 1
            except Exception:  # noqa: BLE001 — counted and reported
                with lock:
                    errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=worker, args=(tokens[i::connections],))
               for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, answers, errors))


def screens(base: str, event_id: int, device: str, count: int, ready, stop, out) -> None:
    """``count`` staff screens watching the board: messages and bytes they received."""
    import socketio

    async def run() -> None:
        stats = {"messages": 0, "bytes": 0}
        clients = []
        for _ in range(count):
            client = socketio.AsyncClient(reconnection=False)

            @client.on("attendance")
            async def on_attendance(data):
                stats["messages"] += 1
                stats["bytes"] += len(json.dumps(data, ensure_ascii=False).encode())

            await client.connect(base, transports=["websocket"],
                                 headers={"Cookie": f"gate_device={device}"}, wait_timeout=30)
            answer = await client.call("watch", {"event": event_id}, timeout=30)
            assert answer.get("ok"), answer
            clients.append(client)
        ready.put(len(clients))
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the last coalesced message
        out.put(dict(stats))
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    asyncio.run(run())


def phase(ctx, port: int, path: str, device: str, tokens: list[str], connections: int,
          pid: int) -> dict:
    shuffled = tokens[:]
    random.Random(len(tokens)).shuffle(shuffled)
    out = ctx.Queue()
    procs = [ctx.Process(target=load, args=(port, path, device, shuffled[i::2],
                                            max(1, connections // 2), out)) for i in range(2)]
    cpu0, start = cpu_seconds(pid), time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    elapsed, cpu = time.perf_counter() - start, cpu_seconds(pid) - cpu0
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r[0])
    answers: dict[str, int] = {}
    for r in results:
        for k, v in r[1].items():
            answers[k] = answers.get(k, 0) + v
    q = statistics.quantiles(latencies, n=100)
    return {"n": len(latencies), "rps": len(latencies) / elapsed, "elapsed": elapsed,
            "cpu_ms": cpu * 1000 / max(1, len(latencies)), "p50": q[49] * 1000,
            "p99": q[98] * 1000, "max": latencies[-1] * 1000, "answers": answers,
            "errors": sum(r[2] for r in results)}


def run(label: str, db_url: str, args) -> dict:
    event_id, tokens, device = prepare(db_url, args.people)
    ctx = multiprocessing.get_context("spawn")
    with gunicorn(db_url, "--worker-connections", "2000") as (server, base):
        port = int(base.rsplit(":", 1)[1])
        pid = worker_pid(server.pid)
        path = f"/api/v1/events/{event_id}/checkins"
        ready, stop, screen_out = ctx.Queue(), ctx.Event(), ctx.Queue()
        watcher = ctx.Process(target=screens, args=(base, event_id, device, args.screens,
                                                    ready, stop, screen_out))
        watcher.start()
        ready.get(timeout=120)
        first = phase(ctx, port, path, device, tokens, args.connections, pid)
        repeat = phase(ctx, port, path, device, tokens, args.connections, pid)
        stop.set()
        seen = screen_out.get(timeout=60)
        watcher.join(timeout=30)
    print(f"\n{label}: {len(tokens)} invitations, {args.screens} staff screens on the board, "
          f"{args.connections} keep-alive connections in 2 processes; "
          f"load average {os.getloadavg()[0]:.2f}")
    for name, r in (("first check-ins", first), ("repeats", repeat)):
        print(f"  {name:16s} {r['n']:5d} scans {r['rps']:7.0f}/s   CPU {r['cpu_ms']:5.2f} ms/scan"
              f"   p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  max {r['max']:6.1f} ms"
              f"   {r['answers']} errors {r['errors']}")
    per_screen = seen["messages"] / max(1, args.screens)
    print(f"  board: {per_screen:.0f} messages per screen for {first['n']} arrivals, "
          f"{seen['bytes'] / max(1, seen['messages']):.0f} B each on average")
    print(f"  ratio: CPU per first check-in vs {BEFORE_MS} ms before: "
          f"{first['cpu_ms'] / BEFORE_MS:.2f}; vs peer (Indico {PEER_MS} ms): "
          f"{first['cpu_ms'] / PEER_MS:.2f}")
    return first


def main() -> None:
    import resource

    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--screens", type=int, default=5)
    parser.add_argument("--pg", help="a throw-away PostgreSQL database (it is emptied)")
    parser.add_argument("--only", choices=("sqlite", "pg"))
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results = {}
    if args.only != "pg":
        results["sqlite"] = run("SQLite (WAL)", f"sqlite:///{tempfile.mkdtemp()}/bench.db", args)
    if args.pg and args.only != "sqlite":
        url = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
        results["pg"] = run("PostgreSQL", url, args)
    if len(results) == 2:
        print(f"\nratio PostgreSQL / SQLite, server CPU per first check-in: "
              f"{results['pg']['cpu_ms'] / results['sqlite']['cpu_ms']:.2f}")


if __name__ == "__main__":
    main()
