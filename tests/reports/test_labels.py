"""The report page, the figures CSV, the figures XLSX and the review pack print the same
label for every figure: they all render the one presenter's output
(:func:`partnership.reports.present.present_report`), and an output that called a figure by
a name of its own would fail here.

One report with every section non-empty (the pack's data set, with public reports added),
read as an officer (every count shown) from each output once: one pack is rendered.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.core.exports import new_pseudonymiser
from partnership.reports.figures import build_report
from partnership.reports.present import Bars, PresentedReport, present_report
from tests.conftest import fix_clock
from tests.public.factories import add_public_report
from tests.reports.test_pack import NOW, WEEK, Data, compact, data, text_of

__all__ = ["data"]  # the pack's data set, a fixture used here

QUERY = {"range": "last_week"}
# Figures the page and the pack print inside a sentence, the same sentence in both.
SENTENCES = [
    "Sightings with no point and no venue, not on the map:",
    "Sightings in the daytime (06:00 to 17:59), not in the grid:",
    "Public reports not at a venue or in an area:",
]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fix_clock(monkeypatch, NOW, "partnership.reports.views", "partnership.reports.pack_views")


@pytest.fixture
def every_section(app: Flask, data: Data) -> Iterator[Data]:
    """The pack's data set and public reports at a venue, in an area and nowhere."""
    add_public_report(app, night=date(2026, 6, 5), venue_id=data.anchor, area_id=data.wind_street)
    add_public_report(app, night=date(2026, 6, 6), area_id=data.wind_street)
    add_public_report(app, night=date(2026, 6, 2), place="Somewhere", behaviours=["aspb.staring"])
    yield data


def _charts(presented: PresentedReport) -> list[Bars]:
    return [
        presented.behaviour,
        presented.victim_response,
        presented.action,
        presented.notes,
        presented.uses_by_reason,
        presented.uses_by_support,
        presented.uses_by_outcome,
        presented.welfare,
        presented.handovers,
        presented.orders,
        presented.public_behaviour,
        presented.public_places,
    ]


def figure_labels(presented: PresentedReport) -> list[str]:
    """Every figure's label, and every chart's title: what each output must print."""
    labels = [item.label for item in presented.summary]
    labels += [presented.repeat_count.label, presented.public_total.label]
    for bars in _charts(presented):
        assert bars.counted().lines, f"{bars.title} is empty: the test needs every section"
        labels.append(bars.title)
        labels += [line.label for line in bars.lines if line.counted]
    labels += [venue.name for venue in presented.venues]
    labels += [spot.centre for spot in presented.squares]
    labels += [presented.when.title, *presented.when.row_labels, *presented.when.column_labels]
    return labels


def column_labels(presented: PresentedReport) -> list[str]:
    """The charts' label columns, printed by the page and the pack (the files' columns are
    section and item)."""
    return [bars.label_heading for bars in _charts(presented)]


def _missing(labels: list[str], text: str) -> list[str]:
    flat = compact(text)
    return [label for label in labels if compact(label) not in flat]


def _page_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_the_page_the_files_and_the_pack_label_every_figure_alike(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    every_section: Data,
    clock: None,
) -> None:
    user = login_as(Role.OFFICER)
    with app.test_request_context():
        report = build_report(WEEK, now=NOW)
        presented = present_report(report, user.role, new_pseudonymiser())
        labels = figure_labels(presented)
        headings = column_labels(presented)
    assert presented.repeat_subjects and presented.squares and presented.venues

    page = client.get("/reports/", query_string=QUERY)
    assert page.status_code == 200
    page_text = _page_text(page.get_data(as_text=True))

    response = client.get("/reports/figures.csv", query_string=QUERY)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    csv_text = "\n".join(cell for row in rows for cell in row)

    response = client.get("/reports/figures.xlsx", query_string=QUERY)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    xlsx_text = "\n".join(
        str(cell.value) for line in sheet.iter_rows() for cell in line if cell.value is not None
    )

    response = client.get("/reports/pack.pdf", query_string={**QUERY, "language": "en"})
    assert response.status_code == 200
    pack_text = text_of(response.data)

    assert _missing(labels + headings + SENTENCES, page_text) == []
    assert _missing(labels, csv_text) == []
    assert _missing(labels, xlsx_text) == []
    assert _missing(labels + headings + SENTENCES, pack_text) == []
