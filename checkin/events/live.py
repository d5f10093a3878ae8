"""Hybrid meetings: the mode switch, the livestream, announcements, online attendance.

Stream URLs are validated and turned into the one player that matches them; no HTML
or script from an organizer ever reaches a delegate's page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import services as audit
from ..errors import DomainError
from ..extensions import db
from ..transaction import transactional
from ..validation import field_error, optional_text, required_text
from ..versions import bump
from .models import EVENT_MODES, Announcement, Livestream

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_FACEBOOK_HOSTS = {"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com",
                   "fb.watch"}


def parse_stream(url: str, field: str = "primary_url") -> dict | None:
    """``{"kind", "embed", "url"}`` for a YouTube, Facebook or HLS URL; None for "".

    YouTube plays in the privacy-enhanced player (youtube-nocookie.com), Facebook in
    its embedded video player, HLS in our vendored hls.js (or natively).
    """
    url = (url or "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise field_error(field, _("Give a full https:// link."), "invalid_stream")
    host = parts.hostname.lower()
    if host in ("youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"):
        video = ""
        if host == "youtu.be":
            video = parts.path.strip("/")
        elif parts.path == "/watch":
            video = parse_qs(parts.query).get("v", [""])[0]
        elif parts.path.startswith(("/live/", "/embed/", "/shorts/")):
            video = parts.path.split("/")[2]
        if not _YOUTUBE_ID.match(video):
            raise field_error(field, _("This YouTube link has no video: copy the link of the "
                                       "live video itself."), "invalid_stream")
        return {"kind": "youtube", "url": url,
                "embed": f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1"}
    if host in _FACEBOOK_HOSTS:
        if host != "fb.watch" and "/videos/" not in parts.path and "/watch" not in parts.path:
            raise field_error(field, _("Give the link of the Facebook live video (…/videos/…)."),
                              "invalid_stream")
        return {"kind": "facebook", "url": url,
                "embed": "https://www.facebook.com/plugins/video.php?href="
                         + quote(url, safe="") + "&show_text=false&autoplay=true"}
    if parts.path.lower().endswith(".m3u8"):
        return {"kind": "hls", "url": url, "embed": url}
    raise field_error(field, _("Use a YouTube, Facebook video or HLS (.m3u8) link."),
                      "invalid_stream")


def _https_or_empty(url: str, field: str) -> str:
    url = optional_text(url, field, max_length=500)
    if url and (urlsplit(url).scheme != "https" or not urlsplit(url).hostname):
        raise field_error(field, _("Give a full https:// link."), "invalid_url")
    return url


def livestream(event) -> Livestream:
    return db.session.get(Livestream, event.id) or Livestream(event_id=event.id)


@transactional
def set_stream(event, *, primary_url: str = "", backup_url: str = "",
               meeting_room_url: str = "") -> Livestream:
    """Save the stream links (validated) and the meeting room for remote speakers."""
    parse_stream(primary_url, "primary_url")
    parse_stream(backup_url, "backup_url")
    stream = livestream(event)
    before = {"primary_url": stream.primary_url, "backup_url": stream.backup_url,
              "meeting_room_url": stream.meeting_room_url}
    stream.primary_url, stream.backup_url = primary_url.strip(), backup_url.strip()
    stream.meeting_room_url = _https_or_empty(meeting_room_url, "meeting_room_url")
    if stream.active == "backup" and not stream.backup_url:
        stream.active = "primary"
    db.session.add(stream)
    before, after = audit.changes(before, {
        "primary_url": stream.primary_url, "backup_url": stream.backup_url,
        "meeting_room_url": stream.meeting_room_url})
    audit.record("stream.set", event=event, target=event, before=before, after=after)
    bump(event, "live")
    db.session.commit()
    return stream


@transactional
def switch_stream(event, which: str) -> Livestream:
    """Play the backup stream (or back to the first) on every page."""
    stream = livestream(event)
    if which not in ("primary", "backup") or (which == "backup" and not stream.backup_url):
        raise DomainError(_("There is no backup stream to switch to."), code="no_backup")
    audit.record("stream.switch", event=event, target=event,
                 before={"active": stream.active}, after={"active": which})
    stream.active = which
    db.session.add(stream)
    bump(event, "live")
    db.session.commit()
    return stream


@transactional
def announce(event, text: str, *, by_user=None) -> Announcement:
    note = Announcement(event_id=event.id, text=required_text(text, "text", max_length=300),
                        created_by_id=by_user.id if by_user else None)
    db.session.add(note)
    audit.record("announcement.post", event=event, target=event, after={"text": note.text},
                 by_user=by_user)
    bump(event, "live")
    db.session.commit()
    return note


@transactional
def switch_mode(event, mode: str, *, announcement: str = "", by_user=None) -> None:
    """Hold the meeting in person, online or both — at any moment, with an optional notice."""
    if mode not in EVENT_MODES:
        raise field_error("mode", _("Choose how the meeting is held."), "invalid_mode")
    audit.record("mode.switch", event=event, target=event, before={"mode": event.mode},
                 after={"mode": mode, "announcement": announcement.strip()}, by_user=by_user)
    event.mode = mode
    if announcement.strip():
        db.session.add(Announcement(event_id=event.id,
                                    text=required_text(announcement, "announcement",
                                                       max_length=300),
                                    created_by_id=by_user.id if by_user else None))
    bump(event, "live")
    db.session.commit()


def live_state(event) -> dict:
    """What every page shows about the mode, the stream and the latest announcement."""
    stream = livestream(event)
    url = stream.backup_url if stream.active == "backup" else stream.primary_url
    try:
        player = parse_stream(url) if event.mode != "in_person" else None
    except DomainError:
        player = None
    latest = db.session.scalar(select(Announcement).where(Announcement.event_id == event.id)
                               .order_by(Announcement.id.desc()))
    return {"mode": event.mode, "player": player,
            "announcement": {"id": latest.id, "text": latest.text,
                             "at": latest.created_at.isoformat()} if latest else None}
