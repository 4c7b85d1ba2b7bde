"""Red flags: who may see which subject, which of its notes and personal details, who may
link records to it, merge it or ask what is held about a person (DESIGN.md section 2).

Every page, export and document about a subject reads through :func:`visible_subjects`
and :func:`visible_notes`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, exists, false, select

from partnership.core.access import FRONTLINE_MEMBERS, FRONTLINE_ROLES, POLICE_ROLES
from partnership.core.enums import NoteSharing, Role
from partnership.extensions import db
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink

if TYPE_CHECKING:
    from partnership.auth.models import User
    from partnership.sightings.models import Sighting
    from partnership.welfare.models import SafeSpaceUse, WelfareNote

# Partnership members who may see a subject's shared card.
MEMBERS = FRONTLINE_MEMBERS | {Role.COORDINATOR}
# Who may open the red flag pages at all.
READERS = MEMBERS | POLICE_ROLES
# Who may merge two profiles found to be the same person.
MERGERS = POLICE_ROLES | {Role.COORDINATOR}
# Who may open the link pages at all; which records each may link is :func:`may_link`.
LINKERS = FRONTLINE_ROLES
# The data-protection officer: administrators answer subject access and erasure requests
# and look through every profile for them, though they open no record contents otherwise.
DISCLOSURE_OFFICERS = frozenset({Role.ADMIN})
# Who may ask for everything held about a person.
REQUESTERS = POLICE_ROLES | DISCLOSURE_OFFICERS
# Personal details: only police, though the settings may share these two with members.
SHAREABLE_PERSONAL = ("name", "aliases")
POLICE_ONLY_PERSONAL = ("date_of_birth", "address")


def _active_partnership(today: date) -> ColumnElement[bool]:
    return and_(
        RedFlagNote.sharing == NoteSharing.PARTNERSHIP.value,
        RedFlagNote.expired_at.is_(None),
        RedFlagNote.review_on >= today,
    )


def visible_subjects(user: User, today: date) -> Select[tuple[Subject]]:
    """The one rule for who sees which subject.

    Police see every subject that has not been erased (a merged profile too, so its
    old reference still leads to the one it was merged into). Members (bar or door
    staff, welfare, coordinators) see a subject only while it has at least one active
    partnership note: shared with the partnership, not expired and not past its review
    date on ``today`` (so an overdue note hides the card before ``flask subjects
    expire`` runs). Everyone else sees none.
    """
    query = select(Subject).where(Subject.erased_at.is_(None))
    role = user.role_enum
    if role in POLICE_ROLES:
        return query
    if role in MEMBERS:
        return query.where(
            exists().where(RedFlagNote.subject_id == Subject.id, _active_partnership(today))
        )
    return query.where(false())


def visible_notes(user: User, subject: Subject, today: date) -> Select[tuple[RedFlagNote]]:
    """The one rule for who sees which note of ``subject``, newest first.

    Police see every note, expired ones included (the history). Members see only
    active partnership notes on ``today``. Everyone else sees none. The caller must
    already have found ``subject`` through :func:`visible_subjects`.
    """
    query = (
        select(RedFlagNote)
        .where(RedFlagNote.subject_id == subject.id)
        .order_by(RedFlagNote.created_at.desc(), RedFlagNote.id.desc())
    )
    role = user.role_enum
    if role in POLICE_ROLES:
        return query
    if role in MEMBERS:
        return query.where(_active_partnership(today))
    return query.where(false())


def find_visible_subject(user: User, subject_id: int, today: date) -> Subject | None:
    """The subject, if ``user`` may see it on ``today``; else None (the view answers 404)."""
    return db.session.scalar(visible_subjects(user, today).where(Subject.id == subject_id))


def personal_fields(user: User) -> frozenset[str]:
    """The personal fields ``user`` may see: all four for police; name and aliases for
    members only when SUBJECT_SHARE_NAME_WITH_MEMBERS is on; otherwise none."""
    if user.role_enum in POLICE_ROLES:
        return frozenset(SHAREABLE_PERSONAL + POLICE_ONLY_PERSONAL)
    if user.role_enum in MEMBERS and current_app.config["SUBJECT_SHARE_NAME_WITH_MEMBERS"]:
        return frozenset(SHAREABLE_PERSONAL)
    return frozenset()


def photos_shown(user: User) -> bool:
    """Whether ``user`` sees a subject's photos: police always; members who see the card
    only when SUBJECT_SHARE_PHOTO_WITH_MEMBERS is on."""
    if user.role_enum in POLICE_ROLES:
        return True
    return user.role_enum in MEMBERS and bool(
        current_app.config["SUBJECT_SHARE_PHOTO_WITH_MEMBERS"]
    )


def may_link(user: User, record: Sighting | SafeSpaceUse | WelfareNote) -> bool:
    """Police may link any record they can see; bar and door staff and welfare users only
    their own organisation's records; everyone else none. The caller must already have
    found ``record`` through its own visibility rule."""
    role = user.role_enum
    if role in POLICE_ROLES:
        return True
    return role in FRONTLINE_MEMBERS and record.organisation_id == user.organisation_id


def may_unlink(user: User, link: SubjectLink) -> bool:
    """Police may remove any link; bar and door staff and welfare users the links their
    own organisation made."""
    role = user.role_enum
    if role in POLICE_ROLES:
        return True
    return role in FRONTLINE_MEMBERS and link.organisation_id == user.organisation_id


def is_disclosure_officer(user: User) -> bool:
    """Whether ``user`` answers subject access and erasure requests for the partnership."""
    return user.role_enum in DISCLOSURE_OFFICERS


def disclosable_subjects(user: User, today: date) -> Select[tuple[Subject]]:
    """The profiles a subject access or erasure request by ``user`` looks through: police
    through :func:`visible_subjects` (every subject not erased), the data-protection
    officer through every profile not erased; nobody else through any."""
    if user.role_enum in POLICE_ROLES:
        return visible_subjects(user, today)
    if is_disclosure_officer(user):
        return select(Subject).where(Subject.erased_at.is_(None))
    return select(Subject).where(false())
