"""Headers, request limits, error pages and CSRF."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from partnership.auth import service as auth_service
from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.extensions import db
from tests.conftest import events, reload, welsh
from tests.factories import PASSWORD


def test_every_page_carries_a_strict_policy(client: FlaskClient) -> None:
    response = client.get("/auth/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.get_data(as_text=True)  # no inline script anywhere


def test_signed_in_pages_are_never_cached(
    client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.WELFARE)
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"
    with client.get("/static/app.js") as static:
        assert static.headers.get("Cache-Control") != "no-store"


def test_session_cookie_is_http_only(app: Flask, make_user: Callable[..., User]) -> None:
    client = app.test_client()
    user = make_user(Role.WELFARE)
    response = client.post(
        "/auth/login", data={"email": user.email, "password": "correct horse battery staple"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_oversize_request_is_refused_in_the_users_language_and_saves_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    login_as(Role.ADMIN)
    with app.app_context():
        before = db.session.scalar(select(func.count(User.id)))
    huge = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/admin/users/new?lang=cy",
        data={"name": huge, "email": "big@example.org", "role": "welfare"},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert welsh(app, "The file or form you sent is too large") in page
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == before


@pytest.mark.parametrize("locale", ["en", "cy"])
def test_not_found_page_in_each_language(app: Flask, client: FlaskClient, locale: str) -> None:
    response = client.get(f"/no-such-page?lang={locale}")
    assert response.status_code == 404
    expected = "Page not found" if locale == "en" else welsh(app, "Page not found")
    assert expected in response.get_data(as_text=True)


def test_a_refused_page_is_audited(
    app: Flask, client: FlaskClient, login_as: Callable[..., User]
) -> None:
    user = login_as(Role.PREMISES_STAFF)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)
    (event,) = events(app, "access.denied")
    assert event.actor_id == user.id
    assert event.details["endpoint"] == "admin.users"


@pytest.fixture
def failing_app(other_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = other_app(TESTING=False)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    boom.is_public = True  # type: ignore[attr-defined]
    yield app


def test_a_server_error_shows_a_plain_page_without_a_stack_trace(failing_app: Flask) -> None:
    for locale in ("en", "cy"):
        response = failing_app.test_client().get(f"/boom?lang={locale}")
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Traceback" not in page and "hunter2" not in page
        assert f'<html lang="{locale}"' in page
    assert "Sorry, there is a problem with the service" in (
        failing_app.test_client().get("/boom").get_data(as_text=True)
    )


def test_forms_need_a_csrf_token(
    other_app: Callable[..., Flask], make_user: Callable[..., User]
) -> None:
    app = other_app(WTF_CSRF_ENABLED=True)
    user = make_user(Role.WELFARE)
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # nobody is signed in

    page = client.get("/auth/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery staple", "csrf_token": token},
    )
    assert response.status_code == 302
    # Sign-out without a token is refused.
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


def test_pages_with_a_secret_are_never_kept_by_a_browser(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """The two-factor set-up (its key and QR code), the two-factor page and the
    set-password page hold secrets before anyone is signed in: no-store, as every page."""
    newcomer = make_user(Role.OFFICER, two_factor=False)
    client = app.test_client()
    client.post("/auth/login", data={"email": newcomer.email, "password": PASSWORD})
    setup = client.get("/auth/two-factor/setup")
    assert "QR code" in setup.get_data(as_text=True)
    enrolled = make_user(Role.OFFICER)
    other = app.test_client()
    other.post("/auth/login", data={"email": enrolled.email, "password": PASSWORD})
    code_page = other.get("/auth/two-factor")
    with app.app_context():
        token = auth_service.create_set_password_link(reload(app, newcomer), None)
        db.session.commit()
    link_page = app.test_client().get(f"/auth/set-password/{token}")
    login_page = app.test_client().get("/auth/login")
    for response in (setup, code_page, link_page, login_page):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
