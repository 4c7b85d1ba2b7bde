"""Forms for partnership exclusion notices, their appeals, variation and lifting, and
"seen at my venue". The rules are checked by the services
(:mod:`partnership.orders.notices.service` and :mod:`~partnership.orders.notices.appeals`),
which name the field each refusal is about; these forms read what was typed."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from partnership.core.enums import AppealOutcome, VenueBreachAction
from partnership.core.fields import WhenFields, day_field, limit, text_area
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm
from partnership.core.when import when_choices

TEXT_LIMIT = 4000
CUSTOM_END = "date"


def duration_choices() -> list[SelectChoice]:
    return [
        SelectChoice("3", _l("3 months")),
        SelectChoice("6", _l("6 months")),
        SelectChoice("12", _l("12 months")),
        SelectChoice(CUSTOM_END, _l("Until a date I choose")),
    ]


class NoticeForm(Form):
    subject_reference = StringField(
        _l("Red flag reference"),
        description=_l("For example, RF-2026-0001"),
        validators=[limit(40)],
    )
    warned_on = day_field(_l("Date of the warning"), _l("Leave empty if no warning was given"))
    warning_note = text_area(_l("What the warning said"), most=2000)
    # Choices are the red flag's incidents, set by the view; the service explains a wrong one.
    incidents = SelectMultipleField(
        _l("Incidents the notice relies on"),
        description=_l(
            "Sightings linked to this red flag and shared with the partnership. Choose at"
            " least one, or write the reasons below."
        ),
        validate_choice=False,
        validators=[Optional()],
    )
    reasons = text_area(_l("Reasons for the notice"), most=TEXT_LIMIT)
    starts_on = day_field(_l("Start date"))
    duration = RadioField(
        _l("How long does the notice last?"),
        choices=duration_choices(),
        default="3",
        validate_choice=False,
    )
    ends_on = day_field(
        _l("End date"), _l("Only if you chose a date: at most 12 months from the start")
    )
    review_on = day_field(_l("Review date"), _l("Before the notice ends"))
    include_photo = BooleanField(_l("Show the red flag's photo on the notice"))
    appeal_how = text_area(_l("How to appeal"), most=2000)
    appeal_by = day_field(
        _l("Last day to appeal"), _l("Leave empty for 14 days after the day of issue")
    )


# A notice's columns that a variation, lifting or appeal changes, as the forms name them.
NOTICE_CHANGE_LABELS: dict[str, Any] = {
    "ends_on": _l("End date"),
    "review_on": _l("Review date"),
    "reasons": _l("Reasons for the notice"),
    "duration_months": None,
    "lifted_at": _l("Lifted"),
    "lift_reason": None,
    "appeals": _l("Appeals"),
}


class AppealForm(VersionedForm):
    change_labels = NOTICE_CHANGE_LABELS
    received_on = day_field(_l("Date the appeal was received"))
    grounds = text_area(_l("Grounds of the appeal"), most=TEXT_LIMIT)


class DecideAppealForm(VersionedForm):
    change_labels = NOTICE_CHANGE_LABELS
    outcome = RadioField(_l("Outcome"), choices=AppealOutcome.choices(), validate_choice=False)
    reason = text_area(_l("Reason for the decision"), most=TEXT_LIMIT)
    ends_on = day_field(_l("New end date"), _l("Only if the notice is varied"))
    review_on = day_field(
        _l("New review date"), _l("Only if the notice is varied; leave empty to keep it")
    )


class VaryNoticeForm(VersionedForm):
    change_labels = NOTICE_CHANGE_LABELS
    ends_on = day_field(_l("End date"), _l("At most 12 months from the start"))
    review_on = day_field(_l("Review date"), _l("Before the notice ends"))
    reasons = text_area(_l("Reasons for the notice"), most=TEXT_LIMIT)


class LiftNoticeForm(VersionedForm):
    change_labels = NOTICE_CHANGE_LABELS
    reason = text_area(_l("Why is the notice lifted?"), most=2000)


class VenueBreachForm(WhenFields, Form):
    # Choices are the user's venues the notice covers, set by the view.
    venue_id = SelectField(_l("Which venue?"), validate_choice=False)
    when = RadioField(
        _l("When?"),
        choices=when_choices(),
        default="now",
        validate_choice=False,
    )
    action = RadioField(
        _l("What did you do?"), choices=VenueBreachAction.choices(), validate_choice=False
    )
    notes = text_area(_l("Anything else (optional)"), most=2000)
