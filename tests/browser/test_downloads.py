"""Every download the portal makes, fetched through the live server with the browser's own
session and read back: CSV parsed, XLSX opened, GeoJSON parsed and its shapes checked, PDF
text extracted (in English and Welsh), JSON parsed, photos decoded; and each one's headers
as the browser received them (type, file name, never stored by a cache).

The downloads, by route (``DOWNLOADS`` below lists them; a test checks the list against the
portal's routes, so a new download is added here too):

- orders: the Section 34 record, the Section 35 notice, the exclusion notice letter and
  the appeal outcome letter (PDF, each in English, Welsh or both), the notice's photo;
- red flags: their photos, and subject access (PDF and JSON);
- sightings: their photos; public reports: their photo;
- reports: the figures (CSV and XLSX), the hotspot squares (GeoJSON), the record-level
  sightings (CSV, streamed) and the review pack (PDF). The pack in English and the
  figures spreadsheet are also downloaded in ``test_reports``; here the pack is Welsh.

A file a person gets by clicking is downloaded by clicking, and its headers are those of
the response the browser received (``download``); except behind a link marked
``download``, which Chromium hands to its download manager unseen, and a photo shown in its
page: those are fetched with the context's request API, which sends the browser's cookies
(``fetch``). What is downloaded is made first through the portal's own pages, each record
marked with a random token, as the database is shared by the whole session.

Pages are not checked with axe here: the journeys that reach them do that. These tests
are about the files.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from babel.support import Translations
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Locator, Page, Response, expect
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

from partnership import create_app
from partnership.core.nights import night_of
from partnership.demo import DEMO_PASSWORD, VENUES, ZONE_NAME
from partnership.orders.notices.models import ExclusionNotice
from tests.reports.factories import SIGHTINGS_HEADER

from .conftest import DESKTOP, ROOT, Authenticator, Browsing, LiveServer
from .test_frontline import BAR_WORKER, SUCCESS_BANNER, VENUE, choose, save
from .test_frontline import phone_photo as big_photo
from .test_orders import (
    EXEMPTIONS,
    INSPECTOR,
    PEN_REFERENCE,
    S34_REFERENCE,
    S35_REFERENCE,
    found,
    hours_from_now,
    pdf_text,
)
from .test_pages import COORDINATOR, sign_in, switch_language
from .test_public_reporting import Journey as PublicJourney
from .test_public_reporting import report_to_the_check_page, send, small_photo
from .test_red_flags import OFFICER, REFERENCE, SUBJECT_URL, submit

pytestmark = pytest.mark.browser

ANALYST = "analyst@council.example"

# Every route that answers with a file; each is downloaded below.
DOWNLOADS = frozenset(
    {
        "orders.authorisation_pdf",
        "orders.direction_notice_pdf",
        "orders.notice_pdf",
        "orders.appeal_pdf",
        "orders.notice_photo",
        "subjects.photo",
        "subjects.access_request",  # answers its form with a PDF or a JSON file
        "sightings.photo",
        "triage.photo",
        "reports.sightings_csv",
        "reports.figures_csv",
        "reports.figures_xlsx",
        "reports.hotspots_geojson",
        "reports.pack_pdf",
    }
)

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"
JPEG = "image/jpeg"

PSEUDONYM = re.compile(r"P-[0-9A-HJKMNP-TV-Z]{6,}")
SMALL_COUNTS = {"1", "2", "3", "4"}

_WELSH = Translations.load(str(ROOT / "translations"), ["cy"])


def welsh(message: str, **values: Any) -> str:
    """``message`` as the Welsh catalogue has it (failing when it has no translation)."""
    translated = _WELSH.gettext(message)
    assert translated != message, f"not in the Welsh catalogue: {message!r}"
    return translated % values if values else translated


def no_check(page: Page) -> None:
    """Sign-in pages are checked with axe by the sign-in journeys, not here."""


# --- Downloading and reading back ------------------------------------------------------


@dataclass(frozen=True)
class Downloaded:
    """A file as the browser got it: its name, its bytes and the response's headers."""

    filename: str
    body: bytes
    headers: dict[str, str]  # lower-case names, as Playwright gives them

    def disposition(self) -> tuple[str, str | None]:
        """The Content-Disposition type (attachment or inline) and its file name."""
        message = Message()
        message["content-disposition"] = self.headers.get("content-disposition", "")
        return message.get_content_disposition() or "", message.get_filename()

    def check(self, content_type: str, filename: str, *, inline: bool = False) -> None:
        """The type, the file name, and that no cache may keep it (it is personal data,
        or figures about people)."""
        assert self.headers.get("content-type") == content_type, self.headers
        assert self.disposition() == ("inline" if inline else "attachment", filename), (
            self.headers.get("content-disposition")
        )
        if not inline:
            assert self.filename == filename, self.filename
        directives = {d.strip() for d in self.headers.get("cache-control", "").split(",")}
        assert "no-store" in directives, self.headers.get("cache-control")


