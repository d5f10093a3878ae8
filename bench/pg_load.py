"""Gates against the many-machines deployment: PostgreSQL with two server processes,
side by side with SQLite, at 8 and at 64 concurrent gates.

    .venv/bin/python bench/pg_load.py [scans per run] [PostgreSQL URL]

For each database: a fresh schema (PostgreSQL: the database named by the URL or by
BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/checkin_bench — created
if missing, its public schema dropped first; never point it at data you keep), a meeting
in progress with 300 invitations, two gunicorn + gevent processes sharing a Redis message
queue (127.0.0.1:6379, a channel of its own) and the production pool settings. Gates are
spawned processes of keep-alive connections alternating between the two servers; each
scan carries a fresh nonce; a 503 is honoured (Retry-After) and sent again, as the gate
page does. Prints scans/s, p50/p99 latency and the status codes per run, the 5xx count
(which must be 0) and the PostgreSQL/SQLite ratios.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

import requests
from harness import ROOT, free_port  # bench/harness.py, beside this script

sys.path.insert(0, str(ROOT))
from tests.reliability.gates import gate_process  # noqa: E402 — a driver with no app imports

INVITATIONS = 300
GATE_PROCESSES = 4


def prepare(db_url: str) -> tuple[int, list[str], str]:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from checkin import create_app
    from checkin.attendance.services import make_device_token
    from checkin.attendees.invitations import active_invitation
    from checkin.attendees.services import nominate
    from checkin.events.services import create_event
    from checkin.extensions import db
    from checkin.types import utcnow
    from checkin.units.services import create_unit, set_quota

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        start = utcnow() - timedelta(minutes=10)
        event = create_event(created_by=None, title="Đại hội — bài đo tải PostgreSQL",
                             starts_at=start, ends_at=start + timedelta(hours=4))
        unit = create_unit(name="Đoàn Khối các cơ quan", kind="grassroots", member_count=9000)
        set_quota(event, unit, INVITATIONS)
        people = [nominate(event, unit, full_name=f"Đại biểu {i:04d}")
                  for i in range(INVITATIONS)]
        tokens = [active_invitation(p).token for p in people]
        device = make_device_token(event, gate_name="Cổng bài đo")
        event_id = event.id
        db.engine.dispose()
    return event_id, tokens, device


def servers(db_url: str, channel: str) -> tuple[list[str], list[subprocess.Popen]]:
    env = dict(os.environ, DATABASE_URL=db_url, SOCKETIO_ASYNC_MODE="gevent",
               SECRET_KEY="bench", RATELIMIT_ENABLED="0", MESSAGE_QUEUE="redis://127.0.0.1:6379/0",
               SOCKETIO_CHANNEL=channel)
    ports = [free_port(), free_port()]
    procs = [subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-k", "gevent", "-w", "1",
                               "--worker-connections", "2000", "-b", f"127.0.0.1:{p}",
                               "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
             for p in ports]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    for url in urls:
        for _ in range(600):
            try:
                if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"{url} did not become ready")
    return urls, procs


def run(urls, event_id, tokens, device, scans: int, gates: int) -> dict:
    rng = random.Random(gates)
    plan = [(rng.choice(tokens), secrets.token_hex(12)) for _ in range(scans)]
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    per_process = max(gates // GATE_PROCESSES, 1)
    procs = [ctx.Process(target=gate_process, args=(
        urls, f"/api/v1/events/{event_id}/checkins", device, plan[i::GATE_PROCESSES],
        per_process, out)) for i in range(GATE_PROCESSES)]
    for p in procs:
        p.start()
    reports = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join()
    # From the first gate's first request to the last answer (not the processes' start).
    elapsed = max(r[4][1] for r in reports) - min(r[4][0] for r in reports)
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    errors = 0
    for s, _r, lat, err, _span in reports:
        for k, v in s.items():
            statuses[k] = statuses.get(k, 0) + v
        latencies += lat
        errors += len(err)
    q = statistics.quantiles(sorted(latencies), n=100)
    return {"rps": scans / elapsed, "p50": q[49] * 1000, "p99": q[98] * 1000,
            "statuses": statuses, "errors": errors,
            "5xx": sum(v for k, v in statuses.items() if k >= 500 and k != 503),
            "503": statuses.get(503, 0)}


def main() -> None:
    scans = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    pg_url = sys.argv[2] if len(sys.argv) > 2 else os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/checkin_bench")
    subprocess.run([str(ROOT / "scripts/ensure-postgres"), pg_url], check=True,
                   stdout=subprocess.DEVNULL)
    sqlite_url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    results = {}
    for name, url in (("sqlite", sqlite_url), ("postgresql", pg_url)):
        event_id, tokens, device = prepare(url)
        urls, procs = servers(url, f"checkin-bench-{secrets.token_hex(4)}")
        try:
            for gates in (8, 64):
                results[name, gates] = run(urls, event_id, tokens, device, scans, gates)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
    print(f"two gunicorn -k gevent -w 1 processes + Redis; {INVITATIONS} invitations; "
          f"{scans} scans per run, fresh nonces; pool {os.environ.get('DB_POOL_SIZE', 10)}"
          f"+{os.environ.get('DB_MAX_OVERFLOW', 10)} per process")
    print(f"{'database':<11}{'gates':>6}{'scans/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'5xx':>6}{'503':>6}  statuses")
    for (name, gates), r in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        print(f"{name:<11}{gates:>6}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
              f"{r['5xx']:>6}{r['503']:>6}  {r['statuses']} errors {r['errors']}")
    for gates in (8, 64):
        pg, lite = results["postgresql", gates], results["sqlite", gates]
        print(f"ratio PostgreSQL/SQLite at {gates} gates: throughput "
              f"{pg['rps'] / lite['rps']:.2f}, p99 {pg['p99'] / lite['p99']:.2f}")
    if any(r["5xx"] for r in results.values()):
        raise SystemExit("5xx answers: see the table")


if __name__ == "__main__":
    main()
