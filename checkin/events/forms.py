from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    MonthField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import LocalDateTimeField, options
from ..security import db_int
from .models import EVENT_KINDS, EVENT_MODES
from .services import KIND_LABELS, MODE_LABELS

REQUIRED = _l("This field is required.")


WINDOW = [Optional(), NumberRange(min=0, max=7 * 24 * 60,
                                  message=_l("Between 0 and 10080 minutes."))]


class StartMixin:
    """The start as a date and time, or as a month only (the day fixed later)."""

    starts_at = LocalDateTimeField(_l("Starts"), validators=[Optional()])
    month_only = BooleanField(_l("Only the month is known (the day and time are fixed later)"))
    starts_month = MonthField(_l("Month"), validators=[Optional()],
                              render_kw={"placeholder": "2024-08"})

    def start(self):
        """The start as an aware time, or None (with the field's error set)."""
        from .services import month_start

        if self.month_only.data:
            if self.starts_month.data:
                return month_start(self.starts_month.data.year, self.starts_month.data.month)
            if self.starts_at.data:
                return month_start(self.starts_at.data.year, self.starts_at.data.month)
            self.starts_month.errors = [*self.starts_month.errors, str(REQUIRED)]
            return None
        if self.starts_at.data is None:
            self.starts_at.errors = [*self.starts_at.errors, str(REQUIRED)]
            return None
        return self.starts_at.aware


class EventForm(StartMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=255)])
    theme = TextAreaField(_l("Theme"), validators=[Length(max=2000)])
    kind = SelectField(
        _l("Kind"), choices=options((k, KIND_LABELS[k]) for k in EVENT_KINDS))
    mode = SelectField(
        _l("Mode"), choices=options((m, MODE_LABELS[m]) for m in EVENT_MODES))
    ends_at = LocalDateTimeField(_l("Ends"), validators=[Optional()])
    venue = StringField(_l("Venue"), validators=[Length(max=255)])
    venue_address = StringField(_l("Address"), validators=[Length(max=255)])
    host_unit_id = SelectField(_l("Host unit"), coerce=int, default=0)
    nomination_deadline = LocalDateTimeField(_l("Nomination deadline"), validators=[Optional()])
    quotas_enabled = BooleanField(_l("Units have quotas (seats per unit)"), default=True)
    checkin_opens_minutes = IntegerField(_l("Check-in opens (minutes before the start)"),
                                         validators=WINDOW)
    checkin_closes_minutes = IntegerField(_l("Check-in closes (minutes after the end)"),
                                          validators=WINDOW)


class CopyEventForm(StartMixin, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=255)])
    theme = TextAreaField(_l("Theme"), validators=[Length(max=2000)])
    venue = StringField(_l("Venue"), validators=[Length(max=255)])
    venue_address = StringField(_l("Address"), validators=[Length(max=255)])
    host_unit_id = SelectField(_l("Host unit"), coerce=int, default=0)
    carry_delegates = BooleanField(
        _l("Carry each unit's delegates over (the units confirm or change them)"),
        default=True)
    copy_people = BooleanField(_l("Also copy guests, press and presidium"))


class HostForm(FlaskForm):
    class Meta:
        csrf = False  # part of SeriesForm, which carries the token

    unit_id = SelectField(_l("Host unit"), coerce=int, default=0)
    venue = StringField(_l("Venue"), validators=[Length(max=255)])
    venue_address = StringField(_l("Address"), validators=[Length(max=255)])


class SeriesForm(FlaskForm):
    title = StringField(_l("Name of the series"),
                        validators=[DataRequired(REQUIRED), Length(max=255)])
    short_name = StringField(_l("Short name"), validators=[Length(max=64)])
    interval_months = IntegerField(
        _l("Months between meetings"), default=3,
        validators=[DataRequired(REQUIRED),
                    NumberRange(min=1, max=24, message=_l("Between 1 and 24 months."))])
    hosts = FieldList(FormField(HostForm), min_entries=3)


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Item"), validators=[DataRequired(REQUIRED), Length(max=500)])
    planned_start = TimeField(_l("Planned time"), validators=[Optional()])
    duration_minutes = IntegerField(
        _l("Minutes"),
        validators=[Optional(), NumberRange(min=1, max=1440,
                                            message=_l("Between 1 and 1440 minutes."))])
    presenter = StringField(_l("Presented by"), validators=[Length(max=255)])
    parent_id = SelectField(_l("Sub-item of"), coerce=db_int, default=0, validate_choice=False)


class ContributionForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int)
    title = StringField(_l("Title of the contribution"),
                        validators=[DataRequired(REQUIRED), Length(max=500)])
    speaker = StringField(_l("Speaker"), validators=[Length(max=120)])
    deadline = LocalDateTimeField(_l("Text due by"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for buttons that post."""
