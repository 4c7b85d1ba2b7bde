"""Charts drawn on the server as SVG: the same drawing in a page and in a PDF.

A chart is plain SVG built here, with nothing that runs or fetches: no script, no event
attributes, no ``href``, no ``url(...)`` (so no gradients, patterns or clip paths either),
no ``<style>`` and no ``style=`` attribute (the portal's Content Security Policy allows
neither), no CSS variables and no ``foreignObject`` (WeasyPrint draws neither). Colours
are presentation attributes. Every piece of text a caller passes in is escaped.

Each chart is ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``; the same
figures go in a table beside it (``templates/_charts.html``), which is what a screen reader
or a printed page reads in full. The size is fixed in the ``viewBox`` and the SVG is
``width="100%"``, so it scales to a phone's width, or a PDF column's, keeping its shape.
Widths of text are estimated (no font is measured), generously, so labels wrap early
rather than run off.

Counts may be suppressed: a value given as text, such as ``"<5"``, is drawn as a short
hatched outline and printed as it is.

Colours are GOV.UK's: bars at least 3:1 against white (WCAG 1.4.11), printed numbers at
least 4.5:1 against what they sit on.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from markupsafe import Markup, escape

from partnership.core.catalogue import gettext as _

# A figure: a number, or a suppressed count as text ("<5"); None where there is none.
Value: TypeAlias = int | float | str
BarRow: TypeAlias = tuple[str, Value, Value | None]

INK = "#0b0c0c"
SECONDARY_INK = "#505a5f"  # 7:1 on white
WHITE = "#ffffff"
BORDER = "#b1b4b6"
THIS_PERIOD = "#1d70b8"  # GOV.UK blue, 5.2:1 on white
PREVIOUS_PERIOD = "#5694ca"  # GOV.UK light blue, 3.2:1 on white
# The heat grid: an empty cell, then six shades from light to dark blue. The printed
# number carries the figure; the shade only shows the pattern at a glance.
EMPTY_CELL = WHITE
HEAT_SCALE = ("#e8f1f8", "#bdd5ea", "#8eb8dc", "#5694ca", "#1d70b8", "#003078")
# A suppressed count ("<5") is drawn as if it were this, at least MIN_SUPPRESSED wide.
SUPPRESSED_AS = 4.0
MIN_SUPPRESSED = 14.0
# Estimated width of a character, as a share of the font size (DejaVu Sans is wide).
CHAR_WIDTH = 0.62
FONT = 14.0
# The portal's fonts: the PDF's embedded one (partnership/core/pdf.py), then the site's.
# An attribute, as GOV.UK's styles set a font on text classes only, not on the page.
FONT_FAMILY = (
    "'Portal Sans', system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', arial,"
    " sans-serif"
)
SMALL_FONT = 11.0
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def _n(value: float) -> str:
    """A coordinate, short: two decimals at most."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def shown(value: Value | None) -> str:
    """A figure as the chart and its table print it: numbers with thousands separators,
    text (a suppressed count) as it is, nothing as a dash."""
    if value is None:
        return "\u2013"  # an en dash
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}".removesuffix(".0")
    return str(value)


def _number_or_none(value: Value | None) -> float | None:
    """The number behind a figure; None for a suppressed or missing one."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider (by estimate) than ``width``; a word too long for a
    line is cut."""
    most = max(4, int(width / (size * CHAR_WIDTH)))
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > most:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:most])
            word = word[most:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= most:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line or not lines:
        lines.append(line)
    return lines


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = FONT,
    fill: str = INK,
    anchor: str = "start",
    bold: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{fill}"'
        f' text-anchor="{anchor}"{weight}>{escape(text)}</text>'
    )


def _rect(x: float, y: float, width: float, height: float, fill: str, **extra: str) -> str:
    attributes = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in extra.items())
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}"'
        f' fill="{fill}"{attributes}/>'
    )


