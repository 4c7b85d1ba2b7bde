"""Maps for printed documents: a stored area shape drawn as SVG vector shapes.

A document (partnership/core/pdf.py) may load nothing from outside, so a map is not a
picture of map tiles: it is the area's own outline, projected and drawn as SVG paths that
WeasyPrint turns into PDF drawing operators. The projection is equirectangular with the
longitude scaled by the cosine of the middle latitude, which is true to within a fraction
of a percent across a town centre. The map carries a scale bar and a north arrow, and a
sentence beside it says how long the bar is. The SVG itself holds no text: it needs no
font, serves every language, and costs a document little (WeasyPrint draws text inside an
SVG several times slower than a line of the page).

:func:`svg_map` gives the SVG inline with its sentence, for any template;
:func:`draw_map` gives the two apart, so that a document printed in a hurry can hand the
SVG to :func:`partnership.core.pdf.render_pdf` as an image (``image/svg+xml``, still drawn
as vector paths), which WeasyPrint lays out faster than the same SVG inline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from shapely import affinity
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from partnership.core.catalogue import gettext as _

MARGIN_MM = 4.0
HATCH_SPACING_MM = 1.8
# One degree of latitude, and of longitude once scaled by cos(latitude), in metres.
METRES_PER_DEGREE = 111_320.0
# A shape smaller than this (in degrees, about 50 m) is drawn in a box this size, so a
# tiny area or a single point still gets a sensible scale.
MIN_SPAN_DEGREES = 0.0005
# Scale bar lengths to choose from, in metres; the longest that fits a quarter of the width.
BAR_LENGTHS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000)
# Colours (GOV.UK's print-safe greys): the locality, the part of it, the lines.
INK = "#0b0c0c"
LOCALITY_FILL = "#f3f2f1"
PART_FILL = "#a6abaf"
FRAME = "#505a5f"


def area_shape(geometry: dict[str, Any]) -> Polygon | MultiPolygon:
    """The Polygon or MultiPolygon in a stored GeoJSON geometry; ValueError otherwise."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValueError("a map needs a GeoJSON Polygon or MultiPolygon")
    area = shape(geometry)
    if area.is_empty:
        raise ValueError("the area has no points")
    return area  # type: ignore[return-value]


def _number(value: float) -> str:
    """A coordinate in millimetres, short: two decimals are a hundredth of a millimetre."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _ring_path(coordinates: Iterable[Sequence[float]]) -> str:
    points = [f"{_number(x)} {_number(y)}" for x, y, *_ in coordinates]
    # GeoJSON rings repeat their first point; "Z" closes the outline instead.
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return "M" + " L".join(points) + " Z"


def _area_path(area: BaseGeometry) -> str:
    """An SVG path for a polygon or multipolygon, holes included (drawn even-odd)."""
    polygons = list(area.geoms) if isinstance(area, MultiPolygon) else [area]
    rings: list[str] = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon) or polygon.is_empty:
            continue
        rings.append(_ring_path(polygon.exterior.coords))
        rings.extend(_ring_path(hole.coords) for hole in polygon.interiors)
    return " ".join(rings)


def _hatching(area: BaseGeometry, spacing: float) -> str:
    """Diagonal lines across ``area`` (already in millimetres), clipped to it, as a path."""
    min_x, min_y, max_x, max_y = area.bounds
    height = max_y - min_y
    step = spacing * math.sqrt(2)
    count = int((max_x - min_x + height) / step) + 1
    starts = [min_x - height + number * step for number in range(count + 1)]
    lines = MultiLineString([[(x, max_y), (x + height, min_y)] for x in starts])
    clipped = lines.intersection(area)  # one call for all the lines
    segments: list[str] = []
    for part in getattr(clipped, "geoms", [clipped]):
        if isinstance(part, LineString) and not part.is_empty:
            (x1, y1), (x2, y2) = part.coords[0], part.coords[-1]
            segments.append(f"M{_number(x1)} {_number(y1)} L{_number(x2)} {_number(y2)}")
    return " ".join(segments)


def _bar_metres(metres_per_mm: float, width_mm: float) -> int:
    longest = metres_per_mm * width_mm / 4
    fitting = [length for length in BAR_LENGTHS if length <= longest]
    return fitting[-1] if fitting else BAR_LENGTHS[0]


def _distance(metres: int) -> str:
    if metres >= 1000:
        return str(_("%(distance)s km", distance=metres // 1000))
    return str(_("%(distance)s m", distance=metres))


@dataclass(frozen=True)
class MapDrawing:
    """A drawn map: the SVG document (no text in it) and the scale bar's length."""

    svg: str
    bar_metres: int
    width_mm: float
    height_mm: float

    def note(self) -> str:
        """The sentence that goes with the map, in the current language."""
        return str(
            _(
                "The bar at the bottom left is %(distance)s long; the arrow at the top right"
                " points north.",
                distance=_distance(self.bar_metres),
            )
        )


