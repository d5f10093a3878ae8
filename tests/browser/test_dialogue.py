"""Three screens at once: a delegate's phone, the chair's tablet, the projector."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from checkin.attendance.services import check_in
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.dialogue.services import set_agenda
from checkin.types import utcnow
from tests.browser.conftest import sign_in

EVIL = '<img src=x onerror="alert(1)"><script>alert(2)</script> Lương tối thiểu?'


def test_ask_moderate_project_and_answer_live(browser, live_server, make_event, quota_unit,
                                              organizer):
    from checkin.units.services import set_quota

    start = utcnow() - timedelta(minutes=20)
    event = make_event(title="Đối thoại với thanh niên công nhân", kind="dialogue",
                       starts_at=start, ends_at=start + timedelta(hours=3))
    set_quota(event, quota_unit, 2)
    person = nominate(event, quota_unit, full_name="Phạm Thị Thu Hà")
    token = active_invitation(person).token
    check_in(event, token)
    set_agenda(event, questions_open=True)

    dialogs: list[str] = []

    def context(**kw):
        ctx = browser.new_context(base_url=live_server, **kw)
        ctx.on("page", lambda p: p.on("dialog", lambda d: (dialogs.append(d.message),
                                                           d.dismiss())))
        return ctx

    phone_ctx = context(viewport={"width": 360, "height": 740}, is_mobile=True,
                        has_touch=True)
    chair_ctx = context(viewport={"width": 1280, "height": 800})
    screen_ctx = context(viewport={"width": 1920, "height": 1080})
    try:
        chair = chair_ctx.new_page()
        sign_in(chair, organizer)
        chair.goto(f"/events/{event.id}/console")
        expect(chair.locator("#live")).to_have_class("pill online")

        screen = screen_ctx.new_page()
        screen.context.add_cookies(chair_ctx.cookies())
        screen.goto(f"/events/{event.id}/stage")

        phone = phone_ctx.new_page()
        phone.goto(f"/i/{token}")
        phone.fill("#ask-text", EVIL)
        phone.click("#ask-form button[type=submit]")
        expect(phone.locator("#mine-list .q-text").first).to_have_text(EVIL)

        # The chair sees it arrive, approves it and puts it on the screen.
        new = chair.locator(".col-submitted .question").first
        expect(new.locator(".q-text")).to_have_text(EVIL, timeout=5000)
        new.locator("form[action$='/approve'] button").click()
        approved = chair.locator(".col-approved .question").first
        expect(approved.locator(".q-text")).to_have_text(EVIL, timeout=5000)
        approved.locator("form[action$='/answering'] button").click()

        expect(screen.locator("#stage-question")).to_have_text(EVIL, timeout=5000)
        expect(phone.locator("#answering-text")).to_have_text(EVIL, timeout=5000)

        answering = chair.locator(".col-answering .question").first
        expect(answering.locator(".q-text")).to_have_text(EVIL, timeout=5000)
        answering.locator("textarea[name=note]").fill("Sở Lao động trả lời: tăng từ 1/7.")
        answering.locator("form[action$='/answered'] button").click()

        expect(phone.locator("#mine-list")).to_contain_text("Sở Lao động trả lời: tăng từ 1/7.",
                                                           timeout=5000)
        expect(screen.locator("#stage-question")).to_have_class("stage-question muted",
                                                                timeout=5000)
        for page in (phone, chair, screen):
            assert page.locator("script:text('alert(2)')").count() == 0
            assert page.locator("img[src=x]").count() == 0
        assert dialogs == []  # no script from the question ever ran
    finally:
        for ctx in (phone_ctx, chair_ctx, screen_ctx):
            ctx.close()
