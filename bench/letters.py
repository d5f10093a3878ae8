"""How long do 500 invitation letters and 500 badges take? (issue: well under a minute)

    .venv/bin/python bench/letters.py [people]

Builds a throw-away SQLite event with N delegates (default 500), renders the
letters and the badges three times each and prints the best time, pages per
second and the ratio to the 60-second budget.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime

from flask_migrate import upgrade
from harness import ROOT, best_of  # bench/harness.py, beside this script

from checkin import create_app
from checkin.attendees.letters import render_badges, render_letters
from checkin.attendees.services import nominate, save_letter_head, select_attendees
from checkin.events.services import create_event
from checkin.i18n import from_local
from checkin.units.services import create_unit, set_quota

BUDGET = 60.0


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    tmp = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "PUBLIC_URL": "https://hop.tinhdoantayninh.vn"})
    with app.app_context(), app.test_request_context():
        upgrade(directory=str(ROOT / "checkin" / "migrations"))
        event = create_event(created_by=None,
                             title="Hội nghị đại biểu thanh niên tiên tiến làm theo lời Bác",
                             starts_at=from_local(datetime(2030, 9, 20, 13, 30)),
                             venue="Hội trường Tỉnh ủy", kind="conference")
        save_letter_head(event, superior_body="Tỉnh đoàn Tây Ninh", issuing_body="Ban Thường vụ",
                         number="12-GM/TĐTN", place="Tây Ninh", signer_name="Lê Văn Ký")
        units = [create_unit(name=f"Đoàn cơ sở số {i}", kind="grassroots") for i in range(25)]
        for unit in units:
            set_quota(event, unit, count // 25 + 1)
        for i in range(count):
            nominate(event, units[i % 25], full_name=f"Nguyễn Thị Hồng Nhung {i}",
                     position="Bí thư Chi đoàn")
        people = select_attendees(event)
        letters_s, letters_pdf = best_of(3, lambda: render_letters(event, people))
        badges_s, badges_pdf = best_of(3, lambda: render_badges(event, people))
    print(f"people: {len(people)}")
    print(f"letters: {letters_s:6.2f} s  {len(people) / letters_s:7.0f} letters/s  "
          f"{len(letters_pdf) / 1e6:5.1f} MB  budget ratio {letters_s / BUDGET:.3f}")
    print(f"badges:  {badges_s:6.2f} s  {len(people) / badges_s:7.0f} badges/s   "
          f"{len(badges_pdf) / 1e6:5.1f} MB  budget ratio {badges_s / BUDGET:.3f}")


if __name__ == "__main__":
    main()