def _hatched(x: float, y: float, width: float, height: float, colour: str) -> str:
    """An outlined box crossed by diagonal lines, drawn without patterns or clip
    paths: each line is cut to the box here."""
    step = 4.0
    segments: list[str] = []
    # Lines x + y' = c, where y' runs up from the bottom of the box.
    c = step
    while c < width + height:
        x1, y1 = x + max(0.0, c - height), y + height - min(c, height)
        x2, y2 = x + min(c, width), y + height - max(0.0, c - width)
        segments.append(f"M{_n(x1)} {_n(y1)} L{_n(x2)} {_n(y2)}")
        c += step
    lines = (
        f'<path d="{" ".join(segments)}" fill="none" stroke="{colour}" stroke-width="1"/>'
        if segments
        else ""
    )
    return (
        _rect(x, y, width, height, WHITE)
        + lines
        + _rect(
            x + 0.5,
            y + 0.5,
            max(width - 1, 0.5),
            max(height - 1, 0.5),
            "none",
            stroke=colour,
            stroke_width="1",
        )
    )


def default_id(kind: str, title: str, data: Any) -> str:
    """An id for a chart's title and description, the same for the same chart."""
    digest = hashlib.blake2s(repr((kind, title, data)).encode(), digest_size=5).hexdigest()
    return f"chart-{digest}"


def _svg(
    ident: str | None,
    kind: str,
    title: str,
    description: str,
    data: Any,
    width: float,
    height: float,
    body: list[str],
) -> Markup:
    if ident is None:
        ident = default_id(kind, title, data)
    elif not _ID.fullmatch(ident):
        raise ValueError("a chart id is a letter followed by letters, digits, - or _")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart__svg app-chart__svg--{kind}"'
        f' viewBox="0 0 {_n(width)} {_n(height)}" width="100%"'
        f' preserveAspectRatio="xMinYMin meet" font-family="{FONT_FAMILY}" role="img"'
        f' aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 (every text escaped above)


def _empty(ident: str | None, kind: str, title: str, width: float, message: str) -> Markup:
    height = FONT * 3
    body = [_text(0, FONT * 1.8, message, fill=SECONDARY_INK)]
    return _svg(ident, kind, title, message, [], width, height, body)


