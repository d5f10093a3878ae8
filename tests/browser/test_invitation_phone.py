"""A delegate opens their invitation on a phone: name, meeting, and a QR that reads back."""

from __future__ import annotations

from checkin.attendees.invitations import active_invitation, invitation_url, reissue_invitation
from checkin.attendees.services import nominate
from tests.attendees.qrtools import decode_png


def test_the_invitation_on_a_phone_shows_a_qr_that_reads_back_to_the_link(
        phone, event, quota_unit):
    person = nominate(event, quota_unit, full_name="Nguyễn Thị Ánh Tuyết",
                      position="Bí thư Chi đoàn")
    invitation = active_invitation(person)
    phone.goto(f"/i/{invitation.token}")
    assert phone.locator("h1").inner_text() == "Nguyễn Thị Ánh Tuyết"
    assert "Chi đoàn Công ty May Tây Ninh" in phone.locator(".person-role").inner_text()
    qr = phone.locator(".qr svg")
    box = qr.bounding_box()
    assert box["width"] >= 280  # large on a 360-px screen, to scan from 30 cm
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert decode_png(qr.screenshot()) == [invitation_url(invitation)]
    requests: list[str] = []
    phone.on("request", lambda r: requests.append(r.url))
    phone.reload()
    assert requests and all(url.startswith("http://127.0.0.1:") for url in requests)


def test_a_revoked_invitation_shows_the_replacement_page(phone, event, quota_unit):
    person = nominate(event, quota_unit, full_name="Trần Văn Bảo")
    old = active_invitation(person)
    reissue_invitation(person, reason="Mất điện thoại")
    response = phone.goto(f"/i/{old.token}")
    assert response.status == 410
    assert "thay thế" in phone.locator("h1").inner_text()
    assert phone.locator(".qr").count() == 0
