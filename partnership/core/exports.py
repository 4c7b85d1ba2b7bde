"""Exports: CSV, XLSX and GeoJSON files, and the pseudonyms that stand for people in them.

Spreadsheet formulas. A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` (or a tab,
a carriage return or a NUL, which some spreadsheets skip before looking) may run as a
formula when the file is opened: ``=HYPERLINK(...)`` can send data away, ``=cmd|...`` can
start a program. The defence chosen here is the one OWASP recommends: such text gets a
leading apostrophe, ``'=1+1``, which every spreadsheet takes as "this is text" and which a
reader of the raw file sees for what it is. The text is otherwise kept as it was, and
numbers and dates are not touched (a negative *number* is a number; ``"-1+1"`` given as
*text* is neutralised). The full-width forms of the four signs (U+FF1D, U+FF0B, U+FF0D,
U+FF20) are treated the same, as some spreadsheets fold them to the ASCII ones.

In XLSX every piece of text is written as a string cell (``t="inlineStr"``), which no
spreadsheet evaluates, and text that looks like a formula also carries the cell style
``quotePrefix``, so it stays text even when someone edits the cell. The text itself is
written as it is (no apostrophe is needed, or shown).

Memory. :func:`stream_csv` yields one line at a time from whatever iterable of rows it is
given, so a year of record-level data streams in constant memory when the rows come from
a query run with ``yield_per``. XLSX cannot stream: an .xlsx file is a zip archive whose
parts are written whole once the last row is in. :func:`write_xlsx` keeps memory flat all
the same (openpyxl's write-only mode puts each sheet in a temporary file as rows arrive, and
strings are written inline, not gathered in a shared table), and :func:`xlsx_response`
builds the archive in a temporary file that spills to disk; but the download starts only
when the whole workbook is made. CSV is the streaming format.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import IO, Any, TypeAlias

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from werkzeug.utils import secure_filename

from partnership.core.nights import LONDON

# What makes a spreadsheet read a cell as a formula (see the module's docstring).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\0\uff1d\uff0b\uff0d\uff20")
_LEADING_SPACES = " \u00a0"  # spaces a spreadsheet skips before a formula
# The first characters of text that needs a closer look; any other text is safe as it is.
_FIRST_TO_CHECK = FORMULA_TRIGGERS | frozenset(_LEADING_SPACES)
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_MEDIA_TYPE = "application/geo+json"
BOM = "\ufeff"
# A CSV response goes out in chunks of about this many characters, not a line at a time.
CSV_CHUNK = 64 * 1024
# Excel's limits: characters in a cell, characters in a sheet name.
XLSX_CELL_LIMIT = 32_767
XLSX_SHEET_NAME_LIMIT = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_DATE_FORMAT = "yyyy-mm-dd"
# Pseudonyms: "P-" and six characters of Crockford's base 32 (no I, L, O or U to misread),
# 30 bits of the keyed hash; longer only where two people in one export would share one.
PSEUDONYM_PREFIX = "P-"
PSEUDONYM_LENGTH = 6
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SECRET_BYTES = 32

Sheet: TypeAlias = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula: its first character, or
    its first after leading spaces, is one of :data:`FORMULA_TRIGGERS`."""
    if not text:
        return False
    first = text[0]
    if first in FORMULA_TRIGGERS:
        return True
    if first not in _LEADING_SPACES:  # most text: decided by its first character
        return False
    return text.lstrip(_LEADING_SPACES)[:1] in FORMULA_TRIGGERS


def safe_text(text: str) -> str:
    """``text`` with a leading apostrophe when it could run as a formula, else as it is."""
    return f"'{text}" if looks_like_formula(text) else text


def london_naive(moment: datetime) -> datetime:
    """A moment as the wall-clock time in Europe/London, without a zone (spreadsheets have
    none). A naive ``moment`` is taken to be UTC, as every stored time is."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON).replace(tzinfo=None)


def london_text(moment: datetime) -> str:
    """A moment's Europe/London wall-clock time as ``YYYY-MM-DD HH:MM:SS`` (a naive
    ``moment`` taken to be UTC): what ``london_naive(moment).isoformat(sep=" ",
    timespec="seconds")`` gives, written field by field, which takes a fraction of the time
    (an export may write a million)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(LONDON)
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    )


