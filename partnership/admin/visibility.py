"""Which accounts and organisations a manager sees and may change, and which roles and
ranks fit which organisation: the one home of these rules (DESIGN.md section 2)."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from partnership.auth.models import Organisation, User
from partnership.core.access import MANAGERS, POLICE_ROLES
from partnership.core.catalogue import gettext as _
from partnership.core.enums import OrgKind, Rank, Role
from partnership.extensions import db

# Who manages organisations: partnership managers (coordinators and administrators).
ORGANISATION_MANAGERS = MANAGERS
# Who manages accounts at all: administrators, coordinators, and inspectors for their force.
ACCOUNT_MANAGERS = MANAGERS | {Role.INSPECTOR}
# Who reads the audit log.
AUDIT_READERS = frozenset({Role.ADMIN})


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


def find_manageable_user(actor: User, user_id: int) -> User | None:
    """The account if ``actor`` may see and manage it, else None (the page answers 404)."""
    return db.session.scalar(manageable_users(actor).where(User.id == user_id))


def find_manageable_organisation(actor: User, org_id: int) -> Organisation | None:
    """The organisation if ``actor`` may change it, else None (the page answers 404)."""
    return db.session.scalar(manageable_organisations(actor).where(Organisation.id == org_id))


def manages_own_force_only(actor: User) -> bool:
    """Whether ``actor`` manages only their own force's accounts (inspectors)."""
    return actor.role_enum is Role.INSPECTOR


def police_accounts_elsewhere(actor: User) -> bool:
    """Whether police accounts exist that ``actor``'s list leaves out (coordinators')."""
    return actor.role_enum is Role.COORDINATOR
