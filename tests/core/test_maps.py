"""Maps for printed documents: a stored shape drawn as SVG paths, fitted, north up, with a
scale bar in round metres, and nothing in it that refers outside itself."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale

from partnership.core.maps import MARGIN_MM, draw_map, svg_map

SVG = "{http://www.w3.org/2000/svg}"
# About 1.2 km across Wind Street, Swansea, with a courtyard cut out of it.
LOCALITY: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [[-3.945, 51.618], [-3.935, 51.618], [-3.933, 51.622], [-3.944, 51.623], [-3.945, 51.618]],
        [[-3.944, 51.6185], [-3.943, 51.6185], [-3.943, 51.619], [-3.944, 51.6185]],
    ],
}
PART: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [[-3.942, 51.619], [-3.938, 51.619], [-3.938, 51.621], [-3.942, 51.621], [-3.942, 51.619]]
    ],
}


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def numbers(path: str) -> list[tuple[float, float]]:
    values = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    return list(zip(values[::2], values[1::2], strict=True))


def square(half_metres: float, latitude: float = 51.62) -> dict[str, Any]:
    """A square ``2 * half_metres`` on a side, on the ground."""
    lat = half_metres / 111_320
    lon = lat / math.cos(math.radians(latitude))
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [-3.94 - lon, latitude - lat],
                [-3.94 + lon, latitude - lat],
                [-3.94 + lon, latitude + lat],
                [-3.94 - lon, latitude + lat],
                [-3.94 - lon, latitude - lat],
            ]
        ],
    }


def test_the_area_is_drawn_as_paths_fitted_inside_the_margin(app: Flask) -> None:
    with app.test_request_context():
        drawing = draw_map(LOCALITY, width_mm=120, height_mm=80)
    root = parsed(drawing.svg)
    assert root.get("width") == "120mm" and root.get("height") == "80mm"
    assert root.get("viewBox") == "0 0 120 80"
    area = root.findall(f"{SVG}path")[0]
    assert area.get("fill-rule") == "evenodd"
    outline, courtyard = area.get("d", "").split("Z")[:2]
    assert outline.startswith("M") and courtyard.strip().startswith("M")  # the hole is kept
    points = numbers(area.get("d", ""))
    xs, ys = [x for x, _ in points], [y for _, y in points]
    assert min(xs) >= MARGIN_MM - 0.01 and max(xs) <= 120 - MARGIN_MM + 0.01
    assert min(ys) >= MARGIN_MM - 0.01 and max(ys) <= 80 - MARGIN_MM + 0.01
    # It fills the map one way or the other.
    assert max(xs) - min(xs) > 110 - 2 * MARGIN_MM or max(ys) - min(ys) > 70 - 2 * MARGIN_MM


def test_north_is_up_and_a_square_on_the_ground_stays_square(app: Flask) -> None:
    with app.test_request_context():
        drawing = draw_map(square(100), width_mm=100, height_mm=100)
    points = numbers(parsed(drawing.svg).findall(f"{SVG}path")[0].get("d", ""))
    (x0, y0), (x1, _), (_, y2) = points[0], points[1], points[2]
    assert x1 > x0  # east is to the right
    assert y2 < y0  # north is up: a greater latitude is higher on the page
    assert abs((x1 - x0) - (y0 - y2)) < 0.05


def test_the_scale_bar_is_a_round_distance_of_the_right_length(app: Flask) -> None:
    with app.test_request_context():
        drawing = draw_map(square(100), width_mm=100, height_mm=100)
        wide = draw_map(square(5000), width_mm=100, height_mm=100)
        note = drawing.note()
        wide_note = wide.note()
    # 200 m of ground drawn across 92 mm: 50 m is the longest round bar within a quarter.
    assert drawing.bar_metres == 50
    bar = numbers(parsed(drawing.svg).findall(f"{SVG}path")[-2].get("d", ""))
    assert abs((bar[2][0] - bar[1][0]) - 50 * 92 / 200) < 0.05
    assert note == (
        "The bar at the bottom left is 50 m long; the arrow at the top right points north."
    )
    assert wide.bar_metres == 2000 and "is 2 km long" in wide_note


def test_a_part_is_darker_and_hatched_inside_itself_and_points_are_dots(app: Flask) -> None:
    with app.test_request_context():
        drawing = draw_map(LOCALITY, part=PART, points=[(51.62, -3.94)], width_mm=120, height_mm=80)
    root = parsed(drawing.svg)
    area, part, hatching = root.findall(f"{SVG}path")[:3]
    assert part.get("fill") != area.get("fill")
    part_points = numbers(part.get("d", ""))
    left = min(x for x, _ in part_points)
    right = max(x for x, _ in part_points)
    lines = numbers(hatching.get("d", ""))
    assert len(lines) >= 10
    assert all(left - 0.01 <= x <= right + 0.01 for x, _ in lines)
    (dot,) = root.findall(f"{SVG}circle")
    assert left < float(dot.get("cx", "0")) < right


def test_the_map_holds_no_text_and_refers_to_nothing(app: Flask) -> None:
    with app.test_request_context():
        markup = str(
            svg_map(LOCALITY, part=PART, points=[(51.62, -3.94)], width_mm=90, height_mm=60)
        )
    svg, note = markup.split("</svg>")
    assert "<text" not in svg
    inside = markup.replace('xmlns="http://www.w3.org/2000/svg"', "", 1)
    for reference in ("href", "url(", "http", "file:", "<image", "<use", "<style"):
        assert reference not in inside
    assert svg.startswith('<svg class="map" xmlns="http://www.w3.org/2000/svg"')
    assert note.startswith('<p class="map-note">The bar at the bottom left is ')


def test_the_note_is_in_the_current_language(app: Flask) -> None:
    with app.test_request_context(), force_locale("cy"):
        note = draw_map(square(100), width_mm=100, height_mm=100).note()
    assert note == (
        "Mae'r bar ar y chwith isaf yn 50 m o hyd; mae'r saeth ar y dde uchaf yn pwyntio"
        " tua'r gogledd."
    )


def test_a_multipolygon_and_a_tiny_area_are_drawn(app: Flask) -> None:
    two = {
        "type": "MultiPolygon",
        "coordinates": [LOCALITY["coordinates"][:1], square(20, 51.615)["coordinates"]],
    }
    with app.test_request_context():
        both = draw_map(two, width_mm=100, height_mm=60)
        tiny = draw_map(square(1), width_mm=100, height_mm=60)
    assert parsed(both.svg).findall(f"{SVG}path")[0].get("d", "").count("M") == 2
    # A two-metre square is drawn inside a box about 55 m across, not blown up to fill it.
    assert tiny.bar_metres == 20
    points = numbers(parsed(tiny.svg).findall(f"{SVG}path")[0].get("d", ""))
    assert max(x for x, _ in points) - min(x for x, _ in points) < 5


@pytest.mark.parametrize(
    "geometry",
    [{"type": "Point", "coordinates": [-3.94, 51.62]}, {"type": "Polygon", "coordinates": []}],
)
def test_anything_but_a_polygon_is_refused(app: Flask, geometry: dict[str, Any]) -> None:
    with app.test_request_context(), pytest.raises(ValueError):
        draw_map(geometry, width_mm=100, height_mm=60)
