"""schemathesis over the gate API's OpenAPI document: no generated request answers 5xx.

Runs the ``st`` command line against ``gunicorn -k gevent -w 1`` on the test database,
with a gate device's token (coverage and fuzzing phases, 40 examples per operation).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from checkin.attendance.services import create_gate, pair_device
from checkin.attendees.invitations import active_invitation
from checkin.attendees.services import nominate
from checkin.types import utcnow
from checkin.units.services import set_quota


def test_schemathesis_finds_no_server_error(make_event, quota_unit, gunicorn_server):
    event = make_event(title="API", starts_at=utcnow() + timedelta(minutes=30))
    set_quota(event, quota_unit, 3)
    active_invitation(nominate(event, quota_unit, full_name="Lý Thị Hoa"))
    _device, token = pair_device(create_gate(event, name="Cổng 1").pairing_token)
    base = "http://{}:{}/api/v1".format(*gunicorn_server)
    st = str(Path(sys.executable).parent / "st")
    run = subprocess.run(
        [st, "run", f"{base}/openapi.json", "--url", base,
         "-H", f"Authorization: Bearer {token}", "--checks", "not_a_server_error",
         "--max-examples", "40", "--phases", "examples,coverage,fuzzing",
         "--seed", "13", "--no-color"],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
