"""axe-core on every page, at the size its users see it: no serious or critical violation.

axe-core is vendored under tests/browser/vendor/axe-core (pinned, with its MPL-2.0 licence):
the suite runs offline and the engine never ships with the app's static files.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from checkin.attendance.services import check_in, create_gate
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.dialogue import services as dialogue
from checkin.types import utcnow
from checkin.units.services import create_nomination_link, set_quota
from tests.browser.conftest import PHONE, sign_in

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
TABLET = {"width": 1280, "height": 800}
SCREEN = {"width": 1920, "height": 1080}

RUN_AXE = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.filter(v => ["serious", "critical"].includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
}"""


def violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


@pytest.fixture
def meeting(make_event, make_unit):
    start = utcnow() - timedelta(minutes=20)
    event = make_event(title="Đối thoại với thanh niên công nhân", kind="dialogue",
                       starts_at=start, ends_at=start + timedelta(hours=3),
                       venue="Hội trường Tỉnh đoàn")
    unit = make_unit("Chi đoàn Công ty May Tây Ninh", kind="branch")
    set_quota(event, unit, 4)
    people = [nominate(event, unit, full_name=n) for n in
              ("Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Thu Dung")]
    tokens = [active_invitation(p).token for p in people]
    for token in tokens[:3]:
        check_in(event, token)
    dialogue.set_lists(event, topics=["Việc làm", "Nhà ở"], agencies=["Sở Lao động"])
    dialogue.set_agenda(event, questions_open=True)
    asked = [dialogue.ask(event, people[i], text=t, show_name=True) for i, t in enumerate(
        ("Đề nghị có thêm nhà trọ giá rẻ gần khu công nghiệp.",
         "Doanh nghiệp chưa tạo điều kiện cho chi đoàn sinh hoạt.",
         "Kiến nghị mở lớp học nghề buổi tối miễn phí."))]
    for q in asked[:2]:
        dialogue.approve(q)
    dialogue.start_answering(asked[0])
    dialogue.vote(asked[1], people[2])
    floor = dialogue.request_floor(event, people[2], topic="Nhà ở công nhân")
    dialogue.set_floor(event, floor, "speaking")
    gate = create_gate(event, name="Cổng 1")
    link = create_nomination_link(event, unit)
    return {"event": event.id, "tokens": tokens, "pairing": gate.pairing_token,
            "link": link.token}


def test_every_page_has_no_serious_or_critical_violation(browser, live_server, meeting,
                                                        organizer):
    e = meeting["event"]
    staff_pages = [
        ("events", "/events/", TABLET), ("event", f"/events/{e}", TABLET),
        ("people", f"/events/{e}/people/", TABLET), ("quotas", f"/events/{e}/quotas", TABLET),
        ("agenda", f"/events/{e}/agenda", TABLET), ("console", f"/events/{e}/console", TABLET),
        ("questions", f"/events/{e}/questions", TABLET),
        ("dialogue settings", f"/events/{e}/dialogue", TABLET),
        ("gates", f"/events/{e}/gates", TABLET), ("board", f"/events/{e}/attendance", TABLET),
        ("staff gate", f"/events/{e}/gate", PHONE),
        ("dialogue screen", f"/events/{e}/stage", SCREEN),
        ("attendance screen", f"/events/{e}/projector", SCREEN),
        ("hall QR", f"/events/{e}/hall-qr", SCREEN),
        ("reports", f"/events/{e}/reports", TABLET),
    ]
    public_pages = [
        ("login", "/login", PHONE),
        ("delegate phone, checked in", f"/i/{meeting['tokens'][0]}", PHONE),
        ("delegate phone, speaking", f"/i/{meeting['tokens'][2]}", PHONE),
        ("delegate phone, not yet in", f"/i/{meeting['tokens'][3]}", PHONE),
        ("ask from your phone", f"/d/{e}", PHONE),
        ("unit secretary", f"/n/{meeting['link']}", PHONE),
        ("paired gate", f"/g/{meeting['pairing']}", PHONE),
    ]
    found: dict[str, list] = {}
    staff = browser.new_context(viewport=TABLET, base_url=live_server, locale="vi-VN",
                                bypass_csp=True)
    public = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                 base_url=live_server, locale="vi-VN", bypass_csp=True)
    try:
        page = staff.new_page()
        sign_in(page, organizer)
        for name, url, size in staff_pages:
            page.set_viewport_size(size)
            page.goto(url)
            page.wait_for_load_state("networkidle")
            assert page.locator("meta[http-equiv=refresh]").count() == 0, name
            bad = violations(page)
            if bad:
                found[name] = bad
        phone = public.new_page()
        for name, url, _size in public_pages:
            phone.goto(url)
            phone.wait_for_load_state("networkidle")
            bad = violations(phone)
            if bad:
                found[name] = bad
    finally:
        staff.close()
        public.close()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)
