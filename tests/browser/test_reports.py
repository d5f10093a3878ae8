"""The secretary looks at the attendance report in a browser: charts and numbers."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from checkin.attendance.services import check_in
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.types import utcnow
from checkin.units.services import set_quota
from tests.browser.conftest import sign_in


def test_the_report_page_shows_charts_and_the_table(laptop, make_event, make_unit, organizer):
    start = utcnow() - timedelta(hours=1)
    event = make_event(title="Hội nghị báo cáo", starts_at=start)
    unit = make_unit("Huyện đoàn Cầu Ngang", kind="district")
    set_quota(event, unit, 2)
    person = nominate(event, unit, full_name="Kiều Thị Nga")
    nominate(event, unit, full_name="Tạ Văn Phong")
    check_in(event, active_invitation(person).token)
    sign_in(laptop, organizer)
    laptop.goto(f"/events/{event.id}/reports")
    chart = laptop.locator("#rate-chart svg")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 400
    expect(laptop.locator("#rate-chart")).to_contain_text("1/2 (50%)")
    expect(laptop.locator("#arrivals-chart svg")).to_be_visible()
    row = laptop.locator("#units-table tbody tr").first
    expect(row).to_contain_text("Huyện đoàn Cầu Ngang")
    expect(row.locator("td").nth(5)).to_have_text("50%")
    expect(laptop.locator("#people")).to_contain_text("Tạ Văn Phong")
