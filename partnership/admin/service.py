"""Managing organisations and accounts. Functions add and flush; the view commits.

Which accounts and organisations a manager sees and may change: :mod:`.visibility`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from partnership.auth import service as auth_service
from partnership.auth.models import Organisation, User
from partnership.core import audit
from partnership.core.enums import OrgKind, Rank, Role
from partnership.extensions import db


def email_taken(email: str, except_user: User | None = None) -> bool:
    """True if another account has this email, in any case."""
    query = select(func.count(User.id)).where(
        func.lower(User.email) == auth_service.normalise_email(email)
    )
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return bool(db.session.scalar(query))


def organisation_name_taken(name: str, except_org: Organisation | None = None) -> bool:
    """True if another organisation has this name, in any case."""
    query = select(func.count(Organisation.id)).where(
        func.lower(Organisation.name) == name.strip().lower()
    )
    if except_org is not None:
        query = query.where(Organisation.id != except_org.id)
    return bool(db.session.scalar(query))


def create_organisation(actor: User | None, name: str, kind: OrgKind) -> Organisation:
    """Add an organisation; the name must be unused (the form checks)."""
    org = Organisation(name=name.strip(), kind=kind.value, active=True)
    db.session.add(org)
    db.session.flush()
    audit.record(
        "organisation.created",
        actor=actor,
        object_type="organisation",
        object_id=org.id,
        name=org.name,
        kind=org.kind,
    )
    return org


def update_organisation(actor: User, org: Organisation, name: str, active: bool) -> None:
    """Rename or (de)activate; audited with the before and after of what changed."""
    changes: dict[str, object] = {}
    if org.name != name.strip():
        changes["name"] = [org.name, name.strip()]
        org.name = name.strip()
    if org.active != active:
        changes["active"] = [org.active, active]
        org.active = active
    if changes:
        audit.record(
            "organisation.updated",
            actor=actor,
            object_type="organisation",
            object_id=org.id,
            changes=changes,
        )


@dataclass
class NewUser:
    user: User
    token: str


def create_user(
    actor: User | None,
    *,
    name: str,
    email: str,
    organisation: Organisation,
    role: Role,
    rank: Rank | None = None,
    designated_pcso: bool = False,
    locale: str = "en",
    password: str | None = None,
) -> NewUser:
    """Add an account and a one-time set-password link (returned, shown once to the creator).

    ``password`` is only for the command line and demo data; people created
    through the pages always choose their own.
    """
    user = User(
        name=name.strip(),
        email=auth_service.normalise_email(email),
        organisation=organisation,
        role=role.value,
        rank=rank.value if rank else None,
        designated_pcso=designated_pcso,
        locale=locale,
        active=True,
        failed_logins=0,
    )
    if password is not None:
        auth_service.set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        actor=actor,
        object_type="user",
        object_id=user.id,
        email=user.email,
        role=user.role,
        organisation=organisation.name,
    )
    token = auth_service.create_set_password_link(user, actor) if password is None else ""
    return NewUser(user=user, token=token)


def change_membership(
    actor: User, user: User, role: Role, rank: Rank | None, designated_pcso: bool
) -> None:
    """Change role, rank or designation; the user signs in again under the new role."""
    before = (user.role, user.rank, user.designated_pcso)
    after = (role.value, rank.value if rank else None, designated_pcso)
    if before == after:
        return
    user.role, user.rank, user.designated_pcso = after
    user.rotate_session()
    audit.record(
        "user.role_changed",
        actor=actor,
        object_type="user",
        object_id=user.id,
        old={"role": before[0], "rank": before[1], "designated_pcso": before[2]},
        new={"role": after[0], "rank": after[1], "designated_pcso": after[2]},
    )


def deactivate_user(actor: User, user: User) -> None:
    """Stop the user signing in and end every session they have now."""
    if not user.active:
        return
    user.active = False
    user.rotate_session()
    audit.record("user.deactivated", actor=actor, object_type="user", object_id=user.id)


def reactivate_user(actor: User, user: User) -> None:
    """Let the user sign in again, with a clean failure count."""
    if user.active:
        return
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
    audit.record("user.reactivated", actor=actor, object_type="user", object_id=user.id)


def reset_two_factor(actor: User, user: User) -> None:
    """Forget the user's authenticator; they set up a new one at their next sign-in."""
    user.totp_secret = None
    user.totp_last_step = None
    user.rotate_session()
    audit.record("user.two_factor_reset", actor=actor, object_type="user", object_id=user.id)


def unlock_user(actor: User, user: User) -> None:
    """Lift a lock from repeated failures before it runs out."""
    user.failed_logins = 0
    user.locked_until = None
    audit.record("user.unlocked", actor=actor, object_type="user", object_id=user.id)
