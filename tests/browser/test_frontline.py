"""The front line on a phone: a bar worker logs sightings in English and Welsh and a Safe
Space use handed to Street Pastors, and a Street Pastor then reads what was handed over.

The acceptance line this proves: "A bar worker signs in, logs a sighting with two
behaviours and a photo in English, another in Welsh, records a Safe Space use handed to
Street Pastors, and a Street Pastor then sees the handed-over record; axe finds no
serious or critical violation on these pages."

The demo database is shared by the whole browser session, so records are found by the
addresses the portal redirected to, never by assuming a list is empty. Form fields are
found by name or id, so the Welsh form is filled without relying on English text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from partnership.demo import DEMO_PASSWORD

from .conftest import PHONE, Authenticator, Browsing
from .test_pages import (
    assert_no_horizontal_scroll,
    path_is,
    sign_in,
    sign_out,
    switch_language,
)

pytestmark = pytest.mark.browser

CheckPage = Callable[[Page], None]

BAR_WORKER = "door@anchor.example"
STREET_PASTOR = "pastor@streetpastors.example"
VENUE = "The Anchor Bar"
PASTORS = "Swansea Street Pastors"

SAVE = "main form[method=post] button[type=submit]"
ERROR_SUMMARY = ".govuk-error-summary"
SUCCESS_BANNER = ".govuk-notification-banner--success"

EXIF_MAKE = 0x010F  # the camera maker's tag
EXIF_MODEL = 0x0110
CAMERA_MAKE = "Safer Nights Test Camera"

# The elements that stick out past the screen's right edge, for the failure message.
WIDER_THAN_SCREEN = """limit => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > limit)
    .slice(0, 6)
    .map(e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}`
        + `${e.className ? "." + String(e.className).split(" ").join(".") : ""}`
        + ` (${Math.round(e.getBoundingClientRect().width)}px)`)
    .join(", ")"""

SIGHTING_URL = re.compile(r"^https?://[^/]+/sightings/(\d+)$")
SAFE_SPACE_URL = re.compile(r"^https?://[^/]+/welfare/safe-space/(\d+)$")


def phone_photo(folder: Path) -> Path:
    """A JPEG the size of a modest phone photo, carrying the camera's make and model."""
    image = Image.new("RGB", (1200, 900), (40, 60, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((200, 150, 1000, 750), fill=(220, 180, 60))
    draw.ellipse((450, 300, 750, 600), fill=(180, 30, 40))
    exif = Image.Exif()
    exif[EXIF_MAKE] = CAMERA_MAKE
    exif[EXIF_MODEL] = "Model 1"
    path = folder / "sighting.jpg"
    image.save(path, "JPEG", quality=90, exif=exif)
    with Image.open(path) as saved:  # the photo as sent does carry the camera's details
        assert saved.getexif().get(EXIF_MAKE) == CAMERA_MAKE
    return path


class Journey:
    """Checks every page of the journey: axe at once (it fails the test on the spot), and
    the page's width, collected so one run names every page a phone scrolls sideways on."""

    def __init__(self, check: CheckPage) -> None:
        self._check = check
        self.problems: list[str] = []

    def looks_right(self, page: Page) -> None:
        try:
            assert_no_horizontal_scroll(page)
        except AssertionError as too_wide:
            wide = page.evaluate(WIDER_THAN_SCREEN, PHONE["width"] + 1)
            user = page.locator(".app-header__user")
            who = f" for {user.inner_text()}" if user.count() else ""
            self.problems.append(f"{str(too_wide).splitlines()[0]}{who}; too wide: {wide}")
        self._check(page)

    def expect(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)

    def assert_no_problems(self) -> None:
        if self.problems:
            pytest.fail(
                "Problems on the journey:\n" + "\n".join(f"  - {p}" for p in self.problems),
                pytrace=False,
            )


def save(page: Page) -> None:
    with page.expect_navigation():
        page.locator(SAVE).click()


def anchor_venue_id(page: Page) -> str:
    """The Anchor Bar's option in the venue select, offered as the worker's own venue."""
    option = page.locator("#venue_id option", has_text=f"{VENUE} (")
    expect(option).to_have_count(1)
    value = option.get_attribute("value")
    assert value, "The Anchor Bar has no venue id in the form"
    return value


def choose(page: Page, name: str, *values: str) -> None:
    """Tick radios or checkboxes by their field name and value (any language)."""
    for value in values:
        page.locator(f"input[name='{name}'][value='{value}']").check()


def assert_photo_has_no_exif(page: Page) -> None:
    """The photo on the page is served, as a JPEG, without the camera's EXIF."""
    image = page.locator("main .app-photos img")
    expect(image).to_have_count(1)
    src = image.get_attribute("src")
    assert src, "the photo has no src"
    response = page.request.get(src)
    assert response.ok, f"{src}: {response.status}"
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.body())) as served:
        assert served.format == "JPEG"
        assert served.size == (1200, 900)
        assert not served.getexif(), f"{src} still carries EXIF: {dict(served.getexif())}"
        assert "exif" not in served.info
    # The browser drew it too (not a broken image).
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", image.element_handle()), (
        f"{src} did not load in the page"
    )


def test_bar_worker_hands_over_to_street_pastors(
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
    tmp_path: Path,
) -> None:
    journey = Journey(check_page)
    photo = phone_photo(tmp_path)

    worker = browsing.new_page(viewport=PHONE)
    sign_in(worker, BAR_WORKER, DEMO_PASSWORD, authenticator, check_page)
    journey.looks_right(worker)

    # --- A sighting in English, with two behaviours and a photo ------------------------
    worker.goto("/sightings/new?lang=en")
    expect(worker.locator("html")).to_have_attribute("lang", "en")
    expect(worker.locator("h1")).to_have_text("Log a sighting")
    journey.looks_right(worker)
    venue_id = anchor_venue_id(worker)

    # Sent empty, the form explains every problem at once in an error summary.
    save(worker)
    expect(worker).to_have_url(path_is("/sightings/new"))
    summary = worker.locator(ERROR_SUMMARY)
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Choose a venue or describe the place")
    expect(summary).to_contain_text("Choose at least one behaviour")
    expect(summary).to_contain_text("Choose what you did")
    expect(worker).to_have_title(re.compile(r"^Error:"))
    journey.looks_right(worker)

    worker.get_by_label("Where was it?").select_option(venue_id)
    worker.get_by_label("Unwanted touching").check()
    worker.get_by_label("Following someone").check()
    worker.get_by_label("Moved away").check()
    worker.get_by_label("Spoke to or warned them").check()
    # Sharing is left as it comes: everyone on the frontline in the partnership.
    expect(worker.locator("input[name='sharing'][value='partnership']")).to_be_checked()
    worker.locator("input[type=file][name='photos']").set_input_files(photo)
    save(worker)

    expect(worker).to_have_url(SIGHTING_URL)
    shared_sighting = worker.url
    expect(worker.locator(SUCCESS_BANNER)).to_be_visible()
    seen = worker.locator("main .govuk-summary-list")
    expect(seen).to_contain_text(VENUE)
    expect(seen).to_contain_text("Unwanted touching")
    expect(seen).to_contain_text("Following someone")
    expect(seen).to_contain_text("Moved away")
    expect(seen).to_contain_text("Spoke to or warned them")
    expect(seen).to_contain_text("Everyone on the frontline in the partnership")
    assert_photo_has_no_exif(worker)
    journey.looks_right(worker)

    # --- A second sighting, in Welsh, kept to the Anchor's organisation and the police ---
    worker.goto("/sightings/new")
    switch_language(worker, "cy")
    expect(worker.locator("html")).to_have_attribute("lang", "cy")
    journey.expect(
        "What did you see?" not in worker.locator("body").inner_text(),
        f"{worker.url} (html lang=cy) still shows the English label 'What did you see?'",
    )
    journey.looks_right(worker)

    worker.locator("#venue_id").select_option(venue_id)
    choose(worker, "behaviours", "assb.catcalling", "aspb.staring")
    choose(worker, "victim_response", "distressed")
    choose(worker, "action_taken", "refused_entry")
    choose(worker, "sharing", "organisation")
    save(worker)

    expect(worker).to_have_url(SIGHTING_URL)
    private_sighting = worker.url
    assert private_sighting != shared_sighting
    expect(worker.locator("html")).to_have_attribute("lang", "cy")
    expect(worker.locator(SUCCESS_BANNER)).to_be_visible()
    expect(worker.locator("main .govuk-summary-list li")).to_have_count(2)
    expect(worker.locator("main .govuk-summary-list")).to_contain_text(VENUE)
    journey.looks_right(worker)
    switch_language(worker, "en")

    # --- A Safe Space use at the Anchor, handed over to Street Pastors --------------------
    worker.goto("/welfare/safe-space/new")
    expect(worker.locator("html")).to_have_attribute("lang", "en")
    expect(worker.locator("h1")).to_have_text("Record a Safe Space use")
    journey.looks_right(worker)

    worker.get_by_label("Which venue?").select_option(venue_id)
    choose(worker, "reasons", "separated", "phone_dead")
    choose(worker, "support", "water", "phone_charge")
    worker.locator("input[name='handed_to'][value='street_pastors']").check()
    worker.get_by_label("Which Street Pastors group or welfare team?").select_option(
        label=f"{PASTORS} (Street Pastors)"
    )
    save(worker)

    expect(worker).to_have_url(SAFE_SPACE_URL)
    handed_over = worker.url
    handed_over_path = urlsplit(handed_over).path
    expect(worker.locator(SUCCESS_BANNER)).to_be_visible()
    record = worker.locator("main .govuk-summary-list")
    expect(record).to_contain_text(VENUE)
    expect(record).to_contain_text("Separated from friends")
    expect(record).to_contain_text("Phone dead or lost")
    expect(record).to_contain_text(f"Street Pastors: {PASTORS}")
    journey.looks_right(worker)

    sign_out(worker)

    # --- The Street Pastor sees what was handed over, and nothing kept private -----------
    pastor = browsing.new_page(viewport=PHONE)
    sign_in(pastor, STREET_PASTOR, DEMO_PASSWORD, authenticator, check_page)
    journey.looks_right(pastor)

    response = pastor.goto("/welfare/safe-space/?lang=en")
    assert response is not None and response.status == 200
    listed = pastor.locator(f"main a[href='{handed_over_path}']")
    expect(listed).to_have_count(1)
    expect(listed).to_have_text(VENUE)
    journey.looks_right(pastor)

    with pastor.expect_navigation() as opened:
        listed.click()
    assert opened.value is not None and opened.value.status == 200
    expect(pastor).to_have_url(handed_over)
    expect(pastor.locator("main .govuk-summary-list")).to_contain_text(PASTORS)
    journey.looks_right(pastor)

    # The shared sighting is in the pastor's list and opens; the private one does not exist
    # for them.
    shared_path = urlsplit(shared_sighting).path
    private_path = urlsplit(private_sighting).path
    response = pastor.goto("/sightings/")
    assert response is not None and response.status == 200
    expect(pastor.locator(f"main a[href='{shared_path}']")).to_have_count(1)
    expect(pastor.locator(f"main a[href='{private_path}']")).to_have_count(0)
    journey.looks_right(pastor)

    response = pastor.goto(shared_sighting)
    assert response is not None and response.status == 200
    expect(pastor.locator("main .govuk-summary-list")).to_contain_text("Following someone")
    journey.looks_right(pastor)

    response = pastor.goto(private_sighting)
    assert response is not None and response.status == 404
    expect(pastor.locator("main")).not_to_contain_text("Wolf-whistling")
    journey.looks_right(pastor)

    journey.assert_no_problems()
