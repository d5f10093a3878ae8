"""Forms of the preparation plan, the programme and the idea bank (CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..events.models import EVENT_KINDS
from ..events.services import KIND_LABELS as EVENT_KIND_LABELS
from ..forms import LocalDateTimeField, NonceField, options
from ..units.models import UNIT_KINDS
from ..units.services import KIND_LABELS as UNIT_KIND_LABELS
from .models import DELIVERABLES, IDEA_KINDS, IDEA_OUTCOMES, METRICS, TASK_STATUSES
from .services import (
    DELIVERABLE_LABELS,
    IDEA_KIND_LABELS,
    IDEA_OUTCOME_LABELS,
    METRIC_LABELS,
    STATUS_LABELS,
)

REQUIRED = _l("This field is required.")
NOT_NEGATIVE = _l("Must be a whole number, 0 or more.")


class TaskForm(FlaskForm):
    title = StringField(_l("Task"), validators=[DataRequired(REQUIRED), Length(max=500)])
    #: "u<id>" for a unit, "s<id>" for a staff member, "" for nobody yet.
    owner = SelectField(_l("Owner"), default="")
    due_at = LocalDateTimeField(_l("Deadline (date and hour)"),
                                validators=[DataRequired(REQUIRED)])
    deliverable = SelectField(_l("To hand in"),
                              choices=options((d, DELIVERABLE_LABELS[d]) for d in DELIVERABLES))
    status = SelectField(_l("Status"),
                         choices=options((s, STATUS_LABELS[s]) for s in TASK_STATUSES))
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


class ApplyTemplateForm(FlaskForm):
    template_id = SelectField(_l("Template"), coerce=int)
    host_unit_id = SelectField(_l("Host unit"), coerce=int, default=0)
    cohost_unit_id = SelectField(_l("Co-host unit"), coerce=int, default=0)
    office_user_id = SelectField(_l("Office member in charge"), coerce=int, default=0)


class SaveTemplateForm(FlaskForm):
    name = StringField(_l("Template name"), validators=[DataRequired(REQUIRED), Length(max=255)])


class UploadForm(FlaskForm):
    file = FileField(_l("File (PDF, DOCX or XLSX)"),
                     validators=[FileRequired(_l("Choose a file to hand in."))])


class ContactForm(FlaskForm):
    email = StringField(_l("E-mail for reminders"), validators=[Length(max=255)])
    name = StringField(_l("Contact person"), validators=[Length(max=120)])


class RemindForm(FlaskForm):
    days = IntegerField(_l("Deadlines within (days)"), default=2,
                        validators=[NumberRange(min=1, max=60, message=_l("From 1 to 60."))])


# --- programmes ---------------------------------------------------------------------

class ProgrammeForm(FlaskForm):
    title = StringField(_l("Name of the programme"),
                        validators=[DataRequired(REQUIRED), Length(max=255)])
    year = IntegerField(_l("Year"), validators=[DataRequired(REQUIRED),
                                                NumberRange(min=2000, max=2100)])
    scope_unit_id = SelectField(_l("Units under"), coerce=int, default=0)


class MeetingForm(FlaskForm):
    title = StringField(_l("Meeting"), validators=[DataRequired(REQUIRED), Length(max=255)])
    kind = SelectField(_l("Kind"),
                       choices=options((k, EVENT_KIND_LABELS[k]) for k in EVENT_KINDS),
                       default="dialogue")
    when = SelectField(_l("When"), default="q1")
    note = StringField(_l("Note"), validators=[Length(max=2000)])


class LinkEventForm(FlaskForm):
    event_id = SelectField(_l("Event"), coerce=int, default=0)


class TargetRuleForm(FlaskForm):
    class Meta:
        csrf = False  # part of TargetRulesForm, which carries the token

    metric = SelectField(_l("What"), choices=options((m, METRIC_LABELS[m]) for m in METRICS))
    unit_kind = SelectField(_l("Unit kind"),
                            choices=options((k, UNIT_KIND_LABELS[k]) for k in UNIT_KINDS))
    min_members_exclusive = IntegerField(
        _l("With more than … members"), default=0,
        validators=[Optional(), NumberRange(min=0, message=NOT_NEGATIVE)])
    amount = IntegerField(_l("Target for the year"),
                          validators=[Optional(), NumberRange(min=0, message=NOT_NEGATIVE)])


class TargetRulesForm(FlaskForm):
    rules = FieldList(FormField(TargetRuleForm), min_entries=1)
    overwrite_manual = BooleanField(_l("Also replace targets set by hand"))


class TargetForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int)
    metric = SelectField(_l("What"), choices=options((m, METRIC_LABELS[m]) for m in METRICS))
    amount = IntegerField(_l("Target for the year"),
                          validators=[Optional(), NumberRange(min=0, message=NOT_NEGATIVE)])


class IdeaForm(FlaskForm):
    nonce = NonceField()
    kind = SelectField(_l("Kind"), choices=options((k, IDEA_KIND_LABELS[k]) for k in IDEA_KINDS))
    title = StringField(_l("Title of the idea"),
                        validators=[DataRequired(REQUIRED), Length(max=255)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    field = StringField(_l("Field"), validators=[Length(max=120)])
    author_name = StringField(_l("Author"), validators=[DataRequired(REQUIRED), Length(max=120)])


class ClassifyForm(FlaskForm):
    category = StringField(_l("Classification"), validators=[Length(max=120)])
    outcome = SelectField(_l("Outcome"),
                          choices=options((o, IDEA_OUTCOME_LABELS[o]) for o in IDEA_OUTCOMES))
    selected_event_id = SelectField(_l("Picked for the agenda of"), coerce=int, default=0)
    outcome_note = TextAreaField(_l("What became of it"), validators=[Length(max=2000)])
