"""Managing organisations and accounts. Functions add and flush; the view commits."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, false, func, select

from partnership.auth import service as auth_service
from partnership.auth.models import Organisation, User
from partnership.core import audit
from partnership.core.enums import POLICE_ROLES, OrgKind, Rank, Role
from partnership.extensions import db

# Who manages accounts at all: administrators, coordinators, and inspectors for their force.
ACCOUNT_MANAGERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.INSPECTOR})


def _police_organisations() -> Select[tuple[int]]:
    return select(Organisation.id).where(Organisation.kind == OrgKind.POLICE.value)


def manageable_users(actor: User) -> Select[tuple[User]]:
    """The accounts ``actor`` may see and manage: the one rule for user records.

    Administrators manage everyone. Coordinators manage every account except
    administrators' and police accounts (any account in a police organisation: officers,
    inspectors and police analysts), so the police-only level never rests on a partnership
    manager. Inspectors manage the accounts of their own force (its organisation), except
    administrators'. Anyone else manages no one.
    """
    query = select(User)
    role = actor.role_enum
    if role is Role.ADMIN:
        return query
    if role is Role.COORDINATOR:
        return query.where(
            User.role != Role.ADMIN.value,
            User.organisation_id.not_in(_police_organisations()),
        )
    if role is Role.INSPECTOR:
        return query.where(
            User.role != Role.ADMIN.value, User.organisation_id == actor.organisation_id
        )
    return query.where(false())


def manageable_organisations(actor: User) -> Select[tuple[Organisation]]:
    """The organisations ``actor`` may change, and put accounts in: every one for
    administrators; every one but the police for coordinators; an inspector's own force."""
    query = select(Organisation)
    role = actor.role_enum
    if role is Role.ADMIN:
        return query
    if role is Role.COORDINATOR:
        return query.where(Organisation.kind != OrgKind.POLICE.value)
    if role is Role.INSPECTOR:
        return query.where(Organisation.id == actor.organisation_id)
    return query.where(false())


def creatable_kinds(actor: User) -> list[OrgKind]:
    """The kinds of organisation ``actor`` may add: a police force only by administrators."""
    if actor.role_enum is Role.ADMIN:
        return list(OrgKind)
    return [kind for kind in OrgKind if kind is not OrgKind.POLICE]


def assignable_roles(actor: User) -> list[Role]:
    """The roles ``actor`` may give: coordinators never make administrators or police;
    inspectors give the roles of a police organisation (officer, inspector, analyst)."""
    role = actor.role_enum
    if role is Role.ADMIN:
        return list(Role)
    if role is Role.INSPECTOR:
        return [r for r in Role if OrgKind.POLICE in r.org_kinds and r is not Role.ADMIN]
    return [r for r in Role if r not in {Role.ADMIN, *POLICE_ROLES}]


def membership_problems(
    organisation: Organisation, role: Role, rank: Rank | None, designated_pcso: bool
) -> dict[str, str]:
    """Field name -> message for a role, rank or designation that does not fit the rules."""
    problems: dict[str, str] = {}
    if organisation.kind_enum not in role.org_kinds:
        problems["role"] = _(
            "A %(role)s cannot belong to a %(kind)s organisation",
            role=role.label.lower(),
            kind=organisation.kind_enum.label.lower(),
        )
    if role in POLICE_ROLES and rank is None:
        problems["rank"] = _("Choose the officer's rank")
    if role not in POLICE_ROLES and rank is not None:
        problems["rank"] = _("Only police officers and inspectors have a rank")
    if role is Role.INSPECTOR and rank is not None and rank is not Rank.INSPECTOR:
        problems["rank"] = _("The inspector role needs the rank of inspector or above")
    if designated_pcso and rank is not Rank.PCSO:
        problems["designated_pcso"] = _("Only a PCSO can be designated")
    return problems


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
