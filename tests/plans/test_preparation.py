"""Seed 004 replayed: the Cần Thơ forum's preparation, through the pages people use.

The plan (Kế hoạch 121-KH/ĐTN) sets five deadlines before the meeting of 20/8/2024 and
gives the two host branches their parts. Here the organizer starts the plan from the
shipped template, the hosts see and hand in their parts through their nomination links,
a reminder reaches a real SMTP server before a deadline, one task goes late and shows
red, and the progress report comes out as PDF and Excel.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from checkin.events.services import copy_event, create_event
from checkin.extensions import db
from checkin.i18n import to_local
from checkin.plans import services
from checkin.plans.models import PlanTask, TaskFile
from checkin.units.models import NominationLink
from checkin.units.services import (
    apply_quota_rules,
    create_missing_nomination_links,
    create_unit,
    set_quota_rules,
)
from tests.conftest import local
from tests.plans.conftest import PDF_BYTES, Browser, docx_bytes, xlsx_bytes

HOST = "Chi đoàn cơ sở Thành Đoàn Cần Thơ"
COHOST = "Chi đoàn cơ sở Trung tâm Chất lượng, Chế biến và Phát triển thị trường vùng 6"


@pytest.fixture
def forum(organizer):
    """The bloc, its units and the forum of 20/8/2024 with its quota rules and links."""
    bloc = create_unit(name="Đoàn Khối cơ quan Dân Chính Đảng thành phố Cần Thơ",
                       kind="district", member_count=2600)
    host = create_unit(name=HOST, kind="branch", member_count=24, parent=bloc)
    cohost = create_unit(name=COHOST, kind="branch", member_count=18, parent=bloc)
    create_unit(name="Đoàn cơ sở Sở Y tế", kind="grassroots", member_count=88, parent=bloc)
    create_unit(name="Đoàn cơ sở Sở Tư pháp", kind="grassroots", member_count=38, parent=bloc)
    event = create_event(
        created_by=organizer, kind="forum",
        title="Hội nghị tọa đàm định hướng xây dựng hình mẫu thanh niên thời kỳ mới",
        starts_at=local(2024, 8, 20, 8, 0), ends_at=local(2024, 8, 20, 11, 30),
        venue="Hội trường Trung tâm Dịch vụ việc làm thanh niên Cần Thơ", host_unit=host)
    set_quota_rules(event, [
        {"unit_kind": "grassroots", "min_members_exclusive": 0, "seats": 2},
        {"unit_kind": "branch", "min_members_exclusive": 0, "seats": 1},
        {"unit_kind": "grassroots", "min_members_exclusive": 50, "seats": 3}])
    apply_quota_rules(event, scope=bloc)
    create_missing_nomination_links(event)
    return event, host, cohost


def at(monkeypatch, *when):
    """Set the plans' clock to a wall-clock time in Hồ Chí Minh City."""
    monkeypatch.setattr(services, "clock", lambda: local(*when))


def link_of(event, unit) -> str:
    token = db.session.query(NominationLink.token).filter_by(
        event_id=event.id, unit_id=unit.id, revoked_at=None).scalar()
    return f"/n/{token}"


def task_block(html: str, task_id: int) -> str:
    match = re.search(rf'<article class="([^"]*)" id="task-{task_id}"', html)
    assert match, f"task {task_id} not on the page"
    return match.group(1)


