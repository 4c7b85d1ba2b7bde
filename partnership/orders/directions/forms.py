"""Forms for Section 35 directions, their variation and withdrawal, and breaches. The
statutory rules are checked by the service (:mod:`partnership.orders.directions.rules`); these
forms read what was typed."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from partnership.core.enums import TITLES, BreachOutcome, Exemption, Under16Action
from partnership.core.fields import (
    MomentFields,
    clock_field,
    day_field,
    fold_field,
    text_area,
    text_line,
)
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm
from partnership.orders.directions.rules import PERIOD_AUTHORISATION, PERIOD_MAX, PERIOD_OTHER

TEXT_LIMIT = 2000
WHOLE = "whole"
PART = "part"
YES = "yes"
NO = "no"


def _yes_no(label: Any, description: Any = None, default: str | None = None) -> RadioField:
    return RadioField(
        label,
        description=description,
        choices=[SelectChoice(YES, _l("Yes")), SelectChoice(NO, _l("No"))],
        default=default,
        validators=[Optional()],
    )


def _exemption(exemption: Exemption) -> RadioField:
    return _yes_no(TITLES[Exemption][exemption.value])


def _area() -> RadioField:
    return RadioField(
        _l("Which area must they leave and not return to?"),
        choices=[
            SelectChoice(WHOLE, _l("The whole authorised locality")),
            SelectChoice(PART, _l("Part of the authorised locality")),
        ],
        default=WHOLE,
        validators=[Optional()],
    )


def _geometry() -> TextAreaField:
    return TextAreaField(
        _l("Shape of the part (GeoJSON)"),
        description=_l(
            "Only for part of the locality. With the map, click to add its corners instead."
        ),
        validators=[Length(max=400_000, message=_l("The GeoJSON is too long"))],
    )


def _excluded_description() -> TextAreaField:
    return text_area(
        _l("The excluded area in words"),
        _l("The streets that bound it, as you told the person. Needed for part of the locality."),
        most=TEXT_LIMIT,
    )


def _route() -> TextAreaField:
    return text_area(_l("The route they must take to leave (optional)"), most=TEXT_LIMIT)


class DirectionForm(MomentFields, Form):
    # The authorisation: choices are those in force now or lately, set by the view; the
    # service explains one that was not in force when the direction was given.
    authorisation_id = RadioField(
        _l("Which authorisation is it given under?"), validate_choice=False
    )

    # When and where it was given, and by whom.
    given_day = day_field(_l("Date given"))
    given_clock = clock_field(_l("Time given"))
    given_fold = fold_field()
    place = text_line(
        _l("Where was it given?"), _l("The street, or the nearest landmark"), most=300
    )
    latitude = HiddenField()
    longitude = HiddenField()
    in_uniform = BooleanField(_l("I am in uniform"))

    # The person.
    subject_reference = text_line(
        _l("Red flag reference, if they have one"),
        _l("For example, RF-2026-0042. If not, enter their details below."),
        most=20,
    )
    person_name = text_line(_l("Name"))
    date_of_birth = day_field(_l("Date of birth"))
    apparent_age = text_line(
        _l("How old do they appear to be?"),
        _l("In years. Needed if you do not know their date of birth."),
        most=3,
    )
    address = text_area(_l("Address (optional)"), most=500)
    description = text_area(
        _l("Description"), _l("What they look like and what they are wearing"), most=2000
    )

    # Section 36: asked before it is given.
    exempt_under_10 = _exemption(Exemption.UNDER_10)
    exempt_home = _exemption(Exemption.HOME)
    exempt_work = _exemption(Exemption.WORK)
    exempt_school = _exemption(Exemption.SCHOOL)
    exempt_medical = _exemption(Exemption.MEDICAL)
    exempt_court = _exemption(Exemption.COURT)
    exempt_picket_procession = _exemption(Exemption.PICKET_PROCESSION)

    # The excluded area.
    excluded_area = _area()
    geometry = _geometry()
    excluded_description = _excluded_description()

    # The period.
    period = RadioField(
        _l("Until when are they excluded?"),
        choices=[
            SelectChoice(PERIOD_MAX, _l("For 48 hours from when it is given, the longest allowed")),
            SelectChoice(PERIOD_AUTHORISATION, _l("Until the authorisation ends")),
            SelectChoice(PERIOD_OTHER, _l("Until another time: I'll give the date and time")),
        ],
        default=PERIOD_MAX,
        validators=[Optional()],
    )
    ends_day = day_field(_l("End date"))
    ends_clock = clock_field(_l("End time"))
    ends_fold = fold_field()

    # What they must do.
    leave_by = text_line(
        _l("Time by which they must leave (optional)"),
        _l("24-hour clock, like 01:45"),
        most=5,
    )
    route = _route()

    # Section 37.
    items_surrendered = text_area(
        _l("Items surrendered (optional)"),
        _l("Anything they handed over that could be used in anti-social behaviour, like alcohol"),
        most=1000,
    )
    items_return = text_area(
        _l("How they can get the items back"),
        _l("Where and when to collect them, as written on the notice"),
        most=1000,
    )

    # The notice and the warning.
    in_writing = _yes_no(_l("Did you give them the notice in writing?"), default=YES)
    not_in_writing_reason = text_area(
        _l("Why was it not reasonably practicable to give it in writing?"), most=1000
    )
    offence_warning_given = BooleanField(
        _l("I told them that failing to comply with the direction is an offence")
    )

    # Someone who appears under 16.
    under_16_action = RadioField(
        _l("If they appear to be under 16, what did you do?"),
        choices=Under16Action.choices(),
        validators=[Optional()],
    )
    under_16_note = text_area(_l("Where they were taken, or why not (optional)"), most=1000)

    def exemption_answers(self) -> dict[str, bool | None]:
        """Each section 36 question's answer: True (yes), False (no), None (unanswered)."""
        answers: dict[str, bool | None] = {}
        for exemption in Exemption:
            raw = getattr(self, f"exempt_{exemption.value}").data
            answers[exemption.value] = {YES: True, NO: False}.get(raw or "")
        return answers

    def exemption_fields(self) -> list[Field]:
        return [getattr(self, f"exempt_{exemption.value}") for exemption in Exemption]