def bar_chart(
    title: str,
    rows: Sequence[BarRow],
    *,
    width: float = 360,
    current_label: str | None = None,
    previous_label: str | None = None,
    description: str | None = None,
    empty_message: str | None = None,
    chart_id: str | None = None,
) -> Markup:
    """Horizontal bars, one for each ``(label, value, previous)`` of ``rows``, in the
    order given, as an SVG ``width`` units wide (its height follows from the rows).

    Each label is printed above its bar, wrapped to the width, so long labels (and Welsh
    ones) fit a phone. The bar for this period is GOV.UK blue with its figure printed
    after it; where ``previous`` is not None, a thinner light-blue bar for the previous
    period goes under it, with its figure in smaller grey type, and a legend (``current_label``,
    ``previous_label``) heads the chart. A figure given as text (a suppressed count such
    as ``"<5"``) is drawn as a short hatched outline and printed as it is; zero draws no
    bar. All bars share one scale, starting at zero.

    Returns Markup: every label is escaped. ``chart_id`` (letters, digits, ``-``, ``_``)
    names the title and description for ``aria-labelledby``; by default it is made from
    the chart's title and data. No rows draws ``empty_message`` instead.
    """
    current_label = current_label or _("This period")
    previous_label = previous_label or _("Previous period")
    if not rows:
        return _empty(
            chart_id, "bar", title, width, empty_message or _("Nothing to show for this period.")
        )
    with_previous = any(previous is not None for _label, _value, previous in rows)
    if description is None:
        description = (
            _(
                "Horizontal bars, one for each row of the table beside the chart: dark blue"
                " for this period, with thinner light blue bars for the previous period."
                " Hatched outlines are counts too small to show."
            )
            if with_previous
            else _(
                "Horizontal bars, one for each row of the table beside the chart."
                " Hatched outlines are counts too small to show."
            )
        )
    numbers = [
        number
        for _label, value, previous in rows
        for number in (_number_or_none(value), _number_or_none(previous))
        if number is not None
    ]
    top = max([*numbers, SUPPRESSED_AS, 1.0])
    widest_figure = max(
        max(_text_width(shown(value), FONT), _text_width(shown(previous), SMALL_FONT))
        for _label, value, previous in rows
    )
    bar_space = max(width - widest_figure - 10, width / 3)

    def length(value: Value | None) -> float:
        number = _number_or_none(value)
        if number is None:
            return max(bar_space * SUPPRESSED_AS / top, MIN_SUPPRESSED)
        if number <= 0:
            return 0.0
        return max(bar_space * number / top, 2.0)

    body: list[str] = []
    y = 2.0
    if with_previous:
        body.append(_rect(1, y + 2, 18, 12, THIS_PERIOD))
        body.append(_text(26, y + 12.5, current_label, size=SMALL_FONT + 1))
        y += 20
        body.append(_rect(1, y + 5, 18, 6, PREVIOUS_PERIOD))
        body.append(_text(26, y + 12.5, previous_label, size=SMALL_FONT + 1))
        y += 26
    line_height = FONT * 1.3
    for label, value, previous in rows:
        for line in _wrap(label, FONT, width):
            y += line_height
            body.append(_text(0, y - FONT * 0.3, line))
        y += 4
        bars_top = y
        body.extend(_bar(y, 16, length(value), value, FONT, THIS_PERIOD, INK))
        y += 16
        if with_previous:
            y += 3
            if previous is not None:
                body.extend(
                    _bar(
                        y, 8, length(previous), previous, SMALL_FONT, PREVIOUS_PERIOD, SECONDARY_INK
                    )
                )
            y += 8
        # The zero line the row's bars start from.
        body.append(
            f'<path d="M0.75 {_n(bars_top - 2)} V{_n(y + 2)}" stroke="{INK}" stroke-width="1.5"/>'
        )
        y += 10
    data = [(label, shown(value), shown(previous)) for label, value, previous in rows]
    return _svg(chart_id, "bar", title, description, data, width, y, body)


def _bar(
    y: float,
    height: float,
    length: float,
    value: Value | None,
    size: float,
    colour: str,
    ink: str,
) -> list[str]:
    """One bar from the zero line, with its figure after it."""
    parts: list[str] = []
    if _number_or_none(value) is None:
        parts.append(_hatched(1.5, y, length, height, colour))
    elif length > 0:
        parts.append(_rect(1.5, y, length, height, colour))
    parts.append(
        _text(1.5 + length + 6, y + height / 2 + size * 0.36, shown(value), size=size, fill=ink)
    )
    return parts


