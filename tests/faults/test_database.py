"""PostgreSQL stops before or during a sighting, a public report and a sign-in: the answer
is 503 with every answer typed, nothing is half-written, and sending again once the
database is back saves the record once. A PostgreSQL of the test's own is stopped, through
the portal on a real server."""

from __future__ import annotations

import shlex
import uuid
from collections.abc import Callable

import psycopg
import pytest
import requests
from babel.support import Translations

from tests.factories import jpeg_bytes
from tests.faults.conftest import ROOT, Browser, Portal, form_of, replace
from tests.faults.serve import PASSWORD
from tests.throwaway import ThrowawayPostgres

pytestmark = pytest.mark.faults

DESCRIPTION = "Followed her from the bar to the door"
CLOTHING = "Blue checked shirt"
UNAVAILABLE = "Sorry, the service is unavailable"


def welsh(message: str) -> str:
    catalogue = Translations.load(str(ROOT / "translations"), ["cy"])
    translated = catalogue.gettext(message)
    assert translated != message, f"not in the Welsh catalogue: {message}"
    return str(translated)


def count(postgres: ThrowawayPostgres, sql: str, *params: object) -> int:
    with psycopg.connect(postgres.url) as conn:
        row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        assert row is not None
        return int(row[0])


@pytest.fixture(scope="module")
def portal(postgres: ThrowawayPostgres, serve: Callable[..., Portal]) -> Portal:
    return serve(DATABASE_URL=postgres.url, stop_command=shlex.join(postgres.stop_command()))


def sighting_fields(browser: Browser, postgres: ThrowawayPostgres) -> list[tuple[str, str]]:
    venue = count(postgres, "SELECT id FROM venues WHERE name = 'The Anchor Bar'")
    return sighting_fields_from(browser, venue)


def sighting_fields_from(browser: Browser, venue: int) -> list[tuple[str, str]]:
    """The new-sighting form as the page gives it, answered."""
    page = browser.open("/sightings/new").text
    return replace(
        form_of(page, having="submission_key")["fields"],
        venue_id=str(venue),
        behaviours=["assb.unwanted_touching", "aspb.following"],
        victim_response="moved_away",
        action_taken="ejected",
        sharing="partnership",
        clothing=CLOTHING,
        description=DESCRIPTION,
    )


def sightings(postgres: ThrowawayPostgres, key: str) -> tuple[int, int, int]:
    """Sightings with this submission key, their behaviours, and audit events about them."""
    return (
        count(postgres, "SELECT count(*) FROM sightings WHERE submission_key = %s", key),
        count(
            postgres,
            "SELECT count(*) FROM sighting_behaviours b JOIN sightings s ON s.id = b.sighting_id"
            " WHERE s.submission_key = %s",
            key,
        ),
        count(
            postgres,
            "SELECT count(*) FROM audit_events e JOIN sightings s ON e.object_id = s.id::text"
            " WHERE e.action = 'sighting.created' AND s.submission_key = %s",
            key,
        ),
    )


def signed_in(portal: Portal, email: str) -> Browser:
    browser = Browser(portal)
    response = browser.sign_in(email, PASSWORD)
    assert response.status_code == 302, response.text
    return browser


def test_a_sighting_sent_while_the_database_is_down_is_kept_and_saved_once_it_returns(
    postgres: ThrowawayPostgres, portal: Portal
) -> None:
    browser = signed_in(portal, "door@anchor.example")
    fields = sighting_fields(browser, postgres)
    key = dict(fields)["submission_key"]
    photo = ("photos", ("door.jpg", jpeg_bytes((40, 30), (10, 120, 200)), "image/jpeg"))

    postgres.stop()
    try:
        response = browser.send_form("/sightings/new", fields, files=[photo])
        assert response.status_code == 503
        assert UNAVAILABLE in response.text
        kept = form_of(response.text, form_id="send-again")
        assert kept["action"] == "/sightings/new"
        for answer in (
            ("clothing", CLOTHING),
            ("description", DESCRIPTION),
            ("behaviours", "aspb.following"),
            ("submission_key", key),
        ):
            assert answer in kept["fields"]
        assert "door.jpg" in response.text  # the photo to choose again
        # Other pages say the same, never a bare 500.
        assert browser.open("/dashboard").status_code == 503
    finally:
        postgres.start()

    sent = browser.send_form("/sightings/new", kept["fields"], files=[photo])
    assert sent.status_code == 302, sent.text
    assert "/sightings/" in sent.headers["Location"]
    assert sightings(postgres, key) == (1, 2, 1)
    assert (
        count(
            postgres,
            "SELECT count(*) FROM attachments a JOIN sightings s ON s.id = a.sighting_id"
            " WHERE s.submission_key = %s",
            key,
        )
        == 1
    )
    # A second tap of "Send again" saves nothing more.
    again = browser.send_form("/sightings/new", kept["fields"], files=[photo])
    assert again.headers["Location"] == sent.headers["Location"]
    assert sightings(postgres, key) == (1, 2, 1)


def test_a_sighting_whose_save_meets_a_stopping_database_writes_nothing_and_comes_back(
    postgres: ThrowawayPostgres, portal: Portal
) -> None:
    browser = signed_in(portal, "door@anchor.example")
    fields = sighting_fields(browser, postgres)
    key = dict(fields)["submission_key"]

    portal.stop_database_on_next_flush()
    try:
        response = browser.send_form("/sightings/new", fields)
        assert response.status_code == 503
        # The sightings form itself, filled in, with the message to send again.
        assert "we could not save this just now, so nothing was saved" in response.text
        assert f'value="{CLOTHING}"' in response.text
        assert DESCRIPTION in response.text
        kept = form_of(response.text, having="submission_key")["fields"]
        assert ("submission_key", key) in kept
    finally:
        postgres.start()

    assert sightings(postgres, key) == (0, 0, 0)  # nothing half-written
    sent = browser.send_form("/sightings/new", kept)
    assert sent.status_code == 302, sent.text
    assert sightings(postgres, key) == (1, 2, 1)


