"""Enumerations with stable codes (stored) and translated titles (shown), in one place."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice


class TitledEnum(StrEnum):
    """A string enum whose members carry a lazily translated title."""

    @property
    def label(self) -> str:
        return str(TITLES[type(self)][self.value])

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """The members as WTForms choices: stable code, lazily translated title."""
        return [SelectChoice(m.value, TITLES[cls][m.value]) for m in cls]


class OrgKind(TitledEnum):
    POLICE = "police"
    LICENSED_PREMISES = "licensed_premises"
    STREET_PASTORS = "street_pastors"
    WELFARE = "welfare"
    LOCAL_AUTHORITY = "local_authority"
    PARTNERSHIP = "partnership"


class Role(TitledEnum):
    PREMISES_STAFF = "premises_staff"
    WELFARE = "welfare"
    OFFICER = "officer"
    INSPECTOR = "inspector"
    COORDINATOR = "coordinator"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def org_kinds(self) -> frozenset[OrgKind]:
        """The organisation kinds a user with this role may belong to (DESIGN.md section 2)."""
        return ROLE_ORG_KINDS[self]

    @property
    def needs_two_factor(self) -> bool:
        return self in TWO_FACTOR_ROLES

    @property
    def is_police(self) -> bool:
        return self in POLICE_ROLES


ROLE_ORG_KINDS: dict[Role, frozenset[OrgKind]] = {
    Role.PREMISES_STAFF: frozenset({OrgKind.LICENSED_PREMISES}),
    Role.WELFARE: frozenset({OrgKind.STREET_PASTORS, OrgKind.WELFARE}),
    Role.OFFICER: frozenset({OrgKind.POLICE}),
    Role.INSPECTOR: frozenset({OrgKind.POLICE}),
    Role.COORDINATOR: frozenset({OrgKind.PARTNERSHIP, OrgKind.LOCAL_AUTHORITY}),
    Role.ANALYST: frozenset({OrgKind.PARTNERSHIP, OrgKind.LOCAL_AUTHORITY, OrgKind.POLICE}),
    Role.ADMIN: frozenset(OrgKind),
}

POLICE_ROLES = frozenset({Role.OFFICER, Role.INSPECTOR})
FRONTLINE_ROLES = frozenset({Role.PREMISES_STAFF, Role.WELFARE, Role.OFFICER, Role.INSPECTOR})
TWO_FACTOR_ROLES = frozenset({Role.OFFICER, Role.INSPECTOR, Role.COORDINATOR, Role.ADMIN})
ALL_ROLES = frozenset(Role)


class Rank(TitledEnum):
    PCSO = "pcso"
    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"


class Locale(TitledEnum):
    ENGLISH = "en"
    WELSH = "cy"


LOCALES = tuple(m.value for m in Locale)

TITLES: dict[type[TitledEnum], dict[str, Any]] = {
    OrgKind: {
        "police": _l("Police"),
        "licensed_premises": _l("Licensed premises"),
        "street_pastors": _l("Street Pastors"),
        "welfare": _l("Welfare"),
        "local_authority": _l("Local authority"),
        "partnership": _l("Partnership"),
    },
    Role: {
        "premises_staff": _l("Bar or door staff"),
        "welfare": _l("Street Pastor or welfare officer"),
        "officer": _l("Police officer"),
        "inspector": _l("Police inspector"),
        "coordinator": _l("Partnership coordinator"),
        "analyst": _l("Analyst"),
        "admin": _l("Administrator"),
    },
    Rank: {
        "pcso": _l("Police community support officer (PCSO)"),
        "constable": _l("Constable"),
        "sergeant": _l("Sergeant"),
        "inspector": _l("Inspector or above"),
    },
    # Each language is named in itself, so a reader of either can find theirs.
    Locale: {"en": "English", "cy": "Cymraeg"},
}
