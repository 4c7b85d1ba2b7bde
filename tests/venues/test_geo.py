"""The shared geography helpers: UK bounds, postcodes, area shapes and point in area."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from partnership.core import geo
from partnership.demo import VENUES, ZONE_GEOMETRY
from partnership.venues.models import Area

# [longitude, latitude], as GeoJSON has them: a square over Swansea city centre.
SQUARE = [[-3.95, 51.61], [-3.93, 51.61], [-3.93, 51.63], [-3.95, 51.63], [-3.95, 51.61]]
BOW_TIE = [[-3.95, 51.61], [-3.93, 51.63], [-3.93, 51.61], [-3.95, 51.63], [-3.95, 51.61]]


@pytest.fixture(autouse=True)
def _request(app: Flask) -> Iterator[None]:
    """Messages are lazily translated: read them inside a request, as the pages do."""
    with app.test_request_context():
        yield


def polygon(*rings: list[list[Any]]) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": list(rings)}


def problem(text: str) -> str:
    with pytest.raises(geo.GeoError) as caught:
        geo.parse_area_geometry(text)
    return str(caught.value.message)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (51.6197, -3.9405),  # Swansea
        (54.597, -5.930),  # Belfast
        (60.155, -1.145),  # Lerwick, Shetland
        (49.914, -6.315),  # St Mary's, Isles of Scilly
        (52.48, 1.75),  # Lowestoft
    ],
)
def test_places_in_the_uk_are_in(latitude: float, longitude: float) -> None:
    assert geo.in_uk(latitude, longitude)
    geo.check_point(latitude, longitude)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(48.857, 2.352), (0.0, 0.0), (-3.9405, 51.6197), (40.71, -74.0), (61.5, -1.0)],
)
def test_places_outside_the_uk_are_refused(latitude: float, longitude: float) -> None:
    assert not geo.in_uk(latitude, longitude)
    with pytest.raises(geo.GeoError, match="must be in the UK"):
        geo.check_point(latitude, longitude)


def test_a_point_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(geo.GeoError, match="as numbers"):
        geo.check_point(float("nan"), -3.94)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sa11dp", "SA1 1DP"),
        (" SA1  1DP ", "SA1 1DP"),
        ("ec1a1bb", "EC1A 1BB"),
        ("W1A 0AX", "W1A 0AX"),
        ("m1 1ae", "M1 1AE"),
        ("BT1 5GS", "BT1 5GS"),
        ("ZE1 0AA", "ZE1 0AA"),
        ("DN55 1PT", "DN55 1PT"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_postcodes_are_tidied(typed: str, stored: str) -> None:
    assert geo.normalise_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["", "SA1", "SA1 1D", "12345", "SA1 1DPX", "1SA 1DP", "SA1-1DP"])
def test_things_that_are_not_postcodes_are_refused(typed: str) -> None:
    assert geo.normalise_postcode(typed) is None


def test_a_polygon_is_accepted_and_tidied() -> None:
    open_ring = [[-3.95, 51.61, 12.0], [-3.93, 51.61], [-3.93, 51.63], [-3.95, 51.6300000001]]
    geometry = geo.parse_area_geometry(json.dumps(polygon(open_ring)))
    assert geometry == {
        "type": "Polygon",
        "coordinates": [
            [[-3.95, 51.61], [-3.93, 51.61], [-3.93, 51.63], [-3.95, 51.63], [-3.95, 51.61]]
        ],
    }


def test_a_feature_or_a_collection_of_one_gives_its_geometry() -> None:
    feature = {"type": "Feature", "properties": {"name": "x"}, "geometry": polygon(SQUARE)}
    collection = {"type": "FeatureCollection", "features": [feature]}
    assert geo.parse_area_geometry(json.dumps(feature)) == polygon(SQUARE)
    assert geo.parse_area_geometry(json.dumps(collection)) == polygon(SQUARE)


def test_a_multipolygon_is_accepted() -> None:
    other = [[-3.90, 51.60], [-3.89, 51.60], [-3.89, 51.61], [-3.90, 51.60]]
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [other]]}
    assert geo.parse_area_geometry(json.dumps(multi)) == multi


def test_a_polygon_with_a_hole_is_accepted() -> None:
    hole = [[-3.945, 51.615], [-3.935, 51.615], [-3.935, 51.625], [-3.945, 51.615]]
    assert geo.parse_area_geometry(json.dumps(polygon(SQUARE, hole))) == polygon(SQUARE, hole)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Draw the area on the map, or paste its GeoJSON"),
        ('{"type": "Polygon", "coordinates": [[[-3.95, 51.61]', "is not valid JSON"),
        ("[" * 100_000, "nested too deeply"),
        ("[1, 2]", 'must be an object with a "type"'),
        ('{"type": "LineString", "coordinates": [[-3.95, 51.61], [-3.93, 51.62]]}', "not a Line"),
        ('{"type": "Point", "coordinates": [-3.95, 51.61]}', "not a Point"),
        ('{"type": "Polygon"}', "has no coordinates"),
        ('{"type": "Polygon", "coordinates": [[]]}', "at least 3 different points"),
        (json.dumps(polygon(SQUARE[:2])), "at least 3 different points"),
        (json.dumps(polygon([[True, 51.61], [-3.93, 51.61], [-3.93, 51.63]])), "pair of numbers"),
        (json.dumps(polygon([["-3.95", "51.61"], [-3.93, 51.61], [-3.93, 51.63]])), "pair of"),
        (json.dumps(polygon([[-3.95], [-3.93, 51.61], [-3.93, 51.63]])), "pair of numbers"),
        (json.dumps({"type": "Feature", "geometry": None}), "has no geometry"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "exactly one feature"),
        (
            json.dumps({"type": "FeatureCollection", "features": [polygon(SQUARE)] * 2}),
            "exactly one feature",
        ),
    ],
)
def test_unusable_geojson_is_explained(text: str, message: str) -> None:
    assert message in problem(text)


def test_a_self_intersecting_outline_says_where_it_crosses() -> None:
    message = problem(json.dumps(polygon(BOW_TIE)))
    assert "outline crosses itself near latitude 51.62, longitude -3.94" in message


def test_overlapping_parts_of_a_multipolygon_are_refused() -> None:
    multi = {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}
    assert "crosses itself" in problem(json.dumps(multi))


def test_a_hole_outside_the_outline_is_refused() -> None:
    hole = [[-3.90, 51.60], [-3.89, 51.60], [-3.89, 51.61], [-3.90, 51.60]]
    assert "not valid" in problem(json.dumps(polygon(SQUARE, hole)))


def test_points_on_one_line_are_refused() -> None:
    line = [[-3.95, 51.61], [-3.94, 51.62], [-3.93, 51.63], [-3.95, 51.61]]
    assert "lie on one line" in problem(json.dumps(polygon(line)))


def test_a_point_outside_the_uk_is_named_and_the_order_explained() -> None:
    swapped = [[lat, lon] for lon, lat in SQUARE]
    message = problem(json.dumps(polygon(swapped)))
    assert "must be in the UK, and [51.61, -3.95] is not" in message
    assert "longitude first" in message
    paris = [[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]
    assert "must be in the UK" in problem(json.dumps(polygon(paris)))


def test_too_many_points_are_refused() -> None:
    ring = [[-3.95 + i * 1e-6, 51.61 + (i % 2) * 1e-3] for i in range(geo.MAX_AREA_POINTS + 1)]
    assert "simplify it" in problem(json.dumps(polygon(ring)))


def area(name: str, ring: list[list[float]]) -> Area:
    return Area(name=name, geometry=polygon(ring))


def test_area_containing_finds_the_smallest_area_around_a_point() -> None:
    centre = area("City centre", SQUARE)
    street = area("Wind Street", ZONE_GEOMETRY["coordinates"][0])
    elsewhere = area("Mumbles", [[-4.01, 51.56], [-3.99, 51.56], [-3.99, 51.58], [-4.01, 51.56]])
    areas = [centre, street, elsewhere]
    assert geo.area_containing(51.6197, -3.9405, areas) is street
    assert geo.area_containing(51.6250, -3.9450, areas) is centre
    assert geo.area_containing(51.5000, -3.9000, areas) is None
    assert geo.area_containing(51.6197, -3.9405, []) is None


def test_the_edge_of_an_area_counts_as_inside() -> None:
    centre = area("City centre", SQUARE)
    assert geo.area_containing(51.61, -3.94, [centre]) is centre


def test_an_area_with_a_broken_shape_is_skipped() -> None:
    broken = Area(name="Broken", geometry={"type": "Polygon"})
    centre = area("City centre", SQUARE)
    assert geo.area_containing(51.62, -3.94, [broken, centre]) is centre


def test_the_demo_venues_are_inside_the_demo_zone() -> None:
    zone = Area(name="zone", geometry=geo.parse_area_geometry(json.dumps(ZONE_GEOMETRY)))
    for _name, _address, postcode, latitude, longitude, *_rest in VENUES:
        assert geo.normalise_postcode(postcode) == postcode
        assert geo.area_containing(latitude, longitude, [zone]) is zone
