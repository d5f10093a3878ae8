"""checkin backup / restore: a checked copy with its manifest; a restore that shows the
point of restore and what it loses before it acts, and keeps versions going forward."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from checkin import versions
from checkin.attendance.models import Attendance
from checkin.attendance.services import check_in
from checkin.events.models import Event
from checkin.extensions import db


def test_backup_then_restore_mid_event(app, runner, event, invite, tmp_path):
    _people, tokens = invite(3)
    event_id = event.id
    check_in(event, tokens[0])
    check_in(event, tokens[1])
    target = tmp_path / "backups" / "giua-hoi-nghi"
    result = runner.invoke(args=["backup", "--to", str(target)])
    assert result.exit_code == 0, result.output
    (copy,) = [p for p in target.iterdir() if not p.name.endswith(".json")]
    manifest = json.loads((target / (copy.name + ".json")).read_text())
    assert manifest["counts"]["attendances"] == 2 and manifest["high_water"] == 3
    assert "checked" in result.output

    check_in(db.session.get(Event, event_id), tokens[2])  # after the backup
    for _ in range(5):
        versions.bump(event_id, "dialogue")
    db.session.commit()
    before = versions.current(event_id)
    assert max(before.values()) == 6

    refused = runner.invoke(args=["restore", str(copy)], input="n\n")
    assert refused.exit_code != 0
    assert "Point of restore" in refused.output
    assert "loses what was recorded since the backup: 1 attendances, 1 scans" in refused.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 3  # untouched

    restored = runner.invoke(args=["restore", str(copy), "--yes"])
    assert restored.exit_code == 0, restored.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 2
    after = versions.current(event_id)
    # No stream goes back: every one is above the highest any page could have seen.
    assert all(v > max(before.values()) for v in after.values()), (before, after)
    assert "told to reload" in restored.output
