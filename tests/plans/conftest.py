"""Fixtures for plans and programmes: a real SMTP server, files to hand in, and a client
that posts a form with the CSRF token of the page it is on, as a person's browser does."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from aiosmtpd.controller import Controller

from tests.attendees.test_mailing import Mailbox, free_port
from tests.conftest import PASSWORD

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def token_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


class Browser:
    """A test client that sends forms with the CSRF token of the page they are on."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, *, page: str, **kw):
        html = self.get(page).get_data(as_text=True)
        data = {"csrf_token": token_from(html), **(data or {})}
        return self.client.post(url, data=data, **kw)

    def login(self, user, password: str = PASSWORD):
        response = self.post("/login", {"username": user.username, "password": password},
                             page="/login")
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def staff(app, organizer):
    """A browser signed in as the organizer."""
    b = Browser(app.test_client())
    b.login(organizer)
    return b


@pytest.fixture
def smtp(app, monkeypatch):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "Ban Tổ chức <bantochuc@example.vn>")
    monkeypatch.setitem(app.config, "MAIL_SEND_INLINE", True)
    yield mailbox
    controller.stop()


def docx_bytes(text: str = "Dự thảo chương trình") -> bytes:
    """A minimal Word file (a zip with word/document.xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document>{text}</w:document>")
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Đơn vị", "Tham luận"])
    book.active.append(["Chi đoàn A", "Cán bộ Đoàn trách nhiệm"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
