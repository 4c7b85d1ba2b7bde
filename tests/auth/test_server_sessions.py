"""Sessions are kept on the server: the cookie is a random id and nothing else; what a
session holds lives in the database (or Redis); the id and the form token change at
sign-in; sign-out and "Exit this page" end the server session."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import msgspec
import pyotp
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.core.enums import Role
from partnership.core.models import ServerSession
from partnership.extensions import db
from tests.factories import PASSWORD

MakeUser = Callable[..., User]
COOKIE = "partnership_session"
MACHINE_REDIS = "redis://127.0.0.1:6379/15"


def cookie(client: FlaskClient) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return found.value


def stored(app: Flask, sid: str) -> dict[str, object] | None:
    with app.app_context():
        row = db.session.scalar(select(ServerSession).where(ServerSession.session_id == sid))
        if row is None:
            return None
        data: dict[str, object] = msgspec.msgpack.decode(row.data)
        return data


def rows(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(ServerSession.id))) or 0)


def token_of(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_the_cookie_is_a_random_id_and_the_pending_sign_in_stays_on_the_server(
    app: Flask, make_user: MakeUser
) -> None:
    officer = make_user(Role.OFFICER)
    client = app.test_client()
    response = client.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/auth/two-factor")
    sid = cookie(client)
    # 32 random bytes, URL-safe: no signature, no data, nothing to read or forge.
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", sid)
    assert "." not in sid
    held = stored(app, sid)
    assert held is not None
    assert held["pending_login"]["token"] == officer.session_token  # type: ignore[index]


def test_the_session_id_changes_at_each_step_of_signing_in(app: Flask, make_user: MakeUser) -> None:
    officer = make_user(Role.OFFICER)
    client = app.test_client()
    client.get("/auth/login?lang=en")  # a session holding a language
    before = cookie(client)
    client.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    pending = cookie(client)
    client.post("/auth/two-factor", data={"code": pyotp.TOTP(officer.totp_secret).now()})
    signed_in = cookie(client)
    assert len({before, pending, signed_in}) == 3
    assert stored(app, before) is None and stored(app, pending) is None
    assert stored(app, signed_in) is not None
    assert client.get("/dashboard").status_code == 200
    # Someone who fixed the first id in this browser holds nothing.
    stranger = app.test_client()
    stranger.set_cookie(COOKIE, before)
    assert stranger.get("/dashboard").status_code == 302


def test_a_form_token_taken_before_signing_in_does_not_work_after(
    other_app: Callable[..., Flask], make_user: MakeUser
) -> None:
    app = other_app(WTF_CSRF_ENABLED=True)
    user = make_user(Role.WELFARE)
    client = app.test_client()
    early = token_of(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": early}
    )
    assert response.status_code == 302
    # The token from before signing in no longer signs anything.
    assert client.post("/auth/logout", data={"csrf_token": early}).status_code == 400
    assert client.get("/dashboard").status_code == 200
    fresh = token_of(client.get("/auth/account").get_data(as_text=True))
    assert fresh != early
    assert client.post("/auth/logout", data={"csrf_token": fresh}).status_code == 302


def test_signing_out_deletes_the_server_session(app: Flask, make_user: MakeUser) -> None:
    user = make_user(Role.WELFARE)
    client = app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    signed_in = cookie(client)
    assert stored(app, signed_in) is not None
    client.post("/auth/logout")
    assert stored(app, signed_in) is None
    assert cookie(client) != signed_in


def test_exit_this_page_deletes_the_server_session_and_its_cookies(
    app: Flask, client: FlaskClient
) -> None:
    client.get("/safety/report?lang=cy")  # a form token and a language: a stored session
    sid = cookie(client)
    assert stored(app, sid) is not None
    assert client.get_cookie("partnership_lang") is not None
    response = client.get("/safety/exit")
    assert response.status_code == 303
    assert stored(app, sid) is None
    assert client.get_cookie(COOKIE) is None
    assert client.get_cookie("partnership_lang") is None


def test_a_page_that_stores_nothing_makes_no_session(app: Flask, client: FlaskClient) -> None:
    before = rows(app)
    client.get("/healthz")
    client.get("/safety")
    assert rows(app) == before
    assert client.get_cookie(COOKIE) is None


def test_expired_sessions_are_not_read_and_the_clean_up_deletes_them(
    app: Flask, make_user: MakeUser
) -> None:
    user = make_user(Role.WELFARE)
    client = app.test_client()
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    sid = cookie(client)
    with app.app_context():
        row = db.session.scalar(select(ServerSession).where(ServerSession.session_id == sid))
        assert row is not None
        row.expires_at = row.expires_at.replace(year=2020)
        db.session.commit()
    assert client.get("/dashboard").status_code == 302
    assert rows(app) == 2  # the expired one, and the new one saying "Sign in"
    result = app.test_cli_runner().invoke(args=["session_cleanup"])
    assert result.exit_code == 0, result.output
    assert rows(app) == 1
    assert stored(app, sid) is None


def test_sessions_can_live_in_redis(other_app: Callable[..., Flask], make_user: MakeUser) -> None:
    prefix = f"test-{uuid.uuid4().hex}:"
    app = other_app(REDIS_URL=MACHINE_REDIS, SESSION_STORE="redis")
    app.session_interface.key_prefix = prefix  # type: ignore[attr-defined]
    server = redis.Redis.from_url(MACHINE_REDIS)
    try:
        before = rows(app)
        user = make_user(Role.WELFARE)
        client = app.test_client()
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        sid = cookie(client)
        assert server.exists(prefix + sid)
        assert 0 < server.ttl(prefix + sid) <= 12 * 3600
        assert client.get("/dashboard").status_code == 200
        client.post("/auth/logout")
        assert not server.exists(prefix + sid)
        assert rows(app) == before  # nothing went to the database
    finally:
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)
        server.close()
