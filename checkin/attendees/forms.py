from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import LocalDateTimeField, NonceField

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


class ReissueForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=255)])


class LetterHeadForm(FlaskForm):
    superior_body = StringField(_l("Superior body"), validators=[Length(max=255)])
    issuing_body = StringField(_l("Issuing body"), validators=[DataRequired(REQUIRED),
                                                                Length(max=255)])
    number = StringField(_l("Document number"), validators=[Length(max=64)])
    place = StringField(_l("Place"), validators=[DataRequired(REQUIRED), Length(max=120)])
    issued_on = LocalDateTimeField(_l("Date of issue"), validators=[Optional()])
    signer_on_behalf = StringField(_l("On behalf of"), validators=[Length(max=120)])
    signer_title = StringField(_l("Signer's title"), validators=[Length(max=120)])
    signer_name = StringField(_l("Signer's name"), validators=[Length(max=120)])


class ImportPeopleForm(FlaskForm):
    file = FileField(_l("CSV or Excel (.xlsx) file"),
                     validators=[FileRequired(_l("Choose a file to import."))])


class ConfirmImportForm(FlaskForm):
    upload = HiddenField(validators=[DataRequired()])


class SendForm(FlaskForm):
    scope = HiddenField(default="all")
    unit_id = HiddenField()
    attendee_id = HiddenField()
    resend = BooleanField(_l("Send again to people who already received it"))