def _relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((_relative_luminance(first), _relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour(background: str) -> str:
    """Ink or white, whichever stands out more on ``background``."""
    return INK if contrast(INK, background) >= contrast(WHITE, background) else WHITE


def heat_shade(value: Value | None, top: float) -> str:
    """The fill of a heat-grid cell: white for nothing, else one of :data:`HEAT_SCALE`,
    darker for more (``top`` the largest value in the grid); a suppressed count takes the
    lightest shade."""
    if value is None:
        return EMPTY_CELL
    number = _number_or_none(value)
    if number is None:
        return HEAT_SCALE[0]
    if number <= 0 or top <= 0:
        return EMPTY_CELL
    step = min(len(HEAT_SCALE) - 1, int(number / top * len(HEAT_SCALE) - 1e-9))
    return HEAT_SCALE[max(step, 0)]


def heat_grid(
    title: str,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[Value | None]],
    *,
    width: float = 600,
    description: str | None = None,
    chart_id: str | None = None,
) -> Markup:
    """A grid of shaded cells, ``values[row][column]``, with the row labels down the
    left and the column labels along the top (for sightings: nights of the week by hour
    of the night). Each cell prints its figure; the shade, from white (nothing) through
    six blues to dark, shows where the figures are high. A suppressed count (text such as
    ``"<5"``) is printed as it is on the lightest shade. None leaves a cell empty.

    Returns Markup, every label escaped, ``width`` units wide. Raises ValueError when
    ``values`` does not have one row of ``len(column_labels)`` figures per row label.
    """
    if len(values) != len(row_labels) or any(len(row) != len(column_labels) for row in values):
        raise ValueError("a heat grid needs one figure for every row and column")
    if description is None:
        description = _(
            "A grid with a row for each label down the side and a column for each label"
            " along the top. Each square shows its count; darker squares have more. The"
            " same counts are in the table beside the chart."
        )
    numbers = [n for row in values for n in map(_number_or_none, row) if n is not None]
    top = max(numbers, default=0.0)
    label_width = min(
        max((_text_width(label, FONT) for label in row_labels), default=0.0) + 8, width / 3
    )
    columns = max(len(column_labels), 1)
    cell_width = (width - label_width) / columns
    cell_height = min(max(cell_width * 0.75, 22.0), 34.0)
    widest_figure = max((len(shown(v)) for row in values for v in row if v is not None), default=1)
    cell_font = min(FONT, (cell_width - 4) / (max(widest_figure, 2) * CHAR_WIDTH))
    widest_column = max((len(label) for label in column_labels), default=1)
    column_font = min(SMALL_FONT + 1, (cell_width - 2) / (max(widest_column, 2) * CHAR_WIDTH))
    header_height = column_font * 1.8
    body: list[str] = []
    for column, label in enumerate(column_labels):
        x = label_width + (column + 0.5) * cell_width
        body.append(
            _text(x, header_height - column_font * 0.5, label, size=column_font, anchor="middle")
        )
    for row, label in enumerate(row_labels):
        y = header_height + row * cell_height
        label_size = min(FONT, (label_width - 6) / (max(len(label), 1) * CHAR_WIDTH))
        body.append(_text(0, y + cell_height / 2 + label_size * 0.36, label, size=label_size))
        for column, value in enumerate(values[row]):
            x = label_width + column * cell_width
            fill = heat_shade(value, top)
            # Cells stand a unit apart; an empty one is outlined so the grid stays whole.
            outline = {"stroke": BORDER, "stroke_width": "0.75"} if fill == EMPTY_CELL else {}
            body.append(_rect(x + 1, y + 1, cell_width - 2, cell_height - 2, fill, **outline))
            if value is not None:
                body.append(
                    _text(
                        x + cell_width / 2,
                        y + cell_height / 2 + cell_font * 0.36,
                        shown(value),
                        size=cell_font,
                        fill=text_colour(fill),
                        anchor="middle",
                    )
                )
    height = header_height + len(row_labels) * cell_height + 1
    data = (list(row_labels), list(column_labels), [[shown(v) for v in row] for row in values])
    return _svg(chart_id, "heat", title, description, data, width, height, body)


def square_label(number: int) -> str:
    """The letters naming the ``number``-th square (from 1) on :func:`square_map` and in
    its table: A to Z, then AA, AB and on, as spreadsheet columns are named. Letters, so a
    label is never read as a count."""
    if number < 1:
        raise ValueError("squares are numbered from 1")
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass(frozen=True)
class MapSquare:
    """A square to draw on :func:`square_map`: its bounds in degrees, its figure and the
    short label (:func:`square_label`) that names it in the table beside the map."""

    south: float
    west: float
    north: float
    east: float
    value: Value
    label: str


def square_map(
    title: str,
    squares: Sequence[MapSquare],
    *,
    width: float = 600,
    description: str | None = None,
    chart_id: str | None = None,
) -> Markup:
    """Grid squares where they lie, each shaded by its figure as the heat grid is and marked
    with its label, in a frame north up: a picture of where the hotspots are that needs no
    map tiles, no script and no network, for pages without JavaScript and for PDFs.

    Longitude is drawn narrower than latitude by the cosine of the middle latitude, so the
    squares keep their shape on the ground. Returns Markup, ``width`` units wide; with no
    squares, a short note instead.
    """
    if description is None:
        description = _(
            "A plan of the hotspot squares where they lie, north at the top. Darker squares"
            " have more. Each square carries the letters of its row in the table beside the map."
        )
    if not squares:
        return _empty(chart_id, "map", title, width, _("Nothing to draw."))
    south = min(sq.south for sq in squares)
    north = max(sq.north for sq in squares)
    west = min(sq.west for sq in squares)
    east = max(sq.east for sq in squares)
    squash = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * squash, 1e-9)
    span_y = max(north - south, 1e-9)
    margin = 12.0
    scale = (width - 2 * margin) / max(span_x, span_y)
    height = span_y * scale + 2 * margin
    numbers = [n for n in (_number_or_none(sq.value) for sq in squares) if n is not None]
    top = max(numbers, default=0.0)
    body = [_rect(0.5, 0.5, width - 1, height - 1, WHITE, stroke=BORDER, stroke_width="1")]
    for square in squares:
        x = margin + (square.west - west) * squash * scale
        y = margin + (north - square.north) * scale
        side_x = (square.east - square.west) * squash * scale
        side_y = (square.north - square.south) * scale
        fill = heat_shade(square.value, top)
        body.append(_rect(x, y, side_x, side_y, fill, stroke=INK, stroke_width="0.5"))
        size = min(FONT, max(side_y * 0.6, 6.0), side_x / (max(len(square.label), 1) * CHAR_WIDTH))
        body.append(
            _text(
                x + side_x / 2,
                y + side_y / 2 + size * 0.36,
                square.label,
                size=size,
                fill=text_colour(fill),
                anchor="middle",
            )
        )
    body.append(_text(width - margin, margin + SMALL_FONT, _("N ↑"), size=SMALL_FONT, anchor="end"))
    data = [(sq.label, sq.south, sq.west, shown(sq.value)) for sq in squares]
    return _svg(chart_id, "map", title, description, data, width, height, body)


