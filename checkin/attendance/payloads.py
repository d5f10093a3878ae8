"""The JSON shapes of check-in answers: one serializer for the API and the broadcasts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..attendees.models import Attendee
from ..i18n import format_clock

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


def arrival_json(result: CheckinResult) -> dict:
    """One line of the board's "latest arrivals"."""
    person, arrival = result.attendee, result.attendance
    return {"id": person.id, "name": person.full_name, "unit": person.affiliation,
            "clock": format_clock(arrival.checked_in_at) if arrival else "",
            "gate": arrival.gate.name if arrival and arrival.gate else None}
