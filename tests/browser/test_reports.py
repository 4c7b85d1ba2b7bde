"""The partnership report on a phone: an analyst opens it, changes the range, and downloads
the review pack and the figures spreadsheet.

The acceptance line this proves: "Browser test: an analyst opens the report, changes the
range, downloads the pack and the XLSX; axe clean." Every page visited (the dashboard, the
report for this week, the report for the last 4 weeks, and the same in Welsh) is checked
with axe and for sideways scrolling.

The demo partnership gives the analyst (the council's). The nights the page should name
are worked out with the report's own :func:`preset`, from the same clock the server reads.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from partnership.core.enums import Role
from partnership.demo import DEMO_PASSWORD, USERS
from partnership.reports.figures import preset

from .conftest import PHONE, Authenticator, Browsing, LiveServer
from .test_frontline import Journey, choose
from .test_orders import open_from_nav, pdf_text
from .test_pages import NAV_LINKS, path_is, sign_in, switch_language
from .test_red_flags import submit

pytestmark = pytest.mark.browser

CheckPage = Callable[[Page], None]

ANALYST = "analyst@council.example"
REPORT_PATH = "/reports/"
FILTER_SUBMIT = "main form.app-report-filter button"
DOWNLOADS = "main section[aria-labelledby='downloads-heading']"
SUMMARY = "main section[aria-labelledby='summary-heading']"


def night_name(night: date) -> str:
    """A night as the English page names it (``local_date``: "Monday 16 November 2026")."""
    return f"{night:%A} {night.day} {night:%B %Y}"


def download(page: Page, link_text: str) -> tuple[str, bytes]:
    """Follow a download link in the report's downloads, returning its filename and bytes."""
    with page.expect_download() as info:
        page.locator(DOWNLOADS).get_by_role("link", name=link_text).click()
    got = info.value
    path = got.path()
    assert path is not None, f"{link_text} did not download"
    return got.suggested_filename, path.read_bytes()


def test_an_analyst_changes_the_range_and_downloads_the_pack_and_figures(
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
) -> None:
    assert {email: role for email, _n, _o, role, *_r in USERS}[ANALYST] == Role.ANALYST
    journey = Journey(check_page)

    analyst = browsing.new_page(viewport=PHONE)
    sign_in(analyst, ANALYST, DEMO_PASSWORD, authenticator, check_page)
    analyst.goto("/dashboard?lang=en")
    expect(analyst.locator("html")).to_have_attribute("lang", "en")
    journey.looks_right(analyst)

    # --- The report, from the navigation (the phone's menu opened first) ---------------
    expect(analyst.locator(f"{NAV_LINKS}[href='{REPORT_PATH}']")).to_have_text("Reports")
    open_from_nav(analyst, REPORT_PATH)
    expect(analyst.locator("h1")).to_have_text("Partnership report")
    expect(analyst.locator("input[name='range'][value='this_week']")).to_be_checked()
    summary = analyst.locator(SUMMARY)
    expect(summary.locator("h2")).to_have_text("Summary")
    expect(summary.locator("[data-figure]").first).to_be_visible()
    # Analysts are told small counts are hidden; their sightings export is pseudonymised.
    expect(analyst.locator("main .govuk-inset-text")).to_contain_text("“<5”")
    downloads = analyst.locator(DOWNLOADS)
    expect(downloads).to_contain_text("Weekly review pack (PDF)")
    expect(downloads).to_contain_text("Sightings, one row each, pseudonymised (CSV)")
    journey.looks_right(analyst)

    # --- Changing the range to the last 4 weeks -----------------------------------------
    choose(analyst, "range", "last_4_weeks")
    submit(analyst, analyst.locator(FILTER_SUBMIT))
    expect(analyst).to_have_url(path_is(REPORT_PATH))
    assert "range=last_4_weeks" in analyst.url, analyst.url
    period = preset("last_4_weeks", datetime.now(UTC))
    assert (period.last_night - period.first_night).days == 27
    intro = analyst.locator("main p.govuk-body-l")
    expect(intro).to_contain_text(
        f"Nights of {night_name(period.first_night)} to {night_name(period.last_night)}"
    )
    expect(analyst.locator("input[name='range'][value='last_4_weeks']")).to_be_checked()
    expect(analyst.locator(SUMMARY).locator("[data-figure]").first).to_be_visible()
    journey.looks_right(analyst)

    # --- The review pack for those nights (a PDF) ---------------------------------------
    filename, data = download(analyst, "Weekly review pack (PDF)")
    assert filename.endswith(".pdf"), filename
    assert period.first_night.isoformat() in filename, filename
    assert data.startswith(b"%PDF"), data[:16]
    text = pdf_text(data)
    assert "Review pack" in text, text[:500]
    assert "The last 4 weeks" in text, text[:500]
    # Downloading leaves the analyst on the report.
    expect(analyst).to_have_url(path_is(REPORT_PATH))

    # --- The figures for those nights (an Excel spreadsheet) ----------------------------
    filename, data = download(analyst, "Figures (Excel spreadsheet, XLSX)")
    assert filename.endswith(".xlsx"), filename
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    assert rows, "the spreadsheet is empty"
    header = [str(cell) for cell in rows[0] if cell is not None]
    assert header[:2] == ["Section", "Item"], header
    nights = f"{period.first_night.isoformat()} to {period.last_night.isoformat()}"
    assert header[2] == f"This period (nights {nights})", header
    assert len(rows) > 1, "the spreadsheet has no figures"

    # --- The same report in Welsh --------------------------------------------------------
    switch_language(analyst, "cy")
    expect(analyst.locator("h1")).to_have_text("Adroddiad y bartneriaeth")
    expect(analyst.locator("input[name='range'][value='last_4_weeks']")).to_be_checked()
    expect(analyst.locator(SUMMARY).locator("[data-figure]").first).to_be_visible()
    journey.looks_right(analyst)
    switch_language(analyst, "en")

    journey.assert_no_problems()


