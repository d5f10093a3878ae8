"""The visible language switch: Vietnamese by default, English on request."""

from __future__ import annotations

from tests.conftest import PASSWORD


def test_switching_language_on_the_login_page_and_after_signing_in(laptop, organizer, event):
    laptop.goto("/login")
    assert laptop.locator("html").get_attribute("lang") == "vi"
    assert laptop.locator("h1").inner_text() == "Đăng nhập"

    laptop.get_by_role("link", name="English").click()
    assert laptop.locator("html").get_attribute("lang") == "en"
    assert laptop.locator("h1").inner_text() == "Sign in"

    laptop.get_by_label("Username").fill(organizer.username)
    laptop.get_by_label("Password").fill(PASSWORD)
    laptop.get_by_role("button", name="Sign in").click()
    laptop.get_by_role("link", name=event.title).click()
    assert "1:30 PM, Friday 20 September 2030" in laptop.locator(".when").first.inner_text()

    laptop.get_by_role("link", name="Tiếng Việt").click()
    assert laptop.locator("html").get_attribute("lang") == "vi"
    assert "13 giờ 30, thứ Sáu 20/9/2030" in laptop.locator(".when").first.inner_text()
    assert laptop.get_by_role("link", name="Chương trình", exact=True).count() == 1