def download(page: Page, target: Locator) -> Downloaded:
    """The file behind a link or a form's button, as the browser gets it.

    A link marked ``download`` goes straight to Chromium's download manager, where
    Playwright sees neither the response nor its headers: its address is fetched with the
    context's request API, which sends the browser's cookies. Anything else is clicked, as
    a person would: the browser asks for the page, and gets an attachment it saves."""
    expect(target).to_be_visible()
    if target.get_attribute("download") is not None:
        href = target.get_attribute("href")
        assert href, "a download link without an address"
        fetched = fetch(page, href)
        return Downloaded(fetched.disposition()[1] or "", fetched.body, fetched.headers)
    with (
        page.expect_response(lambda r: "content-disposition" in r.headers) as answered,
        page.expect_download() as downloading,
    ):
        target.click()
    saved = downloading.value
    assert saved.failure() is None, saved.failure()
    response: Response = answered.value
    assert response.status == 200, f"{response.url}: {response.status}"
    return Downloaded(saved.suggested_filename, saved.path().read_bytes(), response.all_headers())


def fetch(page: Page, src: str) -> Downloaded:
    """GET ``src`` with the browser's cookies, through the context's request API."""
    response = page.context.request.get(src)
    assert response.status == 200, f"{src}: {response.status}"
    return Downloaded("", response.body(), response.headers)


def csv_rows(data: bytes) -> list[list[str]]:
    """A CSV download read as a spreadsheet would: UTF-8 with its byte order mark."""
    assert data.startswith("\ufeff".encode()), data[:20]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_rows(data: bytes) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def jpeg_size(data: bytes) -> tuple[int, int]:
    """The size of a JPEG, decoded in full (a truncated or broken file fails)."""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        image.load()
        assert not image.getexif(), "the photo still carries EXIF"
        return image.size


def img_src(page: Page, selector: str) -> str:
    image = page.locator(selector)
    expect(image).to_have_count(1)
    src = image.get_attribute("src")
    assert src, f"{selector} has no src"
    return src


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


# --- Police and the coordinator: paperwork, photos, subject access, sightings -----------


def authorise_the_zone(inspector: Page, token: str) -> str:
    """The inspector authorises the demo zone for a day; returns the authorisation's URL."""
    inspector.goto("/orders/authorisations/new?lang=en")
    inspector.locator("#area_id").select_option(label=ZONE_NAME)
    inspector.locator("#boundary").fill(f"Wind Street and Castle Street ({token})")
    end_day, end_time = hours_from_now(24)
    inspector.locator("#end_day").fill(end_day)
    inspector.locator("#end_time").fill(end_time)
    choose(inspector, "necessity", "harassment_alarm_distress")
    inspector.locator("#grounds").fill(
        f"Harassment of women leaving bars at closing time ({token})."
    )
    inspector.locator("#echr_regard").fill("No protest or gathering is planned in the locality.")
    inspector.locator("input[name='confirm']").check()
    save(inspector)
    expect(inspector.locator(SUCCESS_BANNER)).to_contain_text(S34_REFERENCE)
    return inspector.url


def give_a_direction(officer: Page, authorisation_id: str, person: str) -> None:
    """The officer directs ``person`` to leave under the authorisation."""
    officer.goto("/orders/directions/new?lang=en")
    officer.locator(f"input[name='authorisation_id'][value='{authorisation_id}']").check()
    officer.locator("#place").fill("Outside The Anchor Bar, Wind Street")
    officer.locator("input[name='in_uniform']").check()
    officer.locator("#person_name").fill(person)
    officer.locator("#apparent_age").fill("30")
    officer.locator("#description").fill("Man in a blue coat.")
    for exemption in EXEMPTIONS:
        choose(officer, f"exempt_{exemption}", "no")
    officer.locator("input[name='offence_warning_given']").check()
    save(officer)
    expect(officer.locator(SUCCESS_BANNER)).to_contain_text(S35_REFERENCE)


