"""Organisations, the people who sign in, and their one-time set-password links."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from partnership.core.enums import OrgKind, Rank, Role
from partnership.core.locking import Versioned
from partnership.core.models import UTCDateTime, utcnow
from partnership.extensions import db


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Organisation(Versioned, db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def kind_enum(self) -> OrgKind:
        return OrgKind(self.kind)

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r} {self.kind}>"


class User(Versioned, db.Model):  # type: ignore[name-defined]
    """A person who signs in. Flask-Login identifies them by ``session_token``,
    which changes on sign-out, password change and deactivation, so every copy of
    an old session cookie stops working at once."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_organisation_id", "organisation_id"),)
    # Signing in, and the person's own password, language and authenticator, are not edits
    # of the account by its managers: they move no version on.
    unversioned = Versioned.unversioned | {
        "password_hash",
        "password_changed_at",
        "session_token",
        "totp_secret",
        "totp_last_step",
        "failed_logins",
        "locked_until",
        "last_login_at",
        "locale",
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(30))
    rank: Mapped[str | None] = mapped_column(String(20))
    designated_pcso: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last 30-second TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    @property
    def can_sign_in(self) -> bool:
        """Active, in an active organisation: deactivating either ends every session."""
        return self.active and self.organisation.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def rank_enum(self) -> Rank | None:
        return Rank(self.rank) if self.rank else None

    @property
    def needs_two_factor(self) -> bool:
        return self.role_enum.needs_two_factor

    @property
    def is_police(self) -> bool:
        return self.role_enum.is_police

    def rotate_session(self) -> None:
        """End every session this user has: old cookies no longer match."""
        self.session_token = new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class SetPasswordLink(db.Model):  # type: ignore[name-defined]
    """A one-time link to choose a password. Only a hash of the token is kept."""

    __tablename__ = "set_password_links"
    __table_args__ = (Index("ix_set_password_links_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
