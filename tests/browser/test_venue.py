"""Venue mode: gunicorn serving HTTPS with the certificate `make run-venue` makes, and a gate
tablet that pairs through it gets a secure context, so its camera reads a delegate's QR."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from checkin.attendance.models import Attendance
from checkin.attendance.services import create_gate
from checkin.attendees.invitations import active_invitation, invitation_url
from checkin.attendees.services import nominate
from checkin.extensions import db
from checkin.types import utcnow
from tests.browser.conftest import CHROMIUM
from tests.browser.test_gate import write_y4m

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def venue_server(app, tmp_path):
    """`make run-venue`'s certificate and server, on a free port, against the test database."""
    subprocess.run([str(ROOT / "scripts" / "venue-cert"), "127.0.0.1", str(tmp_path)],
                   check=True, capture_output=True)
    port = _free_port()
    base = f"https://127.0.0.1:{port}"
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SOCKETIO_ASYNC_MODE="gevent", SECRET_KEY="venue-test", RATELIMIT_ENABLED="0",
               PUBLIC_URL=base, SESSION_COOKIE_SECURE="1")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen([gunicorn, "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}",
                             "--certfile", str(tmp_path / "cert.pem"),
                             "--keyfile", str(tmp_path / "key.pem"),
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    try:
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", context=insecure,
                                            timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("the venue server did not start")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_a_gate_tablet_gets_the_camera_over_the_venue_https(tmp_path, browser, venue_server,
                                                           make_event, quota_unit):
    from checkin.units.services import set_quota

    start = utcnow() - timedelta(minutes=20)
    event = make_event(title="Hội nghị tại hội trường", starts_at=start,
                       ends_at=start + timedelta(hours=3))
    set_quota(event, quota_unit, 3)
    person = nominate(event, quota_unit, full_name="Huỳnh Thị Mai Anh")
    url = invitation_url(active_invitation(person))
    gate = create_gate(event, name="Cổng 1")
    video = tmp_path / "qr.y4m"
    write_y4m(video, url)
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--use-fake-device-for-media-stream",
              "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    try:
        # The tablet accepts the laptop's certificate once, as the guide says.
        context = camera_browser.new_context(viewport={"width": 800, "height": 1280},
                                             base_url=venue_server, ignore_https_errors=True,
                                             permissions=["camera"])
        page = context.new_page()
        page.goto(f"/g/{gate.pairing_token}")
        assert page.url == f"{venue_server}/gate"
        assert page.evaluate("window.isSecureContext") is True
        assert page.evaluate("!!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)")
        result = page.locator("#result")
        result.wait_for(state="visible", timeout=20_000)
        assert page.locator("#result-name").inner_text() == "Huỳnh Thị Mai Anh"
        db.session.expire_all()
        assert db.session.query(Attendance).filter_by(attendee_id=person.id).count() == 1
    finally:
        camera_browser.close()
