"""A unit's secretary names delegates on a phone, up to the quota, and no further."""

from __future__ import annotations

from checkin.attendees.models import Attendee
from checkin.extensions import db


def add(page, name: str, position: str = "", phone: str = "") -> None:
    form = page.locator("#add form")
    form.get_by_label("Họ và tên").fill(name)
    if position:
        form.get_by_label("Chức vụ").fill(position)
    if phone:
        form.get_by_label("Điện thoại").fill(phone)
    form.get_by_role("button", name="Thêm vào danh sách").click()


def test_secretary_fills_the_quota_on_a_phone_and_is_refused_past_it(phone, nomination_link,
                                                                     event):
    phone.goto(f"/n/{nomination_link.token}")
    assert phone.locator("h1").inner_text() == "Chi đoàn Công ty May Tây Ninh"
    assert phone.locator(".big-number").inner_text().replace(" ", "") == "0/3"
    # The page fits the phone: nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    add(phone, "Nguyễn Văn An", "Bí thư Chi đoàn", "0912 345 678")
    assert "Nguyễn Văn An" in phone.locator(".flash-success").inner_text()
    add(phone, "Trần Thị Bích", "Phó Bí thư Chi đoàn")
    add(phone, "Lê Hoàng Cường")
    assert phone.locator(".big-number").inner_text().replace(" ", "") == "3/3"
    assert phone.locator(".people > li").count() == 3

    add(phone, "Phạm Minh Đức")
    alert = phone.locator(".flash-error").first.inner_text()
    assert "3" in alert and "Chi đoàn Công ty May Tây Ninh" in alert
    assert phone.locator(".people > li").count() == 3
    names = [a.full_name for a in db.session.query(Attendee).order_by(Attendee.id)]
    assert names == ["Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường"]
    assert db.session.query(Attendee).filter_by(full_name="Nguyễn Văn An").one().phone == \
        "0912345678"


def test_secretary_corrects_a_name_and_sees_a_wrong_phone_explained(phone, nomination_link):
    phone.goto(f"/n/{nomination_link.token}")
    add(phone, "Nguyen Van An")
    phone.get_by_text("Sửa").first.click()
    form = phone.locator(".people details[open] form").first
    form.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    form.get_by_label("Điện thoại").fill("123")
    form.get_by_role("button", name="Lưu thay đổi").click()
    error = phone.locator("details[open] .error").first
    assert "0912 345 678" in error.inner_text()  # says what a right number looks like
    form = phone.locator(".people details[open] form").first
    form.get_by_label("Điện thoại").fill("0987 654 321")
    form.get_by_role("button", name="Lưu thay đổi").click()
    assert phone.locator(".people .person strong").first.inner_text() == "Nguyễn Văn An"
