"""iCalendar feeds: meetings, deadlines and tasks land in the phones' calendars.

Times are written in Asia/Ho_Chi_Minh (``DTSTART;TZID=Asia/Ho_Chi_Minh``) with the zone's
VTIMEZONE, so a phone set to another zone still shows the hall's hour correctly.
Feeds: a staff member's (token URL), a unit's nomination link, a unit's programme link,
and a delegate's invitation ("add to calendar").
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from icalendar import Alarm, Calendar
from icalendar import Event as VEvent
from sqlalchemy import select

from ..extensions import db
from ..i18n import local_zone, to_local
from ..types import utcnow
from . import services
from .services import DELIVERABLE_LABELS


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//checkin//Doan TNCS Ho Chi Minh//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(local_zone()))
    return cal


def _host() -> str:
    return current_app.config["PUBLIC_URL"].split("://", 1)[-1].split("/", 1)[0] or "checkin"


def _meeting(event, url: str = "") -> VEvent:
    item = VEvent()
    item.add("uid", f"event-{event.id}@{_host()}")
    item.add("dtstamp", utcnow())
    item.add("summary", event.title)
    item.add("dtstart", to_local(event.starts_at))
    item.add("dtend", to_local(event.ends_at or event.starts_at + timedelta(hours=3)))
    place = ", ".join(p for p in (event.venue, event.venue_address) if p)
    if place:
        item.add("location", place)
    description = event.theme or ""
    if url:
        description = f"{description}\n{url}".strip()
        item.add("url", url)
    if description:
        item.add("description", description)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", event.title)
    alarm.add("trigger", timedelta(hours=-2))
    item.add_component(alarm)
    return item


def _task(task, url: str = "") -> VEvent:
    """A deadline as a short event at its hour, with a reminder the day before."""
    item = VEvent()
    item.add("uid", f"task-{task.id}@{_host()}")
    item.add("dtstamp", utcnow())
    item.add("summary", _("Due: %(title)s", title=task.title))
    due = to_local(task.due_at)
    item.add("dtstart", due - timedelta(minutes=30))
    item.add("dtend", due)
    lines = [task.event.title, f"{task.owner_name}" if task.owner_name else "",
             str(DELIVERABLE_LABELS[task.deliverable]), url]
    item.add("description", "\n".join(line for line in lines if line))
    if url:
        item.add("url", url)
    item.add("status", "CONFIRMED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", task.title)
    alarm.add("trigger", timedelta(days=-1))
    item.add_component(alarm)
    return item


def _finish(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def organizer_feed(user) -> bytes:
    """Every meeting the staff member may open, from a month ago on, with the tasks of
    the preparation plans of those they organize."""
    from ..auth.services import can, visible_events_query
    from ..events.models import Event

    since = utcnow() - timedelta(days=31)
    cal = _calendar(f"checkin — {user.full_name}")
    stmt = visible_events_query(user).where(Event.starts_at >= since)
    for event in db.session.scalars(stmt):
        cal.add_component(_meeting(event))
        if can(user, event):  # the preparation plan is the organizers' business
            for task in services.plan_tasks(event):
                cal.add_component(_task(task))
    return _finish(cal)


def unit_feed(link) -> bytes:
    """A unit's nomination link: the meeting and the unit's own tasks."""
    url = services._public("nomination.page", token=link.token)
    cal = _calendar(f"{link.event.title} — {link.unit.name}")
    cal.add_component(_meeting(link.event, url))
    for task in services.unit_tasks(link.event, link.unit):
        cal.add_component(_task(task, url))
    return _finish(cal)


def programme_feed(link) -> bytes:
    """A unit's programme link: the programme's meetings whose date is fixed, and the
    unit's tasks in them."""
    cal = _calendar(f"{link.programme.title} — {link.unit.name}")
    for event in services.programme_events(link.programme):
        cal.add_component(_meeting(event))
        for task in services.unit_tasks(event, link.unit):
            cal.add_component(_task(task))
    return _finish(cal)


def invitation_feed(invitation, url: str) -> bytes:
    """A delegate's "add to calendar": the one meeting, with the invitation's link."""
    event = invitation.attendee.event
    cal = _calendar(event.title)
    cal.add_component(_meeting(event, url))
    return _finish(cal)


def find_invitation(token: str):
    from ..attendees.models import Invitation

    return db.session.scalar(select(Invitation).where(Invitation.token == token))
