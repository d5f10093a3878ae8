from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import LocalDateTimeField, options
from .models import UNIT_KINDS
from .services import KIND_LABELS, unit_tree

REQUIRED = _l("This field is required.")
NOT_NEGATIVE = _l("Must be a whole number, 0 or more.")


class UnitForm(FlaskForm):
    name = StringField(_l("Unit name"), validators=[DataRequired(REQUIRED), Length(max=255)])
    kind = SelectField(
        _l("Kind"), choices=options((k, KIND_LABELS[k]) for k in UNIT_KINDS))
    member_count = IntegerField(_l("Members"), default=0,
                                validators=[Optional(), NumberRange(min=0, max=10_000_000,
                                                                    message=NOT_NEGATIVE)])
    parent_id = SelectField(_l("Parent unit"), coerce=int, default=0)
    code = StringField(_l("Code"), validators=[Length(max=32)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or Excel (.xlsx) file"),
                     validators=[FileRequired(_l("Choose a file to import."))])


class RuleForm(FlaskForm):
    class Meta:
        csrf = False  # part of QuotaRulesForm, which carries the token

    unit_kind = SelectField(
        _l("Unit kind"), choices=options((k, KIND_LABELS[k]) for k in UNIT_KINDS))
    min_members_exclusive = IntegerField(
        _l("With more than … members"), default=0,
        validators=[Optional(), NumberRange(min=0, max=10_000_000, message=NOT_NEGATIVE)])
    seats = IntegerField(_l("Seats"),
                         validators=[Optional(), NumberRange(min=0, max=10000,
                                                             message=NOT_NEGATIVE)])


class QuotaRulesForm(FlaskForm):
    rules = FieldList(FormField(RuleForm), min_entries=4)
    scope_id = SelectField(_l("Apply to units under"), coerce=int, default=0)
    overwrite_manual = BooleanField(_l("Also replace quotas set by hand"))


class QuotaForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int)
    seats = IntegerField(_l("Seats"), validators=[
        InputRequired(REQUIRED), NumberRange(min=0, max=10000, message=NOT_NEGATIVE)])


class DeadlineForm(FlaskForm):
    closes_at = LocalDateTimeField(_l("Closes"), validators=[Optional()])


def unit_choices(blank: str | None = None, *, event=None) -> list[SelectChoice]:
    """Units for a select box, indented by depth so the tree shows; with ``event``, only
    the units of the event's tree(s)."""
    from .services import event_units

    pairs = [(0, blank)] if blank is not None else []
    tree = event_units(event) if event is not None else unit_tree()
    pairs += [(u.id, "\u00a0\u00a0" * depth + u.name) for u, depth in tree]
    return options(pairs)
