"""Section 35 directions to leave: giving one, varying or withdrawing it with its own notice,
the Section 38 record, and breaches recorded by police.

Every statutory rule of sections 35 to 37 (DESIGN.md section 4) is one check here, with its
own message for the form field it is about. :func:`give_direction` refuses with the first
broken rule (:class:`~partnership.core.saving.Refused`, so nothing is written);
:func:`direction_problems` lists every broken rule at once, for the form. Functions add
and flush and leave one audit event; the view commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from flask_babel import gettext as _
from shapely.errors import ShapelyError
from shapely.geometry import Point, shape
from sqlalchemy import and_, or_

from partnership.auth.models import User
from partnership.core import audit, geo
from partnership.core.enums import (
    POLICE_ROLES,
    TITLES,
    BreachOutcome,
    Exemption,
    Rank,
    Under16Action,
)
from partnership.core.i18n import local_date, local_datetime
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.nights import LONDON, NonexistentTimeError, is_nonexistent, to_local
from partnership.core.saving import Refused
from partnership.extensions import db
from partnership.orders.models import (
    Breach,
    DirectionChange,
    DispersalAuthorisation,
    DispersalDirection,
)
from partnership.orders.service import (
    next_reference,
    visible_authorisations,
    visible_directions,
)
from partnership.subjects import service as subjects
from partnership.subjects.models import Subject

PREFIX = "S35"
# Section 35(5)(c) and (9): excluded for at most 48 hours from when first given.
MAX_EXCLUSION = timedelta(hours=48)
# A form filled in at the roadside: a minute or two of clock difference is not the future.
CLOCK_SLACK = timedelta(minutes=5)
# Shapes drawn by hand along a boundary wander off it by a hair: about 10 cm is inside.
EDGE_TOLERANCE = 1e-6
# Authorisations offered on the form: in force now, or within this long before (a direction
# recorded a little after it was given).
RECENT = timedelta(hours=12)

PERIOD_MAX = "max"
PERIOD_AUTHORISATION = "authorisation"
PERIOD_OTHER = "other"
PERIODS = (PERIOD_MAX, PERIOD_AUTHORISATION, PERIOD_OTHER)

# Section 35(1) and the Police Reform Act 2002: a constable (any rank), or a PCSO
# designated with the power.
CONSTABLE_RANKS = frozenset({Rank.CONSTABLE, Rank.SERGEANT, Rank.INSPECTOR})

VARIED = "varied"
WITHDRAWN = "withdrawn"

NOT_POLICE = _l("Only police officers can give, change or record breaches of a direction")
NO_RANK = _l(
    "Your account has no police rank recorded, so you cannot give or change a direction."
    " Ask an administrator to add your rank."
)
PCSO_NOT_DESIGNATED = _l(
    "Only a constable or a designated PCSO can give or change a direction, and your account"
    " is not marked as designated. Ask a constable to give it."
)

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


@dataclass(frozen=True)
class VariationData:
    """The requirements as varied (all of them, changed or not) and the variation's notice."""

    ends_at: datetime | None
    whole_locality: bool
    excluded_geometry: dict[str, Any] | None
    excluded_description: str
    leave_by: datetime | None
    route: str
    reason: str
    notice_in_writing: bool


@dataclass(frozen=True)
class BreachData:
    occurred_at: datetime
    place: str
    outcome: str
    notes: str = ""


class RecordLine(NamedTuple):
    """One item of the Section 38 record: its label and its value (lines separated by
    newlines)."""

    label: str
    value: str


# --- Who may give one -------------------------------------------------------------


def rank_refusal(user: User) -> Any:
    """Why ``user`` may not give or change a direction, or None if they may: police, a
    constable of any rank, or a PCSO designated with the power."""
    if user.role_enum not in POLICE_ROLES:
        return NOT_POLICE
    rank = user.rank_enum
    if rank is None:
        return NO_RANK
    if rank is Rank.PCSO and not user.designated_pcso:
        return PCSO_NOT_DESIGNATED
    if rank is not Rank.PCSO and rank not in CONSTABLE_RANKS:
        return NO_RANK
    return None


