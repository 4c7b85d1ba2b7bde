"""References people quote: numbered afresh each year, one more than the highest."""

from __future__ import annotations

from flask import Flask

from partnership.core.enums import Role
from partnership.core.references import next_reference
from partnership.extensions import db
from partnership.subjects.models import Subject
from tests.factories import make_user
from tests.subjects.factories import add_subject


def test_the_next_reference_counts_past_9999(app: Flask) -> None:
    officer = make_user(app, Role.OFFICER)
    for reference in ("RF-2026-0001", "RF-2026-9998", "RF-2026-9999", "RF-2025-12345"):
        add_subject(app, officer, reference=reference)
    with app.app_context():
        assert next_reference(Subject, "RF", 2026) == "RF-2026-10000"
        assert next_reference(Subject, "RF", 2027) == "RF-2027-0001"
    add_subject(app, officer, reference="RF-2026-10000")
    with app.app_context():
        assert next_reference(Subject, "RF", 2026) == "RF-2026-10001"
        assert next_reference(Subject, "RF", 2025) == "RF-2025-12346"
        db.session.rollback()
