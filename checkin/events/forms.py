from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import LocalDateTimeField, options
from .models import EVENT_KINDS, EVENT_MODES
from .services import KIND_LABELS, MODE_LABELS

REQUIRED = _l("This field is required.")


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=255)])
    theme = TextAreaField(_l("Theme"), validators=[Length(max=2000)])
    kind = SelectField(
        _l("Kind"), choices=options((k, KIND_LABELS[k]) for k in EVENT_KINDS))
    mode = SelectField(
        _l("Mode"), choices=options((m, MODE_LABELS[m]) for m in EVENT_MODES))
    starts_at = LocalDateTimeField(_l("Starts"), validators=[DataRequired(REQUIRED)])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[Optional()])
    venue = StringField(_l("Venue"), validators=[Length(max=255)])
    venue_address = StringField(_l("Address"), validators=[Length(max=255)])
    host_unit_id = SelectField(_l("Host unit"), coerce=int, default=0)
    nomination_deadline = LocalDateTimeField(_l("Nomination deadline"), validators=[Optional()])


class CopyEventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=255)])
    theme = TextAreaField(_l("Theme"), validators=[Length(max=2000)])
    starts_at = LocalDateTimeField(_l("Starts"), validators=[DataRequired(REQUIRED)])
    venue = StringField(_l("Venue"), validators=[Length(max=255)])
    venue_address = StringField(_l("Address"), validators=[Length(max=255)])
    host_unit_id = SelectField(_l("Host unit"), coerce=int, default=0)
    copy_people = BooleanField(_l("Also copy guests, press and presidium"))


class AgendaItemForm(FlaskForm):
    title = StringField(_l("Item"), validators=[DataRequired(REQUIRED), Length(max=500)])
    planned_start = TimeField(_l("Planned time"), validators=[Optional()])
    duration_minutes = IntegerField(
        _l("Minutes"),
        validators=[Optional(), NumberRange(min=1, max=1440,
                                            message=_l("Between 1 and 1440 minutes."))])
    presenter = StringField(_l("Presented by"), validators=[Length(max=255)])


class ContributionForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int)
    title = StringField(_l("Title of the contribution"),
                        validators=[DataRequired(REQUIRED), Length(max=500)])
    speaker = StringField(_l("Speaker"), validators=[Length(max=120)])


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for buttons that post."""