def trend(value: Value | None, previous: Value | None) -> dict[str, Any]:
    """How a summary figure moved since the previous period, for a page or the pack.

    ``direction`` is ``"up"``, ``"down"``, ``"same"`` or ``"unknown"`` (a figure missing
    or suppressed, so no honest comparison exists); ``change`` the difference (None when
    unknown); ``percent`` the change as a whole percentage of ``previous`` (None when
    unknown or when ``previous`` is 0); ``symbol`` an arrow (▲ ▼ =, empty when unknown);
    ``text`` a sentence in the current language, such as "Up 3 from 9".
    """
    now, before = _number_or_none(value), _number_or_none(previous)
    if now is None or before is None:
        return {
            "direction": "unknown",
            "change": None,
            "percent": None,
            "symbol": "",
            "text": _("No comparison with the previous period"),
        }
    change = now - before
    shown_change = shown(abs(int(change)) if change.is_integer() else abs(change))
    percent = round(change / before * 100) if before else None
    if change > 0:
        direction, symbol = "up", "▲"
        text = _("Up %(change)s from %(previous)s", change=shown_change, previous=shown(previous))
    elif change < 0:
        direction, symbol = "down", "▼"
        text = _("Down %(change)s from %(previous)s", change=shown_change, previous=shown(previous))
    else:
        direction, symbol = "same", "="
        text = _("Same as the previous period (%(previous)s)", previous=shown(previous))
    return {
        "direction": direction,
        "change": int(change) if change.is_integer() else change,
        "percent": percent,
        "symbol": symbol,
        "text": text,
    }