def add_a_red_flag(officer: Page, name: str, note: str, photo: Path) -> str:
    """A red flag with a note shared with the partnership and a photo, its page left open;
    returns its reference."""
    officer.goto("/subjects/new?lang=en")
    officer.get_by_label("Description").fill("Tall man with a shaved head.")
    choose(officer, "apparent_sex", "male")
    choose(officer, "age_band", "35_44")
    officer.locator("#name").fill(name)
    save(officer)
    expect(officer).to_have_url(SUBJECT_URL)
    subject_path = path_of(officer.url)
    reference = found(REFERENCE, officer.locator(SUCCESS_BANNER).inner_text())
    choose(officer, "reason", "checking_tonight")
    submit(officer, officer.locator("main form[action$='/justify'] button[type=submit]"))
    expect(officer).to_have_url(SUBJECT_URL)

    officer.goto(f"{subject_path}/notes/new")
    choose(officer, "behaviours", "aspb.following")
    officer.locator("#text").fill(note)
    choose(officer, "sharing", "partnership")
    save(officer)
    expect(officer).to_have_url(SUBJECT_URL)

    officer.goto(f"{subject_path}/photos/new")
    officer.locator("input[type=file][name='photo']").set_input_files(photo)
    save(officer)
    expect(officer).to_have_url(SUBJECT_URL)
    return reference


def log_a_sighting(page: Page, *, photo: Path | None = None, description: str = "") -> str:
    """A sighting at The Anchor Bar now (staring and filming), shared with the
    partnership; returns its page's URL."""
    page.goto("/sightings/new?lang=en")
    venue = page.locator("#venue_id option", has_text=VENUE)
    expect(venue).to_have_count(1)
    page.locator("#venue_id").select_option(venue.get_attribute("value"))
    choose(page, "behaviours", "aspb.staring", "aspb.filming")
    choose(page, "victim_response", "moved_away")
    choose(page, "action_taken", "spoke_to")
    if description:
        page.locator("main details.govuk-details summary").first.click()  # describe the person
        page.locator("#description").fill(description)
    if photo is not None:
        page.locator("input[type=file][name='photos']").set_input_files(photo)
    save(page)
    expect(page.locator(SUCCESS_BANNER)).to_be_visible()
    return page.url


def open_public_report(officer: Page, reference: str) -> None:
    """Find a new public report in the triage queue, page by page, and open it."""
    officer.goto("/public-reports/?status=new")
    row = officer.locator(f"li[data-report='{reference}'] a")
    while row.count() == 0:
        following = officer.locator(".govuk-pagination__next a")
        assert following.count() == 1, f"{reference} is not in the triage queue"
        submit(officer, following)
    submit(officer, row)
    expect(officer.locator("h1")).to_contain_text(reference)


def tonight_report(page: Page) -> None:
    """The report for tonight's night alone (the night a sighting logged now falls in)."""
    night = night_of(datetime.now(UTC)).isoformat()
    page.goto(f"/reports/?range=custom&from={night}&to={night}")
    expect(page.locator("section[aria-labelledby='downloads-heading']")).to_be_visible()


def report_download(page: Page, href_start: str) -> Downloaded:
    """Click the report's download link whose address starts with ``href_start``."""
    downloads = page.locator("section[aria-labelledby='downloads-heading']")
    return download(page, downloads.locator(f"a[href^='{href_start}']"))


def the_anchor_rows(rows: list[list[str]]) -> list[list[str]]:
    """The record-level rows of sightings at The Anchor Bar of staring and filming."""
    return [row for row in rows[1:] if row[3] == VENUE and row[5] == "aspb.filming; aspb.staring"]


