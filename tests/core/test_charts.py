"""Charts drawn on the server: accessible SVG with nothing in it that runs or fetches,
every label escaped, bars to scale, suppressed counts drawn and printed, heat-grid shades
with readable numbers, trends, and the table of the same figures beside each chart, in a
page and in a PDF."""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from flask import Flask
from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader

from partnership.core import charts
from partnership.core.charts import (
    EMPTY_CELL,
    HEAT_SCALE,
    INK,
    PREVIOUS_PERIOD,
    THIS_PERIOD,
    WHITE,
    bar_chart,
    contrast,
    heat_grid,
    heat_shade,
    shown,
    trend,
)
from partnership.core.pdf import render_pdf

SVG = "{http://www.w3.org/2000/svg}"
ATTACK = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
BEHAVIOURS: list[charts.BarRow] = [
    ("Conduct of a sexual nature, including gestures and movements", 12, 9),
    ("Sexual comments, innuendo, repeated unwelcome jokes", "<5", 7),
    ("Wolf-whistling or cat-calling", 0, "<5"),
    (ATTACK, 30, 40),
    ("Unwanted touching", 1234, None),
]
NIGHTS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS = [f"{hour:02d}" for hour in [*range(18, 24), *range(6)]]


def grid_values() -> list[list[charts.Value | None]]:
    values: list[list[charts.Value | None]] = [[0] * len(HOURS) for _night in NIGHTS]
    values[4][5] = 120  # Friday 23:00, the busiest
    values[5][6] = 61
    values[5][7] = "<5"
    values[0][0] = 1
    values[6][11] = None
    return values


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def assert_self_contained(svg: str) -> None:
    """Nothing that runs, fetches or needs CSS the PDF or the CSP would refuse."""
    lowered = svg.lower()
    for forbidden in (
        "<script",
        "href",
        "url(",
        "<style",
        "style=",
        "var(",
        "foreignobject",
        "<image",
        "javascript:",
    ):
        assert forbidden not in lowered, forbidden
    for element in parsed(svg).iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]


def assert_accessible(root: ET.Element, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox") or "")
    title_id, desc_id = (root.get("aria-labelledby") or "").split()
    children = list(root)
    assert children[0].tag == f"{SVG}title" and children[0].get("id") == title_id
    assert children[0].text == title
    assert children[1].tag == f"{SVG}desc" and children[1].get("id") == desc_id
    assert children[1].text


# --- bar charts ------------------------------------------------------------------------


def test_a_bar_chart_is_accessible_self_contained_svg(request_context: None) -> None:
    svg = bar_chart(f"Sightings {ATTACK}", BEHAVIOURS)
    assert_self_contained(svg)
    root = parsed(svg)
    assert_accessible(root, f"Sightings {ATTACK}")
    # Labels are text, escaped: the attack reads back as the same characters.
    assert ATTACK in " ".join(texts(root))
    assert "&lt;script&gt;" in svg


def test_bars_are_to_scale_with_previous_periods_thinner(request_context: None) -> None:
    root = parsed(
        bar_chart("Behaviours", [("A", 100, 50), ("B", 50, 100), ("C", 25, None)], width=400)
    )
    current = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == THIS_PERIOD]
    previous = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == PREVIOUS_PERIOD]
    # The legend's two keys, then the bars in order.
    assert len(current) == 1 + 3 and len(previous) == 1 + 2
    widths = [float(r.get("width", 0)) for r in current[1:]]
    assert widths[0] == pytest.approx(2 * widths[1]) == pytest.approx(4 * widths[2])
    before = [float(r.get("width", 0)) for r in previous[1:]]
    assert before == pytest.approx([widths[1], widths[0]])
    assert float(previous[1].get("height", 0)) < float(current[1].get("height", 0))
    # Everything fits in the viewBox, with room for the figures after the bars.
    assert max(widths) < 400 - 20
    assert {"100", "50", "25"} <= set(texts(root))
    assert {"This period", "Previous period"} <= set(texts(root))


