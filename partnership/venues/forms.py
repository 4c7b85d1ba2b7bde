from __future__ import annotations

import math
from typing import Any

from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from partnership.core import geo
from partnership.core.fields import name_field
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm


def parse_coordinate(text: str | None) -> float | None:
    """A finite number typed into a latitude or longitude box, or None."""
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _coordinate(message: Any) -> Any:
    def check(_form: Form, field: Field) -> None:
        if parse_coordinate(field.data) is None:
            raise ValidationError(message)

    return check


def _postcode(_form: Form, field: Field) -> None:
    normalised = geo.normalise_postcode(field.data or "")
    if normalised is None:
        raise ValidationError(_l("Enter a real UK postcode, like SA1 1DP"))


class VenueForm(VersionedForm):
    name = name_field(_l("Name of the venue"), _l("Enter the name of the venue"))
    # Any submitted id is accepted here; the view explains one that is not a
    # licensed premises rather than WTForms' bare "Not a valid choice".
    organisation_id = SelectField(
        _l("Organisation that runs it"),
        description=_l("Its licensed premises organisation in the portal"),
        validate_choice=False,
        validators=[DataRequired(_l("Choose the organisation that runs the venue"))],
    )
    address = TextAreaField(
        _l("Address"),
        validators=[
            DataRequired(_l("Enter the venue's address")),
            Length(max=500, message=_l("Address must be 500 characters or fewer")),
        ],
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[DataRequired(_l("Enter the venue's postcode")), _postcode],
    )
    latitude = StringField(
        _l("Latitude"),
        description=_l("For example, 51.6197"),
        validators=[
            DataRequired(_l("Enter the latitude of the venue")),
            _coordinate(_l("Enter the latitude as a number, like 51.6197")),
        ],
    )
    longitude = StringField(
        _l("Longitude"),
        description=_l("For example, -3.9405 (west of Greenwich is negative)"),
        validators=[
            DataRequired(_l("Enter the longitude of the venue")),
            _coordinate(_l("Enter the longitude as a number, like -3.9405")),
        ],
    )
    licence_number = StringField(
        _l("Premises licence number (optional)"),
        description=_l("As on the premises licence"),
        validators=[
            Optional(),
            Length(max=60, message=_l("Licence number must be 60 characters or fewer")),
        ],
    )
    has_safe_space = BooleanField(_l("Runs a Safe Space"))
    active = BooleanField(_l("Active (offered when people log sightings)"), default=True)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        latitude = parse_coordinate(self.latitude.data)
        longitude = parse_coordinate(self.longitude.data)
        if latitude is not None and longitude is not None:
            try:
                geo.check_point(latitude, longitude)
            except geo.GeoError as error:
                self.latitude.errors = [*self.latitude.errors, str(error.message)]
                valid = False
        return valid

    def location(self) -> tuple[float, float]:
        """Latitude and longitude as numbers; only for a form that has validated."""
        latitude = parse_coordinate(self.latitude.data)
        longitude = parse_coordinate(self.longitude.data)
        if latitude is None or longitude is None:
            raise ValueError("location() needs a validated form")
        return latitude, longitude


class GeoJSONField(TextAreaField):
    """A text box of GeoJSON; after validation ``geometry`` holds the checked shape."""

    geometry: dict[str, Any] | None = None

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        self.geometry = None
        if validation_stopped or self.errors:
            return
        try:
            self.geometry = geo.parse_area_geometry(self.data or "")
        except geo.GeoError as error:
            self.errors.append(str(error.message))


class AreaForm(VersionedForm):
    name = name_field(_l("Name of the area"), _l("Enter the name of the area"))
    description = TextAreaField(
        _l("Description (optional)"),
        description=_l("What the area is for, or the streets that bound it"),
        validators=[
            Optional(),
            Length(max=2000, message=_l("Description must be 2000 characters or fewer")),
        ],
    )
    geometry = GeoJSONField(
        _l("Shape of the area (GeoJSON)"),
        description=_l(
            "A GeoJSON Polygon or MultiPolygon with [longitude, latitude] points, "
            "or a Feature holding one. With the map, click to add corners instead."
        ),
        validators=[Length(max=400_000, message=_l("The GeoJSON is too long"))],
    )
    active = BooleanField(_l("Active (used to place sightings)"), default=True)
