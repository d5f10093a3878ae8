"""How long do the report PDFs of a 500-delegate meeting with 200 questions take?

    .venv/bin/python bench/reports.py [delegates] [questions]

Builds a throw-away SQLite meeting (25 units, N delegates of whom 90 % arrive through
three gates over 40 minutes, Q questions across topics and agencies, a third answered),
then renders the attendance report and the compiled dialogue as PDF (and Excel),
best of three, and prints seconds and the ratio to a 5-second budget.
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import timedelta

from flask_migrate import upgrade
from harness import ROOT, best_of  # bench/harness.py, beside this script

from checkin import create_app
from checkin.attendance.services import check_in, create_gate
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.dialogue import services as dialogue
from checkin.events.services import create_event
from checkin.reports import views as report_views
from checkin.reports.exporters import to_pdf, to_xlsx
from checkin.reports.services import attendance_report, dialogue_report
from checkin.types import utcnow
from checkin.units.services import create_unit, set_quota

BUDGET = 5.0


def main() -> None:
    delegates = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    questions = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(7)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tempfile.mkdtemp()}/r.db",
                      "RATELIMIT_ENABLED": False})
    with app.app_context(), app.test_request_context():
        upgrade(directory=str(ROOT / "checkin" / "migrations"))
        start = utcnow() - timedelta(hours=1)
        event = create_event(created_by=None, title="Hội nghị đối thoại — bài đo báo cáo",
                             kind="dialogue", starts_at=start, ends_at=start + timedelta(hours=3))
        units = [create_unit(name=f"Đoàn cơ sở số {i:02d}", kind="grassroots")
                 for i in range(25)]
        for unit in units:
            set_quota(event, unit, delegates // 25 + 1)
        gates = [create_gate(event, name=f"Cổng {i}") for i in (1, 2, 3)]
        people = [nominate(event, units[i % 25], full_name=f"Nguyễn Thị Đại Biểu {i:03d}")
                  for i in range(delegates)]
        for person in people:
            if rng.random() < 0.9:
                check_in(event, active_invitation(person).token, gate=rng.choice(gates),
                         scanned_at=start - timedelta(minutes=rng.uniform(0, 40)))
        dialogue.set_lists(event, topics=["Việc làm", "Nhà ở", "Đời sống", "Hoạt động Đoàn"],
                           agencies=["Sở Nội vụ", "Sở Lao động", "Hội Nông dân", "Tỉnh đoàn"])
        dialogue.set_agenda(event, questions_open=True)
        topics, agencies = dialogue.topics(event), dialogue.agencies(event)
        from checkin.attendance.services import attendance_of

        present = [p for p in people if attendance_of(p)]
        for i in range(questions):
            q = dialogue.ask(event, rng.choice(present), text=f"Câu hỏi số {i}: đề nghị "
                             "quan tâm việc làm, nhà ở và đời sống của thanh niên công nhân.",
                             topic_id=rng.choice(topics).id)
            q.agency = rng.choice(agencies)
            if i % 3 == 0:
                dialogue.approve(q)
                dialogue.mark_answered(q, note="Đã trả lời trực tiếp tại hội nghị.")
        from checkin.extensions import db

        db.session.commit()
        att_s, att_pdf = best_of(3, lambda: to_pdf(event, "Báo cáo", report_views
                                                   .attendance_sections(
                                                       attendance_report(event))))
        dia_s, dia_pdf = best_of(3, lambda: to_pdf(event, "Tổng hợp", report_views
                                                   .dialogue_sections(dialogue_report(event))))
        xls_s, _x = best_of(3, lambda: to_xlsx(report_views.attendance_sections(
            attendance_report(event))))
    print(f"meeting: {delegates} delegates, {questions} questions")
    print(f"attendance PDF: {att_s:5.2f} s  {len(att_pdf) / 1e3:6.0f} kB  "
          f"budget ratio {att_s / BUDGET:.2f}")
    print(f"dialogue PDF:   {dia_s:5.2f} s  {len(dia_pdf) / 1e3:6.0f} kB  "
          f"budget ratio {dia_s / BUDGET:.2f}")
    print(f"attendance xlsx: {xls_s:5.2f} s")


if __name__ == "__main__":
    main()
