"""Check-in throughput and latency against a running server, as gates would load it.

    .venv/bin/python bench/checkin_load.py [requests] [connections]

Prepares a throw-away SQLite database with the demo (the Tây Ninh dialogue moved to
now, so that check-in is open), starts the production server (gunicorn, one gevent
worker) on a free port, and drives it from separate load processes: each keeps
HTTP connections open and posts scans of the event's invitations (every person is
scanned several times, as at a crowded door), with a fresh nonce each time. Prints
requests/s, p50/p90/p99 latency, the answers, and the ratio to the 600 req/s that
ARCHITECTURE.md measured for a minimal token-check + insert + emit endpoint.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta

from harness import ROOT, gunicorn  # bench/harness.py, beside this script

REFERENCE_RPS = 600.0


def prepare(db_url: str) -> tuple[int, list[str], str]:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from checkin import create_app
    from checkin.attendance.services import make_device_token
    from checkin.attendees.invitations import active_invitations
    from checkin.demo import load_demo
    from checkin.events.models import Event
    from checkin.extensions import db
    from checkin.types import utcnow

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        upgrade(directory=str(ROOT / "checkin" / "migrations"))
        load_demo(admin_password="checkin-demo")
        event = db.session.scalars(select(Event).order_by(Event.id)).first()
        event.starts_at = utcnow() - timedelta(minutes=10)
        event.ends_at = event.starts_at + timedelta(hours=3)
        event.nomination_deadline = None
        db.session.commit()
        tokens = [inv.token for inv in active_invitations(event).values()]
        return event.id, tokens, make_device_token(event, gate_name="Cổng 1")


def load(port: int, path: str, device: str, tokens: list[str], count: int, connections: int,
         seed: int, out) -> None:
    import threading

    latencies: list[float] = []
    answers: dict[str, int] = {}
    errors = 0
    lock = threading.Lock()
    per_thread = count // connections

    def worker(n: int) -> None:
        nonlocal errors
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {device}"}
        for _ in range(per_thread):
            body = json.dumps({"token": rng.choice(tokens), "nonce": secrets.token_hex(12)})
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                data = json.loads(response.read())
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    answers[data.get("result", str(response.status))] = \
                        answers.get(data.get("result", str(response.status)), 0) + 1
            except Exception:  # noqa: BLE001 — counted and reported
                with lock:
                    errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, answers, errors))


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    connections = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    tmp = tempfile.mkdtemp()
    db_url = f"sqlite:///{tmp}/bench.db"
    event_id, tokens, device = prepare(db_url)
    with gunicorn(db_url) as (_server, base):
        port = int(base.rsplit(":", 1)[1])
        path = f"/api/v1/events/{event_id}/checkins"
        processes = 2
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        procs = [ctx.Process(target=load, args=(port, path, device, tokens, total // processes,
                                                connections // processes, i, out))
                 for i in range(processes)]
        start = time.perf_counter()
        for p in procs:
            p.start()
        results = [out.get(timeout=600) for _ in procs]
        elapsed = time.perf_counter() - start
        for p in procs:
            p.join()
    latencies = sorted(x for r in results for x in r[0])
    answers: dict[str, int] = {}
    for r in results:
        for k, v in r[1].items():
            answers[k] = answers.get(k, 0) + v
    errors = sum(r[2] for r in results)
    q = statistics.quantiles(latencies, n=100)
    rps = len(latencies) / elapsed
    print(f"server: gunicorn -k gevent -w 1, SQLite (WAL); {len(tokens)} invitations")
    print(f"load: {len(latencies)} scans over {connections} keep-alive connections "
          f"in {processes} processes, {elapsed:.1f} s")
    print(f"throughput: {rps:7.0f} scans/s   (ratio to {REFERENCE_RPS:.0f} req/s reference: "
          f"{rps / REFERENCE_RPS:.2f})")
    print(f"latency:    p50 {q[49] * 1000:6.1f} ms   p90 {q[89] * 1000:6.1f} ms   "
          f"p99 {q[98] * 1000:6.1f} ms   max {latencies[-1] * 1000:6.1f} ms")
    print(f"answers:    {answers}   errors: {errors}")


if __name__ == "__main__":
    main()
