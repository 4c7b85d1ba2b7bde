from __future__ import annotations

from typing import Any

from wtforms import BooleanField, DateField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from partnership.auth.forms import email_field
from partnership.core.enums import Locale, OrgKind, Rank, Role
from partnership.core.fields import name_field
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm


def _blank(label: Any) -> list[SelectChoice]:
    return [SelectChoice("", label)]


class OrganisationForm(Form):
    name = name_field(_l("Name"), _l("Enter the organisation's name"))
    kind = RadioField(
        _l("Kind of organisation"),
        choices=OrgKind.choices(),
        validators=[DataRequired(_l("Choose the kind of organisation"))],
        validate_choice=False,  # checked below, against the kinds offered
    )

    def __init__(self, *args: Any, kinds: list[OrgKind] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = {kind.value for kind in (kinds if kinds is not None else OrgKind)}
        self.kind.choices = [choice for choice in OrgKind.choices() if choice.value in offered]

    def validate_kind(self, field: RadioField) -> None:
        offered = {choice.value for choice in self.kind.choices or []}  # type: ignore[union-attr]
        if field.data not in offered:
            raise ValidationError(_l("Choose the kind of organisation"))


class OrganisationEditForm(VersionedForm):
    name = OrganisationForm.name
    active = BooleanField(_l("Active (its members can sign in)"))


class MembershipFields(Form):
    """Role, rank and designation: shared by creating a user and changing their role."""

    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role"))])
    rank = SelectField(
        _l("Police rank"),
        description=_l("Police officers and inspectors only"),
        validators=[Optional()],
    )
    designated_pcso = BooleanField(_l("Designated PCSO (may give Section 35 directions)"))

    def __init__(self, *args: Any, roles: list[Role] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = roles if roles is not None else list(Role)
        self.role.choices = _blank(_l("Choose a role")) + [
            SelectChoice(r.value, r.label) for r in offered
        ]
        self.rank.choices = _blank(_l("Not police")) + Rank.choices()


class UserCreateForm(MembershipFields):
    name = name_field(_l("Full name"), _l("Enter the person's full name"))
    email = email_field()
    organisation_id = SelectField(
        _l("Organisation"),
        coerce=str,
        validators=[DataRequired(_l("Choose an organisation"))],
        validate_choice=False,  # the view checks it is one the person may put accounts in
    )
    locale = RadioField(_l("Language"), choices=Locale.choices(), default="en")

    field_order = ("name", "email", "organisation_id", "role", "rank", "designated_pcso", "locale")


# An account's fields that its managers change, for the message about someone else's change.
ACCOUNT_CHANGE_LABELS: dict[str, Any] = {
    "role": _l("Role"),
    "rank": _l("Police rank"),
    "designated_pcso": _l("Designated PCSO (may give Section 35 directions)"),
    "active": _l("Status"),
    "name": _l("Full name"),
    "email": _l("Email address"),
    "organisation_id": _l("Organisation"),
}


class UserRoleForm(MembershipFields, VersionedForm):
    change_labels = ACCOUNT_CHANGE_LABELS


class AccountActionForm(VersionedForm):
    """A button on an account's page (deactivate, reactivate, unlock, reset two-factor
    sign-in): the version of the account the page showed."""

    change_labels = ACCOUNT_CHANGE_LABELS


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    action = StringField(_l("Action"), validators=[Optional(), Length(max=80)])
    actor = StringField(_l("Email address of the person"), validators=[Optional(), Length(max=254)])
    date_from = DateField(
        _l("From date"),
        validators=[Optional()],
        description=_l("For example, 2026-11-27"),
    )
    date_to = DateField(_l("To date"), validators=[Optional()])