def may_give(user: User) -> bool:
    return rank_refusal(user) is None


# --- Finding what a direction needs -------------------------------------------------


def find_visible(user: User, direction_id: int) -> DispersalDirection | None:
    """The direction, if ``user`` may see it (police); else None (the view answers 404)."""
    return db.session.scalar(visible_directions(user).where(DispersalDirection.id == direction_id))


def find_authorisation(user: User, authorisation_id: int) -> DispersalAuthorisation | None:
    return db.session.scalar(
        visible_authorisations(user).where(DispersalAuthorisation.id == authorisation_id)
    )


def authorisation_end(authorisation: DispersalAuthorisation) -> datetime:
    """When ``authorisation`` stops (or stopped) allowing directions: its end, or the
    moment it was ended early."""
    if authorisation.ended_at is not None:
        return min(authorisation.ends_at, authorisation.ended_at)
    return authorisation.ends_at


def authorisations_to_choose(user: User, now: datetime) -> list[DispersalAuthorisation]:
    """Authorisations to offer on the form: in force now or at some time in the last 12
    hours (a direction recorded soon after it was given), those in force now first."""
    since = now - RECENT
    found = list(
        db.session.scalars(
            visible_authorisations(user)
            .where(
                DispersalAuthorisation.starts_at <= now,
                DispersalAuthorisation.ends_at > since,
                or_(
                    DispersalAuthorisation.ended_at.is_(None),
                    and_(
                        DispersalAuthorisation.ended_at > since,
                        DispersalAuthorisation.ended_at > DispersalAuthorisation.starts_at,
                    ),
                ),
            )
            .order_by(DispersalAuthorisation.starts_at.desc(), DispersalAuthorisation.id.desc())
        )
    )
    return sorted(found, key=lambda a: not a.in_force(now))


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


def next_occurrence(clock: time, after: datetime) -> datetime:
    """The first moment at or after ``after`` that London clocks show ``clock`` (today or
    tomorrow): "leave by 01:45". On the night the clocks go back the earlier of the two
    01:30s that is not past is meant; a time skipped when they go forward raises
    :class:`~partnership.core.nights.NonexistentTimeError`."""
    local_day = to_local(after).date()
    for day in (local_day, local_day + timedelta(days=1)):
        wall = datetime.combine(day, clock)
        if is_nonexistent(wall):
            if wall.replace(tzinfo=LONDON).astimezone(UTC) >= after:
                raise NonexistentTimeError(wall.isoformat())
            continue
        for fold in (0, 1):
            moment = wall.replace(fold=fold, tzinfo=LONDON).astimezone(UTC)
            if moment >= after:
                return moment
    raise NonexistentTimeError(clock.isoformat())  # pragma: no cover (a day always has it)


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


def latest_end(direction: DispersalDirection) -> datetime:
    """The latest a direction can ever end: 48 hours from when it was first given."""
    return direction.given_at + MAX_EXCLUSION


def effective_end(direction: DispersalDirection) -> datetime:
    """When the direction stops (or stopped) binding: its end, or when it was withdrawn."""
    if direction.withdrawn_at is not None:
        return min(direction.ends_at, direction.withdrawn_at)
    return direction.ends_at


def status(direction: DispersalDirection, now: datetime) -> str:
    """``active``, ``withdrawn`` or ``ended``, for the pages' tags."""
    if direction.withdrawn_at is not None:
        return WITHDRAWN
    if now >= direction.ends_at:
        return "ended"
    return "active"


# --- The checks of a new direction --------------------------------------------------


@dataclass
class _Context:
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


def _context(actor: User, data: DirectionData, now: datetime) -> _Context:
    context = _Context(actor=actor, data=data, now=now)
    if data.authorisation_id is not None:
        context.authorisation = find_authorisation(actor, data.authorisation_id)
    if data.subject_reference.strip():
        context.subject = _subject(actor, data.subject_reference, now)
    return context


