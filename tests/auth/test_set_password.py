"""One-time set-password links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from partnership.auth.models import SetPasswordLink, User
from partnership.core.enums import Role
from partnership.core.models import utcnow
from tests.conftest import events, reload, sign_in, update

MakeUser = Callable[..., User]
NEW = "a long and memorable phrase"


def new_link(app: Flask, user: User) -> str:
    from partnership.auth import service

    with app.test_request_context():
        token = service.create_set_password_link(reload(app, user), None)
        from partnership.extensions import db

        db.session.commit()
    return f"/auth/set-password/{token}"


def test_a_link_sets_the_password_once(app: Flask, make_user: MakeUser) -> None:
    user = make_user(Role.WELFARE, password=None)
    link = new_link(app, user)
    client = app.test_client()
    assert client.get(link).status_code == 200
    response = client.post(link, data={"new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert sign_in(app.test_client(), user, password=NEW).status_code == 302
    assert events(app, "user.password_set")

    again = client.get(link)
    assert again.status_code == 404
    assert "This link does not work" in again.get_data(as_text=True)
    assert (
        client.post(link, data={"new_password": "x" * 20, "confirm": "x" * 20}).status_code == 404
    )


def test_an_expired_link_does_not_work(app: Flask, make_user: MakeUser) -> None:
    user = make_user(Role.WELFARE, password=None)
    link = new_link(app, user)
    with app.app_context():
        from sqlalchemy import func, select

        from partnership.extensions import db

        link_id = db.session.scalar(select(func.max(SetPasswordLink.id)))
    update(app, SetPasswordLink, link_id, expires_at=utcnow() - timedelta(minutes=1))
    assert app.test_client().get(link).status_code == 404


def test_a_new_link_cancels_the_old_one(app: Flask, make_user: MakeUser) -> None:
    user = make_user(Role.WELFARE, password=None)
    first = new_link(app, user)
    second = new_link(app, user)
    client = app.test_client()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_weak_or_mismatched_password_is_refused_and_the_link_still_works(
    app: Flask, make_user: MakeUser
) -> None:
    user = make_user(Role.WELFARE, password=None)
    link = new_link(app, user)
    client = app.test_client()
    page = client.post(link, data={"new_password": "short", "confirm": "short"}).get_data(
        as_text=True
    )
    assert "at least 12 characters" in page
    page = client.post(link, data={"new_password": NEW, "confirm": NEW + "x"}).get_data(
        as_text=True
    )
    assert "The passwords do not match" in page
    assert reload(app, user).password_hash is None
    assert client.post(link, data={"new_password": NEW, "confirm": NEW}).status_code == 302


def test_a_made_up_token_is_not_found(app: Flask) -> None:
    assert app.test_client().get("/auth/set-password/made-up-token").status_code == 404
