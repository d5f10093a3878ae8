"""The gate in a real browser: a camera that sees a delegate's QR, and a network that drops."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from checkin.attendance.models import Attendance
from checkin.attendance.services import create_gate
from checkin.attendees.invitations import active_invitation, invitation_url
from checkin.attendees.qr import qr_png
from checkin.attendees.services import nominate
from checkin.extensions import db
from checkin.types import utcnow
from tests.browser.conftest import CHROMIUM, sign_in


@pytest.fixture
def live_event(make_event, quota_unit):
    start = utcnow() - timedelta(minutes=20)
    event = make_event(title="Đối thoại trực tiếp", starts_at=start,
                       ends_at=start + timedelta(hours=3))
    from checkin.units.services import set_quota

    set_quota(event, quota_unit, 3)
    return event


def write_y4m(path, text: str, frames: int = 12) -> None:
    """A video of a QR code, as Chromium's fake camera plays it (Y4M, 4:2:0)."""
    width, height = 640, 480
    code = Image.open(io.BytesIO(qr_png(text, scale=8))).convert("L")
    code = code.resize((380, 380), Image.NEAREST)
    frame = Image.new("L", (width, height), 255)
    frame.paste(code, ((width - 380) // 2, (height - 380) // 2))
    y = frame.tobytes()
    uv = bytes([128]) * (width // 2 * height // 2)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n" + y + uv + uv)


def test_the_camera_reads_a_delegates_qr_and_the_projector_counts_it(
        tmp_path, live_server, browser, live_event, quota_unit, organizer):
    person = nominate(live_event, quota_unit, full_name="Huỳnh Thị Mai Anh",
                      position="Bí thư Chi đoàn")
    url = invitation_url(active_invitation(person))
    video = tmp_path / "qr.y4m"
    write_y4m(video, url)
    gate = create_gate(live_event, name="Cổng 1")

    # The projector, signed in as the organizer, in its own context.
    projector_ctx = browser.new_context(viewport={"width": 1920, "height": 1080},
                                        base_url=live_server)
    projector = projector_ctx.new_page()
    sign_in(projector, organizer)
    projector.goto(f"/events/{live_event.id}/projector")
    assert projector.locator("#present").inner_text() == "0"

    # A separate Chromium whose camera plays the video of the QR code.
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--use-fake-device-for-media-stream",
              "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera_browser.new_context(viewport={"width": 800, "height": 1280},
                                             base_url=live_server,
                                             permissions=["camera"])
        page = context.new_page()
        page.goto(f"/g/{gate.pairing_token}")  # the tablet scans the pairing code
        assert page.url.endswith("/gate")
        result = page.locator("#result")
        result.wait_for(state="visible", timeout=15_000)
        assert "result-ok" in result.get_attribute("class")
        assert page.locator("#result-name").inner_text() == "Huỳnh Thị Mai Anh"
        assert "Chi đoàn Công ty May Tây Ninh" in page.locator("#result-detail").inner_text()
    finally:
        camera_browser.close()
    expect(projector.locator("#present")).to_have_text("1", timeout=10_000)
    projector_ctx.close()
    attendance = db.session.query(Attendance).one()
    assert (attendance.attendee_id, attendance.gate_id) == (person.id, gate.id)


def test_scans_made_offline_are_kept_and_synced(browser, live_server, live_event, quota_unit):
    person = nominate(live_event, quota_unit, full_name="Đỗ Minh Khôi")
    gate = create_gate(live_event, name="Cổng 2")
    context = browser.new_context(viewport={"width": 800, "height": 1280},
                                  base_url=live_server)
    page = context.new_page()
    with page.expect_response(lambda r: "/gate-list" in r.url):
        page.goto(f"/g/{gate.pairing_token}")
    page.wait_for_timeout(300)  # let the list land in IndexedDB
    context.set_offline(True)
    page.fill("#scanner-input", invitation_url(active_invitation(person)))
    page.press("#scanner-input", "Enter")
    page.locator("#result.result-ok").wait_for(timeout=5000)
    assert page.locator("#result-name").inner_text() == "Đỗ Minh Khôi"
    assert page.locator("#net").inner_text() == "Mất kết nối"
    assert page.locator("#queue").is_visible()
    assert db.session.query(Attendance).count() == 0
    scanned_while_offline = utcnow()

    context.set_offline(False)
    expect(page.locator("#queue")).to_be_hidden(timeout=15_000)
    attendance = db.session.query(Attendance).one()
    assert attendance.attendee_id == person.id and attendance.gate_id == gate.id
    assert attendance.checked_in_at <= scanned_while_offline  # the scan's own time
    context.close()