def test_police_and_the_coordinator_download_paperwork_photos_and_records(
    browsing: Browsing,
    authenticator: Authenticator,
    live_server: LiveServer,
    tmp_path: Path,
) -> None:
    token = secrets.token_hex(3)
    directed = f"Owain Download {token}"
    flagged = f"Gethin Download {token}"
    note = f"Followed women between bars ({token})."
    photo = big_photo(tmp_path)

    # --- Someone reports anonymously, with a photo --------------------------------------
    public = browsing.new_page(viewport=DESKTOP, javascript=False)
    public.goto("/safety")
    journey = PublicJourney(public, no_check, "en", axe=False)
    report_to_the_check_page(journey, pin=False)
    public.locator("#photo").set_input_files(small_photo(tmp_path))
    public_reference = send(journey)

    # --- The inspector authorises the zone and prints the Section 34 record --------------
    inspector = browsing.new_page(viewport=DESKTOP)
    sign_in(inspector, INSPECTOR, DEMO_PASSWORD, authenticator, no_check)
    authorisation_url = authorise_the_zone(inspector, token)
    s34 = found(S34_REFERENCE, inspector.locator("h1").inner_text())
    record = download(
        inspector,
        inspector.get_by_role("link", name="Authorisation record (PDF): English", exact=True),
    )
    record.check(PDF, f"{s34}-en.pdf")
    text = pdf_text(record.body)
    for words in (s34, "Authorisation to use dispersal powers", token, "Insp. Carys Thomas"):
        assert words in text, f"{words!r} is not in the Section 34 record: {text}"

    # --- A constable gives a direction and prints the notice in Welsh and English -------
    officer = browsing.new_page(viewport=DESKTOP)
    sign_in(officer, OFFICER, DEMO_PASSWORD, authenticator, no_check)
    authorisation_id = authorisation_url.rsplit("/", 1)[1]
    give_a_direction(officer, authorisation_id, directed)
    s35 = found(S35_REFERENCE, officer.locator("h1").inner_text())
    notice = download(
        officer,
        officer.locator("main a[href$='/notice.pdf?language=cy_en']"),
    )
    notice.check(PDF, f"{s35}-cy_en.pdf")
    text = pdf_text(notice.body)
    welsh_heading = welsh("Dispersal direction")
    assert text.count(s35) >= 2 and text.count(directed) >= 2, text
    # The whole Welsh notice first, then the English.
    assert welsh_heading in text and "Dispersal direction" in text, text
    assert text.index(welsh_heading) < text.index("Dispersal direction"), text
    assert "ŵ" in text, text

    # --- A red flag with a photo, and everything held about it --------------------------
    flag = add_a_red_flag(officer, flagged, note, photo)
    src = img_src(officer, "main .app-photos img")
    flag_photo = fetch(officer, src)
    photo_id = src.rsplit("/", 1)[1]
    flag_photo.check(JPEG, f"{flag}-{photo_id}.jpg", inline=True)
    assert jpeg_size(flag_photo.body) == (1200, 900)

    with officer.expect_navigation():
        officer.locator(f"main a[href='/subjects/access-request?reference={flag}']").click()
    officer.locator("#reason").fill(f"SAR-{token}")
    choose(officer, "file_format", "pdf")
    held = download(officer, officer.locator("main form button[type=submit]"))
    held.check(PDF, f"{flag}.pdf")
    text = pdf_text(held.body)
    for words in (f"Everything held about red flag {flag}", flagged, note, f"SAR-{token}"):
        assert words in text, f"{words!r} is not in the subject access PDF: {text}"
    # The button ignores a second press within a second (a double tap): open the form again,
    # as someone coming back for the other format would.
    officer.reload()
    officer.locator("#reason").fill(f"SAR-{token}")
    choose(officer, "file_format", "json")
    held = download(officer, officer.locator("main form button[type=submit]"))
    held.check("application/json", f"{flag}.json")
    whole = json.loads(held.body)
    assert whole["request"] == f"SAR-{token}"
    (data,) = whole["profiles"]
    assert data["reference"] == flag and data["name"] == flagged
    assert [n["text"] for n in data["notes"]] == [note]
    (photo_held,) = data["photos"]
    assert photo_held["content_type"] == JPEG
    assert jpeg_size(base64.b64decode(photo_held["data"])) == (1200, 900)

    # --- A sighting with a photo ---------------------------------------------------------
    sighting_url = log_a_sighting(officer, photo=photo)
    src = img_src(officer, "main .app-photos img")
    sighting_photo = fetch(officer, src)
    sighting_id = re.sub(r".*/sightings/(\d+)$", r"\1", sighting_url)
    sighting_photo.check(JPEG, f"sighting-{sighting_id}-{src.rsplit('/', 1)[1]}.jpg", inline=True)
    assert jpeg_size(sighting_photo.body) == (1200, 900)

    # --- The public report's photo, in triage --------------------------------------------
    open_public_report(officer, public_reference)
    src = img_src(officer, "main img")
    report_photo = fetch(officer, src)
    report_photo.check(JPEG, f"public-report-{public_reference}.jpg", inline=True)
    assert jpeg_size(report_photo.body) == (320, 240)

    # --- The record-level sightings, as police read them ---------------------------------
    tonight_report(officer)
    sightings = report_download(officer, "/reports/sightings.csv")
    night = night_of(datetime.now(UTC)).isoformat()
    sightings.check(CSV, f"sightings-{night}-to-{night}.csv")
    rows = csv_rows(sightings.body)
    assert rows[0] == SIGHTINGS_HEADER
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, len(rows))]
    mine = the_anchor_rows(rows)
    assert mine, rows
    assert all(row[1] == night and row[6:8] == ["moved_away", "spoke_to"] for row in mine)

    # --- The coordinator issues a notice, records an appeal, and prints both letters -----
    coordinator = browsing.new_page(viewport=DESKTOP)
    sign_in(coordinator, COORDINATOR, DEMO_PASSWORD, authenticator, no_check)
    coordinator.goto("/orders/notices/new?lang=en")
    coordinator.get_by_label("Red flag reference").fill(flag)
    submit(coordinator, coordinator.get_by_role("button", name="Find its incidents"))
    starts_on = datetime.strptime(coordinator.locator("#starts_on").input_value(), "%Y-%m-%d")
    coordinator.locator("#reasons").fill(f"Followed women between member venues ({token}).")
    coordinator.locator("#review_on").fill((starts_on + timedelta(days=45)).strftime("%Y-%m-%d"))
    submit(coordinator, coordinator.get_by_role("button", name="Issue the notice"))
    expect(coordinator.locator(SUCCESS_BANNER)).to_contain_text(PEN_REFERENCE)
    pen = found(PEN_REFERENCE, coordinator.locator("h1").inner_text())
    notice_url = coordinator.url

    letter = download(coordinator, coordinator.locator("main a[href$='/letter.pdf?language=cy']"))
    letter.check(PDF, f"{pen}-cy.pdf")
    text = pdf_text(letter.body)
    for words in (pen, welsh("Exclusion notice"), welsh("How to appeal"), token):
        assert words in text, f"{words!r} is not in the Welsh notice letter: {text}"
    assert "How to appeal" not in text  # Welsh alone

    with coordinator.expect_navigation():
        coordinator.locator("main a[href$='/appeals/new']").click()
    # Received today, as the form offers: not the notice's first day, which is the night
    # before the notice was issued when it is issued between midnight and 06:00.
    expect(coordinator.locator("#received_on")).not_to_have_value("")
    coordinator.locator("#grounds").fill(f"I was not there that night ({token}).")
    save(coordinator)
    with coordinator.expect_navigation():
        coordinator.locator("main a[href*='/appeals/'][href$='/decide']").click()
    choose(coordinator, "outcome", "upheld")
    coordinator.locator("#reason").fill(f"Two door supervisors saw him there ({token}).")
    save(coordinator)
    expect(coordinator).to_have_url(notice_url)
    outcome_link = coordinator.locator("main a[href*='/outcome.pdf?language=en']")
    appeal_id = found(re.compile(r"(?<=/appeals/)\d+"), outcome_link.get_attribute("href") or "")
    outcome = download(coordinator, outcome_link)
    outcome.check(PDF, f"{pen}-appeal-{appeal_id}-en.pdf")
    text = pdf_text(outcome.body)
    for words in (pen, "Outcome of your appeal", f"Two door supervisors saw him there ({token})"):
        assert words in text, f"{words!r} is not in the appeal outcome letter: {text}"

    # --- The notice's photo, which police see -------------------------------------------
    # The demo's settings keep red flag photos from members, so the notice form cannot put
    # one on a notice; a partnership whose settings allowed it when the notice was issued
    # has this notice. Police see the photo whatever the settings.
    notice_id = int(notice_url.rsplit("/", 1)[1])
    engine = create_engine(f"sqlite:///{live_server.log.parent / 'instance' / 'partnership.db'}")
    try:
        with Session(engine) as session:
            # The table, not the mapped class: this process never configures the mappers.
            notices = ExclusionNotice.__table__
            session.execute(
                update(notices).where(notices.c.id == notice_id).values(include_photo=True)
            )
            session.commit()
    finally:
        engine.dispose()
    officer.goto(path_of(notice_url))
    notice_photo = fetch(officer, img_src(officer, "main .app-photos img"))
    notice_photo.check(JPEG, f"{pen}.jpg", inline=True)
    assert jpeg_size(notice_photo.body) == (1200, 900)