def safe_cell(value: Any) -> str:
    """The text of one CSV cell, which no spreadsheet will run as a formula.

    None is empty; True and False are ``true`` and ``false``; numbers are written as
    themselves (``-3`` stays a number); a datetime is its Europe/London wall-clock time
    ``YYYY-MM-DD HH:MM:SS`` (the column's header should say "UK time"); a date is
    ``YYYY-MM-DD``; an enum its value. Any text, and anything else as text, gets a leading
    apostrophe when it begins with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or
    a NUL (see the module's docstring).
    """
    kind = type(value)
    # The commonest kinds first, by exact type, with no further call: exports run to
    # millions of cells. Each gives what the general rules below would.
    if kind is str:
        text: str = value
        if not text or text[0] not in _FIRST_TO_CHECK:
            return text
        return safe_text(text)
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if kind is date:
        day: date = value
        return day.isoformat()
    if kind is datetime:
        return london_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return london_text(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        value = value.value
    return safe_text(str(value))


class _Line:
    """A file-like object that keeps only the last line csv.writer wrote."""

    text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def stream_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV file of ``header`` and ``rows``, a line at a time (RFC 4180: commas, double
    quotes where needed, CRLF line ends), the first line led by a UTF-8 byte order mark so
    Excel reads the file as UTF-8. Every cell goes through :func:`safe_cell`.

    A generator: it takes one row from ``rows`` for each line it yields and keeps nothing,
    so memory does not grow with the number of rows.
    """
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    writer.writerow(map(safe_cell, header))
    yield BOM + line.text
    for row in rows:
        writer.writerow(map(safe_cell, row))
        yield line.text


def _chunks(lines: Iterable[str], size: int = CSV_CHUNK) -> Iterator[bytes]:
    """Lines joined into chunks of about ``size`` characters, as UTF-8."""
    buffer: list[str] = []
    held = 0
    for line in lines:
        buffer.append(line)
        held += len(line)
        if held >= size:
            yield "".join(buffer).encode()
            buffer.clear()
            held = 0
    if buffer:
        yield "".join(buffer).encode()


def attachment_name(filename: str, default: str = "export") -> str:
    """``filename`` made safe for a Content-Disposition header: ASCII letters, digits,
    ``.``, ``-`` and ``_`` only."""
    return secure_filename(filename) or default


def _download(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{attachment_name(filename)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def download(body: bytes | str, filename: str, mimetype: str) -> Response:
    """``body`` as a download named ``filename``: an attachment, never cached."""
    return _download(Response(body, mimetype=mimetype), filename)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A download of :func:`stream_csv`, streamed in chunks while ``rows`` is read.

    The rows are read by the web server after the view has returned, outside its request
    and its app context: the request's database session is closed by then, and every
    object loaded through it is detached. So ``rows`` must hold plain values (text already
    translated), or be a generator that needs nothing from the request and reads the
    database on a connection of its own (as
    :func:`partnership.reports.service.sighting_rows` does). A generator is closed with
    the response, so its connection is given back even when the download stops half way.
    Commit the export's audit event before returning this. Sent as an attachment, never
    cached.
    """
    response = Response(_chunks(stream_csv(header, rows)), content_type=CSV_MEDIA_TYPE)
    close = getattr(rows, "close", None)
    if callable(close):
        response.call_on_close(close)
    return _download(response, filename)


def sheet_title(name: str, taken: set[str]) -> str:
    """``name`` as a worksheet title Excel accepts: none of ``[]:*?/\\``, 31 characters at
    most, not empty, and not already in ``taken`` (compared without case)."""
    base = _SHEET_NAME_FORBIDDEN.sub("-", ILLEGAL_CHARACTERS_RE.sub("", name)).strip("' ")
    base = base[:XLSX_SHEET_NAME_LIMIT] or "Sheet"
    title, number = base, 1
    while title.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        title = base[: XLSX_SHEET_NAME_LIMIT - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def _xlsx_text(text: str) -> str:
    """Text as Excel can hold it: characters XML 1.0 forbids become U+FFFD, line ends
    become line feeds (XML would turn a carriage return into one anyway), and text longer
    than a cell holds is cut, with an ellipsis."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > XLSX_CELL_LIMIT:
        text = text[: XLSX_CELL_LIMIT - 1] + "…"
    return text


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell | None:
    """One value as a write-only cell: numbers and booleans as themselves, datetimes as
    Europe/London wall-clock times, and everything else as a string cell that cannot be a
    formula (openpyxl would otherwise make a formula of any text starting with ``=``)."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet)
    if isinstance(value, bool | int | Decimal) or (
        isinstance(value, float) and math.isfinite(value)
    ):
        cell.value = value
        return cell
    if isinstance(value, datetime):
        cell.value = london_naive(value)
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell.value = value
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if isinstance(value, Enum):
        value = value.value
    text = _xlsx_text(value.isoformat() if isinstance(value, time) else str(value))
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def write_xlsx(target: IO[bytes], sheets: Iterable[Sheet]) -> None:
    """Write a workbook to ``target``: one worksheet for each ``(name, header, rows)``, the
    header in bold and frozen at the top, then a line per row.

    No cell is a formula: text is written as strings (see the module's docstring). A
    datetime is written as its Europe/London wall-clock time, without a zone, as Excel has
    none: the column's header should say "UK time". Sheet names are made acceptable to
    Excel (:func:`sheet_title`). Memory stays flat: rows go to temporary files as they
    are read; the archive is assembled in ``target`` at the end.
    """
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for name, header, rows in sheets:
        sheet = workbook.create_sheet(title=sheet_title(name, taken))
        sheet.freeze_panes = "A2"
        header_cells = []
        for text in header:
            cell = _xlsx_cell(sheet, str(text))
            if cell is not None:
                cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    if not taken:
        workbook.create_sheet(title="Sheet")
    workbook.save(target)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook of :func:`write_xlsx` as bytes, for figures and small exports (and for
    tests); a large export should use :func:`xlsx_response`, which keeps it on disk."""
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Iterable[Sheet]) -> Response:
    """A download of the workbook of :func:`write_xlsx`, built before this returns (so the
    rows are read inside the view), in a temporary file that spills to disk past 8 MiB, and
    sent from it. Sent as an attachment, never cached."""
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    try:
        write_xlsx(spooled, sheets)
        size = spooled.tell()
        spooled.seek(0)
    except BaseException:
        spooled.close()
        raise
    response = Response(_file_chunks(spooled), mimetype=XLSX_MEDIA_TYPE)
    response.content_length = size
    # Closed when the last chunk is read, and by the server when it closes the response
    # (a HEAD request, or a client that goes away, never reads to the end).
    response.call_on_close(spooled.close)
    return _download(response, filename)


def _file_chunks(file: IO[bytes], size: int = CSV_CHUNK) -> Iterator[bytes]:
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.close()


class Pseudonymiser:
    """Codes that stand for people (or anything else) in one export, such as ``P-7F3A9C``.

    A code is a keyed hash (HMAC-SHA256) of the value under this pseudonymiser's secret,
    written as ``P-`` and six characters of Crockford's base 32. The same value always
    gets the same code from one pseudonymiser; without the secret a code cannot be traced
    back or matched with another export's. Should two values of one export share the first
    six characters, the later one gets more characters, so no two people ever share a code.
    A code starts with ``P-``, so it never equals a red-flag reference (``RF-...``).
    """

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("a pseudonymiser's secret needs at least 16 bytes")
        self._secret = secret
        self._codes: dict[str, str] = {}
        self._owners: dict[str, str] = {}

    def _digits(self, key: str) -> str:
        digest = hmac.new(self._secret, key.encode(), hashlib.sha256).digest()
        number = int.from_bytes(digest, "big")
        return "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in range(51))

    def __call__(self, value: int | str) -> str:
        """The code for ``value`` (an id or a reference; ``7`` and ``"7"`` are the same)."""
        key = str(value)
        code = self._codes.get(key)
        if code is None:
            digits = self._digits(key)
            for length in range(PSEUDONYM_LENGTH, len(digits) + 1, 2):
                code = PSEUDONYM_PREFIX + digits[:length]
                if self._owners.setdefault(code, key) == key:
                    break
            else:  # 255 bits alike: HMAC-SHA256 is broken
                raise RuntimeError("two values share a whole keyed hash")
            self._codes[key] = code
        return code


def new_pseudonymiser() -> Pseudonymiser:
    """A pseudonymiser with a fresh random secret, for one export: the same person gets a
    different code in every export, so exports cannot be joined on their codes."""
    return Pseudonymiser(secrets.token_bytes(SECRET_BYTES))


def square(south: float, west: float, north: float, east: float) -> dict[str, Any]:
    """A GeoJSON Polygon for a grid square (or any box), corners anticlockwise as RFC 7946
    asks, longitude first, to 6 decimal places (about 10 cm)."""
    if not (south < north and west < east):
        raise ValueError("a square needs south < north and west < east")
    s, w, n, e = (round(v, 6) for v in (south, west, north, east))
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def feature(geometry: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature of ``geometry`` with ``properties``."""
    return {"type": "Feature", "geometry": dict(geometry), "properties": dict(properties)}


def geojson_feature_collection(features: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946: WGS 84 longitude and latitude) of
    ``features``, each a Feature (:func:`feature`). Raises ValueError for anything else."""
    collected: list[dict[str, Any]] = []
    for item in features:
        if item.get("type") != "Feature" or not isinstance(item.get("geometry"), Mapping):
            raise ValueError("a feature collection holds GeoJSON Features only")
        collected.append(feature(item["geometry"], item.get("properties") or {}))
    return {"type": "FeatureCollection", "features": collected}


def geojson_response(filename: str, collection: Mapping[str, Any]) -> Response:
    """A download of a GeoJSON document: an attachment, never cached."""
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return download(body, filename, GEOJSON_MEDIA_TYPE)
