"""Background jobs through the pages, run by a real worker (Huey's consumer)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from checkin.attendees.invitations import active_invitations, invitation_url
from checkin.attendees.services import nominate
from checkin.extensions import db
from checkin.jobs import services
from checkin.jobs.models import Job
from tests.attendees.qrtools import decode_image, pdf_pages
from tests.jobs.fixtures import start_and_wait, wait_for_job


@pytest.fixture
def people(event, quota_unit):
    return [nominate(event, quota_unit, full_name=n) for n in
            ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường")]


def test_letters_job_runs_on_the_worker_and_the_file_downloads(as_organizer, event, people,
                                                                worker):
    page = as_organizer.get(f"/events/{event.id}/people/print").get_data(as_text=True)
    assert f'action="/events/{event.id}/people/letters"' in page
    job = start_and_wait(as_organizer, f"/events/{event.id}/people/letters")
    assert job["status"] == "done", job
    assert (job["done"], job["total"]) == (3, 3)
    response = as_organizer.get(job["download"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "private" in response.headers["Cache-Control"]
    pages = pdf_pages(response.data)
    links = {invitation_url(i) for i in active_invitations(event).values()}
    assert {decode_image(p)[0] for p in pages} == links
    # The organizer finds it again in the event's jobs.
    listing = as_organizer.get(f"/events/{event.id}/jobs/").get_data(as_text=True)
    assert job["download"] in listing


def test_a_second_identical_start_joins_the_first(as_organizer, event, people, job_storage):
    first = as_organizer.post(f"/events/{event.id}/people/letters",
                              headers={"Accept": "application/json"}).get_json()
    second = as_organizer.post(f"/events/{event.id}/people/letters",
                               headers={"Accept": "application/json"}).get_json()
    other = as_organizer.post(f"/events/{event.id}/people/badges",
                              headers={"Accept": "application/json"}).get_json()
    assert first["id"] == second["id"] != other["id"]
    assert first["status"] == "queued"
    assert db.session.scalar(select(db.func.count()).select_from(Job)) == 2


def test_cancel_a_waiting_job_and_retry_it(as_organizer, event, people, job_storage, app):
    from checkin.jobs import queue

    job = as_organizer.post(f"/events/{event.id}/people/badges",
                            headers={"Accept": "application/json"}).get_json()
    cancelled = as_organizer.post(f"/events/{event.id}/jobs/{job['id']}/cancel",
                                  headers={"Accept": "application/json"}).get_json()
    assert cancelled["status"] == "cancelled"
    assert as_organizer.get(f"/events/{event.id}/jobs/{job['id']}/download").status_code == 404
    # A worker that receives the cancelled job's message does nothing with it.
    consumer = queue.make_consumer(app, workers=1, embedded=True, max_delay=0.05)
    consumer.start()
    try:
        retried = as_organizer.post(f"/events/{event.id}/jobs/{job['id']}/retry",
                                    headers={"Accept": "application/json"}).get_json()
        assert retried["id"] == job["id"]
        done = wait_for_job(as_organizer, retried["status_url"])
    finally:
        consumer.stop(graceful=True)
    assert done["status"] == "done" and done["download"]
    assert db.session.get(Job, job["id"]).attempts == 1


def test_cancel_a_running_job_stops_it_at_its_next_progress(app, event, people, organizer,
                                                            job_storage):
    job = services.start_job(event, "letters", by_user=organizer)
    calls = []

    def cancel_midway(done, total):
        calls.append(done)
        if done == 1:
            with app.app_context():
                services.cancel_job(db.session.get(Job, job.id))

    from checkin.attendees import letters

    original = letters.render_letters

    def render(event, people, progress=None):
        def both(done, total):
            cancel_midway(done, total)
            progress(done, total, force=True)
        return original(event, people, progress=both)

    letters.render_letters = render
    try:
        services.run_job(job.id)
    finally:
        letters.render_letters = original
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "cancelled" and job.result_path == "" and calls == [0, 1]
    assert list(services.jobs_dir().glob("*.pdf")) == []


def test_a_failure_says_what_went_wrong_in_vietnamese(as_organizer, event, worker):
    job = start_and_wait(as_organizer, f"/events/{event.id}/people/letters")
    assert job["status"] == "failed"
    assert job["error"] == "Không có ai trong lựa chọn này."
    page = as_organizer.get(job["url"]).get_data(as_text=True)
    assert "Không có ai trong lựa chọn này." in page and "/retry" in page


def test_only_staff_of_the_event_see_its_jobs(client, event, people, make_user, job_storage):
    from tests.conftest import login

    job = services.start_job(event, "letters")
    stranger = make_user("organizer", username="nguoila")
    login(client, stranger)
    for url in (f"/events/{event.id}/jobs/", f"/events/{event.id}/jobs/{job.id}.json",
                f"/events/{event.id}/jobs/{job.id}/download"):
        assert client.get(url).status_code == 403


def test_finished_files_are_deleted_when_their_time_is_up(as_organizer, event, people, worker):
    from datetime import timedelta

    from checkin.types import utcnow

    job = start_and_wait(as_organizer, f"/events/{event.id}/people/badges")
    row = db.session.get(Job, job["id"])
    path = services.jobs_dir() / row.result_path
    assert path.is_file()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert as_organizer.get(job["download"]).status_code == 404
    assert services.sweep_jobs()["expired"] == 1
    assert not path.exists()


def test_my_jobs_json_for_the_notice(as_organizer, event, people, worker):
    job = start_and_wait(as_organizer, f"/events/{event.id}/people/letters")
    mine = as_organizer.get("/jobs/mine.json").get_json()["jobs"]
    assert [j["id"] for j in mine] == [job["id"]]
    assert mine[0]["download"] == job["download"] and mine[0]["label"] == "Giấy mời"


def test_progress_reaches_the_starters_pages_over_socketio(as_organizer, event,
                                                           people, organizer, socket_client,
                                                           app, monkeypatch):
    """With a message queue the worker emits itself (here: in this process)."""
    monkeypatch.setitem(app.config, "MESSAGE_QUEUE", "redis://unused")  # emit, not relay
    mine = socket_client(flask_test_client=as_organizer)
    assert mine.emit("jobs", {}, callback=True) == {"ok": True}
    job = services.start_job(event, "badges", by_user=organizer)
    services.run_job(job.id)
    received = [m["args"][0] for m in mine.get_received() if m["name"] == "job"]
    assert received[0]["status"] == "running" and received[-1]["status"] == "done"
    assert received[-1]["done"] == received[-1]["total"] == 3
    assert all(m["user_id"] == organizer.id for m in received)
