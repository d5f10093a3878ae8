"""Checks shared by services: names, phone numbers, e-mail addresses.

Each returns the cleaned value or raises :class:`ValidationError` with the
field name, so forms and imports report the same reason in the user's language.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from .errors import ValidationError
from .i18n import clean_name

_PHONE_JUNK = re.compile(r"[\s.\-()]")


def field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code, errors=[{"field": field, "message": message}])


def required_text(value: str | None, field: str, *, max_length: int) -> str:
    text = clean_name(value)
    if not text:
        raise field_error(field, _("This field is required."), "required")
    if len(text) > max_length:
        raise field_error(
            field, _("At most %(n)d characters.", n=max_length), "too_long"
        )
    return text


def optional_text(value: str | None, field: str, *, max_length: int) -> str:
    text = clean_name(value)
    if len(text) > max_length:
        raise field_error(field, _("At most %(n)d characters.", n=max_length), "too_long")
    return text


def normalize_phone(value: str | None, field: str = "phone") -> str:
    """A Vietnamese phone number as 10 or 11 digits starting with 0, or "".

    Accepts "0912 345 678", "0912.345.678", "+84 912 345 678".
    """
    raw = _PHONE_JUNK.sub("", value or "")
    if not raw:
        return ""
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) == 11:
        raw = "0" + raw[2:]
    elif raw.isdigit() and len(raw) == 9 and raw[0] != "0":
        raw = "0" + raw  # a spreadsheet stored the number as a number and dropped the 0
    if not (raw.isdigit() and raw.startswith("0") and len(raw) in (10, 11)):
        raise field_error(
            field,
            _("Invalid phone number: use 10 digits starting with 0, e.g. 0912 345 678."),
            "invalid_phone",
        )
    return raw


def normalize_email(value: str | None, field: str = "email") -> str:
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise field_error(field, _("Invalid e-mail address."), "invalid_email") from None


def parse_count(value: object, field: str, *, allow_blank: bool = True) -> int:
    """A whole number ≥ 0 from a form or a spreadsheet cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_blank:
            return 0
        raise field_error(field, _("This field is required."), "required")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip().replace(".", "").replace(",", "")
        if not text.lstrip("-").isdigit():
            raise field_error(field, _("Must be a whole number."), "not_a_number")
        number = int(text)
    if number < 0:
        raise field_error(field, _("Must not be negative."), "negative")
    return number
