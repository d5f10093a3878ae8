"""Form helpers shared by every package's views."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, SelectChoice

from .errors import ValidationError
from .i18n import from_local, to_local


class LocalDateTimeField(DateTimeLocalField):
    """A wall-clock date and time in the meeting's zone; ``aware`` gives it in UTC."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
        super().__init__(label, validators, **kwargs)
        self.messages = {"invalid": _l("Enter a date and time, e.g. 20/09/2019 13:30.")}

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.messages["invalid"])) from None

    def process_data(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = to_local(value).replace(tzinfo=None)
        super().process_data(value)

    @property
    def aware(self) -> datetime | None:
        return from_local(self.data) if self.data else None


class NonceField(HiddenField):
    """A client-made id for the submission, so a form sent twice acts once."""


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's field errors next to the form's fields."""
    placed = False
    for error in exc.errors:
        field = getattr(form, error.get("field") or "", None)
        if field is not None:
            field.errors = [*field.errors, error["message"]] if isinstance(field.errors, list) \
                else [error["message"]]
            placed = True
    if not placed:
        form.form_errors.append(str(exc.message))


def options(pairs) -> list[SelectChoice]:
    """Choices for a select box from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]
