"""The two forms that take a typed night (the report's custom range, a public report's
"another night") read it with one reader, :func:`partnership.core.when.read_date`, and
still accept what each accepted before it was shared."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from partnership.public.forms import parse_night as public_night
from partnership.reports.forms import parse_night as report_night

TYPED = [
    "2026-11-27",
    " 2026-11-27 ",
    "27/11/2026",
    "27-11-2026",
    "27.11.2026",
    "7/1/2026",
    "27/11/26",
    "27.11.26",
    "27.11.99",
    "2026-6-1",
    "27-11-26",
    "31/02/2026",
    "2026-02-30",
    "1999-12-31",
    "2100-01-01",
    "27/11/0026",
    "",
    "   ",
    "tomorrow",
    "27 11 2026",
    "27/11",
    None,
]


def _strptime_night(text: str | None) -> date | None:
    """The public form's reader before it was shared: strptime's patterns in turn."""
    raw = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d.%m.%y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


@pytest.mark.parametrize("text", TYPED)
def test_a_public_report_reads_a_night_as_it_did(text: str | None) -> None:
    assert public_night(text) == _strptime_night(text)


@pytest.mark.parametrize(
    ("text", "night"),
    [
        ("2026-11-16", date(2026, 11, 16)),
        ("16/11/2026", date(2026, 11, 16)),
        ("16.11.2026", date(2026, 11, 16)),
        ("16-11-2026", date(2026, 11, 16)),
        ("2000-01-01", date(2000, 1, 1)),
        ("2099-12-31", date(2099, 12, 31)),
        # The report keeps to whole dates of this century: no short years, no unpadded ISO.
        ("16/11/26", None),
        ("2026-6-1", None),
        ("1999-12-31", None),
        ("2100-01-01", None),
        ("2026-02-30", None),
        ("", None),
        (None, None),
    ],
)
def test_a_report_reads_a_night_as_it_did(text: str | None, night: date | None) -> None:
    assert report_night(text) == night
