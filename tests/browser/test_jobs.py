"""Letters for everyone as a background job, in real browsers: the organizer watches the
bar, walks away to the quotas page, is told the letters are ready and downloads them —
while a gate keeps scanning and gets its green answers from the server."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from checkin.attendance.models import Attendance
from checkin.attendance.services import create_gate
from checkin.attendees.invitations import active_invitation, active_invitations, invitation_url
from checkin.attendees.services import nominate
from checkin.extensions import db
from checkin.types import utcnow
from checkin.units.services import set_quota
from tests.attendees.qrtools import decode_image, pdf_pages
from tests.browser.conftest import sign_in
from tests.jobs.fixtures import worker_process  # noqa: F401

pytestmark = pytest.mark.usefixtures("worker_process")

COUNT = 120


@pytest.fixture
def live_event(make_event, quota_unit):
    start = utcnow() - timedelta(minutes=20)
    event = make_event(title="Hội nghị đại biểu", starts_at=start,
                       ends_at=start + timedelta(hours=3))
    set_quota(event, quota_unit, COUNT)
    return event


def test_letters_job_with_progress_notice_and_a_gate_that_keeps_answering(
        browser, live_server, laptop, live_event, quota_unit, organizer):
    people = [nominate(live_event, quota_unit, full_name=f"Đại Biểu Số {i:03d}")
              for i in range(COUNT)]
    gate = create_gate(live_event, name="Cổng chính")
    gate_ctx = browser.new_context(viewport={"width": 800, "height": 1280},
                                   base_url=live_server)
    gate_page = gate_ctx.new_page()
    with gate_page.expect_response(lambda r: "/gate-list" in r.url):
        gate_page.goto(f"/g/{gate.pairing_token}")

    sign_in(laptop, organizer)
    laptop.goto(f"/events/{live_event.id}/people/print")
    laptop.click("text=Giấy mời của tất cả (PDF)")
    box = laptop.locator("#jobs-letters .job")
    box.wait_for()
    # The bar moves: some letters drawn, not all.
    laptop.wait_for_function(
        """() => { const b = document.querySelector('#jobs-letters .job-bar');
                   return b && !b.hidden && b.value > 0 && b.value < b.max; }""",
        timeout=30_000)
    assert "/ " + str(COUNT) in box.locator(".job-counts").inner_text()

    # Meanwhile a delegate arrives at the gate: the server answers, green.
    scanned = people[7]
    started = time.monotonic()
    with gate_page.expect_response(lambda r: "/checkins" in r.url or "/checkin" in r.url) \
            as answer:
        gate_page.fill("#scanner-input", invitation_url(active_invitation(scanned)))
        gate_page.press("#scanner-input", "Enter")
    waited = time.monotonic() - started
    assert answer.value.ok
    gate_page.locator("#result.result-ok").wait_for(timeout=5000)
    assert gate_page.locator("#result-name").inner_text() == scanned.full_name
    assert db.session.query(Attendance).filter_by(attendee_id=scanned.id).count() == 1
    print(f"gate answered in {waited * 1000:.0f} ms during the letters job")

    # The organizer walks away to the quotas page; the notice finds them there.
    laptop.goto(f"/events/{live_event.id}/quotas")
    notice = laptop.locator(".job-notice")
    notice.wait_for(timeout=60_000)
    assert "Đã xong" in notice.inner_text() and "Giấy mời" in notice.inner_text()
    link = notice.locator("a")
    assert link.inner_text() == "Tải về"
    response = laptop.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pages = pdf_pages(response.body(), dpi=100)
    assert len(pages) == COUNT
    expected = {invitation_url(i) for i in active_invitations(live_event).values()}
    sample = pages[:3] + pages[-3:]
    found = {decode_image(p)[0] for p in sample}
    assert found <= expected and len(found) == len(sample)
    gate_ctx.close()