def _check_giver(context: _Context) -> None:
    refusal = rank_refusal(context.actor)
    if refusal is not None:
        raise Refused(refusal)


def _check_uniform(context: _Context) -> None:
    if not context.data.in_uniform:
        raise Refused(
            _l("Confirm that you are in uniform: only an officer in uniform can give a direction"),
            field="in_uniform",
        )


def _check_given_at(context: _Context) -> None:
    if context.data.given_at > context.now + CLOCK_SLACK:
        raise Refused(_l("The time cannot be in the future"), field="given_clock")


def _check_authorisation(context: _Context) -> None:
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


def _check_place(context: _Context) -> None:
    if not context.data.place.strip():
        raise Refused(
            _l("Say where the direction was given, like the street or a landmark"),
            field="place",
        )


def _check_point(context: _Context) -> None:
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


def _check_person(context: _Context) -> None:
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


def _check_age(context: _Context) -> None:
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


def _ages_of(context: _Context) -> list[tuple[str, int]]:
    data = context.data
    return _ages(context.date_of_birth, data.apparent_age, data.given_at)


def _exemption_check(exemption: Exemption) -> Callable[[_Context], None]:
    """Section 36: one question, answered; a "yes" refuses the direction, naming why."""

    def check(context: _Context) -> None:
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


def _check_under_10(context: _Context) -> None:
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


def _check_area(context: _Context) -> None:
    data = context.data
    _check_part(
        context.authorisation,
        data.whole_locality,
        data.excluded_geometry,
        data.excluded_description,
    )


