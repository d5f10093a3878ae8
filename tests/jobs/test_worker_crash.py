"""A worker killed in the middle of a job: the job is offered for retry, never lost, and
no half-written file is ever served. The worker is the real ``checkin worker`` process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checkin.attendees.transfer import import_people
from checkin.jobs import services
from checkin.jobs.models import Job
from tests.jobs.fixtures import wait_for_job

ROOT = Path(__file__).resolve().parents[2]
COUNT = 200


@pytest.fixture
def spawn_worker(app, job_storage):
    procs = []
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               JOBS_URL=app.config["JOBS_URL"], JOBS_DIR=app.config["JOBS_DIR"],
               SECRET_KEY="test-secret", PUBLIC_URL=app.config["PUBLIC_URL"],
               JOBS_WORKERS="1", FLASK_APP="wsgi:app")

    def spawn() -> subprocess.Popen:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "checkin"), "worker"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        procs.append(proc)
        return proc

    yield spawn
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def _job(job_id: int) -> Job:
    return services.load_job(job_id)


def _wait(predicate, what: str, limit: float = 60.0):
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {limit} s for {what}")
        time.sleep(0.02)


def test_a_killed_worker_leaves_its_job_for_retry_and_no_half_file(
        as_organizer, event, spawn_worker):
    rows = "\n".join(f"Khách Mời Thứ {i},Khách mời" for i in range(COUNT))
    import_people(event, "khach.csv", f"Họ và tên,Thành phần\n{rows}\n".encode())
    first = spawn_worker()
    job = as_organizer.post(f"/events/{event.id}/people/letters",
                            headers={"Accept": "application/json"}).get_json()
    _wait(lambda: _job(job["id"]).status == "running" and _job(job["id"]).done > 0,
          "the worker to start drawing letters")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    # Dead mid-job: shown as still running until a worker notices; nothing to download.
    status = as_organizer.get(job["status_url"]).get_json()
    assert status["status"] == "running" and 0 < status["done"] < COUNT
    assert "download" not in status
    assert as_organizer.get(f"/events/{event.id}/jobs/{job['id']}/download").status_code == 404
    files = services.jobs_dir()
    assert not [p for p in files.iterdir() if p.suffix == ".pdf"]  # only a .part, if any

    # The next worker to start marks it interrupted: the page says so, with Retry.
    second = spawn_worker()
    _wait(lambda: _job(job["id"]).status == "failed", "the new worker to notice")
    status = as_organizer.get(job["status_url"]).get_json()
    assert status["error"].startswith("Tác vụ bị gián đoạn")
    page = as_organizer.get(status["url"]).get_data(as_text=True)
    assert f"/jobs/{job['id']}/retry" in page
    assert not list(files.glob(".*.part"))  # the half file is gone

    retried = as_organizer.post(f"/events/{event.id}/jobs/{job['id']}/retry",
                                headers={"Accept": "application/json"}).get_json()
    done = wait_for_job(as_organizer, retried["status_url"], limit=120)
    assert done["status"] == "done" and (done["done"], done["total"]) == (COUNT, COUNT)
    pdf = as_organizer.get(done["download"]).data
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert _job(job["id"]).attempts == 2
    second.send_signal(signal.SIGINT)
    second.wait(timeout=30)
