"""Hybrid meetings in a real browser: the switch, the HTTP fallback, counted once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from checkin.attendance.models import Attendance
from checkin.attendance.services import check_in
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.dialogue.services import ask, set_agenda
from checkin.events.live import set_stream, switch_mode
from checkin.extensions import db
from checkin.types import utcnow
from tests.browser.conftest import sign_in


@pytest.fixture
def meeting(make_event, quota_unit):
    from checkin.units.services import set_quota

    start = utcnow() - timedelta(minutes=15)
    event = make_event(title="Đối thoại — phương án 2", kind="dialogue", starts_at=start,
                       ends_at=start + timedelta(hours=3))
    set_quota(event, quota_unit, 3)
    set_stream(event, primary_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    return event


def signed_in(browser, live_server, organizer, **kw):
    ctx = browser.new_context(base_url=live_server, **kw)
    page = ctx.new_page()
    sign_in(page, organizer)
    return ctx, page


def phone_context(browser, live_server):
    return browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740},
                               is_mobile=True, has_touch=True)


def test_switching_online_shows_the_player_and_the_join_on_an_open_phone(
        browser, live_server, meeting, quota_unit, organizer):
    person = nominate(meeting, quota_unit, full_name="Trịnh Văn Quyết")
    phone_ctx = phone_context(browser, live_server)
    chair_ctx, chair = signed_in(browser, live_server, organizer)
    try:
        phone = phone_ctx.new_page()
        phone.goto(f"/i/{active_invitation(person).token}")
        expect(phone.locator("#stream")).to_be_hidden()
        chair.goto(f"/events/{meeting.id}/live")
        chair.select_option("#mode", "online")
        chair.fill("#announcement", "Chuyển sang phương án 2: trực tuyến")
        chair.on("dialog", lambda d: d.accept())
        chair.click("#mode-form button[type=submit]")
        expect(phone.locator("#announcement")).to_have_text(
            "Chuyển sang phương án 2: trực tuyến", timeout=2000)
        expect(phone.locator("#stream")).to_be_visible(timeout=2000)
        expect(phone.locator("#player iframe")).to_have_attribute(
            "src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1")
        expect(phone.locator("#join")).to_be_visible()
        expect(phone.locator("#open-app-link")).to_have_attribute(
            "href", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        phone.click("#join")
        expect(phone.locator("#joined")).to_be_visible(timeout=5000)
        assert db.session.query(Attendance).one().method == "online"
    finally:
        phone_ctx.close()
        chair_ctx.close()


def test_without_socketio_the_phone_keeps_working_over_http(browser, live_server, meeting,
                                                            quota_unit, organizer):
    person = nominate(meeting, quota_unit, full_name="Lâm Thị Ngọc")
    token = active_invitation(person).token
    check_in(meeting, token)
    set_agenda(meeting, questions_open=True)
    other = nominate(meeting, quota_unit, full_name="Đào Văn Hùng")
    check_in(meeting, active_invitation(other).token)
    waiting = ask(meeting, other, text="Câu hỏi chờ duyệt qua HTTP")
    phone_ctx = phone_context(browser, live_server)
    phone_ctx.route("**/socket.io/**", lambda route: route.abort())  # a venue that blocks it
    chair_ctx, chair = signed_in(browser, live_server, organizer)
    try:
        phone = phone_ctx.new_page()
        phone.goto(f"/i/{token}")
        expect(phone.locator("#paused")).to_be_visible(timeout=10_000)
        chair.goto(f"/events/{meeting.id}/console")
        chair.locator(f"li[data-id='{waiting.id}'] form[action$='/approve'] button").click()
        expect(phone.locator("#queue-list")).to_contain_text("Câu hỏi chờ duyệt qua HTTP",
                                                            timeout=10_000)
        phone.fill("#ask-text", "Câu hỏi gửi khi không có Socket.IO")
        phone.click("#ask-form button[type=submit]")
        expect(chair.locator(".col-submitted")).to_contain_text(
            "Câu hỏi gửi khi không có Socket.IO", timeout=10_000)
    finally:
        phone_ctx.close()
        chair_ctx.close()


def test_checked_in_at_the_hall_then_joining_online_counts_once(browser, live_server,
                                                                meeting, quota_unit):
    person = nominate(meeting, quota_unit, full_name="Mai Thị Hồng")
    token = active_invitation(person).token
    check_in(meeting, token)
    switch_mode(meeting, "hybrid")
    phone_ctx = phone_context(browser, live_server)
    try:
        phone = phone_ctx.new_page()
        phone.goto(f"/i/{token}")
        expect(phone.locator("#attendance-status")).to_be_visible()
        assert phone.locator("#join").count() == 0  # already here
        reply = phone.evaluate("""async () => {
            const cfg = JSON.parse(document.getElementById('phone-config').textContent);
            const r = await fetch(cfg.join, {method: 'POST', headers: {
                'X-CSRFToken': cfg.csrf, 'Accept': 'application/json'}});
            return r.json();
        }""")
        assert reply["result"] == "already_checked_in" and reply["method"] == "scan"
        assert db.session.query(Attendance).count() == 1
    finally:
        phone_ctx.close()