def test_suppressed_counts_are_drawn_hatched_and_printed(request_context: None) -> None:
    root = parsed(
        bar_chart("Responses", [("Moved away", 1000, None), ("Asked for help", "<5", None)])
    )
    printed = texts(root)
    assert "<5" in printed and "1,000" in printed
    outlines = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none"]
    assert len(outlines) == 1
    assert outlines[0].get("stroke") == THIS_PERIOD
    assert float(outlines[0].get("width", 0)) >= charts.MIN_SUPPRESSED - 1
    hatching = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == THIS_PERIOD]
    assert len(hatching) == 1 and (hatching[0].get("d") or "").count("M") >= 3
    # Every hatching line stays inside its box.
    x = float(outlines[0].get("x", 0)) - 0.5
    y = float(outlines[0].get("y", 0)) - 0.5
    right = x + float(outlines[0].get("width", 0)) + 1
    bottom = y + float(outlines[0].get("height", 0)) + 1
    for px, py in zip(
        *[iter(map(float, re.findall(r"[\d.]+", hatching[0].get("d") or "")))] * 2, strict=True
    ):
        assert x - 0.01 <= px <= right + 0.01 and y - 0.01 <= py <= bottom + 0.01


def test_a_zero_draws_no_bar_but_prints_its_figure(request_context: None) -> None:
    root = parsed(bar_chart("Actions", [("Refused entry", 0, None), ("Ejected", 3, None)]))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") == THIS_PERIOD]
    assert len(bars) == 1
    assert texts(root) == ["Refused entry", "0", "Ejected", "3"]


def test_long_labels_wrap_to_the_width(request_context: None) -> None:
    label = "Repeatedly approaching groups, including propositions, " * 3
    root = parsed(bar_chart("Behaviours", [(label, 5, None)], width=300))
    lines = [t for t in texts(root) if t not in ("5",)]
    assert len(lines) >= 4
    assert " ".join(lines) == " ".join(label.split())
    most = int(300 / (charts.FONT * charts.CHAR_WIDTH))
    assert all(len(line) <= most for line in lines)


def test_no_rows_draw_a_sentence(request_context: None) -> None:
    svg = bar_chart("Appeals", [])
    root = parsed(svg)
    assert_accessible(root, "Appeals")
    assert texts(root) == ["Nothing to show for this period."]


def test_bar_colours_stand_out_from_white() -> None:
    assert contrast(THIS_PERIOD, WHITE) >= 4.5
    assert contrast(PREVIOUS_PERIOD, WHITE) >= 3
    assert contrast(charts.SECONDARY_INK, WHITE) >= 4.5


def test_chart_ids_are_stable_distinct_and_checked(request_context: None) -> None:
    first = parsed(bar_chart("A", [("x", 1, None)])).get("aria-labelledby")
    again = parsed(bar_chart("A", [("x", 1, None)])).get("aria-labelledby")
    other = parsed(bar_chart("A", [("x", 2, None)])).get("aria-labelledby")
    assert first == again != other
    named = parsed(bar_chart("A", [("x", 1, None)], chart_id="behaviours"))
    assert named.get("aria-labelledby") == "behaviours-title behaviours-desc"
    with pytest.raises(ValueError):
        bar_chart("A", [("x", 1, None)], chart_id='x" onload="alert(1)')


# --- heat grids ------------------------------------------------------------------------


def test_a_heat_grid_shades_and_prints_every_cell(request_context: None) -> None:
    values = grid_values()
    svg = heat_grid(f"When {ATTACK}", [ATTACK, *NIGHTS[1:]], HOURS, values)
    assert_self_contained(svg)
    root = parsed(svg)
    assert_accessible(root, f"When {ATTACK}")
    printed = texts(root)
    assert ATTACK in printed
    assert printed[: len(HOURS)] == HOURS
    cells = [r for r in root.iter(f"{SVG}rect")]
    assert len(cells) == len(NIGHTS) * len(HOURS)
    fills = [c.get("fill") for c in cells]
    busiest = 4 * len(HOURS) + 5
    assert fills[busiest] == HEAT_SCALE[-1]
    assert fills.count(HEAT_SCALE[-1]) == 1
    assert fills[5 * len(HOURS) + 6] == HEAT_SCALE[3]  # 61 of 120: just over half
    assert fills[5 * len(HOURS) + 7] == HEAT_SCALE[0]  # "<5": the lightest
    assert fills[0] == HEAT_SCALE[0]  # 1 of 120
    assert fills[1] == EMPTY_CELL  # 0
    assert {"120", "61", "<5", "1", "0"} <= set(printed)
    # None leaves a cell empty: 84 cells, 83 printed numbers.
    figures = [t for t in printed[len(HOURS) :] if t not in NIGHTS and t != ATTACK]
    assert len(figures) == len(NIGHTS) * len(HOURS) - 1


