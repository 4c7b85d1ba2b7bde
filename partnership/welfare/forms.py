from __future__ import annotations

from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from partnership.core.enums import AgeBand, Gender, HandedTo, SafeSpaceReason, Support
from partnership.core.fields import (
    WhenFields,
    day_field,
    earlier_clock,
    fold_field,
    limit,
    when_field,
)
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.when import when_choices

STILL_HERE = "still_here"

# The venue and the organisation handed to are checked against the rules in the
# service (whose venue, which kind of organisation), so these selects accept any
# value here and the service explains a refusal in words a user understands.


def _notes() -> TextAreaField:
    return TextAreaField(
        _l("Notes"),
        description=_l("Do not write their name or anything else that identifies them."),
        validators=[Optional(), limit(2000)],
    )


def _handed_to() -> RadioField:
    return RadioField(
        _l("Who did you hand them over to?"),
        choices=HandedTo.choices(),
        validators=[DataRequired(_l("Choose who you handed them over to"))],
    )


def _handed_to_organisation() -> SelectField:
    return SelectField(
        _l("Which Street Pastors group or welfare team?"),
        description=_l(
            "Only if you handed them to Street Pastors or a welfare team: "
            "that organisation will be able to see this record."
        ),
        validate_choice=False,
        validators=[Optional()],
    )


class PersonHelpedFields(Form):
    """Who was helped (without a name) and who they were handed to: the same on both forms."""

    age_band = RadioField(_l("Apparent age"), choices=AgeBand.choices(), validators=[Optional()])
    gender = RadioField(
        _l("Gender, if they said"), choices=Gender.choices(), validators=[Optional()]
    )
    handed_to = _handed_to()
    handed_to_organisation_id = _handed_to_organisation()
    notes = _notes()


class SafeSpaceUseForm(WhenFields, PersonHelpedFields, Form):
    submission_key = HiddenField()
    venue_id = SelectField(_l("Which venue?"), validate_choice=False, validators=[Optional()])

    when = when_field(_l("When did they arrive?"))

    left = RadioField(
        _l("When did they leave?"),
        choices=[SelectChoice(STILL_HERE, _l("They are still here")), *when_choices()],
        default=STILL_HERE,
        validators=[DataRequired(_l("Choose when they left, or that they are still here"))],
    )
    # The date, time and "which 01:30" that go with an "Earlier" choice (core/when.py).
    left_day = day_field()
    left_clock = earlier_clock()
    left_fold = fold_field()

    reasons = SelectMultipleField(
        _l("Why did they need the Safe Space?"),
        description=_l("Choose all that apply"),
        choices=SafeSpaceReason.choices(),
        validators=[DataRequired(_l("Choose at least one reason"))],
    )
    support = SelectMultipleField(
        _l("What support did you give?"),
        description=_l("Choose all that apply"),
        choices=Support.choices(),
        validators=[Optional()],
    )


class WelfareNoteForm(WhenFields, PersonHelpedFields, Form):
    submission_key = HiddenField()
    venue_id = SelectField(_l("Where was it?"), validate_choice=False, validators=[Optional()])
    place = StringField(_l("Or describe the place"), validators=[Optional(), limit(300)])

    when = when_field(_l("When did it happen?"))

    support = SelectMultipleField(
        _l("What help did you give?"),
        description=_l("Choose all that apply"),
        choices=Support.choices(),
        validators=[Optional()],
    )


class NightsFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    night_from = DateField(_l("Nights from"), validators=[Optional()])
    night_to = DateField(_l("Nights to"), validators=[Optional()])
