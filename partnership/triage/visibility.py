"""Who sees which public report: police only. Everyone else sees none (only counts, in
the reports and on the public "You told us, we did" page)."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from partnership.auth.models import User
from partnership.core.enums import POLICE_ROLES
from partnership.extensions import db
from partnership.public.models import PublicReport

# Who triages public reports, and so may read them.
TRIAGERS = POLICE_ROLES


def may_triage(user: User) -> bool:
    """True for the users who may read and triage public reports."""
    return user.role_enum in TRIAGERS


def visible_public_reports(user: User) -> Select[tuple[PublicReport]]:
    """The one rule for who sees which public report (issue 7): police officers and
    inspectors see every report; everyone else sees none."""
    query = select(PublicReport)
    if may_triage(user):
        return query
    return query.where(false())


def find_visible_public_report(user: User, report_id: int) -> PublicReport | None:
    """The report, if ``user`` may see it; else None (the view answers 404)."""
    return db.session.scalar(visible_public_reports(user).where(PublicReport.id == report_id))
