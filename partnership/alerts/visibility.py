"""Who receives alerts, and who sees which alert.

Police see the alerts addressed to police; coordinators those addressed to coordinators;
bar and door staff and welfare users those addressed to their own organisation; analysts
and administrators none. An alert about a subject is seen only while the reader may see
that subject (:func:`partnership.subjects.visibility.visible_subjects`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, false, or_, select

from partnership.alerts.models import Alert, Audience
from partnership.auth.models import User
from partnership.core.enums import POLICE_ROLES, Role
from partnership.extensions import db
from partnership.subjects.models import Subject
from partnership.subjects.visibility import visible_subjects

# Staff of a member organisation receive the alerts addressed to it.
ORGANISATION_ROLES = frozenset({Role.PREMISES_STAFF, Role.WELFARE})
RECEIVERS = POLICE_ROLES | ORGANISATION_ROLES | {Role.COORDINATOR}


def receives_alerts(role: Role) -> bool:
    """True for the roles that have alerts: police, coordinators and frontline members."""
    return role in RECEIVERS


def led_to_sightings(user: User) -> bool:
    """Whether ``user``'s alerts about sightings lead to them: police's do; coordinators
    cannot open sightings, so theirs lead nowhere."""
    return user.role_enum in POLICE_ROLES


def visible_alerts(user: User, today: date) -> Select[tuple[Alert]]:
    """The one rule for who sees which alert, newest first.

    Police see the alerts addressed to police; coordinators those addressed to
    coordinators; bar and door staff and welfare users those addressed to their own
    organisation; analysts and administrators none. On top of that, an alert about a
    subject is shown only while the reader may see that subject on ``today``
    (:func:`partnership.subjects.visibility.visible_subjects`): for members and
    coordinators, while a partnership note about the subject is active, so the alert
    goes when the note expires; for police, until the subject is erased.
    """
    role = user.role_enum
    query = select(Alert)
    if role in POLICE_ROLES:
        query = query.where(Alert.audience == Audience.POLICE.value)
    elif role == Role.COORDINATOR:
        query = query.where(Alert.audience == Audience.COORDINATORS.value)
    elif role in ORGANISATION_ROLES:
        query = query.where(
            Alert.audience == Audience.ORGANISATION.value,
            Alert.organisation_id == user.organisation_id,
        )
    else:
        return query.where(false())
    subjects = visible_subjects(user, today).with_only_columns(Subject.id)
    return query.where(or_(Alert.subject_id.is_(None), Alert.subject_id.in_(subjects))).order_by(
        Alert.created_at.desc(), Alert.id.desc()
    )


def find_visible_alert(user: User, alert_id: int, today: date) -> Alert | None:
    """The alert, if ``user`` may see it on ``today``; else None (the view answers 404)."""
    return db.session.scalar(visible_alerts(user, today).where(Alert.id == alert_id))
