"""The hall's big screens at 1920×1080 and the organizer's live board."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from checkin.attendance.services import check_in, create_gate, pair_device
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate, register_walk_in
from checkin.dialogue import services as dialogue
from checkin.types import utcnow
from tests.browser.conftest import sign_in

SCREEN = {"width": 1920, "height": 1080}
LONG = ("Đề nghị Tỉnh đoàn phối hợp với Ban quản lý các khu công nghiệp và doanh nghiệp "
        "xây dựng thêm nhà trọ giá rẻ, nhà văn hóa và điểm sinh hoạt chi đoàn gần nơi "
        "công nhân trẻ làm việc; đồng thời hỗ trợ kinh phí cho các chi hội hoạt động "
        "ngoài giờ làm việc?")


def _event(make_event, make_unit, seats=3):
    from checkin.units.services import set_quota

    start = utcnow() - timedelta(minutes=20)
    event = make_event(title="Đối thoại với thanh niên công nhân", kind="dialogue",
                       starts_at=start, ends_at=start + timedelta(hours=3))
    unit = make_unit("Chi đoàn Công ty May Tây Ninh", kind="branch")
    set_quota(event, unit, seats)
    return event, unit


def test_the_dialogue_screen_keeps_the_question_while_a_delegate_speaks(
        browser, live_server, make_event, make_unit, organizer):
    event, unit = _event(make_event, make_unit)
    people = [nominate(event, unit, full_name=n) for n in ("Nguyễn Văn An", "Trần Thị Bích")]
    for p in people:
        check_in(event, active_invitation(p).token)
    dialogue.set_agenda(event, questions_open=True)
    question = dialogue.ask(event, people[0], text=LONG)
    dialogue.approve(question)
    dialogue.start_answering(question)
    ctx = browser.new_context(viewport=SCREEN, base_url=live_server, locale="vi-VN")
    chair_ctx = browser.new_context(viewport={"width": 1280, "height": 800},
                                    base_url=live_server, locale="vi-VN")
    try:
        screen = ctx.new_page()
        sign_in(screen, organizer)
        screen.goto(f"/events/{event.id}/stage")
        expect(screen.locator("#stage-question")).to_have_text(LONG)
        size = screen.eval_on_selector("#stage-question",
                                       "e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 44
        box = screen.locator("#stage-question").bounding_box()
        assert box["y"] + box["height"] <= SCREEN["height"]
        assert screen.locator("meta[http-equiv=refresh]").count() == 0
        assert screen.locator(".stage-join svg title").count() == 1
        assert screen.title().startswith("Màn hình đối thoại")

        # The chair gives the floor: the question stays, the speaker and a countdown appear.
        chair = chair_ctx.new_page()
        sign_in(chair, organizer)
        floor = dialogue.request_floor(event, people[1], topic="Nhà ở công nhân")
        chair.goto(f"/events/{event.id}/console")
        expect(chair.locator("#live")).to_have_class("pill online")
        chair.locator(f'#floor-list li[data-id="{floor.id}"] form[data-action="speaking"] '
                      f'button').click()
        expect(screen.locator("#speaker-name")).to_have_text("Trần Thị Bích")
        expect(screen.locator("#stage-question")).to_have_text(LONG)
        expect(screen.locator("#stage-countdown")).to_have_text(re.compile(r"^[23]:\d\d$"))
        size = screen.eval_on_selector("#stage-question",
                                       "e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 44
        for sel in ("#stage-question", "#stage-countdown", "#speaker-name"):
            b = screen.locator(sel).bounding_box()
            assert b["y"] + b["height"] <= SCREEN["height"], sel
        # All of it is shown: nothing cut off at the bottom of its column.
        assert screen.evaluate("""() => { const n = document.querySelector('.stage-now');
            return n.scrollHeight <= n.clientHeight + 1; }""")
        # An overrun is shown legibly and capped.
        screen.evaluate("""() => { const c = document.getElementById('stage-countdown');
            c.dataset.started = new Date(Date.now() - 3600e3).toISOString(); }""")
        expect(screen.locator("#stage-countdown")).to_have_text("+9:59 quá giờ")
    finally:
        ctx.close()
        chair_ctx.close()


def test_the_hall_qr_fills_the_screen_and_rotates_without_reloading(
        browser, live_server, make_event, make_unit, organizer):
    event, _unit = _event(make_event, make_unit)
    ctx = browser.new_context(viewport=SCREEN, base_url=live_server, locale="vi-VN")
    try:
        page = ctx.new_page()
        sign_in(page, organizer)
        page.clock.install()
        page.goto(f"/events/{event.id}/hall-qr")
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        box = page.locator("#hall-qr svg").bounding_box()
        assert box["height"] >= 0.8 * SCREEN["height"]
        small = page.eval_on_selector(".hall-small",
                                      "e => parseFloat(getComputedStyle(e).fontSize)")
        assert small >= 24
        assert page.locator("#hall-qr svg title").count() == 1
        # The page stays (no reload); the code shown is replaced by the server's current one.
        page.evaluate("""() => { window.stayed = true;
            document.querySelector('#hall-qr svg path').setAttribute('d', 'M0 0h1v1h-1z'); }""")
        page.clock.fast_forward(16_000)
        expect(page.locator("#hall-qr svg path")).not_to_have_attribute("d", "M0 0h1v1h-1z")
        assert page.evaluate("window.stayed") is True
    finally:
        ctx.close()


def test_the_board_category_line_and_arrivals_change_live(
        browser, live_server, make_event, make_unit, organizer):
    event, unit = _event(make_event, make_unit)
    person = nominate(event, unit, full_name="Huỳnh Thị Mai Anh")
    token = active_invitation(person).token
    gate = create_gate(event, name="Cổng 2")
    _device, device_token = pair_device(gate.pairing_token, label="Cổng 2 – máy tính bảng 1")
    guest = register_walk_in(event, category="guest", full_name="Võ Minh Khách",
                             organization="Báo Thanh Niên", position="", phone="")
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server,
                              locale="vi-VN")
    try:
        page = ctx.new_page()
        sign_in(page, organizer)
        page.goto(f"/events/{event.id}/attendance")
        expect(page.locator("#live")).to_have_class("pill online")
        expect(page.locator('#categories [data-cat="delegate"] .p')).to_have_text("0")
        api = ctx.request
        bearer = {"Authorization": f"Bearer {device_token}"}
        r = api.post(f"/api/v1/events/{event.id}/checkins", headers=bearer,
                     data={"token": token, "nonce": "board-live-0001"})
        assert r.ok, r.text()
        expect(page.locator('#categories [data-cat="delegate"] .p')).to_have_text("1")
        first = page.locator("#arrivals li").first
        expect(first).to_contain_text("Huỳnh Thị Mai Anh")
        expect(first).to_contain_text("Cổng 2")
        r = api.post(f"/api/v1/events/{event.id}/checkins/manual", headers=bearer,
                     data={"attendee_id": guest.id, "nonce": "board-live-0002"})
        assert r.ok, r.text()
        expect(page.locator('#categories [data-cat="guest"] .p')).to_have_text("1")
        expect(page.locator("#arrivals li").first).to_contain_text("Võ Minh Khách")
        expect(page.locator("#present")).to_have_text("2")
        # An undo at the gate takes the arrival off the list.
        r = api.post(f"/events/{event.id}/gate/undo", headers=bearer,
                     form={"attendee_id": str(person.id)})
        assert r.ok, r.text()
        expect(page.locator(f'#arrivals li[data-attendee="{person.id}"]')).to_have_count(0)
        expect(page.locator('#categories [data-cat="delegate"] .p')).to_have_text("0")
    finally:
        ctx.close()


def test_the_console_zooms_the_dialogue_screen(browser, live_server, make_event, make_unit,
                                               organizer):
    event, unit = _event(make_event, make_unit)
    person = nominate(event, unit, full_name="Nguyễn Văn An")
    check_in(event, active_invitation(person).token)
    dialogue.set_agenda(event, questions_open=True)
    question = dialogue.ask(event, person, text="Nhà trọ cho công nhân?")
    dialogue.approve(question)
    dialogue.start_answering(question)
    ctx = browser.new_context(viewport=SCREEN, base_url=live_server, locale="vi-VN")
    try:
        screen = ctx.new_page()
        sign_in(screen, organizer)
        screen.goto(f"/events/{event.id}/stage")
        chair = ctx.new_page()
        chair.set_viewport_size({"width": 1280, "height": 800})
        chair.goto(f"/events/{event.id}/console")
        expect(chair.locator("#live")).to_have_class("pill online")
        size = "() => parseFloat(getComputedStyle(document.getElementById('stage-who')).fontSize)"
        before = screen.evaluate(size)
        chair.locator('[data-zoom="10"]').click()
        chair.locator('[data-zoom="10"]').click()
        expect(chair.locator("#zoom-value")).to_have_text("120%")
        screen.wait_for_function(f"() => ({size})() > {before} * 1.15")
        screen.reload()  # the screen keeps the chair's zoom
        screen.wait_for_function(f"() => ({size})() > {before} * 1.15")
    finally:
        ctx.close()
