from pathlib import Path

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
