"""Personal invitations: tokens, the invitation page, QR codes, revoking and reissuing."""

from __future__ import annotations

import re

import pytest

from checkin.attendees.invitations import (
    active_invitation,
    find_invitation,
    invitation_url,
    reissue_invitation,
    token_from,
)
from checkin.attendees.models import Invitation
from checkin.attendees.qr import qr_matrix, qr_svg
from checkin.attendees.services import add_attendee, nominate
from checkin.errors import DomainError
from checkin.events.services import add_agenda_item
from checkin.extensions import db
from tests.attendees.qrtools import decode_image, decode_png, rasterize_svg


@pytest.fixture
def delegate(event, quota_unit):
    event.venue, event.venue_address = "Hội trường A", "Số 07, Nguyễn Thiện Thành, Trà Vinh"
    add_agenda_item(event, title="Tuyên bố lý do, giới thiệu đại biểu")
    return nominate(event, quota_unit, full_name="Nguyễn Thị Ánh Tuyết",
                    position="Bí thư Chi đoàn")


def test_everyone_gets_a_long_random_unique_token(event, quota_unit):
    people = [nominate(event, quota_unit, full_name=f"Đại biểu {i}") for i in range(3)]
    people.append(add_attendee(event, category="press", full_name="Phóng viên Báo Trà Vinh"))
    tokens = [active_invitation(p).token for p in people]
    assert len(set(tokens)) == 4
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 16 bytes = 128 bits
    # Random, not derived from anything sequential: consecutive tokens share almost
    # no positions (16 random bytes agree on ~0.3 of 22 characters on average).
    for a, b in zip(tokens, tokens[1:], strict=False):
        assert sum(x == y for x, y in zip(a, b, strict=True)) < 8


def test_the_link_is_short_and_uses_the_configured_host(delegate):
    url = invitation_url(active_invitation(delegate))
    assert url.startswith("https://hop.example.vn/i/")
    assert len(url) <= 50
    assert len(qr_matrix(url)) <= 33 + 8  # version 4 or lower, with the quiet zone


def test_the_invitation_page_shows_the_person_and_the_meeting(client, delegate):
    token = active_invitation(delegate).token
    response = client.get(f"/i/{token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Nguyễn Thị Ánh Tuyết", "Bí thư Chi đoàn", "Chi đoàn Công ty May Tây Ninh",
                 "Hội nghị tọa đàm thanh niên", "13 giờ 30, thứ Sáu 20/9/2030", "Hội trường A",
                 "Tuyên bố lý do, giới thiệu đại biểu", "<svg"):
        assert text in html, text
    assert "https://www.google.com/maps/search/" in html  # a link the person may follow
    assert not re.search(r'(src|href)="https?://(?!www\.google\.com/maps)', html.replace(
        "https://hop.example.vn", ""))  # no third-party requests
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert 'name="robots" content="noindex' in html


def test_the_page_escapes_what_people_typed(client, event, quota_unit):
    person = nominate(event, quota_unit, full_name="<script>alert(1)</script>")
    html = client.get(f"/i/{active_invitation(person).token}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_png_and_svg_qr_codes_read_back_to_the_invitation_link(client, delegate):
    invitation = active_invitation(delegate)
    url = invitation_url(invitation)
    png = client.get(f"/i/{invitation.token}/qr.png")
    assert png.mimetype == "image/png"
    assert decode_png(png.data) == [url]
    svg = client.get(f"/i/{invitation.token}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert decode_image(rasterize_svg(svg.get_data(as_text=True))) == [url]


def test_the_svg_has_a_quiet_zone(delegate):
    svg = qr_svg(invitation_url(active_invitation(delegate)))
    runs = re.findall(r"M(\d+) (\d+)h", svg)
    assert min(int(x) for x, _ in runs) == 4 and min(int(y) for _, y in runs) == 4


@pytest.mark.parametrize("token", ["x", "../../etc/passwd", "A" * 200, "abc def",
                                   "AAAAAAAAAAAAAAAAAAAAAA"])
def test_malformed_and_unknown_tokens_are_not_found(client, delegate, token):
    assert client.get(f"/i/{token}").status_code == 404
    with pytest.raises(DomainError) as exc:
        find_invitation(token)
    assert exc.value.code == "unknown_invitation"


def test_a_scanner_may_send_the_whole_link(delegate):
    invitation = active_invitation(delegate)
    assert token_from(invitation_url(invitation)) == invitation.token
    assert token_from(f"  {invitation.token}\n") == invitation.token


def test_revoking_stops_the_old_link_at_once_and_records_who_and_why(
        client, delegate, organizer):
    old = active_invitation(delegate)
    new = reissue_invitation(delegate, by_user=organizer, reason="Mất điện thoại")
    assert new.token != old.token
    db.session.refresh(old)
    assert (old.revoked_by_id, old.revoke_reason, old.replaced_by_id) == (
        organizer.id, "Mất điện thoại", new.id)
    assert old.revoked_at is not None
    response = client.get(f"/i/{old.token}")
    assert response.status_code == 410
    assert "thay thế" in response.get_data(as_text=True)  # "was replaced"
    assert client.get(f"/i/{old.token}/qr.png").status_code == 410
    assert client.get(f"/i/{new.token}").status_code == 200
    with pytest.raises(DomainError) as exc:
        find_invitation(old.token)
    assert exc.value.code == "invitation_replaced"


def test_organizer_reissues_from_the_persons_page(as_organizer, event, delegate):
    old = active_invitation(delegate)
    response = as_organizer.post(f"/events/{event.id}/people/{delegate.id}/reissue",
                                 data={"reason": "Đổi người"})
    assert response.status_code == 302
    page = as_organizer.get(response.location).get_data(as_text=True)
    assert "Đổi người" in page and old.token not in page
    assert db.session.query(Invitation).filter_by(attendee_id=delegate.id).count() == 2


def test_another_events_person_is_not_reachable_through_this_event(as_organizer, event,
                                                                   make_event, delegate):
    other = make_event(title="Sự kiện khác")
    response = as_organizer.get(f"/events/{other.id}/people/{delegate.id}/qr.png")
    assert response.status_code == 404


def test_reading_a_qr_never_issues_an_invitation(as_organizer, event, delegate):
    from checkin.types import utcnow

    invitation = active_invitation(delegate)
    invitation.revoked_at = utcnow()
    db.session.commit()
    response = as_organizer.get(f"/events/{event.id}/people/{delegate.id}/qr.svg")
    assert response.status_code == 404
    assert "cấp lại thư mời" in response.get_data(as_text=True)  # says what to do instead
    assert db.session.query(Invitation).count() == 1  # the GET wrote nothing
