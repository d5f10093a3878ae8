"""The JSON shapes of check-in answers: one serializer for the API and the broadcasts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..attendees.models import Attendee

if TYPE_CHECKING:
    from .services import CheckinResult


def person_json(person: Attendee | None) -> dict | None:
    if person is None:
        return None
    return {"id": person.id, "full_name": person.full_name, "position": person.position,
            "unit": person.affiliation, "category": person.category}


def result_json(result: CheckinResult) -> dict:
    attendance = result.attendance
    return {
        "result": result.code,
        "message": result.message,
        "attendee": person_json(result.attendee),
        "first_checkin": None if attendance is None else {
            "at": attendance.checked_in_at.isoformat(),
            "gate": attendance.gate.name if attendance.gate else None,
            "method": attendance.method,
        },
        "flagged": result.flagged,
    }
