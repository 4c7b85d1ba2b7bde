"""People: repeat subjects (by id only) and red-flag notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from partnership.extensions import db
from partnership.reports.figures.common import (
    REPEAT_SUBJECT_NIGHTS,
    Count,
    Window,
    sighting_conditions,
)
from partnership.sightings.models import Sighting
from partnership.subjects.models import NoteRenewal, RedFlagNote, SubjectLink


@dataclass(frozen=True)
class RepeatSubject:
    """A subject linked to sightings on two or more nights of the period (ids only: the
    exporter gives each a pseudonym)."""

    subject_id: int
    sightings: int
    nights: int
    venues: int  # distinct venues among those sightings


@dataclass(frozen=True)
class RepeatSubjects:
    subjects: tuple[RepeatSubject, ...]  # most nights first
    count: Count  # how many repeat subjects, this period and the previous one


@dataclass(frozen=True)
class NoteFigures:
    """Red-flag notes (never filtered). ``active_at_end``: active at the end of the period
    (for ``previous``, at the end of the previous period), by the review date in force then.
    ``expired``: notes whose review date fell on one of the period's dates without a renewal
    by then (a renewal after that revives the note but does not undo the expiry)."""

    active_at_end: Count
    added: Count
    renewed: Count
    expired: Count


def repeat_subjects_of(window: Window) -> RepeatSubjects:
    current, previous = window.split_nights(Sighting.night)
    nights_now, nights_before = window.distinct_nights(Sighting.night, Sighting.night)
    venues_now, venues_before = window.distinct_nights(Sighting.night, Sighting.venue_id)
    rows = db.session.execute(
        select(
            SubjectLink.subject_id,
            current,
            previous,
            nights_now,
            nights_before,
            venues_now,
            venues_before,
        )
        .select_from(SubjectLink)
        .join(Sighting, Sighting.id == SubjectLink.sighting_id)
        .where(*sighting_conditions(window))
        .group_by(SubjectLink.subject_id)
    ).all()
    subjects = sorted(
        (
            RepeatSubject(subject_id=r[0], sightings=int(r[1]), nights=int(r[3]), venues=int(r[5]))
            for r in rows
            if r[3] >= REPEAT_SUBJECT_NIGHTS
        ),
        key=lambda s: (-s.nights, -s.sightings, s.subject_id),
    )
    before = sum(1 for r in rows if r[4] >= REPEAT_SUBJECT_NIGHTS)
    return RepeatSubjects(subjects=tuple(subjects), count=Count(len(subjects), before))


def _review_in_force(moment: datetime) -> Any:
    """A note's review date as it stood at ``moment``: before any renewal made since then."""
    later = (
        select(NoteRenewal.previous_review_on)
        .where(NoteRenewal.note_id == RedFlagNote.id, NoteRenewal.renewed_at >= moment)
        .order_by(NoteRenewal.renewed_at, NoteRenewal.id)
        .limit(1)
        .correlate(RedFlagNote)
        .scalar_subquery()
    )
    return func.coalesce(later, RedFlagNote.review_on)


def _active_at(moment: datetime, on: date) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RedFlagNote)
            .where(RedFlagNote.created_at < moment, _review_in_force(moment) >= on)
        )
        or 0
    )


def note_figures(window: Window, today: date) -> NoteFigures:
    _start, split, end = window.bounds
    added_now, added_before = window.split_moments(RedFlagNote.created_at)
    added = db.session.execute(
        select(added_now, added_before).where(*window.moments(RedFlagNote.created_at))
    ).one()
    renewed_now, renewed_before = window.split_moments(NoteRenewal.renewed_at)
    renewed = db.session.execute(
        select(renewed_now, renewed_before).where(*window.moments(NoteRenewal.renewed_at))
    ).one()
    # Review dates (UTC dates, as the notes keep them) reached in the window: the one in force
    # now, which has lapsed once it is before today, and each one a renewal replaced, which
    # lapsed if that renewal came on a later date. Only these few rows come back.
    expired = [0, 0]
    lapsed_now, lapsed_before = window.split_nights(RedFlagNote.review_on)
    current_terms = db.session.execute(
        select(lapsed_now, lapsed_before).where(
            *window.nights(RedFlagNote.review_on), RedFlagNote.review_on < today
        )
    ).one()
    expired[0] += int(current_terms[0])
    expired[1] += int(current_terms[1])
    replaced = db.session.execute(
        select(NoteRenewal.previous_review_on, NoteRenewal.renewed_at).where(
            *window.nights(NoteRenewal.previous_review_on)
        )
    ).all()
    for review_on, renewed_at in replaced:
        if renewed_at.astimezone(UTC).date() > review_on:
            expired[0 if review_on in window.current else 1] += 1
    return NoteFigures(
        active_at_end=Count(
            _active_at(end, window.current.last_night + timedelta(days=1)),
            _active_at(split, window.current.first_night),
        ),
        added=Count(int(added[0]), int(added[1])),
        renewed=Count(int(renewed[0]), int(renewed[1])),
        expired=Count(*expired),
    )