# --- The analyst: the report's figures, squares, sightings and pack --------------------


def test_an_analyst_downloads_every_report_file(
    browsing: Browsing, authenticator: Authenticator
) -> None:
    token = secrets.token_hex(3)
    description = f"Man filming women at the bar ({token})"

    # A sighting at The Anchor Bar tonight, with words about the person that the analyst
    # must never get.
    worker = browsing.new_page(viewport=DESKTOP)
    sign_in(worker, BAR_WORKER, DEMO_PASSWORD, authenticator, no_check)
    log_a_sighting(worker, description=description)

    analyst = browsing.new_page(viewport=DESKTOP)
    sign_in(analyst, ANALYST, DEMO_PASSWORD, authenticator, no_check)
    tonight_report(analyst)
    night = night_of(datetime.now(UTC)).isoformat()
    dates = f"{night}-to-{night}"

    # The figures, as CSV and as a spreadsheet: the same lines, no count from 1 to 4.
    figures = report_download(analyst, "/reports/figures.csv")
    figures.check(CSV, f"report-{dates}.csv")
    lines = csv_rows(figures.body)
    assert lines[0][:2] == ["Section", "Item"]
    assert lines[0][2] == f"This period (nights {night} to {night})"
    items = {(line[0], line[1]): line[2] for line in lines[1:]}
    assert items[("Report", "Nights")] == f"{night} to {night}"
    sightings_count = items[("Performance measures", "Sightings (intelligence submitted)")]
    assert sightings_count == "<5" or int(sightings_count) >= 5, sightings_count
    assert not [cell for line in lines[1:] for cell in line[2:4] if cell in SMALL_COUNTS]

    spreadsheet = report_download(analyst, "/reports/figures.xlsx")
    spreadsheet.check(XLSX, f"report-{dates}.xlsx")
    sheet = xlsx_rows(spreadsheet.body)
    assert [["" if cell is None else str(cell) for cell in row] for row in sheet] == lines

    # The hotspot squares: a square holds The Anchor Bar.
    squares = report_download(analyst, "/reports/hotspots.geojson")
    squares.check(GEOJSON, f"hotspots-{dates}.geojson")
    collection = json.loads(squares.body)
    assert collection["type"] == "FeatureCollection" and collection["features"]
    (latitude, longitude) = next((v[3], v[4]) for v in VENUES if v[0] == VENUE)
    holding = []
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
        (ring,) = feature["geometry"]["coordinates"]
        assert ring[0] == ring[-1] and len(ring) == 5
        west, south = ring[0]
        east, north = ring[2]
        assert west < east and south < north
        shown = feature["properties"]["sightings"]
        assert shown == "<5" or shown == 0 or shown >= 5, feature["properties"]
        if south <= latitude < north and west <= longitude < east:
            holding.append(feature)
    assert len(holding) == 1, collection
    assert holding[0]["properties"]["sightings"] != 0

    # The record-level sightings: codes and pseudonyms, nothing anyone wrote.
    sightings = report_download(analyst, "/reports/sightings.csv")
    sightings.check(CSV, f"sightings-{dates}.csv")
    assert token.encode() not in sightings.body
    rows = csv_rows(sightings.body)
    assert rows[0] == SIGHTINGS_HEADER
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, len(rows))]
    assert the_anchor_rows(rows), rows
    assert all(
        not code or PSEUDONYM.fullmatch(code) for row in rows[1:] for code in row[13].split("; ")
    )

    # The review pack, in Welsh: the portal in Welsh prints it in Welsh.
    switch_language(analyst, "cy")
    pack = report_download(analyst, "/reports/pack.pdf")
    pack.check(PDF, f"review-pack-{dates}-cy.pdf")
    text = pdf_text(pack.body)
    assert welsh("Review pack") in text, text[:500]
    assert welsh("Summary") in text, text[:500]
    assert "Review pack" not in text
    switch_language(analyst, "en")


def test_every_download_is_listed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every route whose address names a file (``.pdf``, ``.csv``, ``.xlsx``,
    ``.geojson``, ``.json``), a photo, or subject access is in :data:`DOWNLOADS`, and so
    downloaded above: a new download fails here until it is added, and tested."""
    monkeypatch.setenv("PARTNERSHIP_INSTANCE_PATH", str(tmp_path))  # not the developer's
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 48, "DATABASE_URL": "sqlite://"})
    files = re.compile(r"\.(pdf|csv|xlsx|geojson|json)$|/photos?(/<[^>]+>)?$|/access-request$")
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if files.search(rule.rule)}
    assert routes == DOWNLOADS
