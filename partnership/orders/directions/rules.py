"""The rules of a new Section 35 direction: every statutory rule of sections 35 to 37
(DESIGN.md section 4) is one check here, with its own message for the form field it is
about. :func:`direction_problems` lists every broken rule at once, for the form;
:func:`partnership.orders.directions.service.give_direction` refuses with the first
(:class:`~partnership.core.saving.Refused`, so nothing is written).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from shapely.errors import ShapelyError
from shapely.geometry import Point, shape

from partnership.auth.models import User
from partnership.core import geo
from partnership.core.enums import TITLES, Exemption, Under16Action
from partnership.core.i18n import local_datetime
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.nights import to_local
from partnership.core.saving import Refused
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.authorisations.visibility import find_visible_authorisation
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.directions.visibility import rank_refusal
from partnership.subjects import service as subjects
from partnership.subjects.models import Subject

# Section 35(5)(c) and (9): excluded for at most 48 hours from when first given.
MAX_EXCLUSION = timedelta(hours=48)
# A form filled in at the roadside: a minute or two of clock difference is not the future.
CLOCK_SLACK = timedelta(minutes=5)
# Shapes drawn by hand along a boundary wander off it by a hair: about 10 cm is inside.
EDGE_TOLERANCE = 1e-6

PERIOD_MAX = "max"
PERIOD_AUTHORISATION = "authorisation"
PERIOD_OTHER = "other"
PERIODS = (PERIOD_MAX, PERIOD_AUTHORISATION, PERIOD_OTHER)

# Section 36: what each "yes" means, in words that name the reason.
EXEMPTION_REFUSALS: dict[Exemption, Any] = {
    Exemption.UNDER_10: _l(
        "You cannot give a direction to a person who appears to be under 10 (section 36)"
    ),
    Exemption.HOME: _l(
        "You cannot give this direction: it would stop them reaching the place where they"
        " live (section 36)"
    ),
    Exemption.WORK: _l(
        "You cannot give this direction: it would stop them reaching their place of work"
        " (section 36)"
    ),
    Exemption.SCHOOL: _l(
        "You cannot give this direction: it would stop them reaching school or college (section 36)"
    ),
    Exemption.MEDICAL: _l(
        "You cannot give this direction: it would stop them getting medical treatment (section 36)"
    ),
    Exemption.COURT: _l(
        "You cannot give this direction: it would stop them attending a court or tribunal"
        " (section 36)"
    ),
    Exemption.PICKET_PROCESSION: _l(
        "You cannot give this direction to someone picketing lawfully or taking part in a"
        " lawful public procession (section 36)"
    ),
}


def exemption_field(exemption: Exemption) -> str:
    """The form field that answers one section 36 question."""
    return f"exempt_{exemption.value}"


@dataclass(frozen=True)
class DirectionData:
    """What the officer enters, checked for form only (moments in UTC, None when not given
    or not readable; ``exemptions`` maps each :class:`Exemption` code to the answer, None
    when unanswered)."""

    authorisation_id: int | None
    given_at: datetime
    place: str
    in_uniform: bool = False
    latitude: float | None = None
    longitude: float | None = None
    subject_reference: str = ""
    person_name: str = ""
    date_of_birth: date | None = None
    apparent_age: int | None = None
    address: str = ""
    description: str = ""
    whole_locality: bool = True
    excluded_geometry: dict[str, Any] | None = None
    excluded_description: str = ""
    period: str = PERIOD_MAX
    ends_at: datetime | None = None
    leave_by: datetime | None = None
    route: str = ""
    items_surrendered: str = ""
    items_return: str = ""
    in_writing: bool = True
    not_in_writing_reason: str = ""
    offence_warning_given: bool = False
    under_16_action: str = ""
    under_16_note: str = ""
    exemptions: dict[str, bool | None] = field(default_factory=dict)


def authorisation_end(authorisation: DispersalAuthorisation) -> datetime:
    """When ``authorisation`` stops (or stopped) allowing directions: its end, or the
    moment it was ended early."""
    if authorisation.ended_at is not None:
        return min(authorisation.ends_at, authorisation.ended_at)
    return authorisation.ends_at


def _subject(actor: User, reference: str, moment: datetime) -> Subject | None:
    """The red flag ``actor`` can see with ``reference``, following a merge to the profile
    it was merged into."""
    subject = subjects.find_by_reference(actor, reference, moment.date())
    if subject is not None and subject.merged_into is not None:
        merged = subject.merged_into
        if merged.erased_at is None:
            return merged
    return subject


def age_at(date_of_birth: date, moment: datetime) -> int:
    """Age in whole years on the London date of ``moment``."""
    day = to_local(moment).date()
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def _ages(
    date_of_birth: date | None, apparent_age: int | None, moment: datetime
) -> list[tuple[str, int]]:
    """Each age known (with the field it comes from): apparent, or from the date of birth."""
    ages: list[tuple[str, int]] = []
    if apparent_age is not None:
        ages.append(("apparent_age", apparent_age))
    if date_of_birth is not None and date_of_birth <= to_local(moment).date():
        ages.append(("date_of_birth", age_at(date_of_birth, moment)))
    return ages


def appears_under(direction: DispersalDirection, years: int) -> bool:
    """Whether the person's apparent age, or age from their date of birth when the
    direction was given, is under ``years``."""
    ages = _ages(direction.date_of_birth, direction.apparent_age, direction.given_at)
    return any(age < years for _name, age in ages)


def _inside(outer: dict[str, Any], inner: Any) -> bool:
    """Whether ``inner`` (a shapely geometry) lies within the ``outer`` GeoJSON shape, its
    edge included, give or take a hand's drawing."""
    try:
        return bool(shape(outer).buffer(EDGE_TOLERANCE).covers(inner))
    except (ShapelyError, ValueError, TypeError, KeyError, AttributeError):
        return False


