"""Exclusion orders on a phone: an inspector authorises a dispersal area, a constable gives
a direction under it and downloads the notice in Welsh, and a bar's door supervisor sees
the partnership exclusion at their venue and the area in force tonight.

The acceptance line this proves: "Browser test at phone width: an inspector authorises an
area; a constable gives a direction and downloads the notice in Welsh; a bar's door
supervisor sees the partnership exclusion at their venue; axe clean." Every page visited
(the forms, the authorisation and the direction with its Section 38 record, the red flag
the notice is about, the notice, tonight's exclusions in English and in Welsh, and "seen
at my venue") is checked with axe and for sideways scrolling.

The demo partnership gives the people (the inspector, the constable, the coordinator and
The Anchor Bar's door supervisor) and the Wind Street zone the inspector authorises. The
database is shared by the whole browser session, so each record is found by the address
the portal redirected to and by its reference, and what is written is marked with a
random token.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from partnership.core.nights import is_ambiguous
from partnership.demo import DEMO_PASSWORD, USERS, ZONE_NAME

from .conftest import PHONE, Authenticator, Browsing
from .test_frontline import (
    BAR_WORKER,
    ERROR_SUMMARY,
    SAVE,
    SUCCESS_BANNER,
    VENUE,
    Journey,
    choose,
    save,
)
from .test_pages import COORDINATOR, NAV_LINKS, path_is, sign_in, switch_language
from .test_red_flags import OFFICER, REFERENCE, SUBJECT_URL, give_reason, submit

pytestmark = pytest.mark.browser

CheckPage = Callable[[Page], None]

INSPECTOR = "inspector@police.example"
LONDON = ZoneInfo("Europe/London")

AUTHORISATION_URL = re.compile(r"^https?://[^/]+/orders/authorisations/(\d+)$")
DIRECTION_URL = re.compile(r"^https?://[^/]+/orders/directions/(\d+)$")
NOTICE_URL = re.compile(r"^https?://[^/]+/orders/notices/(\d+)$")
S34_REFERENCE = re.compile(r"S34-\d{4}-\d{4,}")
S35_REFERENCE = re.compile(r"S35-\d{4}-\d{4,}")
PEN_REFERENCE = re.compile(r"PEN-\d{4}-\d{4,}")

# Words of the Welsh Section 35 notice (its heading, and the act with its ŵ and the
# offence warning with its ŷ), as the Welsh catalogue gives them.
WELSH_NOTICE = ("Cyfarwyddyd gwasgaru", "y pŵer gwasgaru", "gwŷs")

EXEMPTIONS = ("under_10", "home", "work", "school", "medical", "court", "picket_procession")


def rank_of(email: str) -> str | None:
    """The rank the demo gives an account (partnership/demo.py)."""
    for user_email, _name, _org, _role, rank, *_rest in USERS:
        if user_email == email:
            return rank.value if rank else None
    raise AssertionError(f"{email} is not a demo account")


def found(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    assert match, f"no {pattern.pattern} in {text!r}"
    return match.group()


def hours_from_now(hours: int) -> tuple[str, str]:
    """The date (as a date input takes it) and 24-hour time in London ``hours`` from now,
    moved on an hour if that falls in the hour the clocks go back (which would ask which)."""
    moment = (datetime.now(UTC) + timedelta(hours=hours)).astimezone(LONDON)
    if is_ambiguous(moment.replace(tzinfo=None)):
        moment += timedelta(hours=1)
    return moment.strftime("%Y-%m-%d"), moment.strftime("%H:%M")


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, its whitespace made single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def open_from_nav(page: Page, href: str) -> None:
    """Follow a service navigation link, opening the phone's collapsed menu first."""
    toggle = page.locator(".govuk-service-navigation__toggle")
    if toggle.is_visible():
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    with page.expect_navigation():
        page.locator(f"{NAV_LINKS}[href='{href}']").click()
    expect(page).to_have_url(path_is(href))


