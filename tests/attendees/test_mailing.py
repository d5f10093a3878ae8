"""Sending invitations through a real SMTP server (aiosmtpd) started by the test."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller

from checkin.attendees.invitations import active_invitation, invitation_url, reissue_invitation
from checkin.attendees.mailing import queue_invitations, send_pending
from checkin.attendees.models import EmailDelivery
from checkin.attendees.services import add_attendee, nominate
from checkin.extensions import db
from tests.attendees.qrtools import decode_png
from tests.jobs.fixtures import start_and_wait, wait_for_job


class Mailbox:
    """An SMTP server's handler: keeps every message; refuses addresses with "tuchoi"."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "tuchoi" in address:
            return "550 5.1.1 Hộp thư không tồn tại"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Ban Tổ chức <bantochuc@example.vn>")
    yield mailbox
    controller.stop()


@pytest.fixture
def people(event, quota_unit):
    return [
        nominate(event, quota_unit, full_name="Nguyễn Văn An", email="an@example.vn"),
        nominate(event, quota_unit, full_name="Trần Thị Bích", email="tuchoi@example.vn"),
        nominate(event, quota_unit, full_name="Lê Văn Không Thư"),
        add_attendee(event, category="guest", full_name="Phạm Khách Mời",
                     email="khach@example.vn"),
    ]


def statuses(event) -> dict[str, str]:
    return {d.attendee.full_name: d.status for d in
            db.session.query(EmailDelivery).filter_by(event_id=event.id)}


def test_each_person_gets_their_link_and_qr_in_vietnamese(app, smtp, event, people):
    with app.test_request_context():
        queued = queue_invitations(event, people)
        result = send_pending(event)
    assert (queued.queued, queued.no_address) == (3, 1)
    assert (result.sent, result.failed) == (2, 1)
    (message,) = smtp.to("an@example.vn")
    url = invitation_url(active_invitation(people[0]))
    assert message["Subject"] == "Giấy mời: Hội nghị tọa đàm thanh niên"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Kính gửi đồng chí Nguyễn Văn An" in text and url in text
    assert url in html and "13 giờ 30, thứ Sáu 20/9/2030" in html
    (image,) = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert f'cid:{image["Content-ID"].strip("<>")}' in html  # shown inline
    assert decode_png(image.get_content()) == [url]
    assert statuses(event) == {"Nguyễn Văn An": "sent", "Trần Thị Bích": "failed",
                               "Phạm Khách Mời": "sent"}
    failed = db.session.query(EmailDelivery).filter_by(status="failed").one()
    assert failed.error.startswith("550")


def test_sending_again_skips_who_already_received_it_unless_asked(app, smtp, event, people):
    with app.test_request_context():
        queue_invitations(event, people)
        send_pending(event)
        again = queue_invitations(event, people)
        send_pending(event)
        assert again.queued == 1 and again.already_sent == 2  # only the failed one is retried
        assert len(smtp.to("an@example.vn")) == 1
        queue_invitations(event, [people[0]], resend=True)
        send_pending(event)
    assert len(smtp.to("an@example.vn")) == 2


def test_a_reissued_invitation_is_sent_again(app, smtp, event, people):
    with app.test_request_context():
        queue_invitations(event, [people[0]])
        send_pending(event)
        new = reissue_invitation(people[0], reason="Mất điện thoại")
        assert queue_invitations(event, [people[0]]).queued == 1
        send_pending(event)
    latest = smtp.to("an@example.vn")[-1]
    assert invitation_url(new) in latest.get_body(("plain",)).get_content()


def test_a_batch_cut_short_resumes_without_sending_twice(app, smtp, event, people,
                                                         monkeypatch):
    with app.test_request_context():
        queue_invitations(event, people)
        monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # the server is down
        stopped = send_pending(event)
        assert stopped.sent == 0 and stopped.stopped
        assert set(statuses(event).values()) == {"pending"}
        monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
        send_pending(event)
        send_pending(event)  # nothing left: nobody gets a second copy
    assert len(smtp.to("an@example.vn")) == 1 and len(smtp.to("khach@example.vn")) == 1


def test_the_email_page_sends_and_reports(as_organizer, smtp, event, people, worker):
    response = as_organizer.post(f"/events/{event.id}/people/email", data={"scope": "all"})
    assert response.status_code == 303  # to the sending job's page
    job = wait_for_job(as_organizer, response.headers["Location"] + ".json")
    assert job["status"] == "done" and job["next"].endswith("/people/email")
    page = as_organizer.get(f"/events/{event.id}/people/email").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "550" in page
    assert len(smtp.messages) == 2


def test_sending_to_one_unit_only(as_organizer, smtp, event, people, make_unit, worker):
    from checkin.units.services import set_quota

    other = make_unit("Chi đoàn khác", kind="branch")
    set_quota(event, other, 1)
    nominate(event, other, full_name="Người Đơn Vị Khác", email="khac@example.vn")
    start_and_wait(as_organizer, f"/events/{event.id}/people/email", {"unit_id": other.id})
    assert [m["To"] for m in smtp.messages] == ["khac@example.vn"]