def _part_inside(locality: dict[str, Any], part: dict[str, Any]) -> bool:
    try:
        inner = shape(part)
    except (ShapelyError, ValueError, TypeError, KeyError, AttributeError):
        return False
    return _inside(locality, inner)


# --- The checks of a new direction --------------------------------------------------


@dataclass
class Context:
    """What the checks share: the authorisation and red flag the data names, when found."""

    actor: User
    data: DirectionData
    now: datetime
    authorisation: DispersalAuthorisation | None = None
    subject: Subject | None = None

    @property
    def date_of_birth(self) -> date | None:
        if self.data.date_of_birth is not None:
            return self.data.date_of_birth
        return self.subject.date_of_birth if self.subject is not None else None

    def ends_at(self) -> datetime | None:
        data = self.data
        if data.period == PERIOD_MAX:
            return data.given_at + MAX_EXCLUSION
        if data.period == PERIOD_AUTHORISATION:
            if self.authorisation is None:
                return None
            return authorisation_end(self.authorisation)
        return data.ends_at


def context_for(actor: User, data: DirectionData, now: datetime) -> Context:
    context = Context(actor=actor, data=data, now=now)
    if data.authorisation_id is not None:
        context.authorisation = find_visible_authorisation(actor, data.authorisation_id)
    if data.subject_reference.strip():
        context.subject = _subject(actor, data.subject_reference, now)
    return context


def _check_giver(context: Context) -> None:
    refusal = rank_refusal(context.actor)
    if refusal is not None:
        raise Refused(refusal)


def _check_uniform(context: Context) -> None:
    if not context.data.in_uniform:
        raise Refused(
            _l("Confirm that you are in uniform: only an officer in uniform can give a direction"),
            field="in_uniform",
        )


def _check_given_at(context: Context) -> None:
    if context.data.given_at > context.now + CLOCK_SLACK:
        raise Refused(_l("The time cannot be in the future"), field="given_clock")


