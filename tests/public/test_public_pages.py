"""The public pages: start, support services, "Exit this page", the emergency numbers on
every page, languages, headers and the too-large page."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from partnership import create_app
from partnership.config import ConfigError
from partnership.core.access import view_rule
from partnership.extensions import db
from partnership.public import support
from partnership.public.models import PublicReport
from tests.conftest import TEST_CONFIG
from tests.public.helpers import DESCRIPTION, answers, at_step

PUBLIC_PAGES = ["/safety", "/safety/support", "/safety/report"]
EMERGENCY = [
    'href="tel:999"',
    'href="tel:101"',
    'href="tel:18000"',
    'href="tel:18001101"',
    "999 BSL",
    'href="https://999bsl.co.uk"',
    "This is not for emergencies",
]


def test_public_endpoints_need_no_account(app: Flask) -> None:
    for endpoint in (
        "public.start",
        "public.support_services",
        "public.report",
        "public.exit_page",
    ):
        assert view_rule(app, endpoint) == "public"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_shows_the_emergency_numbers_and_the_exit(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in EMERGENCY:
        assert text in body, text
    assert 'data-module="govuk-exit-this-page"' in body
    assert 'href="/safety/exit"' in body
    assert "govuk-exit-this-page__button" in body
    assert "Exit this page" in body
    assert 'data-i18n.press-two-more-times="Shift, press 2 more times to exit."' in body
    # app.js runs GOV.UK Frontend's initAll, which starts the Shift-three-times listener.
    assert '<script type="module" src="/static/app.js"></script>' in body
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_pages_after_the_first_step_show_the_emergency_numbers(client: FlaskClient) -> None:
    for step in range(1, 7):
        data = answers(step=str(step), action="next" if step < 6 else "send")
        body = client.post("/safety/report", data=data).get_data(as_text=True)
        for text in EMERGENCY:
            assert text in body, (step, text)
        assert 'href="/safety/exit"' in body


def test_app_js_starts_govuk_frontend_components() -> None:
    script = (Path(__file__).parents[2] / "partnership" / "static" / "app.js").read_text()
    assert "initAll()" in script


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_welsh_is_chosen_with_lang(client: FlaskClient, path: str) -> None:
    body = client.get(f"{path}?lang=cy").get_data(as_text=True)
    assert '<html lang="cy"' in body


def test_the_language_link_keeps_the_page(client: FlaskClient) -> None:
    body = client.get("/safety/support").get_data(as_text=True)
    assert 'href="/language/cy?next=/safety/support"' in body
    response = client.get("/language/cy?next=/safety/support")
    assert response.headers["Location"] == "/safety/support"
    assert '<html lang="cy"' in client.get("/safety/support").get_data(as_text=True)


def test_the_start_page_explains_and_offers_support_first(client: FlaskClient) -> None:
    body = client.get("/safety").get_data(as_text=True)
    assert "The police look at every report each day" in body
    assert "sees reports as numbers" in body
    assert "never anything about you" in body
    assert "It is anonymous" in body
    assert 'id="support-link" href="/safety/support"' in body
    assert body.index('id="support-link"') < body.index('id="start-now"')
    assert 'href="/safety/report"' in body


def test_the_support_page_lists_the_services_with_phone_links(client: FlaskClient) -> None:
    body = client.get("/safety/support").get_data(as_text=True)
    for name, tel, shown in [
        ("Live Fear Free helpline", "08088010800", "0808 80 10 800"),
        ("Rape Crisis England &amp; Wales 24/7 Support Line", "08085002222", "0808 500 2222"),
        ("National Domestic Abuse Helpline (Refuge)", "08082000247", "0808 2000 247"),
        ("Victim Support Supportline", "08081689111", "08 08 16 89 111"),
        ("Samaritans", "116123", "116 123"),
        ("National Stalking Helpline (Suzy Lamplugh Trust)", "08088020300", "0808 802 0300"),
    ]:
        assert name in body
        assert f'href="tel:{tel}">{shown}</a>' in body
    assert "Weekdays, see website for hours" in body
    assert "24 hours a day, every day" in body


def test_the_support_page_is_welsh_in_welsh(client: FlaskClient) -> None:
    body = client.get("/safety/support?lang=cy").get_data(as_text=True)
    assert "Llinell gymorth Byw Heb Ofn" in body
    assert "https://www.llyw.cymru/byw-heb-ofn" in body
    assert "24 awr y dydd, bob dydd" in body
    # A service with no Welsh website keeps its English one.
    assert "https://www.victimsupport.org.uk" in body


def test_a_deployment_lists_its_own_services(
    tmp_path: Path, app: Flask, other_app: Callable[..., Flask]
) -> None:
    path = tmp_path / "services.json"
    entry = {
        "name": "Swansea Women's Aid",
        "name_cy": "Cymorth i Fenywod Abertawe",
        "description": "Local help.",
        "description_cy": "Cymorth lleol.",
        "phone": "01792 000000",
        "hours": "Weekdays 9am to 5pm",
        "hours_cy": "Dyddiau'r wythnos 9am i 5pm",
        "website": "https://example.org",
    }
    path.write_text(json.dumps([entry]))
    local = other_app(SUPPORT_SERVICES_FILE=str(path))
    body = local.test_client().get("/safety/support").get_data(as_text=True)
    assert "Swansea Women&#39;s Aid" in body
    assert 'href="tel:01792000000"' in body
    assert "Samaritans" not in body


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (
            [
                {
                    "name": "Helpline A",
                    "name_cy": "Llinell A",
                    "description": "d",
                    "description_cy": "",
                    "phone": "0800 000 000",
                    "hours": "h",
                    "hours_cy": "h",
                    "website": "https://a.example",
                }
            ],
            "entry 1 (Helpline A) has no description_cy",
        ),
        (
            [
                {
                    "name": "Helpline B",
                    "description": "d",
                    "description_cy": "d",
                    "phone": "0800 000 000",
                    "hours": "h",
                    "hours_cy": "h",
                    "website": "https://b.example",
                }
            ],
            "entry 1 (Helpline B) has no name_cy",
        ),
        ("not a list", "must be a JSON list"),
    ],
)
def test_an_incomplete_list_stops_the_portal_starting(
    tmp_path: Path, database_url: str, content: object, named: str
) -> None:
    path = tmp_path / "services.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ConfigError, match=named.replace("(", r"\(").replace(")", r"\)")):
        create_app(
            {**TEST_CONFIG, "DATABASE_URL": database_url, "SUPPORT_SERVICES_FILE": str(path)}
        )


def test_the_built_in_list_is_complete() -> None:
    services = support.load_services({})
    assert len(services) == 6
    assert all(s.name_cy and s.description_cy and s.hours_cy for s in services)


def test_exit_clears_the_session_and_leaves_for_the_exit_url(
    app: Flask,
    other_app: Callable[..., Flask],
) -> None:
    exiting = other_app(EXIT_URL="https://neutral.example/weather")
    client = exiting.test_client()
    client.get("/safety/report?lang=cy")
    assert client.get_cookie("partnership_session") is not None
    response = client.get("/safety/exit")
    assert response.status_code == 303
    assert response.headers["Location"] == "https://neutral.example/weather"
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("partnership_session=;") and "Max-Age=0" in c for c in cookies)
    assert client.get_cookie("partnership_session") is None
    # The language went with the session.
    assert '<html lang="en"' in client.get("/safety").get_data(as_text=True)


def test_a_body_over_the_limit_gets_the_kind_too_large_page(
    app: Flask,
    other_app: Callable[..., Flask],
) -> None:
    small = other_app(MAX_CONTENT_LENGTH=50_000)
    data = answers()
    data["photo"] = (io.BytesIO(b"\xff" * 60_000), "big.jpg")
    response = small.test_client().post("/safety/report", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The photo is too big" in body
    assert "back button" in body
    assert "This is not for emergencies" in body
    assert DESCRIPTION not in body  # nothing was read; the browser keeps the form


def test_the_photo_field_tells_the_script_its_limit(client: FlaskClient) -> None:
    body = client.post("/safety/report", data=answers(step="5", action="next")).get_data(
        as_text=True
    )
    assert 'data-max-bytes="8388608"' in body
    assert 'src="/static/public.js"' in body
    assert 'class="app-honeypot" aria-hidden="true"' in body
    assert 'tabindex="-1" autocomplete="off"' in body


def test_a_session_that_ended_mid_report_keeps_the_answers(
    app: Flask, other_app: Callable[..., Flask]
) -> None:
    """Without its session (Exit pressed in another tab, say) the form's token no longer
    matches: the step comes back with every answer and a fresh token, nothing stored, and
    carrying on works."""
    guarded = other_app(WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    sent = at_step(3, place="Under the railway bridge", csrf_token="stale")
    page = client.post("/safety/report", data=sent)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Your session ended, so nothing has been sent yet." in html
    assert "Under the railway bridge" in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token is not None
    carried_on = client.post("/safety/report", data={**sent, "csrf_token": token.group(1)})
    assert carried_on.status_code == 200
    assert "Your session ended" not in carried_on.get_data(as_text=True)
    with guarded.app_context():
        assert db.session.scalar(select(func.count()).select_from(PublicReport)) == 0
