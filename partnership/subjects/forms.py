from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from partnership.core.description import DescriptionFields
from partnership.core.enums import (
    Behaviour,
    HandlingCode,
    IntelligenceAssessment,
    NoteSharing,
    SourceEvaluation,
    ViewReason,
)
from partnership.core.fields import limit
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm
from partnership.core.models import utcnow
from partnership.core.when import read_date


def _text(label: Any, most: int, required: Any = None, area: bool = False) -> Any:
    kind = TextAreaField if area else StringField
    checks: list[Any] = [DataRequired(required)] if required else [Optional()]
    checks.append(limit(most))
    return kind(label, validators=checks)


class SubjectForm(DescriptionFields, VersionedForm):
    description = _text(_l("Description"), 2000, required=_l("Describe the person"), area=True)
    name = _text(_l("Name (police only)"), 200)
    aliases = _text(_l("Aliases (police only)"), 500)
    date_of_birth = DateField(
        _l("Date of birth (police only)"),
        validators=[Optional()],
    )
    address = _text(_l("Address (police only)"), 500, area=True)


class NoteForm(Form):
    behaviours = SelectMultipleField(
        _l("What behaviour is the note about?"),
        description=_l("Choose any that apply"),
        choices=Behaviour.choices(),
        validators=[Optional()],
    )
    text = _text(_l("Note"), 4000, required=_l("Write the note"), area=True)
    sharing = RadioField(
        _l("Who can see this note?"),
        choices=NoteSharing.choices(),
        default=NoteSharing.POLICE.value,
        validators=[DataRequired(_l("Choose who can see this note"))],
    )
    source_evaluation = RadioField(
        _l("Source evaluation"), choices=SourceEvaluation.choices(), validators=[Optional()]
    )
    intelligence_assessment = RadioField(
        _l("Intelligence assessment"),
        choices=IntelligenceAssessment.choices(),
        validators=[Optional()],
    )
    handling_code = RadioField(
        _l("Handling code"), choices=HandlingCode.choices(), validators=[Optional()]
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """Also: a police-only note needs its 3x5x2 grading (Optional() would stop an
        inline validator on an empty answer, so this is checked here)."""
        valid: bool = super().validate(extra_validators)
        if self.sharing.data != NoteSharing.POLICE.value:
            return valid
        for field, message in (
            (self.source_evaluation, _l("Choose the source evaluation")),
            (self.intelligence_assessment, _l("Choose the intelligence assessment")),
            (self.handling_code, _l("Choose the handling code")),
        ):
            if not field.data:
                field.errors = [*field.errors, message]
                valid = False
        return valid


class RenewForm(VersionedForm):
    change_labels = {"review_on": _l("Review date"), "subject_id": None}
    reason = _text(
        _l("Why should this note be kept for 90 more days?"),
        2000,
        required=_l("Say why the note should be kept"),
        area=True,
    )


class _ReasonForm(Form):
    """A reason from the short list, with details required for "Other"; the audit event of
    what it allows carries it (see :func:`partnership.subjects.service.reason_said`)."""

    # Each form declares its own question, and what to say when "Other" has no details.
    reason: Any
    needs_detail: Any = None
    # No Optional(): it would stop validate_detail from running on an empty answer.
    detail = TextAreaField(
        _l("Give details"),
        validators=[limit(500)],
    )

    def validate_detail(self, field: Any) -> None:
        if self.reason.data == ViewReason.OTHER.value and not (field.data or "").strip():
            raise ValidationError(self.needs_detail)


class JustifyForm(_ReasonForm):
    reason = RadioField(
        _l("Why are you looking at this red flag?"),
        choices=ViewReason.choices(),
        validators=[DataRequired(_l("Choose why you are looking at this red flag"))],
    )
    needs_detail = _l("Say why you are looking at this red flag")


class MergeForm(VersionedForm):
    # The kept profile's fields anyone who may merge it sees (never the personal ones).
    change_labels = {
        "description": _l("Description"),
        "apparent_sex": _l("Apparent sex"),
        "age_band": _l("Apparent age"),
        "height": _l("Height"),
        "build": _l("Build"),
        "clothing": _l("Clothing"),
        "distinguishing_features": _l("Anything distinctive"),
    }
    other = _text(
        _l("Reference of the other red flag"),
        20,
        required=_l("Enter the reference of the other red flag"),
    )
    reason = _text(
        _l("Why are these the same person?"),
        2000,
        required=_l("Say why these are the same person"),
        area=True,
    )
    confirm = BooleanField(
        _l("I have checked that both red flags are about the same person"),
        validators=[DataRequired(_l("Confirm that both red flags are about the same person"))],
    )


class PhotoForm(Form):
    photo = FileField(
        _l("Photo"),
        description=_l("JPEG, PNG or WebP. Location and camera details are removed."),
        validators=[FileRequired(_l("Choose a photo"))],
    )


class SearchForm(Form):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = _text(_l("Search red flags"), 200)


def _reference() -> Any:
    return StringField(
        _l("Red flag reference"),
        description=_l("For example, RF-2026-0042"),
        validators=[
            DataRequired(_l("Enter the red flag reference")),
            limit(20),
        ],
    )


def parse_birth_date(text: str | None, today: date) -> date | None:
    """A date of birth typed as ``1990-01-31`` (what a date picker sends) or ``31/01/1990``,
    from 1900 to ``today``; None when it is neither."""
    return read_date(text, date(1900, 1, 1), today)


class AccessRequestForm(Form):
    """A subject access request: the person as the requester gave their details. Police
    may give a red flag's reference instead (``police=True``); administrators never."""

    reference = StringField(
        _l("Red flag reference"),
        description=_l("If you give one, the name and date of birth are not needed"),
        validators=[
            Optional(),
            limit(20),
        ],
    )
    full_name = StringField(
        _l("Full name"),
        description=_l("As the person gave it in their request"),
        validators=[limit(200)],
    )
    date_of_birth = StringField(
        _l("Date of birth"),
        description=_l("For example, 1990-01-31"),
    )
    address = StringField(
        _l("Address or postcode (optional)"),
        description=_l(
            "Needed only for a red flag that holds no date of birth: then its address must agree"
        ),
        validators=[limit(500)],
    )
    reason = StringField(
        _l("Request reference or reason"),
        description=_l(
            "For example, the subject access request's reference. It is kept in the audit log."
        ),
        validators=[
            DataRequired(_l("Enter the request reference or the reason")),
            limit(500),
        ],
    )
    file_format = RadioField(
        _l("Format"),
        choices=[
            SelectChoice("pdf", _l("PDF document, to read or print")),
            SelectChoice("json", _l("JSON file, for another computer system")),
        ],
        default="pdf",
        validators=[DataRequired(_l("Choose PDF or JSON"))],
    )

    field_order = ("reference", "full_name", "date_of_birth", "address", "reason", "file_format")

    def __init__(self, *args: Any, police: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not police:
            del self.reference

    @property
    def by_reference(self) -> bool:
        """Whether a police officer gave a red flag's reference."""
        return self.reference is not None and bool((self.reference.data or "").strip())

    @property
    def birth_date(self) -> date | None:
        return parse_birth_date(self.date_of_birth.data, utcnow().date())

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        if self.by_reference:
            return valid
        if not (self.full_name.data or "").strip():
            self.full_name.errors = [*self.full_name.errors, _l("Enter the person's full name")]
            valid = False
        if not (self.date_of_birth.data or "").strip():
            self.date_of_birth.errors = [
                *self.date_of_birth.errors,
                _l("Enter the person's date of birth"),
            ]
            valid = False
        elif self.birth_date is None:
            self.date_of_birth.errors = [
                *self.date_of_birth.errors,
                _l("Enter the date of birth as a date in the past, for example 1990-01-31"),
            ]
            valid = False
        return valid


class EraseForm(Form):
    reference = _reference()
    reason = _text(
        _l("Why is this red flag being erased?"),
        500,
        required=_l("Say why this red flag is being erased"),
        area=True,
    )
    confirm = BooleanField(
        _l("I understand this cannot be undone"),
        validators=[DataRequired(_l("Confirm that you understand this cannot be undone"))],
    )


class LinkReasonForm(_ReasonForm):
    """Why a record is being linked to a red flag: every link is audited with it."""

    reason = RadioField(
        _l("Why are you linking this record to a red flag?"),
        choices=ViewReason.choices(),
        validators=[DataRequired(_l("Choose why you are linking this record"))],
    )
    needs_detail = _l("Say why you are linking this record")


class LinkForm(LinkReasonForm):
    # A suggestion's button sends its subject's id instead (see subjects.link_views).
    reference = _text(_l("Red flag reference"), 20)


class DetailsObtainedForm(LinkReasonForm, SubjectForm):
    reference = _text(_l("Red flag reference, if this person already has one"), 20)
    # Needed only for a new red flag: checked in validate().
    description = _text(_l("Description"), 2000, area=True)

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)
        if not (self.reference.data or "").strip() and not (self.description.data or "").strip():
            self.description.errors = [*self.description.errors, _l("Describe the person")]
            valid = False
        return valid