def _check_part(
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


def _check_period(context: _Context) -> None:
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


def _check_leave_by(context: _Context) -> None:
    data = context.data
    ends_at = context.ends_at()
    _check_leave_time(data.leave_by, data.given_at, ends_at, "leave_by")


def _check_leave_time(
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


def _check_items(context: _Context) -> None:
    data = context.data
    if data.items_surrendered.strip() and not data.items_return.strip():
        raise Refused(
            _l(
                "Say how they can get the items they surrendered back, like where and when"
                " to collect them (section 37)"
            ),
            field="items_return",
        )


def _check_writing(context: _Context) -> None:
    data = context.data
    if not data.in_writing and not data.not_in_writing_reason.strip():
        raise Refused(
            _l("Say why it was not reasonably practicable to give the direction in writing"),
            field="not_in_writing_reason",
        )


def _check_warning(context: _Context) -> None:
    if not context.data.offence_warning_given:
        raise Refused(
            _l(
                "Confirm that you told them that failing to comply with the direction is an offence"
            ),
            field="offence_warning_given",
        )


def _check_under_16(context: _Context) -> None:
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
CHECKS: tuple[Callable[[_Context], None], ...] = (
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
    context = _context(actor, data, now)
    problems: list[Refused] = []
    for check in CHECKS:
        try:
            check(context)
        except Refused as refused:
            problems.append(refused)
    return problems


def give_direction(actor: User, data: DirectionData, now: datetime) -> DispersalDirection:
    """Record a Section 35 direction given by ``actor`` at ``data.given_at``.

    Guarantees, otherwise :class:`Refused` (the first rule broken) and nothing is added:
    ``actor`` is a constable (any rank) or a designated PCSO, confirmed in uniform; the
    authorisation was in force when it was given, and a place marked on the map is inside
    its locality; the person is a red flag ``actor`` can see or has a name or description,
    and a date of birth or apparent age; every section 36 question was answered "no" and
    the person is not under 10; the excluded area is the whole locality or a part inside
    it, described in words; it ends after it is given and within 48 hours; the time to
    leave by falls in between; items surrendered say how to get them back; a notice not
    in writing says why; the offence warning was given; for someone under 16, what was
    done is recorded. A red flag's name, date of birth, address and description fill in
    what was not entered, so the Section 38 record stands on its own. Adds, flushes and
    leaves one ``direction.given`` audit event.
    """
    context = _context(actor, data, now)
    for check in CHECKS:
        check(context)
    authorisation, ends_at = context.authorisation, context.ends_at()
    if authorisation is None or ends_at is None:  # the checks above refuse this
        raise ValueError("a direction needs its authorisation and end")
    subject = context.subject
    direction = DispersalDirection(
        reference=next_reference(DispersalDirection, PREFIX, to_local(data.given_at).year),
        authorisation_id=authorisation.id,
        subject_id=subject.id if subject is not None else None,
        person_name=data.person_name.strip() or (subject.name if subject else ""),
        date_of_birth=context.date_of_birth,
        apparent_age=data.apparent_age,
        address=data.address.strip() or (subject.address if subject else ""),
        description=data.description.strip() or (subject.description if subject else ""),
        given_at=data.given_at,
        place=data.place.strip(),
        latitude=data.latitude,
        longitude=data.longitude,
        given_by_id=actor.id,
        given_by_name=actor.name,
        given_by_rank=actor.rank or "",
        in_uniform=True,
        excluded_geometry=None if data.whole_locality else data.excluded_geometry,
        excluded_description=data.excluded_description.strip(),
        ends_at=ends_at,
        leave_by=data.leave_by,
        route=data.route.strip(),
        items_surrendered=data.items_surrendered.strip(),
        items_return=data.items_return.strip() if data.items_surrendered.strip() else "",
        in_writing=data.in_writing,
        not_in_writing_reason="" if data.in_writing else data.not_in_writing_reason.strip(),
        offence_warning_given=True,
        under_16_action=data.under_16_action,
        under_16_note=data.under_16_note.strip(),
        exemptions_checked={e.value: bool(data.exemptions.get(e.value)) for e in Exemption},
        created_at=now,
        updated_at=now,
    )
    db.session.add(direction)
    db.session.flush()
    audit.record(
        "direction.given",
        actor=actor,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
        authorisation=authorisation.reference,
        subject_id=direction.subject_id,
        given_at=direction.given_at.isoformat(),
        ends_at=direction.ends_at.isoformat(),
        whole_locality=direction.excluded_geometry is None,
        in_writing=direction.in_writing,
    )
    return direction


# --- Variation and withdrawal (section 35(9)) ----------------------------------------


def _requirements(direction: DispersalDirection) -> dict[str, Any]:
    """What a variation can change, as JSON (moments as ISO 8601 UTC)."""
    return {
        "ends_at": direction.ends_at.isoformat(),
        "excluded_geometry": direction.excluded_geometry,
        "excluded_description": direction.excluded_description,
        "leave_by": direction.leave_by.isoformat() if direction.leave_by else None,
        "route": direction.route,
    }


def _check_changeable(actor: User, direction: DispersalDirection, now: datetime) -> None:
    refusal = rank_refusal(actor)
    if refusal is not None:
        raise Refused(refusal)
    if direction.withdrawn_at is not None:
        raise Refused(
            _l(
                "This direction was withdrawn at %(when)s: it can no longer be varied or withdrawn",
                when=local_datetime(direction.withdrawn_at),
            )
        )
    if now >= direction.ends_at:
        raise Refused(
            _l(
                "This direction ended at %(when)s: it can no longer be varied or withdrawn",
                when=local_datetime(direction.ends_at),
            )
        )


def _check_notice(reason: str) -> None:
    if not reason.strip():
        raise Refused(
            _l("Give the reason, as you told the person in the notice of it"), field="reason"
        )


def vary_direction(
    actor: User,
    direction: DispersalDirection,
    data: VariationData,
    now: datetime,
) -> DirectionChange:
    """Vary ``direction`` at ``now``, with its own notice.

    Refused (nothing changed) unless ``actor`` may give directions; it has not been
    withdrawn nor ended; a reason is given; the new end is after now and never
    more than 48 hours from when the direction was first given; the area is the whole
    locality or a described part inside it; the time to leave by falls while it runs;
    and something changes. Adds a :class:`DirectionChange` with what was in force before
    and after, flushes and leaves one ``direction.varied`` audit event. (The form's
    version is checked by :func:`~partnership.core.saving.save_or_keep`.)
    """
    _check_changeable(actor, direction, now)
    _check_notice(data.reason)
    if data.ends_at is None:
        raise Refused(_l("Enter the date and time the direction ends"), field="ends_day")
    if data.ends_at > latest_end(direction):
        raise Refused(
            _l(
                "A direction can never last more than 48 hours from when it was first given:"
                " the latest it can end is %(latest)s",
                latest=local_datetime(latest_end(direction)),
            ),
            field="ends_day",
        )
    if data.ends_at <= now:
        raise Refused(
            _l("The new end must be in the future: to end it now, withdraw it instead"),
            field="ends_day",
        )
    _check_part(
        direction.authorisation,
        data.whole_locality,
        data.excluded_geometry,
        data.excluded_description,
    )
    _check_leave_time(data.leave_by, direction.given_at, data.ends_at, "leave_by_day")
    before = _requirements(direction)
    after = {
        "ends_at": data.ends_at.isoformat(),
        "excluded_geometry": None if data.whole_locality else data.excluded_geometry,
        "excluded_description": data.excluded_description.strip(),
        "leave_by": data.leave_by.isoformat() if data.leave_by else None,
        "route": data.route.strip(),
    }
    changed = sorted(name for name in after if after[name] != before[name])
    if not changed:
        raise Refused(
            _l(
                "Nothing was changed: change the end, the area, the time to leave by or the"
                " route, or go back"
            )
        )
    change = DirectionChange(
        direction_id=direction.id,
        kind=VARIED,
        changed_at=now,
        changed_by_id=actor.id,
        changed_by_name=actor.name,
        reason=data.reason.strip(),
        notice_in_writing=data.notice_in_writing,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    direction.ends_at = data.ends_at
    direction.excluded_geometry = None if data.whole_locality else data.excluded_geometry
    direction.excluded_description = data.excluded_description.strip()
    direction.leave_by = data.leave_by
    direction.route = data.route.strip()
    direction.updated_at = now
    direction.changes.append(change)
    db.session.flush()
    audit.record(
        "direction.varied",
        actor=actor,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
        fields=changed,
        notice_in_writing=data.notice_in_writing,
    )
    return change


def withdraw_direction(
    actor: User,
    direction: DispersalDirection,
    reason: str,
    notice_in_writing: bool,
    now: datetime,
) -> DirectionChange:
    """Withdraw ``direction`` at ``now``, with its own notice: the person may return.

    Refused (nothing changed) unless ``actor`` may give directions; it has not been
    withdrawn already nor ended; and a reason is given. Adds a :class:`DirectionChange`,
    flushes and leaves one ``direction.withdrawn`` audit event. (The form's version is
    checked by :func:`~partnership.core.saving.save_or_keep`.)
    """
    _check_changeable(actor, direction, now)
    _check_notice(reason)
    change = DirectionChange(
        direction_id=direction.id,
        kind=WITHDRAWN,
        changed_at=now,
        changed_by_id=actor.id,
        changed_by_name=actor.name,
        reason=reason.strip(),
        notice_in_writing=notice_in_writing,
        before={"withdrawn_at": None},
        after={"withdrawn_at": now.isoformat()},
    )
    direction.withdrawn_at = now
    direction.updated_at = now
    direction.changes.append(change)
    db.session.flush()
    audit.record(
        "direction.withdrawn",
        actor=actor,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
        notice_in_writing=notice_in_writing,
    )
    return change


# --- Breaches --------------------------------------------------------------------------


def record_breach(
    actor: User, direction: DispersalDirection, data: BreachData, now: datetime
) -> Breach:
    """Record that the person breached ``direction`` (an offence), seen by ``actor``.

    Refused (nothing added) unless ``actor`` is police; the time is not in the future and
    falls while the direction was in force (given, not yet ended or withdrawn); the place
    is given; and the outcome is arrested, reported or warned. Adds the breach, flushes
    and leaves one ``direction.breach_recorded`` audit event.
    """
    if actor.role_enum not in POLICE_ROLES:
        raise Refused(NOT_POLICE)
    if data.occurred_at > now + CLOCK_SLACK:
        raise Refused(_l("The time cannot be in the future"), field="clock")
    end = effective_end(direction)
    if not direction.given_at <= data.occurred_at < end:
        raise Refused(
            _l(
                "A breach can only happen while the direction is in force: from %(start)s"
                " until %(end)s",
                start=local_datetime(direction.given_at),
                end=local_datetime(end),
            ),
            field="clock",
        )
    if not data.place.strip():
        raise Refused(_l("Say where they were seen"), field="place")
    if data.outcome not in {outcome.value for outcome in BreachOutcome}:
        raise Refused(_l("Choose what was done about the breach"), field="outcome")
    breach = Breach(
        direction_id=direction.id,
        occurred_at=data.occurred_at,
        place=data.place.strip(),
        recorded_by_id=actor.id,
        organisation_id=actor.organisation_id,
        outcome=data.outcome,
        notes=data.notes.strip(),
        created_at=now,
    )
    direction.breaches.append(breach)
    db.session.flush()
    audit.record(
        "direction.breach_recorded",
        actor=actor,
        object_type="direction",
        object_id=direction.id,
        reference=direction.reference,
        breach=breach.id,
        outcome=breach.outcome,
        occurred_at=breach.occurred_at.isoformat(),
    )
    return breach


# --- The Section 38 record ---------------------------------------------------------------


def _yes_no(answer: bool) -> str:
    return str(_("Yes") if answer else _("No"))


def _rank(code: str) -> str:
    try:
        return str(Rank(code).label)
    except ValueError:
        return code


def _moment(value: Any) -> str:
    if not value:
        return str(_("Not set"))
    return local_datetime(datetime.fromisoformat(value))


def _change_lines(change: DirectionChange) -> list[str]:
    lines = [
        _(
            "%(when)s, by %(name)s",
            when=local_datetime(change.changed_at),
            name=change.changed_by_name,
        ),
        _("Reason: %(reason)s", reason=change.reason),
        _("Notice of it given in writing")
        if change.notice_in_writing
        else _("Notice of it not given in writing"),
    ]
    labels = {
        "ends_at": _("Excluded until"),
        "excluded_geometry": _("Shape of the excluded area"),
        "excluded_description": _("Excluded area in words"),
        "leave_by": _("Leave by"),
        "route": _("Route"),
    }
    for name, label in labels.items():
        if name not in change.after:
            continue
        before, after = change.before.get(name), change.after.get(name)
        if name in ("ends_at", "leave_by"):
            before, after = _moment(before), _moment(after)
        elif name == "excluded_geometry":
            before = _("Part of the locality") if before else _("The whole locality")
            after = _("Part of the locality") if after else _("The whole locality")
        else:
            before, after = before or _("Not set"), after or _("Not set")
        lines.append(
            _("%(what)s: was %(before)s, now %(after)s", what=label, before=before, after=after)
        )
    return lines


def section_38_record(direction: DispersalDirection) -> list[RecordLine]:
    """Everything Section 38 requires to be recorded about ``direction``, in order: the
    person, the locality, the period, the time given, the requirements (area, time to
    leave by, route), items surrendered, and every variation and withdrawal; then the
    rest of what was asked and told at the time. Labels and values in the request's
    language; values of several lines are separated by newlines."""
    record: list[RecordLine] = [RecordLine(_("Reference"), direction.reference)]

    person = [direction.person_name or _("Name not given")]
    if direction.subject is not None:
        person.append(_("Red flag %(reference)s", reference=direction.subject.reference))
    record.append(RecordLine(_("Person"), "\n".join(person)))
    if direction.date_of_birth is not None:
        record.append(
            RecordLine(_("Date of birth"), local_date(direction.date_of_birth, "d MMMM yyyy"))
        )
    if direction.apparent_age is not None:
        record.append(RecordLine(_("Apparent age"), str(direction.apparent_age)))
    if direction.address:
        record.append(RecordLine(_("Address"), direction.address))
    if direction.description:
        record.append(RecordLine(_("Description"), direction.description))

    authorisation = direction.authorisation
    record.append(
        RecordLine(
            _("Locality"),
            "\n".join(
                [
                    _(
                        "%(locality)s, authorisation %(reference)s",
                        locality=authorisation.locality_name,
                        reference=authorisation.reference,
                    ),
                    authorisation.boundary,
                ]
            ),
        )
    )
    record.append(
        RecordLine(
            _("Period of exclusion"),
            _(
                "From %(start)s until %(end)s",
                start=local_datetime(direction.given_at),
                end=local_datetime(direction.ends_at),
            ),
        )
    )
    record.append(RecordLine(_("Time given"), local_datetime(direction.given_at)))
    place = [direction.place]
    if direction.latitude is not None and direction.longitude is not None:
        place.append(
            _(
                "Latitude %(latitude)s, longitude %(longitude)s",
                latitude=direction.latitude,
                longitude=direction.longitude,
            )
        )
    record.append(RecordLine(_("Place given"), "\n".join(place)))
    record.append(
        RecordLine(
            _("Given by"),
            _(
                "%(name)s, %(rank)s, in uniform",
                name=direction.given_by_name,
                rank=_rank(direction.given_by_rank),
            ),
        )
    )

    if direction.excluded_geometry is None:
        area = [
            _(
                "The whole of the authorised locality, %(locality)s",
                locality=authorisation.locality_name,
            )
        ]
    else:
        area = [
            _("Part of the authorised locality, %(locality)s", locality=authorisation.locality_name)
        ]
    if direction.excluded_description:
        area.append(direction.excluded_description)
    record.append(RecordLine(_("Excluded area"), "\n".join(area)))
    record.append(
        RecordLine(
            _("Leave by"),
            local_datetime(direction.leave_by) if direction.leave_by else _("Not set"),
        )
    )
    record.append(RecordLine(_("Route"), direction.route or _("Not set")))

    record.append(RecordLine(_("Items surrendered"), direction.items_surrendered or _("None")))
    if direction.items_surrendered:
        record.append(RecordLine(_("How to get the items back"), direction.items_return))

    if direction.in_writing:
        record.append(RecordLine(_("Notice"), _("Given in writing")))
    else:
        record.append(
            RecordLine(
                _("Notice"),
                _(
                    "Not given in writing, because: %(reason)s",
                    reason=direction.not_in_writing_reason,
                ),
            )
        )
    record.append(
        RecordLine(
            _("Offence warning"),
            _("Told that failing to comply with the direction is an offence")
            if direction.offence_warning_given
            else _("Not recorded"),
        )
    )
    if direction.under_16_action or appears_under(direction, 16):
        action = direction.under_16_action
        said = [Under16Action(action).label if action else _("Not recorded")]
        if direction.under_16_note:
            said.append(direction.under_16_note)
        record.append(RecordLine(_("Appears to be under 16"), "\n".join(said)))
    record.append(
        RecordLine(
            _("Section 36 questions"),
            "\n".join(
                _(
                    "%(question)s: %(answer)s",
                    question=exemption.label,
                    answer=_yes_no(bool(direction.exemptions_checked.get(exemption.value))),
                )
                for exemption in Exemption
            ),
        )
    )

    number = 0
    for change in direction.changes:
        if change.kind == VARIED:
            number += 1
            label = _("Variation %(number)d", number=number)
        else:
            label = _("Withdrawal")
        record.append(RecordLine(label, "\n".join(_change_lines(change))))
    if direction.withdrawn_at is not None:
        record.append(RecordLine(_("Withdrawn at"), local_datetime(direction.withdrawn_at)))
    return record