def test_heat_grid_numbers_are_readable_on_every_shade(request_context: None) -> None:
    for shade in (EMPTY_CELL, *HEAT_SCALE):
        assert contrast(charts.text_colour(shade), shade) >= 4.5, shade
    root = parsed(heat_grid("When", NIGHTS, HOURS, grid_values()))
    cells = list(root.iter(f"{SVG}rect"))
    numbers = [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"][len(HOURS) :]
    filled = [
        c
        for c, row in zip(cells, [v for r in grid_values() for v in r], strict=True)
        if row is not None
    ]
    assert len(numbers) == len(filled)
    for number, cell in zip(numbers, filled, strict=True):
        assert contrast(number.get("fill", INK), cell.get("fill", WHITE)) >= 4.5


def test_heat_shades_rise_with_the_count() -> None:
    shades = [heat_shade(value, 60) for value in (0, 1, 10, 11, 20, 30, 40, 50, 60)]
    assert shades[0] == EMPTY_CELL
    order = [HEAT_SCALE.index(shade) for shade in shades[1:]]
    assert order == sorted(order) and order[0] == 0 and order[-1] == len(HEAT_SCALE) - 1
    assert heat_shade(None, 60) == EMPTY_CELL
    assert heat_shade("<5", 60) == HEAT_SCALE[0]


def test_a_heat_grid_needs_a_figure_for_every_cell(request_context: None) -> None:
    with pytest.raises(ValueError):
        heat_grid("When", NIGHTS, HOURS, [[1] * len(HOURS)] * 6)
    with pytest.raises(ValueError):
        heat_grid("When", NIGHTS, HOURS, [[1] * 11] * 7)


# --- trends and figures ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "previous", "direction", "change", "percent", "text"),
    [
        (12, 9, "up", 3, 33, "Up 3 from 9"),
        (9, 12, "down", -3, -25, "Down 3 from 12"),
        (1500, 1500, "same", 0, 0, "Same as the previous period (1,500)"),
        (4, 0, "up", 4, None, "Up 4 from 0"),
        (2.5, 1.0, "up", 1.5, 150, "Up 1.5 from 1"),
        ("<5", 9, "unknown", None, None, "No comparison with the previous period"),
        (9, "<5", "unknown", None, None, "No comparison with the previous period"),
        (9, None, "unknown", None, None, "No comparison with the previous period"),
    ],
)
def test_trend(
    request_context: None,
    value: charts.Value,
    previous: charts.Value | None,
    direction: str,
    change: float | None,
    percent: int | None,
    text: str,
) -> None:
    movement = trend(value, previous)
    assert movement["direction"] == direction
    assert movement["change"] == change
    assert movement["percent"] == percent
    assert movement["text"] == text
    assert movement["symbol"] == {"up": "▲", "down": "▼", "same": "=", "unknown": ""}[direction]


# --- the macros: chart and table together, in a page and in a PDF ----------------------

PAGE = """{% import "_charts.html" as charts %}
{{ charts.bar_figure(chart_title, bar_svg, rows, "Behaviour") }}
{{ charts.heat_figure("When", heat_svg, nights, hours, values, "Night") }}
{{ charts.summary_figure("Sightings", 12, movement) }}
"""
DOCUMENT = (
    """{% extends "pdf/_base.html" %}{% import "_charts.html" as charts %}
{% block content %}<h1>Weekly review</h1>"""
    + PAGE.split("\n", 1)[1]
    + "{% endblock %}"
)