def test_seed_004_preparation_through_the_pages(app, forum, organizer, staff, smtp,
                                               monkeypatch):
    event, host, cohost = forum
    plan = f"/events/{event.id}/plan"
    at(monkeypatch, 2024, 7, 22, 9, 0)  # the plan is signed on 22/7/2024

    # The organizer starts from the shipped example: seed 004's five deadlines.
    page = staff.get(plan)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert services.SEED_004_NAME in html
    template = services.ensure_builtin_templates()
    response = staff.post(f"{plan}/template", {
        "template_id": template.id, "host_unit_id": host.id, "cohost_unit_id": cohost.id,
        "office_user_id": organizer.id}, page=plan)
    assert response.status_code == 302
    tasks = db.session.query(PlanTask).filter_by(event_id=event.id).order_by(
        PlanTask.due_at).all()
    assert [(to_local(t.due_at).strftime("%d/%m %H:%M"), t.owner_name) for t in tasks] == [
        ("01/08 17:00", organizer.full_name),
        ("08/08 16:00", COHOST),            # «hạn chót tổng hợp 16h00 ngày 08/8/2024»
        ("08/08 17:00", HOST),
        ("13/08 17:00", HOST),
        ("16/08 17:00", organizer.full_name),
    ]
    issue, contributions, drafts, final, progress = tasks
    assert contributions.deliverable == "contributions"

    # The plan is issued on time: the organizer marks the first task done.
    response = staff.post(f"{plan}/tasks/{issue.id}", {
        f"t{issue.id}-title": issue.title, f"t{issue.id}-owner": f"s{organizer.id}",
        f"t{issue.id}-due_at": "01/08/2024 17:00", f"t{issue.id}-deliverable": "document",
        f"t{issue.id}-status": "done", f"t{issue.id}-note": "Số 121-KH/ĐTN"}, page=plan)
    assert response.status_code == 302

    # Each host unit sees only its own part on its nomination link.
    unit = Browser(app.test_client())
    host_page = unit.get(link_of(event, host)).get_data(as_text=True)
    assert drafts.title in host_page and final.title in host_page
    assert contributions.title not in host_page
    cohost_page = unit.get(link_of(event, cohost)).get_data(as_text=True)
    assert contributions.title in cohost_page and drafts.title not in cohost_page

    # Two days before the 8/8 deadlines the hosts get a reminder by e-mail.
    for u, address in ((host, "bithu.thanhdoan@example.vn"), (cohost, "bithu.vung6@example.vn")):
        response = staff.post(f"{plan}/contacts/{u.id}", {f"c{u.id}-email": address,
                                                          f"c{u.id}-name": "Bí thư Chi đoàn"},
                              page=plan)
        assert response.status_code == 302
    at(monkeypatch, 2024, 8, 6, 9, 0)
    response = staff.post(f"{plan}/remind", {"days": 3}, page=plan, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)

    mail = smtp.to("bithu.vung6@example.vn")
    assert len(mail) == 1
    body = mail[0].get_body(("plain",)).get_content()
    assert contributions.title[:40] in mail[0]["Subject"]
    assert "8/8/2024 16:00" in body and "Hạn chót" in body
    assert f"https://hop.example.vn{link_of(event, cohost)}" in body
    assert len(smtp.to("bithu.thanhdoan@example.vn")) == 1
    # Sent before the deadline, and never twice for the same deadline.
    staff.post(f"{plan}/remind", {"days": 3}, page=plan)
    assert len(smtp.messages) == 2
    page = staff.get(plan).get_data(as_text=True)
    assert "bithu.vung6@example.vn" in page
    assert "Nhắc việc" in page or "Reminder" in page

    # The message for the unit's chat group is on the page, ready to paste.
    assert "Hạn chót: 8/8/2024 16:00" in page

    # On 8/8 the first host hands in its draft programme (a Word file) on its link.
    at(monkeypatch, 2024, 8, 8, 10, 0)
    host_link = link_of(event, host)
    response = unit.post(f"{host_link}/tasks/{drafts.id}/files",
                         {"file": (io.BytesIO(docx_bytes()), "Dự thảo chương trình.docx")},
                         page=host_link, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    db.session.expire_all()
    assert db.session.get(PlanTask, drafts.id).status == "submitted"
    stored = db.session.query(TaskFile).filter_by(task_id=drafts.id).one()
    assert stored.filename == "Dự thảo chương trình.docx"
    assert services.file_path(stored).read_bytes() == docx_bytes()
    assert str(services.file_path(stored)).startswith(app.instance_path)

    # Wrong types and disguised files are refused; nothing is stored.
    for name, data in (("chuong-trinh.exe", b"MZ\x90\x00"), ("gia.pdf", b"<html>"),
                       ("gia.docx", PDF_BYTES), ("rong.pdf", b"")):
        response = unit.post(f"{host_link}/tasks/{final.id}/files",
                             {"file": (io.BytesIO(data), name)}, page=host_link,
                             content_type="multipart/form-data", follow_redirects=True)
        assert response.status_code == 200
        assert db.session.query(TaskFile).filter_by(task_id=final.id).count() == 0
    monkeypatch.setitem(app.config, "PLAN_UPLOAD_MAX_BYTES", 1000)
    response = unit.post(f"{host_link}/tasks/{final.id}/files",
                         {"file": (io.BytesIO(PDF_BYTES + b"0" * 2000), "lon.pdf")},
                         page=host_link, content_type="multipart/form-data",
                         follow_redirects=True)
    assert "MB" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "PLAN_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    # A unit cannot hand in, or read, another unit's part.
    response = unit.post(f"{host_link}/tasks/{contributions.id}/files",
                         {"file": (io.BytesIO(PDF_BYTES), "x.pdf")}, page=host_link,
                         content_type="multipart/form-data")
    assert response.status_code == 404
    assert unit.get(f"{link_of(event, cohost)}/files/{stored.id}").status_code == 404
    assert unit.get(f"{host_link}/files/{stored.id}").status_code == 200

    # The next morning the contributions (due 16:00 on 8/8) have not come: late, in red.
    at(monkeypatch, 2024, 8, 9, 8, 0)
    page = staff.get(plan).get_data(as_text=True)
    assert "late" in task_block(page, contributions.id).split()
    assert "late" not in task_block(page, drafts.id).split()
    assert "late" not in task_block(page, final.id).split()
    assert re.search(r'id="plan-summary".*?<strong>1</strong> (trễ hạn|late)', page, re.S)
    cohost_link = link_of(event, cohost)
    assert "late" in task_block(unit.get(cohost_link).get_data(as_text=True),
                                contributions.id).split()

    # The co-host hands in the compiled contributions (an Excel list); no longer late.
    response = unit.post(f"{cohost_link}/tasks/{contributions.id}/files",
                         {"file": (io.BytesIO(xlsx_bytes()), "tong-hop-tham-luan.xlsx")},
                         page=cohost_link, content_type="multipart/form-data")
    assert response.status_code == 302
    page = staff.get(plan).get_data(as_text=True)
    assert "late" not in task_block(page, contributions.id).split()
    assert "tong-hop-tham-luan.xlsx" in page

    # The progress report («báo cáo tiến độ»), PDF and Excel.
    pdf = staff.get(f"{plan}/report?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "BÁO CÁO TIẾN ĐỘ" in text
    assert "Tổng hợp tham luận" in text and "Dự thảo chương trình.docx" in text
    xlsx = staff.get(f"{plan}/report?format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert len(rows) == 6
    statuses = {r[1][:20]: r[5] for r in rows[1:]}
    assert statuses[issue.title[:20]] == "Xong"
    assert statuses[drafts.title[:20]] == "Đã nộp"
    assert list(book.worksheets[0].iter_rows(values_only=True))[1] == (5, 1, 2, 2, 0)

    # Who did what is on the meeting's audit trail.
    trail = staff.get(f"/events/{event.id}/audit/").get_data(as_text=True)
    for label in ("Thêm các nhiệm vụ từ mẫu tiến độ", "Sửa nhiệm vụ chuẩn bị",
                  "Gửi email nhắc việc", "Nộp tệp cho nhiệm vụ"):
        assert label in trail


def test_copy_as_next_meeting_copies_the_plan(forum, organizer, monkeypatch):
    event, host, cohost = forum
    services.apply_template(event, services.ensure_builtin_templates(), host_unit=host,
                            cohost_unit=cohost, office_user=organizer)
    first = services.plan_tasks(event)[0]
    services.set_task_status(first, "done")
    nxt = copy_event(event, created_by=organizer, title="Hội nghị tọa đàm năm 2025",
                     starts_at=local(2025, 8, 20, 8, 0))
    copied = services.plan_tasks(nxt)
    assert [t.title for t in copied] == [t.title for t in services.plan_tasks(event)]
    assert [to_local(t.due_at).strftime("%d/%m/%Y %H:%M") for t in copied][:3] == [
        "01/08/2025 17:00", "08/08/2025 16:00", "08/08/2025 17:00"]
    assert {t.status for t in copied} == {"todo"}
    assert copied[1].owner_unit_id == cohost.id


def test_save_as_template_and_reuse(forum, organizer):
    event, host, cohost = forum
    services.add_task(event, title="Gửi giấy mời đại biểu", due_at=local(2024, 8, 15, 9, 30),
                      deliverable="list", owner_unit=host)
    template = services.save_as_template(event, name="Tọa đàm của Khối", by_user=organizer)
    other = create_event(created_by=organizer, title="Tọa đàm quý IV",
                         starts_at=local(2024, 11, 20, 8, 0), host_unit=cohost)
    made = services.apply_template(other, template)
    assert to_local(made[0].due_at).strftime("%d/%m/%Y %H:%M") == "15/11/2024 09:30"
    assert made[0].owner_unit_id == cohost.id  # the host role follows the new meeting's host


def test_plan_pages_check_roles_and_csrf(app, forum, make_user, organizer, staff):
    event, host, _cohost = forum
    plan = f"/events/{event.id}/plan"
    anonymous = Browser(app.test_client())
    assert anonymous.get(plan).status_code == 302
    outsider = Browser(app.test_client())
    outsider.login(make_user("staff", username="nguoingoai"))
    assert outsider.get(plan).status_code == 403
    assert outsider.get(f"{plan}/report?format=pdf").status_code == 403
    other_organizer = Browser(app.test_client())
    other_organizer.login(make_user("organizer", username="bantochuc2"))
    assert other_organizer.get(plan).status_code == 403
    # A form without its CSRF token is refused.
    staff.get(plan)
    response = staff.client.post(f"{plan}/tasks", csrf=False, data={
        "title": "x", "due_at": "01/08/2024 17:00", "deliverable": "document",
        "status": "todo"})
    assert response.status_code == 400
    assert db.session.query(PlanTask).count() == 0


def test_user_text_is_escaped(app, forum, staff):
    event, host, _cohost = forum
    plan = f"/events/{event.id}/plan"
    response = staff.post(f"{plan}/tasks", {
        "title": "<script>alert(1)</script>", "owner": f"u{host.id}",
        "due_at": "01/08/2024 17:00", "deliverable": "document", "status": "todo",
        "note": "<b>đậm</b>"}, page=plan)
    assert response.status_code == 302
    html = staff.get(plan).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    unit_page = Browser(app.test_client()).get(link_of(event, host)).get_data(as_text=True)
    assert "<b>đậm</b>" not in unit_page


def test_reminders_skip_past_done_and_far_tasks(forum, smtp):
    event, host, cohost = forum
    services.set_unit_contact(host, email="host@example.vn")
    now = local(2024, 8, 6, 9, 0)
    due_soon = services.add_task(event, title="Sắp đến hạn", due_at=now + timedelta(days=1),
                                 owner_unit=host)
    services.add_task(event, title="Đã quá hạn", due_at=now - timedelta(hours=1),
                      owner_unit=host)
    services.add_task(event, title="Còn xa", due_at=now + timedelta(days=9), owner_unit=host)
    done = services.add_task(event, title="Đã xong", due_at=now + timedelta(hours=5),
                             owner_unit=host)
    services.set_task_status(done, "done")
    services.add_task(event, title="Không có địa chỉ", due_at=now + timedelta(hours=3),
                      owner_unit=cohost)
    result = services.send_task_reminders(now=now, within=timedelta(days=2))
    assert (result.sent, result.no_address) == (1, [cohost.name])
    assert [m["Subject"] for m in smtp.messages] == [
        f"Nhắc việc: {due_soon.title} — hạn 7/8/2024 09:00"]


def test_every_staff_route_of_the_package_needs_a_sign_in(app):
    """Every plans.* route (the organizers' pages) turns an anonymous visitor away."""
    anonymous = Browser(app.test_client())
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("plans."):
            continue
        url = rule.build({name: 1 for name in rule.arguments}, append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = anonymous.client.open(url, method=method)
            assert response.status_code in (302, 400), (rule, method, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], rule
            checked += 1
    assert checked > 25


def test_organizer_saves_and_deletes_a_template_through_the_page(forum, staff):
    event, host, _cohost = forum
    plan = f"/events/{event.id}/plan"
    services.add_task(event, title="Gửi giấy mời", due_at=local(2024, 8, 15, 9, 30),
                      owner_unit=host)
    response = staff.post(f"{plan}/save-template", {"name": "Mẫu tọa đàm quý"}, page=plan)
    assert response.status_code == 302
    template = next(t for t in services.templates() if not t.builtin)
    assert "Mẫu tọa đàm quý" in staff.get(plan).get_data(as_text=True)
    builtin = services.ensure_builtin_templates()
    response = staff.post(f"{plan}/templates/{builtin.id}/delete", page=plan)
    assert response.status_code in (302, 409)
    assert staff.post(f"{plan}/templates/{template.id}/delete", page=plan).status_code == 302
    assert [t.builtin for t in services.templates()] == [True]


def test_a_reminder_is_sent_once_even_with_two_senders_and_retried_after_a_failure(forum,
                                                                                   smtp):
    from checkin.plans.models import TaskReminder

    event, host, cohost = forum
    now = local(2024, 8, 6, 9, 0)
    services.set_unit_contact(host, email="host@example.vn")
    services.set_unit_contact(cohost, email="tuchoi@example.vn")  # the server refuses it
    held = services.add_task(event, title="Đang được gửi", due_at=now + timedelta(hours=5),
                             owner_unit=host)
    refused = services.add_task(event, title="Bị từ chối", due_at=now + timedelta(hours=6),
                                owner_unit=cohost)
    # Another sender has claimed the first reminder and is sending it right now.
    db.session.add(TaskReminder(task_id=held.id, due_at=held.due_at, address="host@example.vn",
                                status="sending"))
    db.session.commit()
    result = services.send_task_reminders(now=now)
    assert (result.sent, result.failed, result.already) == (0, 1, 1)
    assert smtp.messages == []
    failed = db.session.query(TaskReminder).filter_by(task_id=refused.id).one()
    assert failed.status == "failed" and failed.error.startswith("550")
    # Once the address is corrected, the next run sends it.
    services.set_unit_contact(cohost, email="vung6@example.vn")
    assert services.send_task_reminders(now=now).sent == 1
    assert [m["To"] for m in smtp.messages] == ["vung6@example.vn"]
    assert services.send_task_reminders(now=now).sent == 0
    # A reminder that failed for a passing reason is retried on the next run.
    retry = services.add_task(event, title="Thử lại", due_at=now + timedelta(hours=7),
                              owner_unit=host)
    db.session.add(TaskReminder(task_id=retry.id, due_at=retry.due_at,
                                address="host@example.vn", status="failed", error="421"))
    db.session.commit()
    assert services.send_task_reminders(now=now).sent == 1
    assert db.session.query(TaskReminder).filter_by(task_id=retry.id).one().status == "sent"
