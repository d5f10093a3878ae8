"""The chair's console on a 1280×800 landscape tablet: live patches that never wipe what the
moderator is typing, everything in view, and a chair who works with the keyboard only."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from checkin.attendance.services import check_in
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.dialogue import services as dialogue
from checkin.dialogue.models import Question
from checkin.extensions import db
from checkin.types import utcnow
from tests.browser.conftest import PHONE, sign_in

TABLET = {"width": 1280, "height": 800}


def _meeting(make_event, make_unit, people: int):
    from checkin.units.services import set_quota

    start = utcnow() - timedelta(minutes=20)
    event = make_event(title="Đối thoại với thanh niên công nhân", kind="dialogue",
                       starts_at=start, ends_at=start + timedelta(hours=3))
    unit = make_unit("Chi đoàn Công ty May Tây Ninh", kind="branch")
    set_quota(event, unit, people)
    delegates = []
    for i in range(people):
        person = nominate(event, unit, full_name=f"Đại biểu số {i + 1}")
        token = active_invitation(person).token
        check_in(event, token)
        delegates.append((person, token))
    dialogue.set_agenda(event, questions_open=True)
    return event, delegates


def _question(event_id: int, qid: int) -> Question:
    db.session.expire_all()
    return db.session.get(Question, qid)


def test_typed_edit_and_note_survive_phones_asking_and_supporting(
        browser, live_server, make_event, make_unit, organizer):
    event, delegates = _meeting(make_event, make_unit, 4)
    author = delegates[0][0]
    edited = dialogue.ask(event, author, text="Câu hỏi về nhà trọ cho công nhân")
    dialogue.approve(edited)
    on_screen = dialogue.ask(event, author, text="Câu hỏi về học nghề buổi tối")
    dialogue.approve(on_screen)
    dialogue.start_answering(on_screen)
    edited_id, on_screen_id, event_id = edited.id, on_screen.id, event.id

    chair_ctx = browser.new_context(viewport=TABLET, base_url=live_server, locale="vi-VN")
    phones = [browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  base_url=live_server, locale="vi-VN") for _ in range(3)]
    try:
        chair = chair_ctx.new_page()
        sign_in(chair, organizer)
        chair.goto(f"/events/{event_id}/console")
        expect(chair.locator("#live")).to_have_class("pill online")

        card = chair.locator(f"#q-{edited_id}")
        card.locator('details[data-panel="edit"] > summary').click()
        card.locator("textarea[name=text]").fill("Đề nghị có nhà trọ giá rẻ gần khu công nghiệp")
        answering = chair.locator(f"#q-{on_screen_id}")
        note = answering.locator("textarea[name=note]")
        note.click()
        note.type("Sở Xây dựng trả lời: năm sau khởi công")

        # Three phones send questions and support the one being edited.
        for i, ctx in enumerate(phones):
            phone = ctx.new_page()
            phone.goto(f"/i/{delegates[i + 1][1]}")
            phone.fill("#ask-text", f"Câu hỏi mới số {i + 1} từ điện thoại")
            phone.click("#ask-form button[type=submit]")
            expect(phone.locator("#mine-list .q-text").first).to_contain_text("điện thoại")
            phone.locator(f'#queue-list li[data-id="{edited_id}"] button.vote').click()
            expect(phone.locator(f'#queue-list li[data-id="{edited_id}"] button.vote')) \
                .to_have_attribute("aria-pressed", "true")

        expect(chair.locator(".col-submitted .question")).to_have_count(3)
        expect(chair.locator(".col-submitted .count")).to_have_text("3")
        expect(card.locator(".votes .n")).to_have_text("3")  # applied in place
        # What the chair typed is still there, and the note still has the focus.
        expect(card.locator("textarea[name=text]")).to_have_value(
            "Đề nghị có nhà trọ giá rẻ gần khu công nghiệp")
        expect(note).to_have_value("Sở Xây dựng trả lời: năm sau khởi công")
        expect(note).to_be_focused()

        card.locator('form[data-action="edit"] button[type=submit]').click()
        expect(card.locator(".q-text")).to_have_text(
            "Đề nghị có nhà trọ giá rẻ gần khu công nghiệp")
        expect(note).to_have_value("Sở Xây dựng trả lời: năm sau khởi công")
        answering.locator('form[data-action="answered"] button[type=submit]').click()
        expect(chair.locator(f".col-answered #q-{on_screen_id} .answer")).to_have_text(
            "Sở Xây dựng trả lời: năm sau khởi công")
        assert _question(event_id, edited_id).text == \
            "Đề nghị có nhà trọ giá rẻ gần khu công nghiệp"
        saved = _question(event_id, on_screen_id)
        assert (saved.status, saved.answer_note) == ("answered",
                                                     "Sở Xây dựng trả lời: năm sau khởi công")
    finally:
        for ctx in (chair_ctx, *phones):
            ctx.close()


def test_a_change_by_another_moderator_is_shown_not_forced_on_the_editor(
        browser, live_server, make_event, make_unit, organizer):
    event, delegates = _meeting(make_event, make_unit, 1)
    question = dialogue.ask(event, delegates[0][0], text="Câu hỏi ban đầu")
    qid, event_id = question.id, event.id
    ctx = browser.new_context(viewport=TABLET, base_url=live_server, locale="vi-VN")
    try:
        chair = ctx.new_page()
        sign_in(chair, organizer)
        chair.goto(f"/events/{event_id}/console")
        expect(chair.locator("#live")).to_have_class("pill online")
        card = chair.locator(f"#q-{qid}")
        card.locator('details[data-panel="edit"] > summary').click()
        card.locator("textarea[name=text]").fill("Bản sửa của tôi")
        # Another moderator approves it meanwhile (a second page of the same account).
        other = ctx.new_page()
        other.goto(f"/events/{event_id}/console")
        other.locator(f'#q-{qid} form[data-action="approve"] button').click()
        expect(other.locator(f".col-approved #q-{qid}")).to_have_count(1)

        expect(card.locator(".changed")).to_be_visible()
        expect(card.locator("textarea[name=text]")).to_have_value("Bản sửa của tôi")
        # Saving the stale edit is refused; the text stays; the new version can be shown.
        card.locator('form[data-action="edit"] button[type=submit]').click()
        expect(chair.locator(".console-flash")).to_be_visible()
        expect(card.locator("textarea[name=text]")).to_have_value("Bản sửa của tôi")
        card.locator(".reload-card").click()
        expect(chair.locator(f".col-approved #q-{qid}")).to_have_count(1)
        expect(chair.locator(f"#q-{qid}")).to_be_focused()
    finally:
        ctx.close()


def test_at_1280x800_the_floor_queue_and_countdown_are_in_view(
        browser, live_server, make_event, make_unit, organizer):
    event, delegates = _meeting(make_event, make_unit, 4)
    for i in range(30):  # long columns scroll inside themselves
        q = dialogue.ask(event, delegates[i % 4][0],
                         text=f"Câu hỏi dài số {i + 1}: " + "kiến nghị về việc làm " * 4)
        if i % 2:
            dialogue.approve(q)
    for person, _token in delegates[:3]:
        dialogue.request_floor(event, person, topic="Nhà ở công nhân")
    speaking = db.session.scalars(select(dialogue.FloorRequest).where(
        dialogue.FloorRequest.event_id == event.id)).first()
    dialogue.set_floor(event, speaking, "speaking")
    ctx = browser.new_context(viewport=TABLET, base_url=live_server, locale="vi-VN")
    try:
        chair = ctx.new_page()
        sign_in(chair, organizer)
        chair.goto(f"/events/{event.id}/console")
        expect(chair.locator("#console-countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
        expect(chair.locator("#console-countdown")).to_be_in_viewport(ratio=1)
        expect(chair.locator(".col-floor h2")).to_be_in_viewport(ratio=1)
        expect(chair.locator(".col-floor .floor")).to_have_count(3)
        for status in ("submitted", "approved", "answering", "answered", "rejected"):
            expect(chair.locator(f".col-{status} h2")).to_be_in_viewport(ratio=1)
        assert chair.evaluate("document.scrollingElement.scrollHeight") <= TABLET["height"]
        sizes = chair.eval_on_selector_all(
            ".console-grid button:visible, .console-grid summary:visible",
            "els => els.map(e => e.getBoundingClientRect().height)")
        assert sizes and min(sizes) >= 44
    finally:
        ctx.close()


def test_a_keyboard_only_chair_approves_orders_and_answers(
        browser, live_server, make_event, make_unit, organizer):
    event, delegates = _meeting(make_event, make_unit, 1)
    first, second = (dialogue.ask(event, delegates[0][0], text=t).id
                     for t in ("Câu hỏi thứ nhất", "Câu hỏi thứ hai"))
    event_id = event.id
    ctx = browser.new_context(viewport=TABLET, base_url=live_server, locale="vi-VN")
    try:
        chair = ctx.new_page()
        sign_in(chair, organizer)
        chair.goto(f"/events/{event_id}/console")
        expect(chair.locator("#live")).to_have_class("pill online")
        kb = chair.keyboard
        kb.press("j")
        expect(chair.locator(f"#q-{first}")).to_be_focused()
        kb.press("a")  # approve: the card moves to the queue and keeps the focus
        expect(chair.locator(f".col-approved #q-{first}")).to_be_focused()
        kb.press("k")  # back to the last new question
        expect(chair.locator(f"#q-{second}")).to_be_focused()
        kb.press("a")
        expect(chair.locator(f".col-approved #q-{second}")).to_be_focused()
        kb.press("Alt+ArrowUp")  # to the front of the queue
        expect(chair.locator(".col-approved .question").first).to_have_id(f"q-{second}")
        expect(chair.locator(f"#q-{second}")).to_be_focused()
        chair.wait_for_function(
            "() => document.querySelector('#live').className.includes('online')")

        def positions():
            return [q.id for q in sorted((_question(event_id, i) for i in (first, second)),
                                         key=lambda q: q.position)]

        for _ in range(50):
            if positions() == [second, first]:
                break
            chair.wait_for_timeout(100)
        assert positions() == [second, first]
        kb.press("n")  # answer now
        expect(chair.locator(f".col-answering #q-{second}")).to_be_focused()
        kb.press(".")  # next: this one answered, the next of the queue on screen
        expect(chair.locator(f".col-answered #q-{second}")).to_have_count(1)
        expect(chair.locator(f".col-answering #q-{first}")).to_be_focused()
        assert _question(event_id, second).status == "answered"
        assert _question(event_id, first).status == "answering"
    finally:
        ctx.close()


def test_the_queue_is_ordered_by_touch_drag_and_by_buttons(
        browser, live_server, make_event, make_unit, organizer):
    event, delegates = _meeting(make_event, make_unit, 1)
    ids = []
    for text in ("Câu hỏi một", "Câu hỏi hai", "Câu hỏi ba"):
        q = dialogue.ask(event, delegates[0][0], text=text)
        dialogue.approve(q)
        ids.append(q.id)
    event_id = event.id
    ctx = browser.new_context(viewport=TABLET, base_url=live_server, locale="vi-VN",
                              has_touch=True)
    try:
        chair = ctx.new_page()
        sign_in(chair, organizer)
        chair.goto(f"/events/{event_id}/console")
        expect(chair.locator("#live")).to_have_class("pill online")
        # A finger drags the third card's handle above the first.
        handle = chair.locator(f"#q-{ids[2]} .handle").bounding_box()
        target = chair.locator(f"#q-{ids[0]}").bounding_box()
        cdp = ctx.new_cdp_session(chair)
        x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2

        def touch(kind, px, py):
            points = [] if kind == "touchEnd" else [{"x": px, "y": py}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        touch("touchStart", x, y)
        steps = 8
        for i in range(1, steps + 1):
            touch("touchMove", x, y + (target["y"] + 5 - y) * i / steps)
        touch("touchEnd", x, target["y"] + 5)
        order = chair.locator(".col-approved .question")
        expect(order.first).to_have_id(f"q-{ids[2]}")

        def saved():
            db.session.expire_all()
            return [q.id for q in sorted((db.session.get(Question, i) for i in ids),
                                         key=lambda q: q.position)]

        for _ in range(50):
            if saved() == [ids[2], ids[0], ids[1]]:
                break
            chair.wait_for_timeout(100)
        assert saved() == [ids[2], ids[0], ids[1]]
        # The buttons: the last one to the top, then one down; the focus stays on its button.
        chair.locator(f'#q-{ids[1]} [data-move="top"]').click()
        expect(order.first).to_have_id(f"q-{ids[1]}")
        expect(chair.locator(f'#q-{ids[1]} [data-move="top"]')).to_be_focused()
        chair.locator(f'#q-{ids[1]} [data-move="down"]').click()
        expect(order.nth(1)).to_have_id(f"q-{ids[1]}")
        expect(chair.locator(f'#q-{ids[1]} [data-move="down"]')).to_be_focused()
        for _ in range(50):
            if saved() == [ids[2], ids[1], ids[0]]:
                break
            chair.wait_for_timeout(100)
        assert saved() == [ids[2], ids[1], ids[0]]
    finally:
        ctx.close()
