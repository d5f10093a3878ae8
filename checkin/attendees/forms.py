from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import NonceField

REQUIRED = _l("This field is required.")


class PersonForm(FlaskForm):
    """A delegate as a unit's secretary names them."""

    nonce = NonceField()
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED), Length(max=120)])
    position = StringField(_l("Position"), validators=[Length(max=255)])
    phone = StringField(_l("Phone (optional)"), validators=[Length(max=30)])
    email = StringField(_l("E-mail (optional)"), validators=[Length(max=255)])


class AttendeeForm(PersonForm):
    """A person as the organizer adds them: any category, unit or organisation."""

    category = SelectField(_l("Category"))
    unit_id = SelectField(_l("Unit"), coerce=int, default=0)
    organization = StringField(_l("Organisation (guests, press)"), validators=[Length(max=255)])
