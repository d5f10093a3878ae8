"""A real job worker for tests: Huey's consumer in threads of the test process, on a
queue file and a files folder of the test's own, against the test database.

Import the fixture into a package's conftest.py to use it there:
``from tests.jobs.fixtures import worker  # noqa: F401``.
"""

from __future__ import annotations

import time

import pytest


def use_job_storage(app, tmp_path) -> None:
    from checkin.jobs import queue

    app.config["JOBS_URL"] = f"sqlite:///{tmp_path / 'jobs-queue.db'}"
    app.config["JOBS_DIR"] = str(tmp_path / "job-files")
    queue.reset(app)


@pytest.fixture
def job_storage(app, tmp_path):
    """The queue and files folder of this test (no worker: jobs wait)."""
    from checkin.jobs import queue

    saved = app.config["JOBS_URL"], app.config["JOBS_DIR"]
    use_job_storage(app, tmp_path)
    yield
    queue.reset(app)
    app.config["JOBS_URL"], app.config["JOBS_DIR"] = saved


@pytest.fixture
def worker(app, job_storage):
    """A running worker (two threads) for this test."""
    from checkin.jobs import queue

    consumer = queue.make_consumer(app, workers=2, embedded=True, max_delay=0.05)
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)


def wait_for_job(client, status_url: str, *, limit: float = 60.0) -> dict:
    """Poll the job's status JSON, as the page does, until it has ended."""
    deadline = time.monotonic() + limit
    while True:
        job = client.get(status_url).get_json()
        if job["status"] not in ("queued", "running"):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job still {job['status']} after {limit} s: {job}")
        time.sleep(0.05)


def start_and_wait(client, url: str, data: dict | None = None, **kwargs) -> dict:
    """Post the form that starts a job (as the page's script does) and wait for its end."""
    response = client.post(url, data=data or {}, headers={"Accept": "application/json"},
                           **kwargs)
    assert response.status_code == 202, response.get_data(as_text=True)
    return wait_for_job(client, response.get_json()["status_url"])


def job_file(client, url: str, data: dict | None = None) -> bytes:
    """Start a job from its form, wait for the worker, download the file."""
    job = start_and_wait(client, url, data)
    assert job["status"] == "done", job
    response = client.get(job["download"])
    assert response.status_code == 200
    return response.data


@pytest.fixture
def worker_process(app):
    """``checkin worker`` as a process of its own, on the test app's queue and files (the
    ones tests/servers.py gives the live server)."""
    import subprocess
    import sys
    from pathlib import Path

    from tests.servers import ROOT, server_env, stop

    env = server_env(app, SOCKETIO_ASYNC_MODE="threading", JOBS_WORKERS=1,
                     FLASK_APP="wsgi:app")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "checkin"), "worker"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    yield proc
    stop(proc)
