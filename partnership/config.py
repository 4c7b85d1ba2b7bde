"""Configuration: defaults here, then ``instance/config.py``, then ``PARTNERSHIP_*``
environment variables, then the mapping a test passes to ``create_app``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = ROOT / "instance"

DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 (refused in production)
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration is not safe to run with; the message names the setting."""


class Defaults:
    """Every setting the portal reads, with its development default.

    Each can be overridden in ``instance/config.py`` or by an environment
    variable named ``PARTNERSHIP_<SETTING>``. README.md lists them all.
    """

    ENVIRONMENT = "development"  # development | production
    DEBUG = False
    SECRET_KEY = DEFAULT_SECRET_KEY
    SERVICE_NAME = "Safer Nights"
    DATABASE_URL = ""  # empty: SQLite file instance/partnership.db
    REDIS_URL = ""  # empty: rate-limit counters held in this process only
    # Reverse proxies in front of the portal whose X-Forwarded-For and X-Forwarded-Proto are
    # trusted (0: none, the connection's own address is the client's).
    PROXY_COUNT = 0
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_LIFETIME_HOURS = 12
    MAX_CONTENT_LENGTH = 40 * 1024 * 1024  # five phone photos
    MAX_FORM_MEMORY_SIZE = 500 * 1024
    MAX_FORM_PARTS = 1000
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT_MINUTES = 15
    LOGIN_ADDRESS_LIMIT = "20 per 15 minutes"
    SET_PASSWORD_LINK_HOURS = 72
    MIN_PASSWORD_LENGTH = 12
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    TOTP_ISSUER = ""  # empty: the service name
    AUDIT_PAGE_SIZE = 50
    PHOTO_MAX_BYTES = 8 * 1024 * 1024
    PHOTO_MAX_PIXELS = 40_000_000
    MAP_TILE_URL = ""  # empty: maps draw shapes and markers on a blank background
    MAP_TILE_ATTRIBUTION = ""
    TIMEZONE = "Europe/London"
    SUBJECT_SHARE_NAME_WITH_MEMBERS = False  # True: members see red flag names and aliases
    SUBJECT_SHARE_PHOTO_WITH_MEMBERS = False  # True: members see red flag photos
    # Partnership exclusion notices: how to appeal (empty: the built-in wording, in the
    # reader's language) and the days after issue the appeal must arrive by.
    EXCLUSION_APPEAL_HOW = ""
    EXCLUSION_APPEAL_DAYS = 14
    # Anonymous public reporting: sends allowed per hashed address (Flask-Limiter syntax), the
    # neutral site "Exit this page" leaves for, the support services file (empty: the built-in
    # national list; see docs/public-reporting.md) and the hours before an untriaged report warns.
    PUBLIC_REPORT_LIMIT = "5 per hour"
    EXIT_URL = "https://www.bbc.co.uk/weather"
    SUPPORT_SERVICES_FILE = ""
    TRIAGE_WARNING_HOURS = 24
    # The folder holding pg_dump and pg_restore for `flask backup` (empty: the newest on the
    # PATH or in /usr/lib/postgresql/<version>/bin).
    POSTGRES_BIN = ""
    TESTING = False


# Settings whose values are not plain strings in the environment.
_BOOLEAN_TRUE = {"1", "true", "yes", "on"}
_BOOLEAN_FALSE = {"0", "false", "no", "off", ""}


def settings() -> dict[str, Any]:
    return {k: v for k, v in vars(Defaults).items() if k.isupper()}


def _coerce(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value in _BOOLEAN_TRUE:
            return True
        if value in _BOOLEAN_FALSE:
            return False
        raise ConfigError(f"PARTNERSHIP_{name} must be true or false, not {raw!r}.")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"PARTNERSHIP_{name} must be a whole number, not {raw!r}.") from None
    return raw


def load(
    instance_path: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Merge the four layers and derive the Flask and extension settings."""
    values = settings()
    instance_file = instance_path / "config.py"
    if instance_file.exists():
        namespace: dict[str, Any] = {}
        exec(compile(instance_file.read_text(), str(instance_file), "exec"), namespace)  # noqa: S102
        values.update({k: v for k, v in namespace.items() if k.isupper()})
    for name, default in settings().items():
        raw = environ.get(f"PARTNERSHIP_{name}")
        if raw is not None:
            values[name] = _coerce(name, raw, default)
    if overrides:
        values.update(overrides)
    return derive(values, instance_path)


def derive(values: dict[str, Any], instance_path: Path) -> dict[str, Any]:
    out = dict(values)
    out["SQLALCHEMY_DATABASE_URI"] = database_uri(out["DATABASE_URL"], instance_path)
    out.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    out["RATELIMIT_STORAGE_URI"] = out["REDIS_URL"] or "memory://"
    out["RATELIMIT_HEADERS_ENABLED"] = False
    out["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(out["SESSION_LIFETIME_HOURS"]))
    out["BABEL_DEFAULT_LOCALE"] = "en"
    out["BABEL_DEFAULT_TIMEZONE"] = out["TIMEZONE"]
    out["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    out["WTF_CSRF_TIME_LIMIT"] = None  # the session's own lifetime bounds the token
    out["SESSION_COOKIE_NAME"] = "partnership_session"
    return out


def database_uri(url: str, instance_path: Path) -> str:
    if not url:
        return f"sqlite:///{instance_path / 'partnership.db'}"
    # Plain postgresql:// URLs use the psycopg 3 driver the portal installs.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to start in production with a setting that would make it unsafe."""
    if config.get("ENVIRONMENT") != "production":
        return
    secret = str(config.get("SECRET_KEY") or "")
    if secret == DEFAULT_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is the default or shorter than {MIN_SECRET_KEY_LENGTH} characters: "
            "set PARTNERSHIP_SECRET_KEY to a long random value."
        )
    if config.get("DEBUG"):
        raise ConfigError("DEBUG is on: set PARTNERSHIP_DEBUG=false in production.")
    if not config.get("SESSION_COOKIE_SECURE"):
        raise ConfigError(
            "SESSION_COOKIE_SECURE is off: set PARTNERSHIP_SESSION_COOKIE_SECURE=true "
            "so cookies are only sent over HTTPS."
        )


def environ() -> Mapping[str, str]:
    return os.environ
