"""The 24-hour warning on the triage queue and the police dashboard, the menu's count of
new reports, and who may reach triage at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.extensions import db
from partnership.triage import service as triage
from tests.conftest import events, fix_clock
from tests.public.factories import add_public_report

RECEIVED = datetime(2026, 11, 27, 22, 40, tzinfo=UTC)
CLOCKED = ("partnership.triage.views", "partnership.home.views")
WARNING = "public report has waited more than 24 hours for triage."


def text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    if "data-triage-warning" in raw:  # the warning is a paragraph, not escaped markup
        assert '<p class="govuk-notification-banner__heading">' in raw
    return unescape(raw)


def panel(page: str) -> str:
    start = page.index('data-panel="triage"')
    return page[start : page.index("</section>", start)]


def test_the_warning_appears_when_a_report_has_waited_over_24_hours(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    login_as: Callable[..., User],
) -> None:
    clock = fix_clock(monkeypatch, RECEIVED + timedelta(hours=23), *CLOCKED)
    add_public_report(app, received_at=RECEIVED)
    # A later one, and one already triaged long ago: neither warns.
    add_public_report(app, received_at=RECEIVED + timedelta(hours=5))
    add_public_report(app, received_at=RECEIVED - timedelta(days=3), status="reviewed")
    login_as(Role.OFFICER)

    queue = text(client, "/public-reports/")
    dashboard = text(client, "/dashboard")
    assert "data-triage-warning" not in queue and WARNING not in queue
    assert "data-triage-warning" not in dashboard
    assert "2 new reports to triage." in panel(dashboard)
    assert "The oldest has waited 23 hours." in panel(dashboard)

    clock.now = RECEIVED + timedelta(hours=25)
    queue = text(client, "/public-reports/")
    dashboard = text(client, "/dashboard")
    assert f"1 {WARNING}" in queue
    assert f"1 {WARNING}" in panel(dashboard)
    assert "The oldest has waited 25 hours." in panel(dashboard)
    assert 'href="/public-reports/"' in panel(dashboard)

    # Both over the limit: the count says so.
    clock.now = RECEIVED + timedelta(hours=30)
    assert "2 public reports have waited more than 24 hours" in text(client, "/public-reports/")
    # The dashboard reads reports without recording a view of any one of them.
    assert events(app, "public_report.viewed") == []


def test_the_warning_goes_once_the_report_is_triaged(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    login_as: Callable[..., User],
) -> None:
    fix_clock(monkeypatch, RECEIVED + timedelta(hours=25), *CLOCKED)
    report = add_public_report(app, received_at=RECEIVED)
    login_as(Role.INSPECTOR)
    assert f"1 {WARNING}" in text(client, "/dashboard")
    response = client.post(
        f"/public-reports/{report.id}/triage", data={"status": "not_for_action", "version": "1"}
    )
    assert response.status_code == 302
    dashboard = text(client, "/dashboard")
    assert WARNING not in dashboard
    assert "0 new reports to triage." in panel(dashboard)


def test_the_warning_hours_come_from_the_settings(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    login_as: Callable[..., User],
) -> None:
    monkeypatch.setitem(app.config, "TRIAGE_WARNING_HOURS", 6)
    fix_clock(monkeypatch, RECEIVED + timedelta(hours=7), *CLOCKED)
    add_public_report(app, received_at=RECEIVED)
    login_as(Role.OFFICER)
    assert "1 public report has waited more than 6 hours for triage." in text(
        client, "/public-reports/"
    )


def test_waiting_counts_only_new_reports(app: Flask, make_user: Callable[..., User]) -> None:
    officer = make_user(Role.OFFICER)
    add_public_report(app, received_at=RECEIVED)
    add_public_report(app, received_at=RECEIVED - timedelta(hours=2), status="urgent")
    with app.test_request_context():
        officer = db.session.merge(officer)
        found = triage.waiting(officer, RECEIVED + timedelta(hours=48), 24)
        assert (found.count, found.overdue, found.warning) == (1, 1, True)
        assert found.oldest_received_at == RECEIVED
        coordinator_view = triage.waiting(
            db.session.merge(make_user(Role.COORDINATOR)), RECEIVED + timedelta(hours=48), 24
        )
        assert (coordinator_view.count, coordinator_view.warning) == (0, False)


def test_police_see_public_reports_in_the_menu_with_the_count_of_new_ones(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    login_as: Callable[..., User],
) -> None:
    fix_clock(monkeypatch, RECEIVED + timedelta(hours=1), *CLOCKED)
    add_public_report(app, received_at=RECEIVED)
    add_public_report(app, received_at=RECEIVED)
    add_public_report(app, received_at=RECEIVED, status="reviewed")
    login_as(Role.OFFICER)
    page = text(client, "/dashboard")
    menu = page[page.index("govuk-service-navigation__list") :]
    menu = menu[: menu.index("</ul>")]
    assert 'href="/public-reports/"' in menu
    assert '<span class="app-badge" aria-hidden="true">2</span>' in menu
    assert "(2 new)" in menu


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in (Role.OFFICER, Role.INSPECTOR)], ids=lambda r: r.value
)
def test_no_one_else_reaches_triage_or_sees_it_on_the_dashboard(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    login_as: Callable[..., User],
    role: Role,
) -> None:
    fix_clock(monkeypatch, RECEIVED + timedelta(hours=25), *CLOCKED)
    report = add_public_report(app, received_at=RECEIVED, place="A place only police read")
    login_as(role)
    assert client.get("/public-reports/").status_code == 403
    for url in (f"/public-reports/{report.id}", f"/public-reports/{report.id}/photo"):
        assert client.get(url).status_code == 403
    assert client.post(f"/public-reports/{report.id}/triage", data={}).status_code == 403
    dashboard = text(client, "/dashboard")
    assert 'data-panel="triage"' not in dashboard
    assert 'href="/public-reports/"' not in dashboard
    assert WARNING not in dashboard
    assert len(events(app, "access.denied")) == 4


def test_anyone_signed_out_is_sent_to_sign_in(app: Flask, client: FlaskClient) -> None:
    report = add_public_report(app)
    for url in ("/public-reports/", f"/public-reports/{report.id}"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/auth/login?next=" in response.headers["Location"]


def test_a_report_that_does_not_exist_is_not_found(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.OFFICER)
    assert client.get("/public-reports/999").status_code == 404
    assert client.get("/public-reports/999/photo").status_code == 404
    report = add_public_report(app)  # no photo
    assert client.get(f"/public-reports/{report.id}/photo").status_code == 404
