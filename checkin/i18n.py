"""Language, time zone and the Vietnamese way of writing dates and names.

Vietnamese is the default language; English is complete. Times are stored in
UTC and shown in the event's zone (Asia/Ho_Chi_Minh unless configured).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, request, session
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import get_locale
from unidecode import unidecode

LANG_COOKIE = "lang"

VI_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def select_locale() -> str:
    """The visitor's choice (the switch), then the browser's, then Vietnamese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANG_COOKIE) or session.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_local(value: datetime) -> datetime:
    """A stored (UTC) time in the local zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(local_zone())


def from_local(value: datetime) -> datetime:
    """A wall-clock time typed by an organizer (local zone) as an aware UTC time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(UTC)


def _is_vi() -> bool:
    return str(get_locale() or "vi").startswith("vi")


def format_time(value: datetime | None) -> str:
    """"13 giờ 30" in Vietnamese, "1:30 PM" in English."""
    if value is None:
        return ""
    local = to_local(value)
    if _is_vi():
        return f"{local.hour} giờ {local.minute:02d}" if local.minute else f"{local.hour} giờ"
    return babel_format_datetime(local, "h:mm a", rebase=False)


def format_day(value: date | datetime | None) -> str:
    """"thứ Sáu 20/9/2019" in Vietnamese, "Friday 20 September 2019" in English."""
    if value is None:
        return ""
    day = to_local(value).date() if isinstance(value, datetime) else value
    if _is_vi():
        return f"{VI_WEEKDAYS[day.weekday()]} {day.day}/{day.month}/{day.year}"
    return babel_format_date(day, "EEEE d MMMM y")


def format_when(value: datetime | None) -> str:
    """"13 giờ 30, thứ Sáu 20/9/2019" — how a Vietnamese plan writes a meeting's time."""
    if value is None:
        return ""
    return f"{format_time(value)}, {format_day(value)}"


def format_short(value: datetime | None) -> str:
    """Compact date and time for tables: "20/9/2019 13:30"."""
    if value is None:
        return ""
    local = to_local(value)
    if _is_vi():
        return f"{local.day}/{local.month}/{local.year} {local:%H:%M}"
    return babel_format_datetime(local, "d MMM y, HH:mm", rebase=False)


def format_clock(value: datetime | None) -> str:
    """"13:30" in the local zone."""
    return "" if value is None else f"{to_local(value):%H:%M}"


_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Text for searching: no diacritics (đ → d), lower case, single spaces.

    "Nguyễn Văn Ấn" and "nguyen  van an" fold to the same string.
    """
    if not text:
        return ""
    return _SPACES.sub(" ", unidecode(text)).strip().lower()


def clean_name(text: str | None) -> str:
    """A name as typed, with surrounding and repeated spaces removed (diacritics kept)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
