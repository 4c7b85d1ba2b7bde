"""The audit trail: one call, append-only, and the administrator's view of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from partnership.auth.models import User
from partnership.core import audit
from partnership.core.enums import Role
from partnership.core.models import AuditEvent
from partnership.extensions import db
from tests.conftest import events, reload


def test_record_keeps_who_their_organisation_what_and_why(
    app: Flask, make_user: Callable[..., User]
) -> None:
    officer = make_user(Role.OFFICER)
    with app.test_request_context("/subjects/7"):
        audit.record(
            "subject.viewed",
            actor=reload(app, officer),
            object_type="subject",
            object_id=7,
            justification="Checking before tonight's briefing",
            reason="briefing",
        )
        db.session.commit()
    (saved,) = [e for e in events(app) if e.action == "subject.viewed"]
    assert saved.actor_email == officer.email
    assert saved.organisation_name == officer.organisation.name
    assert (saved.object_type, saved.object_id) == ("subject", "7")
    assert saved.justification == "Checking before tonight's briefing"
    assert saved.details == {"reason": "briefing", "path": "/subjects/7"}
    assert saved.created_at.tzinfo is not None


def test_events_cannot_be_changed_or_deleted(app: Flask) -> None:
    with app.app_context():
        audit.record("test.event", actor=None)
        db.session.commit()
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.event"))
        assert event is not None
        event.action = "something.else"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, event.id))
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()


def test_the_log_filters_by_action_person_and_date_and_pages(
    app: Flask, client: FlaskClient, login_as: Callable[..., User], make_user: Callable[..., User]
) -> None:
    admin = login_as(Role.ADMIN)
    someone = make_user(Role.WELFARE)
    with app.app_context():
        for number in range(60):
            audit.record("test.bulk", actor=None, number=number)
        audit.record("test.old", actor=reload(app, someone))
        db.session.commit()
        old_id = db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "test.old"))
    with app.app_context():
        db.session.execute(
            AuditEvent.__table__.update()
            .where(AuditEvent.id == old_id)
            .values(created_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
        )
        db.session.commit()

    page = client.get("/admin/audit?action=test.bulk").get_data(as_text=True)
    assert "60 events" in page and "test.old" not in page and "?action=test.bulk&amp;page=2" in page
    assert client.get("/admin/audit?action=test.bulk&page=2").status_code == 200
    page = client.get(f"/admin/audit?actor={someone.email}").get_data(as_text=True)
    assert "1 event" in page and "test.old" in page
    page = client.get("/admin/audit?date_from=2026-01-15&date_to=2026-01-15").get_data(as_text=True)
    assert "test.old" in page and "test.bulk" not in page
    bad = client.get("/admin/audit?date_from=15/01/2026")
    assert bad.status_code == 200 and "Not a valid date value" in bad.get_data(as_text=True)
    viewed = events(app, "audit.viewed")
    assert viewed and viewed[-1].actor_id == admin.id
