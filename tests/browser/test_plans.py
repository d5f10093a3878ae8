"""Seed 004's preparation in Chromium: the organizer's timeline on a laptop, the two host
units on their phones, a reminder through a real SMTP server, a late task in red."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from checkin.extensions import db
from checkin.plans import services
from checkin.plans.models import PlanTask
from checkin.units.models import NominationLink
from checkin.units.services import (
    apply_quota_rules,
    create_missing_nomination_links,
    create_unit,
    set_quota_rules,
)
from tests.attendees.test_mailing import Mailbox, free_port
from tests.browser.conftest import sign_in
from tests.conftest import local
from tests.plans.conftest import docx_bytes

HOST = "Chi đoàn cơ sở Thành Đoàn Cần Thơ"
COHOST = "Chi đoàn cơ sở Trung tâm Chất lượng, Chế biến và Phát triển thị trường vùng 6"
RED = "rgb(200, 16, 46)"


@pytest.fixture
def smtp(app, monkeypatch):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Ban Tổ chức <bantochuc@example.vn>")
    monkeypatch.setitem(app.config, "MAIL_SEND_INLINE", True)
    yield mailbox
    controller.stop()


def at(monkeypatch, *when):
    monkeypatch.setattr(services, "clock", lambda: local(*when))


def test_seed_004_preparation_in_the_browser(laptop, phone, organizer, make_event, smtp,
                                             monkeypatch, tmp_path):
    bloc = create_unit(name="Đoàn Khối cơ quan Dân Chính Đảng thành phố Cần Thơ",
                       kind="district", member_count=2600)
    host = create_unit(name=HOST, kind="branch", member_count=24, parent=bloc)
    cohost = create_unit(name=COHOST, kind="branch", member_count=18, parent=bloc)
    event = make_event(title="Hội nghị tọa đàm định hướng xây dựng hình mẫu thanh niên",
                       starts_at=local(2024, 8, 20, 8, 0), host_unit=host)
    set_quota_rules(event, [{"unit_kind": "branch", "min_members_exclusive": 0, "seats": 1}])
    apply_quota_rules(event, scope=bloc)
    create_missing_nomination_links(event)
    services.set_unit_contact(host, email="cd.thanhdoan@example.vn")
    services.set_unit_contact(cohost, email="cd.vung6@example.vn")
    links = {link.unit_id: link.token for link in db.session.query(NominationLink)}
    at(monkeypatch, 2024, 7, 22, 9, 0)

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
    assert "Hạn chót: 8/8/2024 16:00" in metas[1] and COHOST in metas[1]
    assert "Hạn chót: 13/8/2024 17:00" in metas[3] and HOST in metas[3]
    ordered = db.session.query(PlanTask).order_by(PlanTask.due_at).all()
    contributions = next(t for t in ordered if t.owner_unit_id == cohost.id)

    # The plan is issued on 1/8: the organizer marks the first task done.
    first = laptop.locator(f"#task-{ordered[0].id}")
    first.locator("summary").click()
    first.get_by_label("Trạng thái").select_option("done")
    first.get_by_role("button", name="Lưu nhiệm vụ").click()
    assert laptop.locator(f"#task-{ordered[0].id} .status-pill").inner_text() == "Xong"

    # Two days ahead, the reminders go out through the SMTP server.
    at(monkeypatch, 2024, 8, 6, 9, 0)
    laptop.reload()
    laptop.locator("#reminders").get_by_label("Hạn chót trong vòng (ngày)").fill("3")
    laptop.locator("#reminders").get_by_role("button", name="Gửi nhắc việc ngay").click()
    assert "Đã gửi nhắc việc: 2" in laptop.locator(".flash-info").first.inner_text()
    assert len(smtp.to("cd.vung6@example.vn")) == 1
    assert "16:00" in smtp.to("cd.vung6@example.vn")[0]["Subject"]

    # The first host hands in its draft programme on its phone.
    at(monkeypatch, 2024, 8, 8, 10, 0)
    phone.goto(f"/n/{links[host.id]}")
    tasks_card = phone.locator("#tasks")
    assert tasks_card.locator("article.task").count() == 2
    draft = tasks_card.locator("article.task").first
    upload = tmp_path / "Dự thảo chương trình.docx"
    upload.write_bytes(docx_bytes())
    draft.locator("input[type=file]").set_input_files(str(upload))
    draft.get_by_role("button", name="Nộp", exact=True).click()
    assert "đã nộp" in phone.locator(".flash-success").inner_text().lower()
    assert phone.locator("#tasks article.task .status-pill").first.inner_text() == "Đã nộp"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # The next morning the co-host's contributions are late: red for both sides.
    at(monkeypatch, 2024, 8, 9, 8, 0)
    laptop.reload()
    late = laptop.locator(f"#task-{contributions.id}")
    assert "late" in late.get_attribute("class")
    assert late.evaluate("e => getComputedStyle(e).borderLeftColor") == RED
    assert late.locator(".status-pill").inner_text() == "Trễ hạn"
    assert laptop.locator("article.task.late").count() == 1
    phone.goto(f"/n/{links[cohost.id]}")
    assert phone.locator("#tasks article.task.late .task-due").evaluate(
        "e => getComputedStyle(e).color") == RED

    # The progress report.
    report = laptop.request.get(f"/events/{event.id}/plan/report?format=pdf")
    assert report.ok and report.headers["content-type"] == "application/pdf"
    assert report.body()[:5] == b"%PDF-"
