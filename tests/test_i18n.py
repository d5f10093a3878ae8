"""Vietnamese first, English complete; Vietnamese dates; search without diacritics."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from checkin.attendees.services import add_attendee, nominate, search_attendees
from checkin.i18n import fold, format_day, format_when
from tests.conftest import local

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_in_the_code_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-o", str(pot), "--no-location",
                    str(ROOT)], check=True, capture_output=True, cwd=ROOT)
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (ROOT / "checkin/translations/vi/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = read_po(f)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(m) for m in wanted - translated)
    assert not missing, f"{len(missing)} message(s) lack a Vietnamese translation: {missing[:10]}"
    assert len(wanted) > 200


def test_vietnamese_is_the_default_and_the_switch_changes_the_language(client, organizer):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Đăng nhập" in page
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "lang=en" in response.headers["Set-Cookie"]
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    client.get("/lang/vi")
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example",
                                    "https:evil.example", "/\\evil.example", "javascript:x"])
def test_the_switch_never_sends_people_to_another_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.location in ("/", "http://localhost/")


def test_dates_are_written_the_vietnamese_way(app):
    with app.test_request_context():
        assert format_when(local(2019, 9, 20, 13, 30)) == "13 giờ 30, thứ Sáu 20/9/2019"
        assert format_when(local(2021, 10, 17, 8, 0)) == "8 giờ, Chủ nhật 17/10/2021"
        assert format_day(date(2024, 8, 20)) == "thứ Ba 20/8/2024"
        with force_locale("en"):
            assert format_when(local(2019, 9, 20, 13, 30)) == "1:30 PM, Friday 20 September 2019"


def test_times_are_shown_in_ho_chi_minh_city_time(app):
    from datetime import UTC, datetime

    with app.test_request_context():
        assert format_when(datetime(2019, 9, 20, 6, 30, tzinfo=UTC)).startswith("13 giờ 30")


def test_folding_removes_diacritics_including_d_stroke():
    assert fold("  Nguyễn   Văn Ấn ") == "nguyen van an"
    assert fold("ĐOÀN THỊ ĐÀO") == "doan thi dao"


def test_search_ignores_diacritics_and_case(event, quota_unit):
    nominate(event, quota_unit, full_name="Nguyễn Văn A", phone="0912345678")
    nominate(event, quota_unit, full_name="Nguyễn Văn Ánh")
    add_attendee(event, category="press", full_name="Trần Thị Đào",
                 organization="Đài Phát thanh và Truyền hình")

    def names(q):
        return sorted(a.full_name for a in search_attendees(event, q))

    assert names("nguyen van a") == ["Nguyễn Văn A", "Nguyễn Văn Ánh"]
    assert names("NGUYEN VAN ANH") == ["Nguyễn Văn Ánh"]
    assert names("dao") == ["Trần Thị Đào"]
    assert names("dai phat thanh") == ["Trần Thị Đào"]
    assert names("cong ty may") == ["Nguyễn Văn A", "Nguyễn Văn Ánh"]  # by unit
    assert names("345 678") == ["Nguyễn Văn A"]  # by phone digits
    assert names("%") == []  # wildcards are literal


def test_names_are_stored_as_typed(event, quota_unit):
    person = nominate(event, quota_unit, full_name="  Hồ   Thị Ngọc Hân ")
    assert person.full_name == "Hồ Thị Ngọc Hân"


def test_people_page_search(as_organizer, event, quota_unit):
    nominate(event, quota_unit, full_name="Phạm Thị Hương")
    nominate(event, quota_unit, full_name="Lê Văn Tám")
    html = as_organizer.get(f"/events/{event.id}/people/?q=pham thi huong").get_data(
        as_text=True)
    assert "Phạm Thị Hương" in html and "Lê Văn Tám" not in html
