"""What every benchmark starts from: an app on a fresh database and a police officer."""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from partnership import create_app
from partnership.admin import service as admin_service
from partnership.auth.models import User
from partnership.core.enums import OrgKind, Rank, Role
from partnership.extensions import db


def bench_app(url: str) -> Flask:
    """An app on ``url`` with every table dropped and made again (empty)."""
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "WTF_CSRF_ENABLED": False, "TESTING": True}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    return app


def bench_officer(name: str = "Bench") -> User:
    """A constable in a police force of their own (inside an app context)."""
    police = admin_service.create_organisation(None, "Bench Police", OrgKind.POLICE)
    return admin_service.create_user(
        None,
        name=name,
        email="bench@example.org",
        organisation=police,
        role=Role.OFFICER,
        rank=Rank.CONSTABLE,
        password="bench-password-123",
    ).user