# A direction's columns that a variation or withdrawal changes, as the forms name them.
DIRECTION_CHANGE_LABELS: dict[str, Any] = {
    "ends_at": _l("End date"),
    "excluded_geometry": _l("Excluded area"),
    "excluded_description": _l("Excluded area"),
    "leave_by": _l("Leave by"),
    "route": _l("Route"),
    "withdrawn_at": _l("Withdrawn"),
}


class VaryForm(MomentFields, VersionedForm):
    change_labels = DIRECTION_CHANGE_LABELS
    ends_day = day_field(_l("End date"))
    ends_clock = clock_field(_l("End time"))
    ends_fold = fold_field()
    excluded_area = _area()
    geometry = _geometry()
    excluded_description = _excluded_description()
    leave_by_day = day_field(_l("Leave by: date (optional)"))
    leave_by_clock = clock_field(_l("Leave by: time (optional)"))
    leave_by_fold = fold_field()
    route = _route()
    reason = text_area(_l("Why is it being varied?"), _l("As you told the person"), most=1000)
    notice_in_writing = _yes_no(
        _l("Did you give them notice of the change in writing?"), default=YES
    )


class WithdrawForm(VersionedForm):
    change_labels = DIRECTION_CHANGE_LABELS
    reason = text_area(_l("Why is it being withdrawn?"), _l("As you told the person"), most=1000)
    notice_in_writing = _yes_no(
        _l("Did you give them notice of the withdrawal in writing?"), default=YES
    )


class BreachForm(MomentFields, Form):
    day = day_field(_l("Date"))
    clock = clock_field(_l("Time"))
    fold = fold_field()
    place = text_line(
        _l("Where were they seen?"), _l("The street, or the nearest landmark"), most=300
    )
    outcome = RadioField(
        _l("What was done?"), choices=BreachOutcome.choices(), validators=[Optional()]
    )
    notes = text_area(_l("Notes (optional)"), most=2000)
