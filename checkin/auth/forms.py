from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import options
from .models import ACCOUNT_ROLES, EVENT_ROLES

ACCOUNT_ROLE_LABELS = {
    "admin": _l("Administrator"),
    "organizer": _l("Organizer"),
    "staff": _l("Staff (moderator, gate)"),
}

EVENT_ROLE_LABELS = {
    "organizer": _l("Organizer"),
    "moderator": _l("Moderator (chair, secretary)"),
    "gate": _l("Gate staff"),
}

REQUIRED = _l("This field is required.")


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED)])


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(REQUIRED), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(REQUIRED),
                                                         Length(max=120)])
    role = SelectField(
        _l("Role"), choices=options((r, ACCOUNT_ROLE_LABELS[r]) for r in ACCOUNT_ROLES))
    password = PasswordField(_l("Password"))
    active = BooleanField(_l("Active"), default=True)


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(_l("New password"), validators=[DataRequired(REQUIRED)])


class EventRoleForm(FlaskForm):
    user_id = SelectField(_l("Staff member"), coerce=int)
    role = SelectField(
        _l("Role"), choices=options((r, EVENT_ROLE_LABELS[r]) for r in EVENT_ROLES))
