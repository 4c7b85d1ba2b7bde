"""Long reports run in the background: the page answers at once with a status page, the
report opens when it is ready, only for the person who asked, the same question reuses the
same run (exports and pack included), and a failure or a run that never finished says so
and offers to start again."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.core.models import utcnow
from partnership.extensions import db
from partnership.reports import runs
from partnership.reports.figures import BUILD_STEPS, Filters, Period, Report, build_report
from partnership.reports.models import ReportRun
from tests.conftest import events
from tests.public.factories import add_public_report
from tests.reports.figures.test_figures import NOW, WEEK, Data, data, police  # noqa: F401 (fixtures)

# 120 nights around WEEK (19 to 25 October 2026): longer than the quarter, so a run.
LONG = {"range": "custom", "from": "2026-07-01", "to": "2026-10-28"}


def long_query(**more: str) -> str:
    return "&".join(f"{key}={value}" for key, value in {**LONG, **more}.items())


def wait_for(client: FlaskClient, run_url: str, state: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = client.get(f"{run_url}/progress").get_json()
        if found["state"] == state:
            return dict(found)
        time.sleep(0.05)
    raise AssertionError(f"the run did not become {state}")


def add_running(app: Flask, run_id: str, user: User, *, step: int, started: datetime) -> None:
    """A run of ``user``'s for LONG, still counting (never launched)."""
    with app.app_context():
        db.session.add(
            ReportRun(
                id=run_id,
                user_id=user.id,
                arguments=LONG,
                first_night=date(2026, 7, 1),
                last_night=date(2026, 10, 28),
                state=runs.RUNNING,
                step=step,
                steps=BUILD_STEPS,
                created_at=started,
            )
        )
        db.session.commit()


def start(client: FlaskClient, query: str) -> str:
    response = client.get(f"/reports/?{query}")
    assert response.status_code == 303, response.status_code
    location = response.headers["Location"]
    assert location.startswith("/reports/runs/")
    return location


def test_the_figures_keep_every_value_through_json(app: Flask, data: Data) -> None:  # noqa: F811
    add_public_report(
        app, night=date(2026, 10, 20), venue_id=data.anchor, latitude=51.6, longitude=-3.9
    )
    with app.app_context():
        for filters in (Filters(), Filters(area_id=data.wind_street, behaviour="aspb.staring")):
            report = build_report(WEEK, filters, now=NOW)
            stored = json.loads(json.dumps(runs.to_json(report)))
            assert runs.from_json(Report, stored) == report
            assert report.public_reports.total.current == (0 if filters.any else 1)


def test_a_long_report_runs_in_the_background_and_opens_when_ready(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    data: Data,  # noqa: F811
) -> None:
    login_as(Role.OFFICER)
    run_url = start(client, long_query())
    assert events(app, "report.viewed") == []  # nothing shown yet
    progress = wait_for(client, run_url, "done")
    assert progress["step"] == progress["steps"] == BUILD_STEPS

    page = client.get(run_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.app_context():
        run = db.session.get(ReportRun, run_url.rsplit("/", 1)[1])
        assert run is not None and run.result is not None
        stored = runs.from_json(Report, run.result)
        expected = build_report(Period(date(2026, 7, 1), date(2026, 10, 28)), now=NOW)
    # The same figures as a report worked out while waiting, and the page shows them.
    assert stored.sightings == expected.sightings
    assert stored.hotspots == expected.hotspots
    assert expected.sightings.total.current > 5
    assert 'data-figure="sightings"' in html
    assert "Nights of Wednesday 1 July 2026 to Wednesday 28 October 2026" in html
    viewed = events(app, "report.viewed")
    assert len(viewed) == 1
    assert viewed[0].details["first_night"] == "2026-07-01"

    # Asking again within the hour opens the same run; other nights make another.
    assert start(client, long_query()) == run_url
    other = start(client, long_query(to="2026-10-27"))
    assert other != run_url
    wait_for(client, other, "done")


def test_exports_and_the_pack_use_the_finished_run(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    data: Data,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login_as(Role.ANALYST)
    wait_for(client, start(client, long_query()), "done")

    def not_again(*_args: Any, **_kwargs: Any) -> Report:
        raise AssertionError("worked out again")

    monkeypatch.setattr("partnership.reports.views.build_report", not_again)
    for path in ("figures.csv", "figures.xlsx", "hotspots.geojson", "pack.pdf"):
        response = client.get(f"/reports/{path}?{long_query()}")
        assert response.status_code == 200, path
        assert response.data


def test_no_one_else_may_open_a_run(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    data: Data,  # noqa: F811
) -> None:
    login_as(Role.ANALYST)
    run_url = start(client, long_query())
    wait_for(client, run_url, "done")
    login_as(Role.ANALYST)  # another analyst, same organisation kind
    assert client.get(run_url).status_code == 404
    assert client.get(f"{run_url}/progress").status_code == 404
    login_as(Role.PREMISES_STAFF)
    assert client.get(run_url).status_code == 403


def test_the_status_page_says_how_far_it_has_got(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.COORDINATOR)
    add_running(app, "waiting-run", user, step=3, started=utcnow())
    page = client.get("/reports/runs/waiting-run")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Preparing your report" in html
    assert "3 parts of 9 counted." in html
    assert "Check again" in html
    assert 'data-run-progress="/reports/runs/waiting-run/progress"' in html
    assert client.get("/reports/runs/waiting-run/progress").get_json() == {
        "state": "running",
        "step": 3,
        "steps": BUILD_STEPS,
        "text": "3 parts of 9 counted.",
    }
    assert events(app, "report.viewed") == []


def test_a_run_that_never_finished_is_shown_as_failed(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.COORDINATOR)
    started = utcnow() - runs.GIVE_UP_AFTER - timedelta(minutes=1)
    add_running(app, "lost-run", user, step=2, started=started)
    html = client.get("/reports/runs/lost-run").get_data(as_text=True)
    assert "Your report could not be prepared" in html
    # Trying again starts a new run rather than waiting on the lost one.
    assert start(client, long_query()) != "/reports/runs/lost-run"


def test_a_failure_says_so_and_offers_to_try_again(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fails(*_args: Any, **_kwargs: Any) -> Report:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("partnership.reports.runs.build_report", fails)
    login_as(Role.ANALYST)
    run_url = start(client, long_query())
    assert wait_for(client, run_url, "failed")["state"] == "failed"
    html = client.get(run_url).get_data(as_text=True)
    assert "Your report could not be prepared" in html
    assert 'href="/reports/?range=custom&amp;from=2026-07-01&amp;to=2026-10-28"' in html
    with app.app_context():
        run = db.session.get(ReportRun, run_url.rsplit("/", 1)[1])
        assert run is not None
        assert run.failure == "RuntimeError"
        assert run.result is None
    monkeypatch.undo()
    again = start(client, long_query())
    assert again != run_url
    wait_for(client, again, "done")


def test_a_quarter_opens_at_once(client: FlaskClient, login_as: Callable[..., User]) -> None:
    login_as(Role.ANALYST)
    assert client.get("/reports/?range=quarter").status_code == 200
    assert client.get("/reports/?range=custom&from=2026-07-01&to=2026-09-30").status_code == 200
