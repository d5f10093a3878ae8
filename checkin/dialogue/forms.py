from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import NumberRange, Optional

from ..forms import LocalDateTimeField


class SettingsForm(FlaskForm):
    topics = TextAreaField(_l("Topics (one per line)"))
    agencies = TextAreaField(_l("Answering agencies (one per line)"))
    unit_deadline = LocalDateTimeField(_l("Units send their questions before"),
                                       validators=[Optional()])
    unit_minimum = IntegerField(_l("At least … questions per unit"), default=0,
                                validators=[Optional(), NumberRange(min=0, max=100)])
    speaking_seconds = IntegerField(_l("Speaking time (seconds)"), default=180,
                                    validators=[Optional(), NumberRange(min=30, max=1800)])
    max_length = IntegerField(_l("Longest question (characters)"), default=500,
                              validators=[Optional(), NumberRange(min=50, max=2000)])