def _live_database(live_server: LiveServer) -> Path:
    """The server's SQLite database (the live_server fixture's instance folder)."""
    return live_server.log.parent / "instance" / "partnership.db"


def test_a_long_report_shows_its_progress_then_what_became_of_it(
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
    live_server: LiveServer,
) -> None:
    """A year's report: with the demo data it is ready within the page's patience and opens
    at once; a run still counting shows its progress (axe clean), and the page's script
    follows it to the end without a click."""
    journey = Journey(check_page)
    analyst = browsing.new_page(viewport=PHONE)
    sign_in(analyst, ANALYST, DEMO_PASSWORD, authenticator, check_page)

    # A year of nights, chosen in the form: a run, finished before the page answers.
    analyst.goto(f"{REPORT_PATH}?lang=en")
    choose(analyst, "range", "custom")
    last = preset("last_week", datetime.now(UTC)).last_night
    first = last.replace(year=last.year - 1) + timedelta(days=1)
    analyst.fill("input[name='from']", first.isoformat())
    analyst.fill("input[name='to']", last.isoformat())
    submit(analyst, analyst.locator(FILTER_SUBMIT))
    assert "/reports/runs/" in analyst.url, analyst.url
    expect(analyst.locator("main p.govuk-body-l")).to_contain_text(
        f"Nights of {night_name(first)} to {night_name(last)}"
    )
    journey.looks_right(analyst)

    # A run still counting (made straight in the server's database): its status page.
    database = sqlite3.connect(_live_database(live_server))
    try:
        (user_id,) = database.execute("SELECT id FROM users WHERE email = ?", (ANALYST,)).fetchone()
        database.execute(
            "INSERT INTO report_runs (id, user_id, arguments, first_night, last_night, state,"
            " step, steps, created_at, failure) VALUES (?, ?, ?, ?, ?, 'running', 4, 9, ?, '')",
            (
                "browser-run",
                user_id,
                json.dumps({"range": "custom", "from": first.isoformat(), "to": last.isoformat()}),
                first.isoformat(),
                last.isoformat(),
                datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            ),
        )
        database.commit()
        analyst.goto("/reports/runs/browser-run")
        expect(analyst.locator("h1")).to_have_text("Preparing your report")
        expect(analyst.locator("[data-run-status]")).to_have_text("4 parts of 9 counted.")
        journey.looks_right(analyst)

        # The script asks every two seconds: it says how far the run has got ...
        database.execute("UPDATE report_runs SET step = 7 WHERE id = 'browser-run'")
        database.commit()
        expect(analyst.locator("[data-run-status]")).to_have_text(
            "7 parts of 9 counted.", timeout=10_000
        )
        # ... and opens what became of it, here a failure with a way to start again.
        database.execute("UPDATE report_runs SET state = 'failed' WHERE id = 'browser-run'")
        database.commit()
        expect(analyst.locator("h1")).to_have_text(
            "Your report could not be prepared", timeout=10_000
        )
        journey.looks_right(analyst)
    finally:
        database.close()
    journey.assert_no_problems()
