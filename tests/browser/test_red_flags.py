"""Red flags on a phone: an officer links a bar's sighting to a red flag, and the bar sees
the alert that link raises.

The acceptance line this proves: "An officer links a bar's sighting to a subject and the
bar sees the resulting alert; axe clean." On the way every red-flag page an officer
opens (the reason asked first, the profile, linking, details obtained, merging, photos,
subject access and erasure) and the alerts page in Welsh are checked with axe and for
sideways scrolling.

The demo partnership gives the bar (The Anchor Bar, its venue and its door staff) and
the police (an officer); the red flag, its shared note and the sighting are made through
the portal's own forms. The database is shared by the whole browser session, so the
red flag, sighting and alert are found by the addresses the portal redirected to and by
the red flag's reference, and the alert count is compared with what it was before.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from partnership.demo import DEMO_PASSWORD

from .conftest import PHONE, Authenticator, Browsing
from .test_frontline import (
    BAR_WORKER,
    ERROR_SUMMARY,
    SAVE,
    SIGHTING_URL,
    SUCCESS_BANNER,
    VENUE,
    Journey,
    anchor_venue_id,
    choose,
    save,
)
from .test_pages import path_is, sign_in, switch_language

pytestmark = pytest.mark.browser

CheckPage = Callable[[Page], None]

OFFICER = "pc@police.example"

SUBJECT_URL = re.compile(r"^https?://[^/]+/subjects/(\d+)$")
REFERENCE = re.compile(r"RF-\d{4}-\d{4,}")

ALERTS_LINK = "header a.app-header__alerts"
ALERT_BADGE = f"{ALERTS_LINK} .app-badge"
REASON_CONTINUE = "main form[action$='/justify'] button[type=submit]"

# How the person is described, the same on the red flag and on the bar's sighting, so
# the link page suggests the red flag and says why.
DESCRIPTION = {
    "apparent_sex": "male",
    "age_band": "25_34",
    "height": "tall",
    "build": "slim",
}
DISTINCTIVE = "Kingfisher tattoo on the left hand"


def unread_alerts(page: Page) -> int:
    """The unread count in the header's Alerts link (no badge: none unread)."""
    expect(page.locator(ALERTS_LINK)).to_be_visible()
    badge = page.locator(ALERT_BADGE)
    if badge.count() == 0:
        return 0
    return int(badge.inner_text().strip())


def submit(page: Page, button: Locator) -> None:
    with page.expect_navigation():
        button.click()


def give_reason(page: Page, journey: Journey, reference: str) -> None:
    """Answer the page a red flag opens with: why are you looking at it?"""
    expect(page.locator("main .govuk-caption-l")).to_have_text(reference)
    reasons = page.locator("main input[name='reason']")
    expect(reasons.first).to_be_visible()
    journey.looks_right(page)

    # Continuing without a reason says what is missing, and shows nothing of the red flag.
    submit(page, page.locator(REASON_CONTINUE))
    expect(page.locator(ERROR_SUMMARY)).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error:"))
    expect(page.locator("main .govuk-summary-list")).to_have_count(0)
    journey.looks_right(page)

    choose(page, "reason", "checking_tonight")
    submit(page, page.locator(REASON_CONTINUE))
    expect(page).to_have_url(SUBJECT_URL)
    expect(page.locator("h1")).to_contain_text(reference)


