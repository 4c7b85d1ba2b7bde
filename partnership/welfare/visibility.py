"""Who may see which Safe Space use and welfare note, and who records them where
(DESIGN.md section 2).

Every list and detail of these records reads through :func:`visible_safe_space_uses` and
:func:`visible_welfare_notes`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Select, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from partnership.core.access import FRONTLINE_MEMBERS, POLICE_ROLES
from partnership.core.enums import Role
from partnership.extensions import db
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote

if TYPE_CHECKING:
    from partnership.auth.models import User

# Who sees every Safe Space use and welfare note.
SEES_EVERY_RECORD = POLICE_ROLES | {Role.COORDINATOR}
# Who sees their own organisation's records and those handed over to it.
SEES_OWN_AND_HANDED_OVER = FRONTLINE_MEMBERS
# Who may open the lists and records at all.
WELFARE_READERS = SEES_EVERY_RECORD | SEES_OWN_AND_HANDED_OVER
# Who records Safe Space uses: police at any Safe Space, bar and door staff at their own.
SAFE_SPACE_RECORDERS = POLICE_ROLES | {Role.PREMISES_STAFF}
# Who writes welfare notes.
WELFARE_NOTE_WRITERS = frozenset({Role.WELFARE})


def _shared_with(
    user: User,
    organisation_id: InstrumentedAttribute[int],
    handed_to_organisation_id: InstrumentedAttribute[int | None],
) -> ColumnElement[bool]:
    role = user.role_enum
    if role in SEES_EVERY_RECORD:
        return true()
    if role in SEES_OWN_AND_HANDED_OVER:
        return or_(
            organisation_id == user.organisation_id,
            handed_to_organisation_id == user.organisation_id,
        )
    return false()


def visible_safe_space_uses(user: User) -> Select[tuple[SafeSpaceUse]]:
    """The one rule for who sees which Safe Space use.

    Police (officers, inspectors) and coordinators see every one. Bar and door
    staff and welfare users see those written by their organisation and those
    handed over to it. Everyone else (analysts, administrators) sees none.
    """
    return select(SafeSpaceUse).where(
        _shared_with(user, SafeSpaceUse.organisation_id, SafeSpaceUse.handed_to_organisation_id)
    )


def visible_welfare_notes(user: User) -> Select[tuple[WelfareNote]]:
    """The one rule for who sees which welfare note.

    Police (officers, inspectors) and coordinators see every one. Welfare users
    and bar and door staff see those written by their organisation and those
    handed over to it. Everyone else (analysts, administrators) sees none.
    """
    return select(WelfareNote).where(
        _shared_with(user, WelfareNote.organisation_id, WelfareNote.handed_to_organisation_id)
    )


def find_visible_safe_space_use(user: User, use_id: int) -> SafeSpaceUse | None:
    """The Safe Space use if ``user`` may see it, else None (the page then answers 404)."""
    return db.session.scalar(visible_safe_space_uses(user).where(SafeSpaceUse.id == use_id))


def find_visible_welfare_note(user: User, note_id: int) -> WelfareNote | None:
    """The welfare note if ``user`` may see it, else None (the page then answers 404)."""
    return db.session.scalar(visible_welfare_notes(user).where(WelfareNote.id == note_id))


def browses_welfare_notes(user: User) -> bool:
    """Whether the list of welfare notes is in ``user``'s menu: those who write them and
    those who see every one. Bar and door staff open only the notes handed to them."""
    return user.role_enum in WELFARE_NOTE_WRITERS | SEES_EVERY_RECORD


def safe_space_venue_rule(user: User) -> ColumnElement[bool]:
    """Which venues ``user`` may record a Safe Space use at: any for police, their own
    organisation's for bar and door staff, none for anyone else."""
    if user.role_enum in POLICE_ROLES:
        return true()
    if user.role_enum is Role.PREMISES_STAFF:
        return Venue.organisation_id == user.organisation_id
    return false()


def may_record_safe_space_at(user: User, venue: Venue) -> bool:
    """:func:`safe_space_venue_rule` for one venue."""
    if user.role_enum in POLICE_ROLES:
        return True
    return user.role_enum is Role.PREMISES_STAFF and venue.organisation_id == user.organisation_id
