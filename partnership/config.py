"""Configuration: defaults here, then ``instance/config.py``, then ``PARTNERSHIP_*``
environment variables, then the mapping a test passes to ``create_app``."""

from __future__ import annotations

import math
import os
import zlib
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from partnership.core.redis import options

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = ROOT / "instance"

DEFAULT_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 (refused in production)
MIN_SECRET_KEY_LENGTH = 32
# At least this estimated randomness (see secret_key_bits): a random 32-character hex key
# scores 100 to 125, a 32-character URL-safe key about 150.
MIN_SECRET_KEY_BITS = 90
SESSION_STORES = ("database", "redis")


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
    # Seconds Redis has to connect or answer before the portal goes on without it. A request
    # meets it at most twice (the limiter's first failure, then its check whether Redis is
    # back), so a hung Redis costs a request at most 0.6 s; Redis on a network answers in
    # about a millisecond.
    REDIS_TIMEOUT_SECONDS = 0.3
    # Where sessions live: "database" (the default, also with Redis configured) or "redis".
    SESSION_STORE = "database"
    # Reverse proxies in front of the portal whose X-Forwarded-For and X-Forwarded-Proto are
    # trusted (0: none, the connection's own address is the client's).
    PROXY_COUNT = 0
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_LIFETIME_HOURS = 12
    # Strict-Transport-Security in production: seconds browsers keep to HTTPS (0: not sent).
    HSTS_MAX_AGE = 31_536_000
    HSTS_INCLUDE_SUBDOMAINS = False
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
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"PARTNERSHIP_{name} must be a number, not {raw!r}.") from None
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
    if out["REDIS_URL"]:
        out["RATELIMIT_STORAGE_OPTIONS"] = options(out)
        # Redis down or slow: count in this process (a warning is logged) and go on.
        out["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    out["SESSION_REFRESH_EACH_REQUEST"] = False  # written when it changes, not on every page
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


def secret_key_bits(secret: str) -> float:
    """A cautious estimate of the randomness in ``secret``, in bits: its length times the
    Shannon entropy of its own characters. A random key scores close to its real strength
    (``secrets.token_urlsafe(48)``: about 370); repeated or patterned text scores low
    (32 identical characters: 0; "abcd" eight times: 64)."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    total = len(secret)
    per_character = -sum(n / total * math.log2(n / total) for n in counts.values())
    return per_character * total


def _repeats_itself(secret: str) -> bool:
    # A repeated pattern ("abcdefgh" four times) has varied characters but compresses away.
    data = secret.encode()
    return len(zlib.compress(data, 9)) < len(data) * 0.6


def check(config: Mapping[str, Any]) -> None:
    """Refuse settings that cannot work in any environment."""
    store = config.get("SESSION_STORE")
    if store not in SESSION_STORES:
        raise ConfigError(f"SESSION_STORE must be database or redis, not {store!r}.")
    if store == "redis" and not config.get("REDIS_URL"):
        raise ConfigError(
            "SESSION_STORE is redis but REDIS_URL is empty: set PARTNERSHIP_REDIS_URL."
        )


def check_production(config: Mapping[str, Any], debugger: bool = False) -> None:
    """Refuse to start in production with a setting that would make it unsafe.

    ``debugger`` is whether the command serving the app asked for Werkzeug's debugger
    (``flask --debug run``, ``flask run --debugger``): it runs code typed into a browser.
    """
    if config.get("ENVIRONMENT") != "production":
        return
    secret = str(config.get("SECRET_KEY") or "")
    if secret == DEFAULT_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is the default or shorter than {MIN_SECRET_KEY_LENGTH} characters: "
            "set PARTNERSHIP_SECRET_KEY to a long random value."
        )
    if secret_key_bits(secret) < MIN_SECRET_KEY_BITS or _repeats_itself(secret):
        raise ConfigError(
            "SECRET_KEY is not random enough (repeated or patterned characters): set "
            "PARTNERSHIP_SECRET_KEY to a long random value, e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    if config.get("DEBUG") or debugger:
        raise ConfigError(
            "The debugger is on (DEBUG, FLASK_DEBUG, --debug or --debugger): it is refused "
            "in production. Serve the portal with gunicorn."
        )
    if not config.get("SESSION_COOKIE_SECURE"):
        raise ConfigError(
            "SESSION_COOKIE_SECURE is off: set PARTNERSHIP_SESSION_COOKIE_SECURE=true "
            "so cookies are only sent over HTTPS."
        )


def environ() -> Mapping[str, str]:
    return os.environ
