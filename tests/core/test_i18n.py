"""English and Welsh: choosing the language, and every page in both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, format_datetime
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.core.i18n import local_datetime
from tests.conftest import reload, welsh


def lang(page: str) -> str:
    return page.split('<html lang="')[1].split('"')[0]


def test_english_is_the_default(client: FlaskClient) -> None:
    assert lang(client.get("/auth/login").get_data(as_text=True)) == "en"


def test_accept_language_chooses_welsh(app: Flask, client: FlaskClient) -> None:
    page = client.get("/auth/login", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert lang(text) == "cy"
    assert welsh(app, "Sign in") in text


def test_query_parameter_beats_accept_language_and_sticks(client: FlaskClient) -> None:
    headers = {"Accept-Language": "cy"}
    assert lang(client.get("/auth/login?lang=en", headers=headers).get_data(as_text=True)) == "en"
    assert lang(client.get("/auth/login", headers=headers).get_data(as_text=True)) == "en"


def test_a_language_that_is_not_offered_is_explained_in_the_users_language(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/auth/login?lang=fr").get_data(as_text=True)
    assert lang(page) == "en"
    assert "That language is not available. Choose English or Cymraeg." in page
    client.get("/auth/login?lang=cy")
    page = client.get("/auth/login?lang=xx").get_data(as_text=True)
    assert lang(page) == "cy"
    assert escape(welsh(app, "That language is not available. Choose English or Cymraeg.")) in page


def test_the_language_link_switches_and_returns_to_the_page(client: FlaskClient) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/language/cy?next=/auth/login"' in page
    response = client.get("/language/cy?next=/auth/login")
    assert response.headers["Location"] == "/auth/login"
    assert lang(client.get("/auth/login").get_data(as_text=True)) == "cy"
    assert 'href="/language/en?next=/auth/login"' in client.get("/auth/login").get_data(
        as_text=True
    )


def test_the_language_link_refuses_other_sites_and_unknown_languages(
    client: FlaskClient,
) -> None:
    response = client.get("/language/cy?next=https://evil.example/")
    assert response.headers["Location"] == "/"  # switched, but stays on this site
    client.get("/language/en")
    response = client.get("/language/de?next=/auth/login")
    assert response.headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert lang(page) == "en"
    assert "That language is not available" in page


def test_the_users_choice_is_saved_and_used_at_sign_in(
    app: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.WELFARE, locale="cy")
    client = app.test_client()
    client.post(
        "/auth/login", data={"email": user.email, "password": "correct horse battery staple"}
    )
    assert lang(client.get("/dashboard").get_data(as_text=True)) == "cy"

    client.get("/language/en?next=/dashboard")
    assert reload(app, user).locale == "en"
    response = client.post("/auth/account/language", data={"locale": "cy"})
    assert response.status_code == 302
    assert reload(app, user).locale == "cy"
    bad = client.post("/auth/account/language", data={"locale": "fr"})
    assert bad.status_code == 400
    assert reload(app, user).locale == "cy"


PAGES_BY_ROLE = {
    None: ["/auth/login", "/no-such-page"],
    Role.PREMISES_STAFF: ["/dashboard", "/auth/account"],
    Role.ADMIN: [
        "/dashboard",
        "/admin/users",
        "/admin/users/new",
        "/admin/organisations",
        "/admin/organisations/new",
        "/admin/audit",
    ],
}


@pytest.mark.parametrize("locale", ["en", "cy"])
@pytest.mark.parametrize("role", list(PAGES_BY_ROLE), ids=lambda r: r.value if r else "anonymous")
def test_pages_render_in_each_language_with_the_right_lang(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    role: Role | None,
    locale: str,
) -> None:
    if role is not None:
        login_as(role)
    for path in PAGES_BY_ROLE[role]:
        response = client.get(f"{path}?lang={locale}")
        page = response.get_data(as_text=True)
        assert lang(page) == locale, path
        assert response.status_code in (200, 404)
        if locale == "cy":
            assert welsh(app, "Skip to main content") in page
            assert "Skip to main content" not in page


def test_moments_are_shown_in_london_time_in_the_users_language(app: Flask) -> None:
    summer = datetime(2026, 7, 3, 23, 30, tzinfo=UTC)
    with app.test_request_context():
        assert local_datetime(summer) == "4 July 2026, 00:30"
        with force_locale("cy"):
            assert local_datetime(summer) == "4 Gorffennaf 2026, 00:30"
    winter = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    with app.test_request_context():
        assert local_datetime(winter) == "31 December 2026, 23:30"


@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)
    ),
    language=st.sampled_from(["en", "cy"]),
    pattern=st.sampled_from(["d MMMM yyyy, HH:mm", "HH:mm", "EEEE d MMMM yyyy, h:mm a"]),
)
def test_local_datetime_reads_as_flask_babel_formats_it(
    app: Flask, moment: datetime, language: str, pattern: str
) -> None:
    # Up to 2037: beyond it Flask-Babel's time zone data has no more clock changes, while
    # the portal's (zoneinfo) keeps British Summer Time.
    with app.test_request_context("/"), force_locale(language):
        assert local_datetime(moment, pattern) == format_datetime(moment, pattern)
        assert local_datetime(moment.replace(tzinfo=None), pattern) == format_datetime(
            moment, pattern
        )
