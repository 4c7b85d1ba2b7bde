"""Passwords, sign-in, two-factor codes, sessions and set-password links.

Every function here adds and flushes; the view commits once.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import cache
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from sqlalchemy import func, select

from partnership.auth.models import SetPasswordLink, User
from partnership.core import audit
from partnership.core.catalogue import gettext as _
from partnership.core.models import utcnow
from partnership.extensions import db

# A fixed hash to verify against when the email is unknown, so an unknown address
# costs the same time as a wrong password and does not reveal who has an account.
_DUMMY_PASSWORD = "not-a-real-password-" + "x" * 16

COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "password12345",
        "password123456",
        "123456789012",
        "qwertyuiopas",
        "letmein12345",
        "iloveyou1234",
        "welcome12345",
        "saferNights123".lower(),
        "changeme1234",
        "administrator",
        "passwordpassword",
    }
)


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["ARGON2_TIME_COST"],
        memory_cost=current_app.config["ARGON2_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    """An Argon2id hash with the configured cost."""
    return _hasher().hash(password)


def normalise_email(email: str) -> str:
    """Emails are compared and stored trimmed and in lower case."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this email, whatever its case, or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Why a new password is too weak, in the user's language; empty if it is fine."""
    problems: list[str] = []
    minimum = current_app.config["MIN_PASSWORD_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Password must be at least %(n)d characters long", n=minimum))
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 5:
        problems.append(_("Password is too easy to guess: choose a longer phrase"))
    local_part = normalise_email(email).split("@")[0]
    if len(local_part) >= 4 and local_part in lowered:
        problems.append(_("Password must not contain your email address"))
    if name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", ""):
        problems.append(_("Password must not contain your name"))
    return problems


def set_password(user: User, password: str) -> None:
    """Store a new password hash and end every other session the user had."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.rotate_session()


def check_password(user: User, password: str) -> bool:
    """True if ``password`` is the user's; upgrades the hash if the cost has changed."""
    if not user.password_hash:
        return False
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


class LoginOutcome(Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"


@dataclass
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None
    locked_until: datetime | None = None


def is_locked(user: User, now: datetime | None = None) -> bool:
    """True while a lock from repeated failures is in force."""
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def _record_failure(user: User, stage: str) -> None:
    user.failed_logins += 1
    details: dict[str, Any] = {"stage": stage, "failures": user.failed_logins}
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
        user.locked_until = utcnow() + timedelta(minutes=minutes)
        user.failed_logins = 0
        details["locked_minutes"] = minutes
    audit.record("auth.login_failed", actor=user, object_type="user", object_id=user.id, **details)


def check_credentials(email: str, password: str) -> LoginResult:
    """First step of signing in: the password. Counts failures and locks the account.

    A locked, deactivated or unknown account gets the same answer as a wrong
    password (except that a locked account is told to wait), and every failure
    is audited.
    """
    user = find_user_by_email(email)
    if user is None:
        _hasher_verify_dummy(password)
        audit.record("auth.login_failed", actor=None, stage="password", email=email[:254])
        return LoginResult(LoginOutcome.BAD_CREDENTIALS)
    if is_locked(user):
        audit.record("auth.login_refused_locked", actor=user, object_type="user", object_id=user.id)
        return LoginResult(LoginOutcome.LOCKED, user=user, locked_until=user.locked_until)
    if not check_password(user, password) or not user.can_sign_in:
        _record_failure(user, "password" if user.can_sign_in else "inactive")
        if is_locked(user):
            return LoginResult(LoginOutcome.LOCKED, user=user, locked_until=user.locked_until)
        return LoginResult(LoginOutcome.BAD_CREDENTIALS, user=user)
    return LoginResult(LoginOutcome.OK, user=user)


@cache
def _dummy_hash(time_cost: int, memory_cost: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost).hash(_DUMMY_PASSWORD)


def _hasher_verify_dummy(password: str) -> None:
    config = current_app.config
    dummy = _dummy_hash(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"])
    with suppress(VerificationError):
        _hasher().verify(dummy, password)


def complete_login(user: User) -> None:
    """The user has passed every step: reset the failure count and audit the sign-in."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, object_type="user", object_id=user.id)


def sign_out(user: User) -> None:
    """End this and every other session of the user (a copied cookie stops working)."""
    user.rotate_session()
    audit.record("auth.logout", actor=user, object_type="user", object_id=user.id)


# Two-factor codes (RFC 6238: 6 digits, 30-second steps, one step of clock drift allowed).
TOTP_INTERVAL = 30


def new_totp_secret() -> str:
    """A random base32 secret for an authenticator app."""
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    issuer = current_app.config["TOTP_ISSUER"] or current_app.config["SERVICE_NAME"]
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // TOTP_INTERVAL
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * TOTP_INTERVAL), code):
            return step
    return None


def check_totp(user: User, code: str, secret: str | None = None) -> bool:
    """True if ``code`` is valid now and newer than the last code accepted.

    A code is refused if it (or an earlier one) was already used, so a code seen
    over someone's shoulder cannot be replayed. Failures count towards lockout.
    """
    secret = secret or user.totp_secret
    if not secret:
        return False
    step = _matching_step(secret, code, utcnow())
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        _record_failure(user, "two_factor")
        return False
    user.totp_last_step = step
    return True


def enrol_totp(user: User, secret: str, code: str) -> bool:
    """Turn on two-factor sign-in with ``secret`` once the user proves they hold it."""
    if not check_totp(user, code, secret=secret):
        return False
    user.totp_secret = secret
    audit.record("auth.two_factor_enrolled", actor=user, object_type="user", object_id=user.id)
    return True


# One-time set-password links.


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_set_password_link(user: User, created_by: User | None) -> str:
    """Make a one-time link for ``user`` and return its secret token (shown once, never stored).

    Earlier unused links for the same user stop working.
    """
    now = utcnow()
    for link in db.session.scalars(
        select(SetPasswordLink).where(
            SetPasswordLink.user_id == user.id, SetPasswordLink.used_at.is_(None)
        )
    ):
        link.used_at = now
    token = secrets.token_urlsafe(32)
    hours = current_app.config["SET_PASSWORD_LINK_HOURS"]
    db.session.add(
        SetPasswordLink(
            user_id=user.id,
            token_hash=_token_hash(token),
            created_by_id=created_by.id if created_by else None,
            expires_at=now + timedelta(hours=hours),
        )
    )
    audit.record(
        "user.set_password_link_created", actor=created_by, object_type="user", object_id=user.id
    )
    return token


def find_set_password_link(token: str) -> SetPasswordLink | None:
    """The link for ``token`` if it exists, is unused and has not expired."""
    link = db.session.scalar(
        select(SetPasswordLink).where(SetPasswordLink.token_hash == _token_hash(token))
    )
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    if not link.user.can_sign_in:
        return None
    return link


def use_set_password_link(link: SetPasswordLink, password: str) -> None:
    """Set the password and spend the link; it cannot be used again."""
    link.used_at = utcnow()
    user = link.user
    set_password(user, password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record("user.password_set", actor=user, object_type="user", object_id=user.id)


def change_password(user: User, new_password: str) -> None:
    """Change the password (the form has checked the current one) and end other sessions."""
    set_password(user, new_password)
    audit.record("user.password_changed", actor=user, object_type="user", object_id=user.id)


def change_locale(user: User, locale: str) -> None:
    """Save the user's language, audited when it changes."""
    if user.locale != locale:
        audit.record(
            "user.locale_changed",
            actor=user,
            object_type="user",
            object_id=user.id,
            old=user.locale,
            new=locale,
        )
        user.locale = locale
