"""Forms for Section 34 authorisations. The statutory rules are checked by the service
(:mod:`partnership.orders.authorisations`); these forms read what was typed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from partnership.core.enums import Necessity
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm
from partnership.core.when import fold_choices, moment_from_fields

TEXT_LIMIT = 5000


def _limit(most: int) -> Length:
    return Length(max=most, message=_l("Keep this to %(max)d characters or fewer", max=most))


def _text(label: Any, description: Any = None, most: int = TEXT_LIMIT) -> TextAreaField:
    return TextAreaField(label, description=description, validators=[_limit(most)])


def _fold() -> RadioField:
    return RadioField(_l("Which 01:00 to 02:00?"), choices=fold_choices(), validators=[Optional()])


class AuthorisationForm(Form):
    # Choices are the active areas, set by the view; the service explains a wrong one.
    area_id = SelectField(
        _l("Locality"),
        description=_l(
            "An area already on the portal, or none to draw or paste the locality below"
        ),
        validate_choice=False,
    )
    locality_name = StringField(
        _l("Name of the locality you drew"),
        description=_l("Only for a locality drawn or pasted here"),
        validators=[_limit(200)],
    )
    geometry = TextAreaField(
        _l("Shape of the area (GeoJSON)"),
        description=_l(
            "A GeoJSON Polygon or MultiPolygon with [longitude, latitude] points, "
            "or a Feature holding one. With the map, click to add corners instead."
        ),
        validators=[Length(max=400_000, message=_l("The GeoJSON is too long"))],
    )
    boundary = _text(
        _l("Boundary streets"),
        _l("The streets that bound the locality, in order, as the paperwork will list them"),
    )
    start_day = DateField(_l("Start date"), validators=[Optional()])
    start_time = StringField(
        _l("Start time"), description=_l("24-hour clock, like 18:00"), validators=[_limit(5)]
    )
    start_fold = _fold()
    end_day = DateField(_l("End date"), validators=[Optional()])
    end_time = StringField(
        _l("End time"), description=_l("24-hour clock, like 18:00"), validators=[_limit(5)]
    )
    end_fold = _fold()
    necessity = SelectMultipleField(
        _l("Why is it necessary?"),
        description=_l("Choose all that apply"),
        choices=Necessity.choices(),
        validators=[Optional()],
    )
    grounds = _text(
        _l("Grounds"),
        _l("What has happened in the locality, and why dispersal powers are needed there"),
    )
    echr_regard = _text(
        _l("Regard to ECHR Articles 10 and 11"),
        _l(
            "How you have considered the rights to freedom of expression and of peaceful"
            " assembly: for example protests, vigils or gatherings expected in the locality"
        ),
    )
    confirm = BooleanField(
        _l(
            "I authorise the use of directions to leave (section 35) in this locality, for"
            " this period, on these grounds. My name, rank and the time are recorded as my"
            " signature."
        )
    )

    def moment(self, prefix: str) -> datetime | None:
        """The UTC moment of the ``start`` or ``end`` date and time, entered in London time
        (see :func:`partnership.core.when.moment_from_fields`)."""
        return moment_from_fields(
            getattr(self, f"{prefix}_day"),
            getattr(self, f"{prefix}_time"),
            getattr(self, f"{prefix}_fold"),
        )


class EndAuthorisationForm(VersionedForm):
    change_labels = {
        "ended_at": _l("Ended early"),
        "ended_by_id": None,
        "end_reason": None,
    }
    reason = _text(
        _l("Why is it ending early?"),
        _l("For example, the event is over or the disorder has stopped"),
        most=2000,
    )
