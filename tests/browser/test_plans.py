"""Seed 004's preparation in Chromium against the real server (gunicorn + gevent): the
organizer's timeline on a laptop, the two host units on their phones, a reminder through
a real SMTP server before a deadline, a late task in red, the progress report.

The server keeps its own clock, so the meeting is placed eleven days ahead: the plan's
"twelve days before" deadlines (contributions by 16:00, drafts by 17:00) fell yesterday,
the final script (a week before) is due in four days.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from aiosmtpd.controller import Controller

from checkin.extensions import db
from checkin.i18n import from_local, to_local
from checkin.plans import services
from checkin.plans.models import PlanTask
from checkin.types import utcnow
from checkin.units.models import NominationLink
from checkin.units.services import (
    apply_quota_rules,
    create_missing_nomination_links,
    create_unit,
    set_quota_rules,
)
from tests.attendees.test_mailing import Mailbox, free_port
from tests.browser.conftest import sign_in
from tests.plans.conftest import docx_bytes
from tests.servers import gunicorn, server_env

HOST = "Chi đoàn cơ sở Thành Đoàn Cần Thơ"
COHOST = "Chi đoàn cơ sở Trung tâm Chất lượng, Chế biến và Phát triển thị trường vùng 6"
RED = "rgb(200, 16, 46)"


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


@pytest.fixture
def live_server(app, smtp, tmp_path):
    """The real server, sending mail to the test's SMTP server, files under tmp_path."""
    env = server_env(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_SEND_INLINE=1,
                     MAIL_FROM="Ban Tổ chức <bantochuc@example.vn>",
                     PLAN_FILES_DIR=tmp_path / "files")
    with gunicorn(env) as (url,):
        yield url


def day(d) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def test_seed_004_preparation_in_the_browser(laptop, phone, organizer, make_event, smtp,
                                             tmp_path):
    today = to_local(utcnow()).date()
    meeting_day = today + timedelta(days=11)
    bloc = create_unit(name="Đoàn Khối cơ quan Dân Chính Đảng thành phố Cần Thơ",
                       kind="district", member_count=2600)
    host = create_unit(name=HOST, kind="branch", member_count=24, parent=bloc)
    cohost = create_unit(name=COHOST, kind="branch", member_count=18, parent=bloc)
    event = make_event(title="Hội nghị tọa đàm định hướng xây dựng hình mẫu thanh niên",
                       starts_at=from_local(datetime.combine(meeting_day, time(8, 0))),
                       host_unit=host)
    set_quota_rules(event, [{"unit_kind": "branch", "min_members_exclusive": 0, "seats": 1}])
    apply_quota_rules(event, scope=bloc)
    create_missing_nomination_links(event)
    services.set_unit_contact(host, email="cd.thanhdoan@example.vn")
    services.set_unit_contact(cohost, email="cd.vung6@example.vn")
    links = {link.unit_id: link.token for link in db.session.query(NominationLink)}

    # The organizer starts the plan from the shipped template (seed 004).
    sign_in(laptop, organizer)
    laptop.goto(f"/events/{event.id}/plan")
    form = laptop.locator("#templates form").first
    form.get_by_label("Đơn vị đăng cai", exact=True).select_option(str(host.id))
    form.get_by_label("Đơn vị phối hợp đăng cai").select_option(str(cohost.id))
    form.get_by_label("Cán bộ Văn phòng phụ trách").select_option(str(organizer.id))
    form.get_by_role("button", name="Thêm các nhiệm vụ của mẫu").click()
    assert "5 nhiệm vụ" in laptop.locator(".flash-success").inner_text()
    assert laptop.locator(".timeline article.task").count() == 5
    metas = laptop.locator(".timeline .task-meta").all_inner_texts()
    yesterday = today - timedelta(days=1)
    assert f"Hạn chót: {day(yesterday)} 16:00" in metas[1] and COHOST in metas[1]
    assert f"Hạn chót: {day(today + timedelta(days=4))} 17:00" in metas[3] and HOST in metas[3]
    ordered = db.session.query(PlanTask).order_by(PlanTask.due_at).all()
    contributions, drafts, final = ordered[1], ordered[2], ordered[3]

    # The plan was issued on time: the organizer marks the first task done.
    first = laptop.locator(f"#task-{ordered[0].id}")
    first.locator("summary").click()
    first.get_by_label("Trạng thái").select_option("done")
    first.get_by_role("button", name="Lưu nhiệm vụ").click()
    assert laptop.locator(f"#task-{ordered[0].id} .status-pill").inner_text() == "Xong"

    # Reminders for what falls due within five days: the host's final script, by e-mail.
    laptop.locator("#reminders").get_by_label("Hạn chót trong vòng (ngày)").fill("5")
    laptop.locator("#reminders").get_by_role("button", name="Gửi nhắc việc ngay").click()
    assert "Đã gửi nhắc việc: 1" in laptop.locator(".flash-info").first.inner_text()
    mail = smtp.to("cd.thanhdoan@example.vn")
    assert len(mail) == 1 and final.title[:30] in mail[0]["Subject"]
    assert f"/n/{links[host.id]}" in mail[0].get_body(("plain",)).get_content()
    assert smtp.to("cd.vung6@example.vn") == []  # past deadlines are not "before" them

    # The host sees its two tasks on its phone (the drafts late) and hands in the drafts.
    phone.goto(f"/n/{links[host.id]}")
    cards = phone.locator("#tasks article.task")
    assert cards.count() == 2
    assert "late" in phone.locator(f"#task-{drafts.id}").get_attribute("class")
    upload = tmp_path / "Dự thảo chương trình.docx"
    upload.write_bytes(docx_bytes())
    phone.locator(f"#task-{drafts.id} input[type=file]").set_input_files(str(upload))
    phone.locator(f"#task-{drafts.id}").get_by_role("button", name="Nộp", exact=True).click()
    assert "đã nộp" in phone.locator(".flash-success").inner_text().lower()
    assert phone.locator(f"#task-{drafts.id} .status-pill").inner_text() == "Đã nộp"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert list((tmp_path / "files").iterdir())

    # The co-host's contributions (due 16:00 yesterday) are late: red on both sides.
    laptop.reload()
    late = laptop.locator(f"#task-{contributions.id}")
    assert "late" in late.get_attribute("class")
    assert late.evaluate("e => getComputedStyle(e).borderLeftColor") == RED
    assert late.locator(".status-pill").inner_text() == "Trễ hạn"
    assert laptop.locator("article.task.late").count() == 1
    assert "Dự thảo chương trình.docx" in laptop.locator(f"#task-{drafts.id}").inner_text()
    phone.goto(f"/n/{links[cohost.id]}")
    assert phone.locator("#tasks article.task.late .task-due").evaluate(
        "e => getComputedStyle(e).color") == RED

    # The progress report.
    report = laptop.request.get(f"/events/{event.id}/plan/report?format=pdf")
    assert report.ok and report.headers["content-type"] == "application/pdf"
    assert report.body()[:5] == b"%PDF-"
