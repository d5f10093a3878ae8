"""`checkin demo` builds seeds 002 and 004; `make run`'s steps are safe to repeat."""

from __future__ import annotations

from checkin.attendees.models import Attendee
from checkin.events.models import Event
from checkin.extensions import db
from checkin.units.services import quota_table


def test_demo_loads_the_tay_ninh_dialogue_and_the_can_tho_forum(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    tay_ninh, can_tho = db.session.query(Event).order_by(Event.id).all()

    assert tay_ninh.kind == "dialogue"
    assert {(r.unit.name, r.quota.seats) for r in quota_table(tay_ninh).rows} == {
        ("Huyện đoàn Dương Minh Châu", 22), ("Thị đoàn Hòa Thành", 24),
        ("Thành đoàn Tây Ninh", 46)}
    guests = db.session.query(Attendee).filter_by(event_id=tay_ninh.id, category="guest").all()
    assert {g.organization for g in guests} >= {"Ban Dân vận Tỉnh ủy", "Sở Nội vụ",
                                                "Hội Nông dân tỉnh"}
    assert [i.title for i in tay_ninh.agenda][3] == "Đối thoại trực tiếp"
    assert len(tay_ninh.agenda) == 6

    assert can_tho.kind == "forum"
    seats = {r.unit.name: r.quota.seats for r in quota_table(can_tho).rows}
    assert seats["Đoàn cơ sở Sở Y tế"] == 3          # more than 50 members
    assert seats["Đoàn cơ sở Sở Tư pháp"] == 2       # grassroots union
    assert seats["Chi đoàn cơ sở Báo Cần Thơ"] == 1  # branch
    assert 50 <= sum(seats.values()) <= 70           # "about 60 delegates"
    assert len(can_tho.agenda) == 7
    assert len(can_tho.agenda[3].contributions) == 4


def test_demo_if_empty_keeps_an_existing_database(runner):
    runner.invoke(args=["demo"])
    people = db.session.query(Attendee).count()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert db.session.query(Event).count() == 2
    assert db.session.query(Attendee).count() == people


def test_urls_prints_the_login_and_its_demo_credentials(runner):
    runner.invoke(args=["demo"])
    output = runner.invoke(args=["urls"]).output
    assert "/login" in output and "admin / checkin-demo" in output
    assert "/events/1" in output and "/n/" in output


def test_demo_pages_render(client, runner):
    from tests.conftest import login

    runner.invoke(args=["demo"])
    from checkin.auth.models import User

    login(client, db.session.query(User).filter_by(username="admin").one(), "checkin-demo")
    for url in ("/events/", "/events/1", "/events/1/agenda", "/events/1/quotas",
                "/events/2/quotas", "/events/1/people/", "/events/1/staff", "/units/"):
        assert client.get(url).status_code == 200, url