def test_officer_links_a_bar_sighting_and_the_bar_is_alerted(
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
) -> None:
    journey = Journey(check_page)
    canary_name = f"Gethin Canary {secrets.token_hex(3)}"
    note_text = f"Followed women out of two bars at closing time ({secrets.token_hex(3)})."

    # --- The officer records a red flag with a note shared with the partnership ---------
    officer = browsing.new_page(viewport=PHONE)
    sign_in(officer, OFFICER, DEMO_PASSWORD, authenticator, check_page)
    journey.looks_right(officer)

    officer.goto("/subjects/?lang=en")
    expect(officer.locator("html")).to_have_attribute("lang", "en")
    journey.looks_right(officer)
    with officer.expect_navigation():
        officer.locator("main a[href='/subjects/new']").click()
    expect(officer.locator("h1")).to_have_text("Add a red flag")
    journey.looks_right(officer)

    officer.get_by_label("Description").fill("Tall slim man in his late twenties, often alone.")
    for name, value in DESCRIPTION.items():
        choose(officer, name, value)
    officer.locator("#distinguishing_features").fill(DISTINCTIVE)
    officer.locator("#name").fill(canary_name)
    save(officer)

    # A new red flag opens on the question of why you are looking at it.
    expect(officer).to_have_url(SUBJECT_URL)
    subject_url = officer.url
    subject_path = re.sub(r"^https?://[^/]+", "", subject_url)
    banner = officer.locator(SUCCESS_BANNER)
    expect(banner).to_contain_text(REFERENCE)
    found = REFERENCE.search(banner.inner_text())
    assert found, f"no reference in {banner.inner_text()!r}"
    reference = found.group()
    give_reason(officer, journey, reference)
    expect(officer.locator("main .govuk-summary-list")).to_contain_text(canary_name)
    journey.looks_right(officer)

    with officer.expect_navigation():
        officer.locator(f"main a[href='{subject_path}/notes/new']").click()
    expect(officer.locator("h1")).to_contain_text(reference)
    journey.looks_right(officer)
    choose(officer, "behaviours", "aspb.following")
    officer.locator("#text").fill(note_text)
    choose(officer, "sharing", "partnership")
    save(officer)
    expect(officer).to_have_url(subject_url)
    expect(officer.locator(SUCCESS_BANNER)).to_be_visible()
    notes = officer.locator("main .app-records").first
    expect(notes).to_contain_text(note_text)
    expect(notes).to_contain_text("Everyone on the frontline in the partnership")
    journey.looks_right(officer)

    # --- The bar's door staff log a sighting at the bar, shared with the partnership ----
    worker = browsing.new_page(viewport=PHONE)
    sign_in(worker, BAR_WORKER, DEMO_PASSWORD, authenticator, check_page)
    unread_before = unread_alerts(worker)
    journey.looks_right(worker)

    worker.goto("/sightings/new?lang=en")
    expect(worker.locator("h1")).to_have_text("Log a sighting")
    worker.get_by_label("Where was it?").select_option(anchor_venue_id(worker))
    choose(worker, "behaviours", "aspb.following", "aspb.staring")
    choose(worker, "action_taken", "spoke_to")
    worker.locator("main details.govuk-details summary").click()
    for name, value in DESCRIPTION.items():
        choose(worker, name, value)
    worker.locator("#distinguishing_features").fill("Tattoo of a kingfisher on one hand")
    expect(worker.locator("input[name='sharing'][value='partnership']")).to_be_checked()
    journey.looks_right(worker)
    save(worker)

    expect(worker).to_have_url(SIGHTING_URL)
    sighting_url = worker.url
    match = SIGHTING_URL.match(sighting_url)
    assert match is not None
    sighting_id = match.group(1)
    sighting_path = f"/sightings/{sighting_id}"
    expect(worker.locator(SUCCESS_BANNER)).to_be_visible()
    expect(worker.locator("main")).to_contain_text("No red flags are linked to this record.")
    journey.looks_right(worker)

    # --- The officer links the sighting to the red flag ---------------------------------
    response = officer.goto(sighting_url)
    assert response is not None and response.status == 200
    expect(officer.locator("main .govuk-summary-list").first).to_contain_text(VENUE)
    journey.looks_right(officer)

    link_path = f"/subjects/link/sighting/{sighting_id}"
    with officer.expect_navigation():
        officer.locator(f"main a[href='{link_path}']").click()
    expect(officer).to_have_url(path_is(link_path))
    expect(officer.locator("h1")).to_have_text(f"Link sighting {sighting_id} to a red flag")
    suggested = officer.locator("main .app-record").filter(
        has=officer.locator("h3", has_text=reference)
    )
    expect(suggested).to_have_count(1)
    expect(suggested).to_contain_text(
        "The red flag's description agrees with this sighting on apparent sex, age, height, "
        "build and shares the words hand, kingfisher, tattoo."
    )
    link_button = suggested.locator("button[name='subject_id']")
    expect(link_button).to_have_text(f"Link to {reference}")
    journey.looks_right(officer)

    # A reference that names no red flag is explained, and the reason chosen is kept.
    choose(officer, "reason", "checking_tonight")
    officer.get_by_label("Red flag reference").fill("RF-1999-9999")
    submit(officer, officer.get_by_role("button", name="Link", exact=True))
    expect(officer).to_have_url(path_is(link_path))
    summary = officer.locator(ERROR_SUMMARY)
    expect(summary).to_contain_text("There is no red flag with the reference RF-1999-9999.")
    expect(officer).to_have_title(re.compile(r"^Error:"))
    expect(officer.locator("input[name='reason'][value='checking_tonight']")).to_be_checked()
    expect(officer.get_by_label("Red flag reference")).to_have_value("RF-1999-9999")
    journey.looks_right(officer)

    # The suggestion's own button links it (the typed reference is cleared first).
    officer.get_by_label("Red flag reference").fill("")
    submit(officer, link_button)
    expect(officer).to_have_url(sighting_url)
    expect(officer.locator(SUCCESS_BANNER)).to_contain_text(f"Linked to red flag {reference}.")
    linked = officer.locator(f"main .app-records a[href='{subject_path}']")
    expect(linked).to_have_text(reference)
    journey.looks_right(officer)

    # The red flag's profile (its reason still current) lists where it was seen.
    with officer.expect_navigation():
        linked.click()
    expect(officer).to_have_url(subject_url)
    expect(officer.locator(f"main a[href='{sighting_path}']")).to_have_count(1)
    expect(officer.locator("main")).to_contain_text(VENUE)
    journey.looks_right(officer)

    # --- The officer's other red-flag pages, each checked --------------------------------
    details_path = f"/subjects/details/{sighting_id}"
    officer.goto(sighting_url)
    with officer.expect_navigation():
        officer.locator(f"main a[href='{details_path}']").click()
    expect(officer.locator("h1")).to_have_text("Record details obtained")
    # The new red flag's description starts from the sighting's.
    expect(officer.locator("#distinguishing_features")).to_have_value(
        "Tattoo of a kingfisher on one hand"
    )
    journey.looks_right(officer)

    for path, heading in (
        (f"{subject_path}/merge", "Merge red flags"),
        (f"{subject_path}/photos/new", "Add a photo"),
    ):
        officer.goto(subject_url)
        with officer.expect_navigation():
            officer.locator(f"main a[href='{path}']").click()
        expect(officer).to_have_url(path_is(path))
        expect(officer.locator("h1")).to_have_text(heading)
        expect(officer.locator("main .govuk-caption-l")).to_have_text(reference)
        journey.looks_right(officer)

    for path, heading in (
        ("/subjects/access-request", "Subject access request"),
        ("/subjects/erase", "Erase a red flag"),
    ):
        officer.goto(subject_url)
        with officer.expect_navigation():
            officer.locator(f"main a[href^='{path}?']").click()
        expect(officer).to_have_url(path_is(path))
        expect(officer.locator("h1")).to_have_text(heading)
        # Opened from the profile, the form already names the red flag.
        expect(officer.get_by_label("Red flag reference")).to_have_value(reference)
        journey.looks_right(officer)

    # --- The bar sees the alert the link raised ------------------------------------------
    worker.goto("/dashboard")
    expect(worker).to_have_url(path_is("/dashboard"))
    assert unread_alerts(worker) == unread_before + 1
    alert = worker.locator("main .app-alerts-panel li.app-alert", has_text=reference)
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(
        f"Red flag {reference}, shared with the partnership, was seen at {VENUE}"
    )
    # The alert names the red flag by its reference only.
    expect(worker.locator("main")).not_to_contain_text(canary_name)
    journey.looks_right(worker)

    with worker.expect_navigation():
        worker.locator(ALERTS_LINK).click()
    expect(worker).to_have_url(path_is("/alerts/"))
    expect(worker.locator("h1")).to_have_text("Alerts")
    listed = worker.locator("main li.app-alert", has_text=reference)
    expect(listed).to_have_count(1)
    expect(listed.locator(".govuk-tag")).to_have_text("Unread")
    journey.looks_right(worker)

    # The alerts page in Welsh: the message still names the red flag and the bar.
    switch_language(worker, "cy")
    expect(listed).to_contain_text(reference)
    expect(listed).to_contain_text(VENUE)
    journey.looks_right(worker)
    switch_language(worker, "en")

    submit(worker, listed.locator("button[type=submit]"))
    expect(worker).to_have_url(path_is("/alerts/"))
    expect(worker.locator(SUCCESS_BANNER)).to_contain_text("Alert marked as read.")
    expect(listed).to_have_count(1)
    expect(listed.locator(".govuk-tag")).to_have_count(0)
    expect(listed.locator("button[type=submit]")).to_have_count(0)
    assert unread_alerts(worker) == unread_before
    if unread_before == 0:
        expect(worker.locator(ALERT_BADGE)).to_have_count(0)
    journey.looks_right(worker)

    # From the alert, the bar opens the red flag: a reason first, then the shared card,
    # with the shared note but never the name the police recorded.
    with worker.expect_navigation():
        listed.locator(f"a[href='{subject_path}']").click()
    give_reason(worker, journey, reference)
    main = worker.locator("main")
    expect(main).to_contain_text(note_text)
    expect(main).not_to_contain_text(canary_name)
    expect(worker.locator(f"main a[href='{sighting_path}']")).to_have_count(1)
    expect(worker.locator(f"main a[href='{subject_path}/merge']")).to_have_count(0)
    journey.looks_right(worker)

    # The dashboard has no unread alert about this red flag any more.
    worker.goto("/dashboard")
    expect(worker.locator("main .app-alerts-panel li.app-alert", has_text=reference)).to_have_count(
        0
    )
    journey.looks_right(worker)

    journey.assert_no_problems()


