"""Subjects, their notes and links made straight in the database, as other people would
have made them: the subjects' forms are tested on their own; these stand in for them
elsewhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from partnership.auth.models import User
from partnership.extensions import db
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink

NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)  # Friday night, 00:45 GMT


def add_subject(
    app: Flask,
    officer: User,
    *notes: str,
    review_on: date | None = None,
    description: str = "Man who hangs around the toilets",
    name: str = "Canary Name",
    reference: str | None = None,
    **described: Any,
) -> tuple[int, str]:
    """A subject recorded by ``officer``; each of ``notes`` is a sharing level
    ("police" or "partnership") for a note due for review on ``review_on``. The reference
    counts the subjects unless given."""
    with app.app_context():
        number = (db.session.scalar(select(func.count()).select_from(Subject)) or 0) + 1
        subject = Subject(
            reference=reference or f"RF-2026-{number:04d}",
            description=description,
            name=name,
            organisation_id=officer.organisation_id,
            created_by_id=officer.id,
            **described,
        )
        for sharing in notes:
            subject.notes.append(
                RedFlagNote(
                    author_id=officer.id,
                    organisation_id=officer.organisation_id,
                    text=f"CANARY-{sharing.upper()}-NOTE",
                    sharing=sharing,
                    review_on=review_on or NOW.date() + timedelta(days=90),
                )
            )
        db.session.add(subject)
        db.session.commit()
        return subject.id, subject.reference


def add_link(app: Flask, subject_id: int, by: User, **record: int) -> int:
    """Link a record (``sighting_id=...``, ``safe_space_use_id=...`` or
    ``welfare_note_id=...``) to a subject, as ``by`` did earlier."""
    with app.app_context():
        link = SubjectLink(
            subject_id=subject_id,
            linked_by_id=by.id,
            organisation_id=by.organisation_id,
            linked_at=NOW - timedelta(days=1),
            **record,
        )
        db.session.add(link)
        db.session.commit()
        return link.id


def note_ids(app: Flask, subject_id: int) -> list[int]:
    """The ids of ``subject_id``'s notes, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(RedFlagNote.id)
                .where(RedFlagNote.subject_id == subject_id)
                .order_by(RedFlagNote.id)
            )
        )
