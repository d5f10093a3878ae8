"""Many machines: a job started on one instance is run by a worker elsewhere, through
Redis (Huey's RedisHuey), and its file is served by the instance. Needs Redis on
127.0.0.1:6379 (``make test`` starts it); fails, never skips, without it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from checkin.attendees.services import nominate
from checkin.jobs import queue, services
from tests.jobs.fixtures import wait_for_job

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/0"


def test_a_job_started_here_is_finished_by_a_worker_elsewhere(app, as_organizer, event,
                                                               quota_unit, tmp_path):
    name = f"checkin-test-jobs-{secrets.token_hex(4)}"
    saved = {k: app.config[k] for k in ("JOBS_URL", "JOBS_QUEUE", "JOBS_DIR")}
    app.config.update(JOBS_URL=REDIS, JOBS_QUEUE=name, JOBS_DIR=str(tmp_path / "shared"))
    queue.reset(app)
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               JOBS_URL=REDIS, JOBS_QUEUE=name, JOBS_DIR=app.config["JOBS_DIR"],
               MESSAGE_QUEUE=REDIS, SOCKETIO_CHANNEL=name, SECRET_KEY="test-secret",
               PUBLIC_URL=app.config["PUBLIC_URL"], FLASK_APP="wsgi:app")
    elsewhere = None
    try:
        for n in ("Nguyễn Văn An", "Trần Thị Bích"):
            nominate(event, quota_unit, full_name=n)
        job = as_organizer.post(f"/events/{event.id}/people/letters",
                                headers={"Accept": "application/json"}).get_json()
        assert job["status"] == "queued"  # nobody here runs jobs
        elsewhere = subprocess.Popen([str(Path(sys.executable).parent / "checkin"), "worker"],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        done = wait_for_job(as_organizer, job["status_url"], limit=120)
        assert done["status"] == "done" and (done["done"], done["total"]) == (2, 2)
        assert services.load_job(job["id"]).worker.endswith(f":{elsewhere.pid}")
        pdf = as_organizer.get(done["download"])
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    finally:
        if elsewhere is not None:
            elsewhere.kill()
            elsewhere.wait(timeout=10)
        huey = queue.huey_for(app)
        huey.storage.flush_all()
        queue.reset(app)
        app.config.update(saved)