def test_an_area_a_direction_and_an_exclusion_on_a_phone(
    browsing: Browsing,
    authenticator: Authenticator,
    check_page: CheckPage,
) -> None:
    journey = Journey(check_page)
    token = secrets.token_hex(3)
    boundary = f"Wind Street, Castle Street, The Strand and Quay Parade ({token})"
    directed_name = f"Owain Canary {token}"
    flagged_name = f"Gethin Canary {token}"
    flagged_description = f"Short stocky man with a red cap, often near the bars ({token})."

    # --- The inspector authorises the Wind Street zone -----------------------------------
    assert rank_of(INSPECTOR) == "inspector"
    inspector = browsing.new_page(viewport=PHONE)
    sign_in(inspector, INSPECTOR, DEMO_PASSWORD, authenticator, check_page)
    inspector.goto("/orders/authorisations/new?lang=en")
    expect(inspector.locator("html")).to_have_attribute("lang", "en")
    expect(inspector.locator("h1")).to_have_text("Authorise a dispersal area")
    journey.looks_right(inspector)

    # Sent without the law's answers, the form says what is missing and signs nothing.
    inspector.locator("#area_id").select_option(label=ZONE_NAME)
    inspector.locator("#boundary").fill(boundary)
    with inspector.expect_navigation() as sent:
        inspector.locator(SAVE).click()
    assert sent.value is not None and sent.value.status == 400
    summary = inspector.locator(ERROR_SUMMARY)
    expect(summary).to_contain_text("Enter the date and time the authorisation ends")
    expect(summary).to_contain_text("Write the grounds")
    expect(summary).to_contain_text("Confirm that you authorise this")
    expect(inspector).to_have_title(re.compile(r"^Error:"))
    expect(inspector.locator("#boundary")).to_have_value(boundary)
    journey.looks_right(inspector)

    # It starts now (the form's own start) and ends a day later.
    expect(inspector.locator("#start_day")).not_to_have_value("")
    expect(inspector.locator("#start_time")).not_to_have_value("")
    end_day, end_time = hours_from_now(24)
    inspector.locator("#end_day").fill(end_day)
    inspector.locator("#end_time").fill(end_time)
    choose(inspector, "necessity", "harassment_alarm_distress", "crime_disorder")
    inspector.locator("#grounds").fill(
        "Three assaults and repeated harassment of women leaving bars on Wind Street at"
        " closing time over the last two weekends."
    )
    inspector.locator("#echr_regard").fill(
        "No protest, vigil or gathering is planned in the locality tonight; the power will"
        " not be used against peaceful assembly or expression."
    )
    inspector.locator("input[name='confirm']").check()
    save(inspector)

    expect(inspector).to_have_url(AUTHORISATION_URL)
    authorisation_url = inspector.url
    match = AUTHORISATION_URL.match(authorisation_url)
    assert match is not None
    authorisation_id = match.group(1)
    banner = inspector.locator(SUCCESS_BANNER)
    expect(banner).to_contain_text(S34_REFERENCE)
    authorisation_ref = found(S34_REFERENCE, banner.inner_text())
    expect(inspector.locator("h1")).to_contain_text(authorisation_ref)
    signed = inspector.locator("main .govuk-summary-list")
    expect(signed).to_contain_text(ZONE_NAME)
    expect(signed).to_contain_text(boundary)
    expect(signed).to_contain_text("Insp. Carys Thomas, Inspector or above")
    journey.looks_right(inspector)

    # --- A constable gives a direction under it, and prints the notice in Welsh ---------
    assert rank_of(OFFICER) == "constable"
    officer = browsing.new_page(viewport=PHONE)
    sign_in(officer, OFFICER, DEMO_PASSWORD, authenticator, check_page)
    officer.goto("/orders/directions/new?lang=en")
    expect(officer.locator("html")).to_have_attribute("lang", "en")
    expect(officer.locator("h1")).to_have_text("Give a direction to leave")
    journey.looks_right(officer)

    officer.locator(f"input[name='authorisation_id'][value='{authorisation_id}']").check()
    expect(officer.locator("#given_day")).not_to_have_value("")
    officer.locator("#place").fill("Outside The Anchor Bar, Wind Street")
    officer.locator("input[name='in_uniform']").check()
    officer.locator("#person_name").fill(directed_name)
    officer.locator("#apparent_age").fill("25")
    officer.locator("#description").fill("Tall man in a green hooded jacket and grey jeans.")
    for exemption in EXEMPTIONS:
        choose(officer, f"exempt_{exemption}", "no")
    # The whole locality, for the longest period, in writing: as the form comes.
    expect(officer.locator("input[name='excluded_area'][value='whole']")).to_be_checked()
    expect(officer.locator("input[name='period'][value='max']")).to_be_checked()
    expect(officer.locator("input[name='in_writing'][value='yes']")).to_be_checked()
    officer.locator("input[name='offence_warning_given']").check()
    journey.looks_right(officer)
    save(officer)

    expect(officer).to_have_url(DIRECTION_URL)
    direction_url = officer.url
    banner = officer.locator(SUCCESS_BANNER)
    expect(banner).to_contain_text(S35_REFERENCE)
    direction_ref = found(S35_REFERENCE, banner.inner_text())
    expect(officer.locator("h1")).to_contain_text(direction_ref)
    expect(officer.locator("main h2", has_text="Section 38 record")).to_have_count(1)
    record = officer.locator("main .govuk-summary-list")
    expect(record).to_contain_text(direction_ref)
    expect(record).to_contain_text(directed_name)
    expect(record).to_contain_text(authorisation_ref)
    expect(record).to_contain_text("PC Rhys Jenkins")
    journey.looks_right(officer)

    welsh_link = officer.get_by_role("link", name="Section 35 notice (PDF): Welsh", exact=True)
    expect(welsh_link).to_have_count(1)
    with officer.expect_download() as downloading:
        welsh_link.click()
    download = downloading.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == f"{direction_ref}-cy.pdf"
    path = download.path()
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), data[:20]
    text = pdf_text(data)
    assert direction_ref in text, text
    for words in WELSH_NOTICE:
        assert words in text, f"{words!r} is not in the Welsh notice: {text}"
    assert "ŵ" in text and "ŷ" in text
    assert "Dispersal direction" not in text  # Welsh alone, not the bilingual notice
    # Downloading leaves the officer on the direction, still in English.
    expect(officer).to_have_url(direction_url)
    expect(officer.locator("html")).to_have_attribute("lang", "en")

    # The authorisation now lists the direction.
    direction_path = re.sub(r"^https?://[^/]+", "", direction_url)
    officer.goto(authorisation_url)
    expect(officer.locator(f"main a[href='{direction_path}']")).to_have_text(direction_ref)
    journey.looks_right(officer)

    # --- The constable records a red flag with a note shared with the partnership -------
    officer.goto("/subjects/new")
    expect(officer.locator("h1")).to_have_text("Add a red flag")
    journey.looks_right(officer)
    officer.get_by_label("Description").fill(flagged_description)
    choose(officer, "apparent_sex", "male")
    choose(officer, "age_band", "25_34")
    officer.locator("#name").fill(flagged_name)
    officer.locator("#date_of_birth").fill("1994-03-17")
    save(officer)
    expect(officer).to_have_url(SUBJECT_URL)
    subject_url = officer.url
    subject_path = re.sub(r"^https?://[^/]+", "", subject_url)
    flag_ref = found(REFERENCE, officer.locator(SUCCESS_BANNER).inner_text())
    give_reason(officer, journey, flag_ref)

    officer.goto(f"{subject_path}/notes/new")
    expect(officer.locator("h1")).to_contain_text(flag_ref)
    journey.looks_right(officer)
    choose(officer, "behaviours", "aspb.following")
    officer.locator("#text").fill(f"Followed women between bars at closing time ({token}).")
    choose(officer, "sharing", "partnership")
    save(officer)
    expect(officer).to_have_url(subject_url)
    expect(officer.locator(SUCCESS_BANNER)).to_be_visible()
    journey.looks_right(officer)

    # --- The coordinator issues a partnership exclusion notice -------------------------
    coordinator = browsing.new_page(viewport=PHONE)
    sign_in(coordinator, COORDINATOR, DEMO_PASSWORD, authenticator, check_page)
    coordinator.goto("/orders/notices/new?lang=en")
    expect(coordinator.locator("html")).to_have_attribute("lang", "en")
    expect(coordinator.locator("h1")).to_have_text("Issue an exclusion notice")
    journey.looks_right(coordinator)

    # Looking the red flag up finds no shared sightings, so the notice gives its reasons.
    coordinator.get_by_label("Red flag reference").fill(flag_ref)
    submit(coordinator, coordinator.get_by_role("button", name="Find its incidents"))
    expect(coordinator.locator("main")).to_contain_text(
        f"No sightings shared with the partnership are linked to {flag_ref}."
    )
    journey.looks_right(coordinator)

    starts_on = coordinator.locator("#starts_on").input_value()
    assert starts_on, "the notice does not start today by default"
    expect(coordinator.locator("input[name='duration'][value='3']")).to_be_checked()
    expect(coordinator.locator("#appeal_how")).not_to_have_value("")
    review_on = datetime.strptime(starts_on, "%Y-%m-%d") + timedelta(days=45)
    coordinator.locator("#reasons").fill(
        f"Repeatedly followed women between member venues at closing time ({token})."
    )
    coordinator.locator("#review_on").fill(review_on.strftime("%Y-%m-%d"))
    submit(coordinator, coordinator.get_by_role("button", name="Issue the notice"))

    expect(coordinator).to_have_url(NOTICE_URL)
    banner = coordinator.locator(SUCCESS_BANNER)
    expect(banner).to_contain_text(PEN_REFERENCE)
    notice_ref = found(PEN_REFERENCE, banner.inner_text())
    expect(coordinator.locator("h1")).to_contain_text(notice_ref)
    covered = coordinator.locator("main ul.govuk-list--bullet li")
    expect(covered.filter(has_text=VENUE)).to_have_count(1)
    journey.looks_right(coordinator)

    # --- The Anchor Bar's door supervisor sees tonight's exclusions ---------------------
    door = browsing.new_page(viewport=PHONE)
    sign_in(door, BAR_WORKER, DEMO_PASSWORD, authenticator, check_page)
    door.goto("/dashboard?lang=en")
    expect(door.locator(f"{NAV_LINKS}[href='/orders/tonight']")).to_have_text("Exclusions")
    open_from_nav(door, "/orders/tonight")
    expect(door.locator("h1")).to_have_text("Exclusions tonight")
    main = door.locator("main")

    excluded = door.locator("main section[aria-labelledby='excluded-heading']")
    card = excluded.locator(".app-record").filter(has=door.locator("h3", has_text=flag_ref))
    expect(card).to_have_count(1)
    expect(card).to_contain_text(flagged_description)
    expect(card).to_contain_text(f"Notice {notice_ref}")
    # The police-only name and date of birth are never shown to the bar.
    expect(card.locator("dt", has_text="Name")).to_have_count(0)
    expect(card.locator("dt", has_text="Date of birth")).to_have_count(0)
    expect(main).not_to_contain_text(flagged_name)
    expect(main).not_to_contain_text("1994")

    # The area in force tonight, with its streets, and nobody who was directed.
    areas = door.locator("main section[aria-labelledby='areas-heading'] .app-record").filter(
        has_text=token
    )
    expect(areas).to_have_count(1)
    expect(areas.locator("h3")).to_have_text(ZONE_NAME)
    expect(areas).to_contain_text(boundary)
    expect(main).not_to_contain_text(directed_name)
    expect(main).not_to_contain_text(direction_ref)
    expect(door.locator("main section[aria-labelledby='directions-heading']")).to_have_count(0)
    journey.looks_right(door)

    # The same page in Welsh: the person and the area are still there.
    switch_language(door, "cy")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(flagged_description)
    expect(areas).to_contain_text(boundary)
    expect(main).not_to_contain_text(flagged_name)
    journey.looks_right(door)
    switch_language(door, "en")

    # The supervisor records that the person came to the bar tonight.
    with door.expect_navigation():
        card.locator(".govuk-button").click()
    expect(door.locator("h1")).to_have_text("Seen at my venue")
    expect(door.locator("main .govuk-caption-l")).to_have_text(notice_ref)
    expect(door.locator("main")).not_to_contain_text(flagged_name)
    journey.looks_right(door)
    expect(door.locator("#venue_id option:checked")).to_have_text(VENUE)
    expect(door.locator("input[name='when'][value='now']")).to_be_checked()
    choose(door, "action", "refused_entry")
    save(door)
    expect(door).to_have_url(path_is("/orders/tonight"))
    expect(door.locator(SUCCESS_BANNER)).to_contain_text("Recorded. Thank you.")
    journey.looks_right(door)

    # The coordinator's tonight page lists the breach at the bar.
    coordinator.goto("/orders/tonight")
    breaches = coordinator.locator("main section[aria-labelledby='breaches-heading'] li").filter(
        has_text=notice_ref
    )
    expect(breaches).to_have_count(1)
    expect(breaches).to_contain_text(VENUE)
    expect(breaches).to_contain_text("Refused entry")
    journey.looks_right(coordinator)

    journey.assert_no_problems()
