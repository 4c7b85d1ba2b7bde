"""Redis stops or hangs under the portal: sign-in works, every public report is stored, the
rate limits go on counting in the process, and a hung Redis costs at most a second. A Redis
of the test's own is stopped or paused, through the portal on a real server."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.faults.conftest import Browser, Portal, form_of
from tests.faults.serve import PASSWORD
from tests.faults.test_database import report_fields, sighting_fields_from
from tests.throwaway import ThrowawayRedis

pytestmark = pytest.mark.faults

# Redis's timeout is 0.3 s and a request meets it at most twice (the limiter's count, then
# its check whether Redis is back): anything above a second is a retry or a missing timeout.
HANG_BUDGET_SECONDS = 1.0


def database(portal: Portal) -> Path:
    return Path(portal.log).parent / "partnership.db"


def count(portal: Portal, sql: str, *params: object) -> int:
    with sqlite3.connect(database(portal)) as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def timed_sign_in(portal: Portal) -> tuple[float, requests.Response]:
    browser = Browser(portal)
    fields = browser.sign_in_fields("door@anchor.example", PASSWORD)
    started = time.monotonic()
    response = browser.send_form("/auth/login", fields)
    return time.monotonic() - started, response


def send_report(portal: Portal) -> tuple[float, requests.Response, str]:
    browser = Browser(portal)
    fields = report_fields(browser)
    started = time.monotonic()
    response = browser.send_form("/safety/report", fields)
    return time.monotonic() - started, response, dict(fields)["submission_key"]


@pytest.fixture
def portal(redis_server: ThrowawayRedis, serve: Callable[..., Portal]) -> Portal:
    return serve(REDIS_URL=redis_server.url, LOGIN_ADDRESS_LIMIT="3 per 15 minutes")


def test_with_redis_stopped_sign_in_works_reports_are_stored_and_limits_still_count(
    redis_server: ThrowawayRedis, portal: Portal
) -> None:
    redis_server.stop()

    _, response = timed_sign_in(portal)
    assert response.status_code == 302
    _, sent, key = send_report(portal)
    assert sent.status_code == 200 and "PR-" in sent.text
    assert count(portal, "SELECT count(*) FROM public_reports WHERE submission_key = ?", key) == 1

    # Failed sign-ins are still limited, counted in the process.
    browser = Browser(portal)
    codes = [
        browser.sign_in("door@anchor.example", "not the password").status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert "falling back to in-memory storage" in portal.log_text()

    ready = requests.get(portal.url("/readyz"), timeout=10)
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "unavailable",
        "jobs": "ok",
    }


def test_a_hung_redis_costs_at_most_a_second(redis_server: ThrowawayRedis, portal: Portal) -> None:
    answering, response = timed_sign_in(portal)
    assert response.status_code == 302
    _, sent, _ = send_report(portal)
    assert sent.status_code == 200

    redis_server.pause()
    try:
        hung, response = timed_sign_in(portal)
        assert response.status_code == 302
        report_time, sent, key = send_report(portal)
        assert sent.status_code == 200 and "PR-" in sent.text
    finally:
        redis_server.resume()
    assert count(portal, "SELECT count(*) FROM public_reports WHERE submission_key = ?", key) == 1
    assert hung - answering < HANG_BUDGET_SECONDS
    assert report_time < HANG_BUDGET_SECONDS + answering


def test_sessions_in_a_hung_redis_give_503_with_the_answers_then_save_once_it_answers(
    redis_server: ThrowawayRedis, serve: Callable[..., Portal]
) -> None:
    portal = serve(REDIS_URL=redis_server.url, SESSION_STORE="redis")
    browser = Browser(portal)
    assert browser.sign_in("door@anchor.example", PASSWORD).status_code == 302
    venue = count(portal, "SELECT id FROM venues WHERE name = 'The Anchor Bar'")
    fields = sighting_fields_from(browser, venue)
    key = dict(fields)["submission_key"]

    redis_server.pause()
    try:
        started = time.monotonic()
        response = browser.send_form("/sightings/new", fields)
        waited = time.monotonic() - started
    finally:
        redis_server.resume()
    assert response.status_code == 503
    assert waited < HANG_BUDGET_SECONDS + 1.0  # the session read, and the page itself
    kept = form_of(response.text, form_id="send-again")["fields"]
    assert ("submission_key", key) in kept

    sent = browser.send_form("/sightings/new", kept)
    assert sent.status_code == 302, sent.text
    assert count(portal, "SELECT count(*) FROM sightings WHERE submission_key = ?", key) == 1
