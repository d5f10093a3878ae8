"""`checkin demo` shows the plans: seed 004's preparation and a year's programme."""

from __future__ import annotations

from checkin.events.models import Event
from checkin.extensions import db
from checkin.plans import services
from checkin.plans.models import Idea, Programme


def test_demo_has_a_preparation_plan_and_a_programme(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    can_tho = db.session.query(Event).order_by(Event.id).all()[1]
    tasks = services.plan_tasks(can_tho)
    assert len(tasks) == 6
    assert {t.owner_name for t in tasks} >= {
        "Chi đoàn cơ sở Thành Đoàn Cần Thơ",
        "Chi đoàn cơ sở Trung tâm Chất lượng, Chế biến và Phát triển thị trường vùng 6"}
    assert sum(t.is_late(services.clock()) for t in tasks) == 1
    programme = db.session.query(Programme).one()
    assert len(programme.meetings) == 5
    assert db.session.query(Idea).count() == 20
    review = services.review(programme, "Y")
    assert len(review.rows) == 29 and review.behind
