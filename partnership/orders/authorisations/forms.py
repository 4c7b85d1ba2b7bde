"""Forms for Section 34 authorisations. The statutory rules are checked by the service
(:mod:`partnership.orders.authorisations.service`); these forms read what was typed."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from partnership.core.enums import Necessity
from partnership.core.fields import (
    MomentFields,
    clock_field,
    day_field,
    fold_field,
    limit,
    text_area,
)
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm

TEXT_LIMIT = 5000


class AuthorisationForm(MomentFields, Form):
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
        validators=[limit(200)],
    )
    geometry = TextAreaField(
        _l("Shape of the area (GeoJSON)"),
        description=_l(
            "A GeoJSON Polygon or MultiPolygon with [longitude, latitude] points, "
            "or a Feature holding one. With the map, click to add corners instead."
        ),
        validators=[Length(max=400_000, message=_l("The GeoJSON is too long"))],
    )
    boundary = text_area(
        _l("Boundary streets"),
        _l("The streets that bound the locality, in order, as the paperwork will list them"),
        most=TEXT_LIMIT,
    )
    start_day = day_field(_l("Start date"))
    start_time = clock_field(_l("Start time"))
    start_fold = fold_field()
    end_day = day_field(_l("End date"))
    end_time = clock_field(_l("End time"))
    end_fold = fold_field()
    necessity = SelectMultipleField(
        _l("Why is it necessary?"),
        description=_l("Choose all that apply"),
        choices=Necessity.choices(),
        validators=[Optional()],
    )
    grounds = text_area(
        _l("Grounds"),
        _l("What has happened in the locality, and why dispersal powers are needed there"),
        most=TEXT_LIMIT,
    )
    echr_regard = text_area(
        _l("Regard to ECHR Articles 10 and 11"),
        _l(
            "How you have considered the rights to freedom of expression and of peaceful"
            " assembly: for example protests, vigils or gatherings expected in the locality"
        ),
        most=TEXT_LIMIT,
    )
    confirm = BooleanField(
        _l(
            "I authorise the use of directions to leave (section 35) in this locality, for"
            " this period, on these grounds. My name, rank and the time are recorded as my"
            " signature."
        )
    )


class EndAuthorisationForm(VersionedForm):
    change_labels = {
        "ended_at": _l("Ended early"),
        "ended_by_id": None,
        "end_reason": None,
    }
    reason = text_area(
        _l("Why is it ending early?"),
        _l("For example, the event is over or the disorder has stopped"),
        most=2000,
    )