def draw_map(
    geometry: dict[str, Any],
    *,
    part: dict[str, Any] | None = None,
    points: Iterable[tuple[float, float]] = (),
    width_mm: float,
    height_mm: float,
) -> MapDrawing:
    """``geometry`` (a stored GeoJSON Polygon or MultiPolygon) drawn as an SVG map
    ``width_mm`` by ``height_mm``: the area outlined and lightly filled, ``part`` (another
    shape, usually inside it, such as a direction's smaller excluded area) filled darker and
    hatched, each of ``points`` (``(latitude, longitude)``) a dot, north up, with a scale
    bar of a round length (bottom left) and a north arrow (top right). Everything is fitted
    inside a margin, keeping true proportions.

    The SVG refers to nothing outside itself and holds no text: numbers and fixed words
    only. Raises ValueError for a geometry that is not a polygon.
    """
    area = area_shape(geometry)
    excluded = area_shape(part) if part is not None else None
    dots = [Point(longitude, latitude) for latitude, longitude in points]

    shapes: list[BaseGeometry] = [area, *([excluded] if excluded is not None else []), *dots]
    bounds = [s.bounds for s in shapes]
    min_lon, min_lat = min(b[0] for b in bounds), min(b[1] for b in bounds)
    max_lon, max_lat = max(b[2] for b in bounds), max(b[3] for b in bounds)
    middle_lat = (min_lat + max_lat) / 2
    squeeze = math.cos(math.radians(middle_lat))
    span_x = max((max_lon - min_lon) * squeeze, MIN_SPAN_DEGREES)
    span_y = max(max_lat - min_lat, MIN_SPAN_DEGREES)
    inner_w, inner_h = width_mm - 2 * MARGIN_MM, height_mm - 2 * MARGIN_MM
    scale = min(inner_w / span_x, inner_h / span_y)  # millimetres per (scaled) degree
    # The middle of the shapes goes to the middle of the map.
    centre_lon = (min_lon + max_lon) / 2

    # Longitude and latitude to millimetres on the map, y growing downwards (north up).
    matrix = [
        squeeze * scale,
        0.0,
        0.0,
        -scale,
        width_mm / 2 - squeeze * scale * centre_lon,
        height_mm / 2 + scale * middle_lat,
    ]

    def project(item: BaseGeometry) -> BaseGeometry:
        return affinity.affine_transform(item, matrix)

    elements = [
        f'<rect x="0.2" y="0.2" width="{_number(width_mm - 0.4)}"'
        f' height="{_number(height_mm - 0.4)}" fill="#ffffff" stroke="{FRAME}"'
        ' stroke-width="0.3"/>',
        f'<path d="{_area_path(project(area))}" fill="{LOCALITY_FILL}" fill-rule="evenodd"'
        f' stroke="{INK}" stroke-width="0.5" stroke-linejoin="round"/>',
    ]
    if excluded is not None:
        drawn_part = project(excluded)
        elements.append(
            f'<path d="{_area_path(drawn_part)}" fill="{PART_FILL}" fill-rule="evenodd"'
            f' stroke="{INK}" stroke-width="0.7" stroke-linejoin="round"/>'
        )
        hatching = _hatching(drawn_part.buffer(0), HATCH_SPACING_MM)
        if hatching:
            elements.append(
                f'<path d="{hatching}" fill="none" stroke="{INK}" stroke-width="0.25"/>'
            )
    for dot in dots:
        drawn = project(dot)
        elements.append(
            f'<circle cx="{_number(drawn.x)}" cy="{_number(drawn.y)}" r="1.3"'
            f' fill="{INK}" stroke="#ffffff" stroke-width="0.4"/>'
        )
    # The scale bar, with end ticks, and the north arrow: an arrowhead on a shaft.
    metres_per_mm = METRES_PER_DEGREE / scale
    metres = _bar_metres(metres_per_mm, width_mm)
    bar = metres / metres_per_mm
    left, base = 3.0, height_mm - 3.0
    elements.append(
        f'<path d="M{_number(left)} {_number(base - 1.5)} L{_number(left)} {_number(base)}'
        f' L{_number(left + bar)} {_number(base)} L{_number(left + bar)} {_number(base - 1.5)}"'
        f' fill="none" stroke="{INK}" stroke-width="0.5"/>'
    )
    tip_x, tip_y = width_mm - 6.0, 3.0
    elements.append(
        f'<path d="M{_number(tip_x)} {_number(tip_y)} L{_number(tip_x + 2.2)}'
        f" {_number(tip_y + 6)} L{_number(tip_x)} {_number(tip_y + 4.5)}"
        f" L{_number(tip_x - 2.2)} {_number(tip_y + 6)} Z"
        f' M{_number(tip_x)} {_number(tip_y + 4.5)} L{_number(tip_x)} {_number(tip_y + 10)}"'
        f' fill="{INK}" stroke="{INK}" stroke-width="0.6"/>'
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg"'
        f' width="{_number(width_mm)}mm" height="{_number(height_mm)}mm"'
        f' viewBox="0 0 {_number(width_mm)} {_number(height_mm)}">' + "".join(elements) + "</svg>"
    )
    return MapDrawing(svg=svg, bar_metres=metres, width_mm=width_mm, height_mm=height_mm)


def svg_map(
    geometry: dict[str, Any],
    *,
    part: dict[str, Any] | None = None,
    points: Iterable[tuple[float, float]] = (),
    width_mm: float,
    height_mm: float,
) -> Markup:
    """The map of :func:`draw_map` as inline SVG (``class="map"``), followed by
    ``<p class="map-note">``: the sentence giving the scale bar's length and saying that the
    arrow points north, in the current language. Raises ValueError for a geometry that is
    not a polygon."""
    drawing = draw_map(geometry, part=part, points=points, width_mm=width_mm, height_mm=height_mm)
    svg = drawing.svg.replace("<svg ", '<svg class="map" ', 1)
    # The SVG holds only numbers and fixed words; the sentence is escaped as it goes in.
    return Markup(svg) + Markup('<p class="map-note">%s</p>') % drawing.note()  # noqa: S704
