from __future__ import annotations

from typing import Any

from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from partnership.auth import service
from partnership.core.enums import Locale
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l


class LoginForm(Form):
    email = StringField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address")),
            Length(max=254, message=_l("Email address must be 254 characters or fewer")),
        ],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))])


class TwoFactorForm(Form):
    code = StringField(
        _l("Security code"),
        description=_l("The 6-digit code shown in your authenticator app"),
        validators=[DataRequired(_l("Enter the 6-digit security code"))],
    )

    def validate_code(self, field: Any) -> None:
        code = (field.data or "").strip().replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError(_l("Enter the security code as 6 digits, like 123456"))


class NewPasswordMixin:
    """A new password and its confirmation, checked against the strength rules."""

    # Set by the view: the account the password is for.
    for_email: str = ""
    for_name: str = ""

    def validate_new_password(self, field: Any) -> None:
        problems = service.password_problems(field.data or "", self.for_email, self.for_name)
        if problems:
            raise ValidationError(problems[0])


class SetPasswordForm(NewPasswordMixin, Form):
    new_password = PasswordField(
        _l("New password"),
        description=_l("At least 12 characters. A short sentence is easy to remember."),
        validators=[DataRequired(_l("Enter a new password"))],
    )
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[
            DataRequired(_l("Enter the new password again")),
            EqualTo("new_password", message=_l("The passwords do not match")),
        ],
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password"))]
    )

    field_order = ("current_password", "new_password", "confirm")


class LanguageForm(Form):
    locale = RadioField(
        _l("Language"),
        choices=Locale.choices(),
        validators=[DataRequired(_l("Choose a language"))],
    )


def email_field(label: Any = None) -> StringField:
    return StringField(
        label or _l("Email address"),
        validators=[
            DataRequired(_l("Enter an email address")),
            Email(
                message=_l("Enter an email address in the correct format, like name@example.org")
            ),
            Length(max=254, message=_l("Email address must be 254 characters or fewer")),
        ],
    )
