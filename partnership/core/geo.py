"""Places on the map: UK bounds, UK postcodes, area shapes checked with shapely, and
which area a point falls in.

Coordinates are WGS84. GeoJSON lists a position as ``[longitude, latitude]``; the
functions here take ``latitude, longitude`` (the order people read them in) and say
so in their names.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shapely.errors import ShapelyError
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from partnership.core.lazy import lazy_gettext as _l

if TYPE_CHECKING:
    from partnership.venues.models import Area

# A box around the United Kingdom: the Isles of Scilly and Jersey's latitude in the
# south, Shetland in the north, Northern Ireland's west coast, Lowestoft in the east.
UK_MIN_LATITUDE, UK_MAX_LATITUDE = 49.8, 60.95
UK_MIN_LONGITUDE, UK_MAX_LONGITUDE = -8.7, 1.8

AREA_TYPES = ("Polygon", "MultiPolygon")
# Enough for a carefully traced town centre; a shape with more is almost certainly an
# export from elsewhere that should be simplified first.
MAX_AREA_POINTS = 5000
# About 10 cm: finer than any drawing, and it keeps stored shapes small.
COORDINATE_DECIMALS = 6
# In square degrees, about a square metre: less is a line drawn as a polygon.
MIN_AREA = 1e-10

# Outward code, optional space, inward code; GIR 0AA is Girobank's historical code.
_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)([0-9][A-Z]{2})$")
_VALIDITY_POINT = re.compile(r"\[\s*(-?[\d.]+(?:e-?\d+)?)\s+(-?[\d.]+(?:e-?\d+)?)")


class GeoError(ValueError):
    """A place or shape that cannot be used; ``message`` says why, in the user's language."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def in_uk(latitude: float, longitude: float) -> bool:
    """True if the point is inside the box around the UK (land and its coastal waters)."""
    return (
        UK_MIN_LATITUDE <= latitude <= UK_MAX_LATITUDE
        and UK_MIN_LONGITUDE <= longitude <= UK_MAX_LONGITUDE
    )