def _check_authorisation(context: Context) -> None:
    authorisation = context.authorisation
    if authorisation is None:
        raise Refused(
            _l("Choose the authorisation the direction is given under"),
            field="authorisation_id",
        )
    given_at = context.data.given_at
    if authorisation.in_force(given_at):
        return
    if given_at < authorisation.starts_at:
        message = _l(
            "Authorisation %(reference)s does not start until %(start)s: a direction can"
            " only be given while it is in force",
            reference=authorisation.reference,
            start=local_datetime(authorisation.starts_at),
        )
    elif authorisation.ended_at is not None and authorisation.ended_at < authorisation.ends_at:
        message = _l(
            "Authorisation %(reference)s was ended early, at %(end)s: a direction can only"
            " be given while it is in force",
            reference=authorisation.reference,
            end=local_datetime(authorisation.ended_at),
        )
    else:
        message = _l(
            "Authorisation %(reference)s ended at %(end)s: a direction can only be given"
            " while it is in force",
            reference=authorisation.reference,
            end=local_datetime(authorisation.ends_at),
        )
    raise Refused(message, field="authorisation_id")


def _check_place(context: Context) -> None:
    if not context.data.place.strip():
        raise Refused(
            _l("Say where the direction was given, like the street or a landmark"),
            field="place",
        )


def _check_point(context: Context) -> None:
    data = context.data
    if data.latitude is None and data.longitude is None:
        return
    if data.latitude is None or data.longitude is None:
        raise Refused(_l("Enter the latitude and longitude as numbers"), field="place")
    try:
        geo.check_point(data.latitude, data.longitude)
    except geo.GeoError as error:
        raise Refused(error.message, field="place") from None
    authorisation = context.authorisation
    if authorisation is None:
        return  # the authorisation's own message says what to do
    if not _inside(authorisation.geometry, Point(data.longitude, data.latitude)):
        raise Refused(
            _l(
                "The place marked on the map is outside the authorised locality,"
                " %(locality)s: a direction can only be given inside it",
                locality=authorisation.locality_name,
            ),
            field="place",
        )


def _check_person(context: Context) -> None:
    data = context.data
    if data.subject_reference.strip():
        if context.subject is None:
            raise Refused(
                _l("No red flag you can see has that reference"), field="subject_reference"
            )
        return
    if not data.person_name.strip() and not data.description.strip():
        raise Refused(
            _l("Enter the person's name, or describe them if they will not give it"),
            field="person_name",
        )


def _check_age(context: Context) -> None:
    data = context.data
    if data.date_of_birth is not None and data.date_of_birth > to_local(data.given_at).date():
        raise Refused(
            _l("The date of birth must be before the direction was given"),
            field="date_of_birth",
        )
    if data.apparent_age is not None and not 0 <= data.apparent_age <= 120:
        raise Refused(_l("Enter their apparent age in years, like 19"), field="apparent_age")
    if context.date_of_birth is None and data.apparent_age is None:
        raise Refused(
            _l("Enter their date of birth, or how old they appear to be"),
            field="apparent_age",
        )


def _ages_of(context: Context) -> list[tuple[str, int]]:
    data = context.data
    return _ages(context.date_of_birth, data.apparent_age, data.given_at)


def _exemption_check(exemption: Exemption) -> Callable[[Context], None]:
    """Section 36: one question, answered; a "yes" refuses the direction, naming why."""

    def check(context: Context) -> None:
        answer = context.data.exemptions.get(exemption.value)
        if answer is None:
            raise Refused(
                _l(
                    "Answer yes or no: %(question)s",
                    question=TITLES[Exemption][exemption.value],
                ),
                field=exemption_field(exemption),
            )
        if answer:
            raise Refused(EXEMPTION_REFUSALS[exemption], field=exemption_field(exemption))

    return check


def _check_under_10(context: Context) -> None:
    for name, age in _ages_of(context):
        if age < 10:
            raise Refused(
                _l(
                    "You cannot give a direction to a person under 10 (section 36): the age"
                    " entered is %(age)s",
                    age=age,
                ),
                field="date_of_birth" if name == "date_of_birth" else "apparent_age",
            )


def _check_area(context: Context) -> None:
    data = context.data
    check_part(
        context.authorisation,
        data.whole_locality,
        data.excluded_geometry,
        data.excluded_description,
    )


