import os
import secrets
import subprocess
import sys
from pathlib import Path

import click
import pytest

from partnership import create_app
from partnership.config import DEFAULT_SECRET_KEY, ConfigError, load

GOOD_SECRET = "a-long-random-production-secret-key-0123456789"
PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": GOOD_SECRET,
    "DEBUG": False,
    "SESSION_COOKIE_SECURE": True,
    "DATABASE_URL": "sqlite://",
}


def test_production_starts_with_safe_settings() -> None:
    app = create_app(PRODUCTION)
    assert app.config["ENVIRONMENT"] == "production"


@pytest.mark.parametrize("secret", [DEFAULT_SECRET_KEY, "short-but-not-default", ""])
def test_production_refuses_a_default_or_short_secret_key(secret: str) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({**PRODUCTION, "SECRET_KEY": secret})


def test_production_refuses_debug() -> None:
    with pytest.raises(ConfigError, match="DEBUG"):
        create_app({**PRODUCTION, "DEBUG": True})


def test_production_refuses_cookies_not_marked_secure() -> None:
    with pytest.raises(ConfigError, match="SESSION_COOKIE_SECURE"):
        create_app({**PRODUCTION, "SESSION_COOKIE_SECURE": False})


def test_development_starts_with_the_defaults() -> None:
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY
    assert app.config["SERVICE_NAME"] == "Safer Nights"


def test_layers_override_in_order(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text(
        'SERVICE_NAME = "From instance"\nLOGIN_MAX_FAILURES = 7\nSESSION_LIFETIME_HOURS = 4\n'
    )
    environ = {
        "PARTNERSHIP_LOGIN_MAX_FAILURES": "9",
        "PARTNERSHIP_SESSION_COOKIE_SECURE": "true",
        "PARTNERSHIP_REDIS_URL": "redis://127.0.0.1:6379/3",
        "PARTNERSHIP_DATABASE_URL": "postgresql://portal@db.internal/portal",
    }
    config = load(tmp_path, environ, {"SESSION_LIFETIME_HOURS": 2})
    assert config["SERVICE_NAME"] == "From instance"
    assert config["LOGIN_MAX_FAILURES"] == 9  # environment beats instance/config.py
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 2 * 3600  # test mapping wins
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://portal@db.internal/portal"


def test_sqlite_in_the_instance_folder_by_default(tmp_path: Path) -> None:
    config = load(tmp_path, {}, None)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'partnership.db'}"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PARTNERSHIP_DEBUG", "perhaps", "true or false"),
        ("PARTNERSHIP_LOGIN_MAX_FAILURES", "five", "whole number"),
    ],
)
def test_bad_environment_values_are_named(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        load(tmp_path, {name: value}, None)
    assert name in str(error.value)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    from sqlalchemy import text

    from partnership.extensions import db

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


@pytest.mark.parametrize(
    "secret", ["x" * 32, "abcd" * 8, "abcdefgh" * 4, "0123456789" * 4, "passwordpassword" * 2]
)
def test_production_refuses_a_secret_key_with_little_randomness(secret: str) -> None:
    with pytest.raises(ConfigError, match="not random enough"):
        create_app({**PRODUCTION, "SECRET_KEY": secret})


@pytest.mark.slow
def test_production_takes_keys_as_the_readme_makes_them() -> None:
    for _ in range(50):
        create_app({**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(48)})
        create_app({**PRODUCTION, "SECRET_KEY": secrets.token_hex(32)})


def test_production_refuses_the_debugger_whatever_asks_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")  # what `flask --debug run` sets
    with pytest.raises(ConfigError, match="debugger"):
        create_app(PRODUCTION)
    monkeypatch.delenv("FLASK_DEBUG")
    # `flask run --debugger` without --debug: the app is made inside the run command.
    with click.Context(click.Command("run"), info_name="run") as context:
        context.params["debugger"] = True
        with pytest.raises(ConfigError, match="debugger"):
            create_app(PRODUCTION)
        context.params["debugger"] = False
        create_app(PRODUCTION)


def test_flask_debug_run_in_production_does_not_serve_the_debugger(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERSHIP_", "FLASK_"))}
    env.update(
        FLASK_APP="partnership",
        PARTNERSHIP_INSTANCE_PATH=str(tmp_path),
        PARTNERSHIP_ENVIRONMENT="production",
        PARTNERSHIP_SECRET_KEY=secrets.token_urlsafe(48),
        PARTNERSHIP_SESSION_COOKIE_SECURE="true",
    )
    flask = Path(sys.executable).parent / "flask"
    done = subprocess.run(
        [str(flask), "--debug", "run", "--port", "0", "--no-reload"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "debugger is on" in done.stderr
    assert "Debugger is active" not in done.stderr + done.stdout


def test_hsts_is_sent_in_production_only_and_can_be_changed() -> None:
    production = create_app(PRODUCTION).test_client().get("/healthz")
    assert production.headers["Strict-Transport-Security"] == "max-age=31536000"
    longer = create_app({**PRODUCTION, "HSTS_MAX_AGE": 63072000, "HSTS_INCLUDE_SUBDOMAINS": True})
    assert (
        longer.test_client().get("/healthz").headers["Strict-Transport-Security"]
        == "max-age=63072000; includeSubDomains"
    )
    off = create_app({**PRODUCTION, "HSTS_MAX_AGE": 0}).test_client().get("/healthz")
    assert "Strict-Transport-Security" not in off.headers
    development = create_app({"DATABASE_URL": "sqlite://"}).test_client().get("/healthz")
    assert "Strict-Transport-Security" not in development.headers


def test_a_session_store_that_cannot_work_is_named() -> None:
    with pytest.raises(ConfigError, match="SESSION_STORE"):
        create_app({"DATABASE_URL": "sqlite://", "SESSION_STORE": "files"})
    with pytest.raises(ConfigError, match="REDIS_URL"):
        create_app({"DATABASE_URL": "sqlite://", "SESSION_STORE": "redis"})