def check_point(latitude: float, longitude: float) -> None:
    """Raise :class:`GeoError` unless the point is a real position inside the UK."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise GeoError(_l("Enter the latitude and longitude as numbers"))
    if not in_uk(latitude, longitude):
        raise GeoError(
            _l(
                "The location must be in the UK: check the latitude and longitude "
                "(in Swansea, for example, they are about 51.62 and -3.94)"
            )
        )


def normalise_postcode(text: str) -> str | None:
    """A UK postcode in capitals with one space before the last three characters
    (``sa11dp`` -> ``SA1 1DP``), or None if ``text`` is not in a postcode's format."""
    compact = re.sub(r"\s+", "", text).upper()
    if not _POSTCODE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def parse_area_geometry(text: str) -> dict[str, Any]:
    """The Polygon or MultiPolygon GeoJSON geometry in ``text``, checked and tidied.

    Accepts a bare geometry, a Feature, or a FeatureCollection with exactly one
    feature. Rings left open are closed and heights dropped. Raises
    :class:`GeoError` with a message a coordinator can act on for text that is not
    JSON, a shape of the wrong type or with too few points, an outline that crosses
    itself, or any point outside the UK.
    """
    if not text.strip():
        raise GeoError(_l("Draw the area on the map, or paste its GeoJSON"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise GeoError(
            _l(
                "The GeoJSON is not valid JSON: check line %(line)s, column %(column)s "
                "for a missing bracket, comma or quotation mark",
                line=error.lineno,
                column=error.colno,
            )
        ) from None
    except RecursionError:
        raise GeoError(_l("The GeoJSON is nested too deeply to read")) from None
    geometry = _geometry_of(data)
    kind = geometry.get("type")
    if kind not in AREA_TYPES:
        raise GeoError(
            _l(
                "The area must be a Polygon or a MultiPolygon, not a %(kind)s",
                kind=kind if isinstance(kind, str) else "?",
            )
        )
    raw = geometry.get("coordinates")
    if not isinstance(raw, list) or not raw:
        raise GeoError(_l("The area has no coordinates"))
    polygons = [raw] if kind == "Polygon" else raw
    tidy = [_polygon(p) for p in polygons]
    points = sum(len(ring) for polygon in tidy for ring in polygon)
    if points > MAX_AREA_POINTS:
        raise GeoError(
            _l(
                "The area has %(count)s points; simplify it to %(most)s or fewer",
                count=points,
                most=MAX_AREA_POINTS,
            )
        )
    result: dict[str, Any] = (
        {"type": "Polygon", "coordinates": tidy[0]}
        if kind == "Polygon"
        else {"type": "MultiPolygon", "coordinates": tidy}
    )
    _check_shape(result)
    return result


def _geometry_of(data: Any) -> dict[str, Any]:
    """The one geometry inside a GeoJSON object (geometry, Feature or FeatureCollection)."""
    if not isinstance(data, dict):
        raise GeoError(_l('The GeoJSON must be an object with a "type", like a Polygon'))
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise GeoError(_l("The FeatureCollection must hold exactly one feature: the area"))
        data = features[0]
        if not isinstance(data, dict):
            raise GeoError(_l("The feature in the FeatureCollection is not a GeoJSON object"))
    if data.get("type") == "Feature":
        data = data.get("geometry")
        if not isinstance(data, dict):
            raise GeoError(_l("The Feature has no geometry: draw or paste the area's shape"))
    return data


def _polygon(rings: Any) -> list[list[list[float]]]:
    """One polygon's rings as closed lists of ``[longitude, latitude]``, each point in the UK."""
    if not isinstance(rings, list) or not rings:
        raise GeoError(_l("Each polygon needs a list of rings of [longitude, latitude] points"))
    return [_ring(ring) for ring in rings]


def _ring(ring: Any) -> list[list[float]]:
    if not isinstance(ring, list):
        raise GeoError(_l("Each polygon needs a list of rings of [longitude, latitude] points"))
    points = [_position(p) for p in ring]
    if points and points[0] != points[-1]:
        points.append(points[0])
    if len({tuple(p) for p in points}) < 3:
        raise GeoError(_l("The area needs at least 3 different points"))
    return points


def _position(position: Any) -> list[float]:
    if (
        not isinstance(position, list)
        or len(position) not in (2, 3)
        or not all(
            isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n)
            for n in position
        )
    ):
        raise GeoError(_l("Each point must be a pair of numbers: [longitude, latitude]"))
    longitude, latitude = float(position[0]), float(position[1])
    if not in_uk(latitude, longitude):
        raise GeoError(
            _l(
                "Every point of the area must be in the UK, and [%(longitude)s, %(latitude)s] "
                "is not (GeoJSON puts the longitude first: in Swansea, for example, "
                "[-3.94, 51.62])",
                longitude=position[0],
                latitude=position[1],
            )
        )
    return [round(longitude, COORDINATE_DECIMALS), round(latitude, COORDINATE_DECIMALS)]


def _check_shape(geometry: dict[str, Any]) -> None:
    """Refuse an outline that crosses itself, or parts and holes that overlap wrongly."""
    try:
        polygon = shape(geometry)
    except (ShapelyError, ValueError, TypeError):
        raise GeoError(_l("The area's shape could not be read: draw it again")) from None
    if polygon.is_valid and polygon.area > MIN_AREA:
        return
    reason = str(explain_validity(polygon))
    if "Self-intersection" not in reason:
        if polygon.is_valid:
            raise GeoError(
                _l("The area's points all lie on one line: add corners so that it encloses a space")
            )
        raise GeoError(
            _l(
                "The area's shape is not valid (a hole may lie outside its outline, or its "
                "parts may overlap): draw it again"
            )
        )
    found = _VALIDITY_POINT.search(reason)
    if found is None:
        raise GeoError(
            _l("The area's outline crosses itself: draw it again so that no edges cross")
        )
    raise GeoError(
        _l(
            "The area's outline crosses itself near latitude %(latitude)s, longitude "
            "%(longitude)s: draw it again so that no edges cross",
            latitude=round(float(found.group(2)), 5),
            longitude=round(float(found.group(1)), 5),
        )
    )


def area_containing(latitude: float, longitude: float, areas: Iterable[Area]) -> Area | None:
    """The smallest of ``areas`` that contains the point (its edge counts as inside).

    Nested areas (a street inside a town-centre zone) resolve to the most specific.
    An area whose stored geometry cannot be read is skipped, not fatal.
    """
    point = Point(longitude, latitude)
    best: Area | None = None
    best_size = math.inf
    for area in areas:
        try:
            polygon = shape(area.geometry)
            inside = bool(polygon.covers(point))
            size = float(polygon.area)
        except (ShapelyError, ValueError, TypeError, KeyError, AttributeError):
            continue
        if inside and size < best_size:
            best, best_size = area, size
    return best