@pytest.fixture
def templates(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    loader = ChoiceLoader(
        [
            DictLoader({"tests/charts.html": PAGE, "tests/charts-pdf.html": DOCUMENT}),
            app.jinja_env.loader,  # type: ignore[list-item]
        ]
    )
    monkeypatch.setattr(app.jinja_env, "loader", loader)


def context(title: str = "Sightings by behaviour") -> dict[str, Any]:
    return {
        "chart_title": title,
        "bar_svg": bar_chart(title, BEHAVIOURS),
        "rows": BEHAVIOURS,
        "heat_svg": heat_grid("When", NIGHTS, HOURS, grid_values()),
        "nights": NIGHTS,
        "hours": HOURS,
        "values": grid_values(),
        "movement": trend(12, 9),
    }


def cells(html: str, tag: str) -> list[str]:
    return [
        unescape(re.sub(r"\s+", " ", cell).strip())
        for cell in re.findall(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", html, re.S)
    ]


def test_each_chart_has_a_table_of_the_same_figures(app: Flask, templates: None) -> None:
    with app.test_request_context():
        html = app.jinja_env.get_template("tests/charts.html").render(**context(ATTACK))
    assert html.count("<svg") == 2
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    headings = cells(html, "th")
    assert headings[:3] == ["Behaviour", "This period", "Previous period"]
    bar_cells = cells(html.split("app-chart--heat")[0], "td")
    expected = [shown(v) for _label, value, previous in BEHAVIOURS for v in (value, previous)]
    assert bar_cells == expected
    heat_cells = cells(html.split("app-chart--heat")[1].split("app-summary-figure")[0], "td")
    assert heat_cells == [shown(v) for row in grid_values() for v in row]
    assert '<th scope="col" class="govuk-table__header">Night</th>' in html
    assert "Up 3 from 9" in html and '<span aria-hidden="true">▲</span>' in html


def test_a_table_without_a_previous_period_has_no_column_for_it(
    app: Flask, templates: None
) -> None:
    page = context()
    page["rows"] = [("Moved away", 5, None), ("Asked for help", "<5", None)]
    page["bar_svg"] = bar_chart("Responses", page["rows"])
    with app.test_request_context():
        html = app.jinja_env.get_template("tests/charts.html").render(**page)
    assert "Previous period" not in html.split("app-chart--heat")[0].split("</svg>")[1]


@pytest.mark.parametrize("value", [0, 7, 1234, 1234567, 2.5, 1.0, 1234.25, "<5", None])
def test_the_table_prints_figures_as_the_chart_does(app: Flask, value: Any) -> None:
    with app.test_request_context():
        template = app.jinja_env.from_string(
            '{% import "_charts.html" as charts %}{{ charts.figure(value) }}'
        )
        printed = template.render(value=value)
    assert unescape(printed) == shown(value)


def test_the_same_charts_print_in_a_pdf(
    app: Flask, templates: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="partnership.core.pdf")
    with app.test_request_context():
        data = render_pdf("tests/charts-pdf.html", title="Weekly review", lang="en", **context())
    assert not [r for r in caplog.records if "refused" in r.getMessage()]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", " ", text)
    for expected in (
        "Weekly review",
        "Sightings by behaviour",
        "Unwanted touching",
        "1,234",
        "<5",
        "Up 3 from 9",
    ):
        assert expected in flat, expected


@pytest.mark.parametrize(
    ("number", "letters"), [(1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (52, "AZ"), (53, "BA")]
)
def test_squares_are_lettered_as_spreadsheet_columns(number: int, letters: str) -> None:
    assert charts.square_label(number) == letters


def test_squares_are_lettered_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        charts.square_label(0)


def test_a_square_map_draws_each_square_where_it_lies(request_context: None) -> None:
    north = charts.MapSquare(51.622, -3.942, 51.624, -3.939, 12, "A")
    south_east = charts.MapSquare(51.618, -3.936, 51.620, -3.933, "<5", "B")
    sneaky = charts.MapSquare(51.620, -3.939, 51.622, -3.936, 0, ATTACK)
    svg = charts.square_map("Plan of the squares", [north, south_east, sneaky])
    assert_self_contained(svg)
    root = parsed(svg)
    assert_accessible(root, "Plan of the squares")
    assert {"A", "B", ATTACK} <= set(texts(root))
    squares = root.findall(f"{SVG}rect")[1:]  # after the frame
    top = {label: float(rect.get("y", "0")) for label, rect in zip("ABC", squares, strict=True)}
    left = {label: float(rect.get("x", "0")) for label, rect in zip("ABC", squares, strict=True)}
    assert top["A"] < top["C"] < top["B"]  # north at the top
    assert left["A"] < left["C"] < left["B"]  # west on the left
    width = float(squares[0].get("width", "0"))
    height = float(squares[0].get("height", "0"))
    # 0.003 degrees of longitude are drawn narrower than their size in latitude degrees
    # (cos 51.6 = 0.62), so a 0.002 by 0.003 square is about as wide as it is tall.
    assert 0.8 < width / height < 1.05
    # The busiest square is the darkest; nothing is drawn lightest of all.
    assert squares[0].get("fill") == HEAT_SCALE[-1]
    assert squares[2].get("fill") == EMPTY_CELL


def test_a_square_map_with_nothing_says_so(request_context: None) -> None:
    svg = charts.square_map("Plan of the squares", [])
    assert "Nothing to draw." in svg
