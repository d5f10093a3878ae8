"""How long do a programme's review and report take for a big bloc?

    .venv/bin/python bench/plans.py [units] [ideas per unit]

Builds a throw-away SQLite programme (N grassroots units under one bloc, idea and
initiative targets by rule, four quarterly dialogues, M ideas per unit spread over the
year), then times the quarter review (the page's numbers), the review of every period,
and the programme report as PDF with its charts and as Excel, best of three, for N and
5×N units. The review runs a fixed number of grouped queries whatever the number of
units. Prints seconds, the PDF's ratio to a 2-second budget and the 5×N/N time ratio.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import datetime, timedelta

from flask_migrate import upgrade
from harness import ROOT, best_of  # bench/harness.py, beside this script

from checkin import create_app
from checkin.extensions import db
from checkin.i18n import from_local
from checkin.plans import services
from checkin.plans.models import Idea
from checkin.reports.exporters import to_pdf, to_xlsx
from checkin.units.services import create_unit

BUDGET = 2.0


def build(units: int, per_unit: int):
    rng = random.Random(3)
    bloc = create_unit(name="Đoàn Khối các cơ quan tỉnh", kind="district", member_count=9000)
    for i in range(units):
        create_unit(name=f"Đoàn cơ sở số {i:04d}", kind="grassroots",
                    member_count=rng.randrange(10, 150), parent=bloc)
    programme = services.create_programme(title="Chương trình công tác năm 2021", year=2021,
                                          created_by=None, scope=bloc)
    for q in range(1, 5):
        services.add_planned_meeting(programme, title=f"Đối thoại quý {q}", period=q)
    services.set_target_rules(programme, [
        {"metric": "ideas", "unit_kind": "grassroots", "min_members_exclusive": 0, "amount": 4},
        {"metric": "ideas", "unit_kind": "grassroots", "min_members_exclusive": 50,
         "amount": 8},
        {"metric": "initiatives", "unit_kind": "grassroots", "min_members_exclusive": 0,
         "amount": 1}])
    services.apply_target_rules(programme)
    links = services.ensure_links(programme)
    start = from_local(datetime(2021, 1, 1))
    db.session.add_all(
        Idea(programme_id=programme.id, unit_id=link.unit_id,
             kind="initiative" if rng.random() < 0.2 else "idea",
             title=f"Ý tưởng số {n}", author_name="Người đề xuất", field="Chuyển đổi số",
             submitted_at=start + timedelta(days=rng.uniform(0, 364)))
        for link in links for n in range(rng.randrange(0, 2 * per_unit + 1)))
    db.session.commit()
    return programme


def measure(n: int, per_unit: int) -> float:
    """Print the figures for a programme of ``n`` units; return the Q2 review's seconds."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tempfile.mkdtemp()}/p.db",
                      "RATELIMIT_ENABLED": False})
    with app.app_context(), app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        programme = build(n, per_unit)
        ideas = db.session.query(Idea).count()
        review_s, review = best_of(3, lambda: services.review(programme, "Q2"))
        all_s, _r = best_of(3, lambda: [services.review(programme, p)
                                        for p in services.PERIOD_MONTHS])
        heading = type("Heading", (), {"id": 0, "title": programme.title, "venue": "",
                                       "starts_at": None})
        pdf_s, pdf = best_of(3, lambda: to_pdf(heading, "Báo cáo",
                                               services.programme_sections(programme, "H1",
                                                                           every_idea=False)))
        xls_s, _x = best_of(3, lambda: to_xlsx(services.programme_sections(programme, "H1")))
    print(f"programme: {n} units, {ideas} ideas; {len(review.behind)} behind in Q2")
    print(f"  Q2 review:        {review_s:6.3f} s")
    print(f"  all 7 reviews:    {all_s:6.3f} s")
    print(f"  report PDF:       {pdf_s:6.3f} s  {len(pdf) / 1e3:6.0f} kB  "
          f"budget ratio {pdf_s / BUDGET:.2f}")
    print(f"  report xlsx:      {xls_s:6.3f} s")
    return review_s


def main() -> None:
    units = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    per_unit = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    small, large = measure(units, per_unit), measure(5 * units, per_unit)
    print(f"Q2 review time, {5 * units} units / {units} units: {large / small:.2f} "
          f"(units ratio 5.0)")


if __name__ == "__main__":
    main()
