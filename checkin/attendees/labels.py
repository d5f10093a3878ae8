"""The words for attendees' codes, shared by pages, exports and live screens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "delegate": _l("Delegate"),
    "guest": _l("Guest"),
    "press": _l("Press"),
    "presidium": _l("Presidium"),
}