def check_part(
    authorisation: DispersalAuthorisation | None,
    whole_locality: bool,
    geometry: dict[str, Any] | None,
    description: str,
) -> None:
    """Section 35(4)(b): the direction specifies the area, the whole locality or a part."""
    if whole_locality:
        return
    if geometry is None:
        raise Refused(
            _l("Draw on the map the part of the locality they must leave, or paste its GeoJSON"),
            field="geometry",
        )
    if authorisation is not None and not _part_inside(authorisation.geometry, geometry):
        raise Refused(
            _l(
                "The excluded area must lie inside the authorised locality, %(locality)s:"
                " draw it again within the boundary",
                locality=authorisation.locality_name,
            ),
            field="geometry",
        )
    if not description.strip():
        raise Refused(
            _l(
                "Describe in words the part of the locality they must leave, like the"
                " streets that bound it"
            ),
            field="excluded_description",
        )


def _check_period(context: Context) -> None:
    data = context.data
    if data.period not in PERIODS:
        raise Refused(_l("Choose how long they are excluded for"), field="period")
    ends_at = context.ends_at()
    if ends_at is None:
        if data.period == PERIOD_OTHER:
            raise Refused(_l("Enter the date and time the direction ends"), field="ends_day")
        return  # no authorisation: its own message says what to do
    on = "ends_day" if data.period == PERIOD_OTHER else "period"
    if ends_at <= data.given_at:
        raise Refused(_l("The direction must end after it is given"), field=on)
    if ends_at - data.given_at > MAX_EXCLUSION:
        raise Refused(
            _l(
                "A direction can exclude someone for at most 48 hours: it must end no later"
                " than %(latest)s",
                latest=local_datetime(data.given_at + MAX_EXCLUSION),
            ),
            field=on,
        )


def _check_leave_by(context: Context) -> None:
    data = context.data
    ends_at = context.ends_at()
    check_leave_time(data.leave_by, data.given_at, ends_at, "leave_by")


def check_leave_time(
    leave_by: datetime | None, given_at: datetime, ends_at: datetime | None, on: str
) -> None:
    """Section 35(5)(b): the time by which to leave falls while the direction runs."""
    if leave_by is None:
        return
    if leave_by < given_at or (ends_at is not None and leave_by >= ends_at):
        raise Refused(
            _l("The time to leave by must be after the direction is given and before it ends"),
            field=on,
        )


def _check_items(context: Context) -> None:
    data = context.data
    if data.items_surrendered.strip() and not data.items_return.strip():
        raise Refused(
            _l(
                "Say how they can get the items they surrendered back, like where and when"
                " to collect them (section 37)"
            ),
            field="items_return",
        )


def _check_writing(context: Context) -> None:
    data = context.data
    if not data.in_writing and not data.not_in_writing_reason.strip():
        raise Refused(
            _l("Say why it was not reasonably practicable to give the direction in writing"),
            field="not_in_writing_reason",
        )


def _check_warning(context: Context) -> None:
    if not context.data.offence_warning_given:
        raise Refused(
            _l(
                "Confirm that you told them that failing to comply with the direction is an offence"
            ),
            field="offence_warning_given",
        )


def _check_under_16(context: Context) -> None:
    data = context.data
    codes = {action.value for action in Under16Action}
    if data.under_16_action and data.under_16_action not in codes:
        raise Refused(_l("Choose what you did"), field="under_16_action")
    if any(age < 16 for _name, age in _ages_of(context)) and not data.under_16_action:
        raise Refused(
            _l(
                "They appear to be under 16: say whether you took them home or to a place of"
                " safety, or neither"
            ),
            field="under_16_action",
        )


# In the order the form asks; who is giving it first, since nothing matters without it.
CHECKS: tuple[Callable[[Context], None], ...] = (
    _check_giver,
    _check_authorisation,
    _check_given_at,
    _check_place,
    _check_point,
    _check_uniform,
    _check_person,
    _check_age,
    *(_exemption_check(exemption) for exemption in Exemption),
    _check_under_10,
    _check_area,
    _check_period,
    _check_leave_by,
    _check_items,
    _check_writing,
    _check_warning,
    _check_under_16,
)


def direction_problems(actor: User, data: DirectionData, now: datetime) -> list[Refused]:
    """Every rule ``data`` breaks (empty if it may be given), each a :class:`Refused` with
    its message and field, so a form can show them all at once."""
    context = context_for(actor, data, now)
    problems: list[Refused] = []
    for check in CHECKS:
        try:
            check(context)
        except Refused as refused:
            problems.append(refused)
    return problems