def test_the_page_is_in_the_readers_language_when_the_database_is_down(
    postgres: ThrowawayPostgres, portal: Portal
) -> None:
    browser = signed_in(portal, "bar@neon.example")  # a Welsh speaker
    fields = sighting_fields(browser, postgres)
    postgres.stop()
    try:
        response = browser.send_form("/sightings/new", fields)
    finally:
        postgres.start()
    assert response.status_code == 503
    assert welsh(UNAVAILABLE) in response.text
    assert 'lang="cy"' in response.text


def test_signing_in_while_the_database_is_down_keeps_the_email_and_works_once_it_returns(
    postgres: ThrowawayPostgres, portal: Portal
) -> None:
    browser = Browser(portal)
    fields = browser.sign_in_fields("door@anchor.example", PASSWORD)
    postgres.stop()
    try:
        response = browser.send_form("/auth/login", fields)
        assert response.status_code == 503
        kept = form_of(response.text, form_id="send-again")
        assert ("email", "door@anchor.example") in kept["fields"]
        assert PASSWORD not in response.text  # a page never writes a password back
        assert 'name="password" type="password"' in response.text
    finally:
        postgres.start()
    sent = browser.send_form("/auth/login", replace(kept["fields"], password=PASSWORD))
    assert sent.status_code == 302
    assert browser.open("/dashboard").status_code == 200


def test_a_sign_in_that_meets_a_stopping_database_can_be_sent_again(
    postgres: ThrowawayPostgres, portal: Portal
) -> None:
    browser = Browser(portal)
    fields = browser.sign_in_fields("door@anchor.example", PASSWORD)
    portal.stop_database_on_next_flush()
    try:
        response = browser.send_form("/auth/login", fields)
        assert response.status_code == 503
        kept = form_of(response.text, form_id="send-again")["fields"]
    finally:
        postgres.start()
    assert browser.open("/dashboard").url.endswith("/auth/login?next=%2Fdashboard")
    sent = browser.send_form("/auth/login", replace(kept, password=PASSWORD))
    assert sent.status_code == 302
    assert browser.open("/dashboard").status_code == 200


def report_fields(browser: Browser) -> list[tuple[str, str]]:
    page = browser.open("/safety/report").text
    token = dict(form_of(page, form_id="report-form")["fields"])["csrf_token"]
    return replace(
        [],
        csrf_token=token,
        step="6",
        submission_key=uuid.uuid4().hex,
        reporter="me",
        place="Outside the kebab shop on Wind Street",
        when="last_night",
        time_of_night="after_midnight",
        behaviours=["aspb.following", "assb.catcalling"],
        description="He followed me from the taxi rank to the bus stop",
        wants_contact="no",
        website="",
        action="send",
    )


def reports(postgres: ThrowawayPostgres, key: str) -> int:
    return count(postgres, "SELECT count(*) FROM public_reports WHERE submission_key = %s", key)


@pytest.mark.parametrize("when", ["before", "during"])
def test_a_public_report_sent_while_the_database_fails_is_kept_and_sent_again(
    postgres: ThrowawayPostgres, portal: Portal, when: str
) -> None:
    browser = Browser(portal)
    fields = report_fields(browser)
    key = dict(fields)["submission_key"]
    if when == "before":
        postgres.stop()
    else:
        portal.stop_database_on_next_flush()
    try:
        response = browser.send_form("/safety/report", fields)
        assert response.status_code == 503
        assert "He followed me from the taxi rank to the bus stop" in response.text
        assert "Exit this page" in response.text  # still a public page
        kept = form_of(response.text, form_id="send-again")["fields"]
        assert ("submission_key", key) in kept
    finally:
        postgres.start()
    assert reports(postgres, key) == 0
    sent = browser.send_form("/safety/report", kept)
    assert sent.status_code == 200, sent.text
    assert "PR-" in sent.text
    assert reports(postgres, key) == 1


def test_the_portal_answers_again_by_itself_when_the_database_returns(
    postgres: ThrowawayPostgres, portal: Portal
) -> None:
    browser = signed_in(portal, "door@anchor.example")
    postgres.stop()
    try:
        assert browser.open("/dashboard").status_code == 503
        assert requests.get(portal.url("/healthz"), timeout=10).status_code == 200
        ready = requests.get(portal.url("/readyz"), timeout=10)
        assert ready.status_code == 503
        assert ready.json()["database"] == "unavailable"
    finally:
        postgres.start()
    assert browser.open("/dashboard").status_code == 200
    assert requests.get(portal.url("/readyz"), timeout=10).json()["database"] == "ok"


def test_a_list_whose_audit_event_commits_without_waiting_answers_503_then_records_it(
    postgres: ThrowawayPostgres, portal: Portal
) -> None:
    """The sightings list commits its audit event with synchronous_commit off (a reading
    page): with the database stopped it is a 503 like any page; once back, the event is
    stored."""
    browser = signed_in(portal, "door@anchor.example")
    listed = "SELECT count(*) FROM audit_events WHERE action = 'sighting.list_viewed'"
    before = count(postgres, listed)
    postgres.stop()
    try:
        assert browser.open("/sightings/").status_code == 503
    finally:
        postgres.start()
    assert browser.open("/sightings/").status_code == 200
    assert count(postgres, listed) == before + 1