def test_the_link_form_explains_what_is_missing(
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
) -> None:
    """An officer who presses Link with nothing chosen is told both things, without
    JavaScript too (the error summary is the page's own, not a script's)."""
    journey = Journey(check_page)
    worker = browsing.new_page(viewport=PHONE)
    sign_in(worker, BAR_WORKER, DEMO_PASSWORD, authenticator, check_page)
    worker.goto("/sightings/new?lang=en")
    worker.get_by_label("Where was it?").select_option(anchor_venue_id(worker))
    choose(worker, "behaviours", "assb.catcalling")
    choose(worker, "action_taken", "no_action")
    save(worker)
    expect(worker).to_have_url(SIGHTING_URL)
    match = SIGHTING_URL.match(worker.url)
    assert match is not None
    link_path = f"/subjects/link/sighting/{match.group(1)}"

    officer = browsing.new_page(viewport=PHONE, javascript=False)
    sign_in(officer, OFFICER, DEMO_PASSWORD, authenticator, check_page)
    response = officer.goto(f"{link_path}?lang=en")
    assert response is not None and response.status == 200
    journey.looks_right(officer)

    with officer.expect_navigation() as sent:
        officer.locator(SAVE).first.click()
    assert sent.value is not None and sent.value.status == 400
    summary = officer.locator(ERROR_SUMMARY)
    expect(summary).to_contain_text("Choose why you are linking this record")
    expect(summary).to_contain_text("Enter a red flag reference or choose a suggested red flag")
    expect(officer).to_have_title(re.compile(r"^Error:"))
    journey.looks_right(officer)

    journey.assert_no_problems()
