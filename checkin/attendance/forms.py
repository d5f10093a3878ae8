from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from ..forms import options

REQUIRED = _l("This field is required.")


class GateForm(FlaskForm):
    name = StringField(_l("Gate name"), validators=[DataRequired(REQUIRED), Length(max=64)])


class WalkInForm(FlaskForm):
    nonce = HiddenField()
    category = SelectField(_l("Category"), choices=options(
        (("guest", _l("Guest")), ("press", _l("Press")))))
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    organization = StringField(_l("Organisation"), validators=[Length(max=255)])
    position = StringField(_l("Position"), validators=[Length(max=255)])
    phone = StringField(_l("Phone (optional)"), validators=[Length(max=30)])


class SubstituteForm(FlaskForm):
    nonce = HiddenField()
    replaces_id = IntegerField(_l("In place of"), validators=[DataRequired(REQUIRED),
                                                              NumberRange(min=1, max=2**63 - 1)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    position = StringField(_l("Position"), validators=[Length(max=255)])
    phone = StringField(_l("Phone (optional)"), validators=[Length(max=30)])
