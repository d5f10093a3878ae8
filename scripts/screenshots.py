"""Take the README's screenshots from the demo, in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py   # writes docs/screenshots/*.png

Uses a throw-away SQLite database; nothing of the real instance is touched.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checkin import create_app  # noqa: E402
from checkin.attendance.services import check_in, create_gate  # noqa: E402
from checkin.attendees.invitations import active_invitations  # noqa: E402
from checkin.attendees.letters import render_letters  # noqa: E402
from checkin.attendees.models import Invitation  # noqa: E402
from checkin.attendees.services import select_attendees  # noqa: E402
from checkin.demo import load_demo  # noqa: E402
from checkin.events.models import Event  # noqa: E402
from checkin.extensions import db  # noqa: E402
from checkin.types import utcnow  # noqa: E402
from checkin.units.models import NominationLink  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/demo.db",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_demo(admin_password="checkin-demo")
        links = db.session.scalars(select(NominationLink).order_by(NominationLink.id)).all()
        token = links[1].token  # Hòa Thành: some seats still open
        invitation = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
        invitation_token = invitation.token
        with app.test_request_context():
            event = db.session.get(Event, 2)
            pdf = render_letters(event, select_attendees(event)[:1])
        page = pdfium.PdfDocument(pdf)[0].render(scale=110 / 72).to_pil()
        page.save(OUT / "letter.png")
        # Move the Tây Ninh dialogue to now and let a few delegates in, for the gate pages.
        first = db.session.get(Event, 1)
        first.starts_at = utcnow() - timedelta(minutes=15)
        first.ends_at = first.starts_at + timedelta(hours=3)
        db.session.commit()
        invitations = active_invitations(first)
        for attendee_id in list(invitations)[:41]:
            check_in(first, invitations[attendee_id].token)
        scan_token = invitations[list(invitations)[45]].token
        from checkin.attendees.models import Attendee
        from checkin.dialogue import services as dialogue

        dialogue.set_lists(first, topics=["Việc làm, thu nhập", "Nhà ở công nhân",
                                          "Hoạt động Đoàn, Hội"],
                           agencies=["Sở Lao động - Thương binh và Xã hội", "Sở Nội vụ",
                                     "Liên đoàn Lao động tỉnh"])
        dialogue.set_agenda(first, questions_open=True, current_item_id=first.agenda[3].id)
        askers = [db.session.get(Attendee, a) for a in list(invitations)[:6]]
        texts = ["Đề nghị có thêm nhà trọ giá rẻ gần khu công nghiệp cho công nhân trẻ.",
                 "Doanh nghiệp chưa tạo điều kiện cho chi đoàn sinh hoạt trong giờ làm.",
                 "Kiến nghị mở lớp học nghề buổi tối miễn phí cho đoàn viên công nhân.",
                 "Làm sao để chi hội thanh niên công nhân được hỗ trợ kinh phí hoạt động?",
                 "Đề xuất tổ chức ngày hội việc làm mỗi quý tại huyện Dương Minh Châu.",
                 "Công nhân trẻ cần được tư vấn pháp luật lao động thường xuyên hơn."]
        made = [dialogue.ask(first, p, text=t, kind=k, show_name=i % 2 == 0,
                             topic_id=dialogue.topics(first)[i % 3].id)
                for i, (p, t, k) in enumerate(zip(askers, texts, ["petition", "question",
                                                                 "proposal", "question",
                                                                 "idea", "petition"],
                                                  strict=True))]
        for q in made[:4]:
            dialogue.approve(q)
        dialogue.start_answering(made[0])
        for p in askers[1:5]:
            dialogue.vote(made[1], p)
        dialogue.request_floor(first, askers[2], topic="Nhà ở công nhân")
        dialogue_token = invitations[askers[1].id].token
        gate = create_gate(first, name="Cổng 1")
        pairing = gate.pairing_token
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        laptop = browser.new_page(viewport={"width": 1280, "height": 860}, base_url=base)
        laptop.goto("/login")
        laptop.get_by_label("Tên đăng nhập").fill("admin")
        laptop.get_by_label("Mật khẩu").fill("checkin-demo")
        laptop.get_by_role("button", name="Đăng nhập").click()
        for name, url in (("events", "/events/"), ("event", "/events/1"),
                          ("quotas", "/events/2/quotas"), ("agenda", "/events/2/agenda"),
                          ("units", "/units/"), ("plan", "/events/2/plan"),
                          ("review", "/programmes/1/review?period=Y")):
            laptop.goto(url)
            laptop.screenshot(path=str(OUT / f"{name}.png"))
        phone = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True,
                                 has_touch=True, base_url=base)
        phone.goto(f"/n/{token}")
        phone.screenshot(path=str(OUT / "nominate-phone.png"), full_page=False)
        phone.goto(f"/i/{invitation_token}")
        phone.screenshot(path=str(OUT / "invitation-phone.png"), full_page=False)
        laptop.goto("/events/2/people/")
        laptop.screenshot(path=str(OUT / "people.png"))
        laptop.goto("/events/1/attendance")
        laptop.screenshot(path=str(OUT / "attendance.png"))
        big = browser.new_page(viewport={"width": 1920, "height": 1080}, base_url=base)
        big.context.add_cookies(laptop.context.cookies())
        big.goto("/events/1/projector")
        big.screenshot(path=str(OUT / "projector.png"))
        laptop.goto("/events/1/reports")
        laptop.screenshot(path=str(OUT / "report.png"))
        laptop.set_viewport_size({"width": 1280, "height": 800})
        laptop.goto("/events/1/console")
        laptop.screenshot(path=str(OUT / "console.png"))
        big.goto("/events/1/stage")
        big.screenshot(path=str(OUT / "stage.png"))
        big.goto("/events/1/hall-qr")
        big.screenshot(path=str(OUT / "hall-qr.png"))
        phone.goto(f"/i/{dialogue_token}")
        phone.screenshot(path=str(OUT / "delegate-phone.png"), full_page=False)
        gate_page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True,
                                     has_touch=True, base_url=base)
        gate_page.goto(f"/g/{pairing}")
        gate_page.fill("#scanner-input", scan_token)
        gate_page.press("#scanner-input", "Enter")
        gate_page.locator("#result").wait_for()
        gate_page.screenshot(path=str(OUT / "gate-result.png"))
        gate_page.locator("#result").click()
        gate_page.wait_for_timeout(1000)  # the arrival counts
        gate_page.screenshot(path=str(OUT / "gate.png"))
        browser.close()
    server.shutdown()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
