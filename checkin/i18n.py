"""Language, time zone and the Vietnamese way of writing dates and names.

Vietnamese is the default language; English is complete. Times are stored in
UTC and shown in the event's zone (Asia/Ho_Chi_Minh unless configured).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from functools import lru_cache
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


def format_event_when(event) -> str:
    """When the meeting is: its date and time, or only its month while the day is open
    ("tháng 8/2024 (ngày giờ sẽ báo sau)")."""
    from flask_babel import gettext as _

    if getattr(event, "date_to_be_fixed", False):
        local = to_local(event.starts_at)
        return _("%(month)d/%(year)d (day and time to be fixed)", month=local.month,
                 year=local.year)
    return format_when(event.starts_at)


def fold(text: str | None) -> str:
    """Text for searching: no diacritics (đ → d), lower case, single spaces.

    "Nguyễn Văn Ấn" and "nguyen  van an" fold to the same string.
    """
    if not text:
        return ""
    return _SPACES.sub(" ", unidecode(text)).strip().lower()


#: The Vietnamese alphabet in dictionary order: ă, â, đ, ê, ô, ơ, ư are letters of their
#: own, after a, a, d, e, o, o, u (not accents on them, as the Unicode default order has).
_VI_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_VI_RANK = {ch: i for i, ch in enumerate(_VI_LETTERS)}
#: Marks that make a letter of its own (breve, circumflex, horn) …
_LETTER_MARKS = {"\u0306": "ă", "\u0302": "^", "\u031b": "+"}
#: … and the tones, in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_WITH_MARK = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê",
              ("o", "\u0302"): "ô", ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}


@lru_cache(maxsize=8192)
def sort_key(text: str | None) -> tuple:
    """A key that sorts Vietnamese text as a Vietnamese dictionary does.

    Letters first (a < ă < â < b … d < đ … u < ư), then tones (a < à < ả < ã < á < ạ),
    then case; digits sort before letters and other characters by code point. "Đỗ"
    comes after every "D…", "Ánh" right after "Anh".
    """
    letters: list[tuple[int, int]] = []
    tones: list[int] = []
    cases: list[int] = []
    for ch in unicodedata.normalize("NFD", _SPACES.sub(" ", text or "").strip()):
        if ch in _TONES:
            if tones:
                tones[-1] = _TONES[ch]
            continue
        if ch in _LETTER_MARKS:
            if letters:
                base = _VI_LETTERS[letters[-1][1]] if letters[-1][0] == 1 else ""
                marked = _WITH_MARK.get((base, ch))
                if marked:
                    letters[-1] = (1, _VI_RANK[marked])
            continue
        lower = ch.lower()
        if lower == "đ":
            letters.append((1, _VI_RANK["đ"]))
        elif lower in _VI_RANK:
            letters.append((1, _VI_RANK[lower]))
        elif ch == " ":
            letters.append((0, -1))
        elif ch.isdigit():
            letters.append((0, ord(ch)))
        elif unicodedata.combining(ch):
            continue
        else:
            letters.append((2, ord(lower)))
        tones.append(0)
        cases.append(0 if ch == lower else 1)
    return (tuple(letters), tuple(tones), tuple(cases))


def clean_name(text: str | None) -> str:
    """A name as typed, with surrounding and repeated spaces removed (diacritics kept)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
