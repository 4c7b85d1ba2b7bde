from __future__ import annotations

from typing import Any

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from partnership.core.enums import TITLES, TriageStatus
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm
from partnership.triage.service import TRIAGE_CHOICES, URGENT_NEEDS_ACTION


def _status_choices() -> list[SelectChoice]:
    return [SelectChoice(code, TITLES[TriageStatus][code]) for code in TRIAGE_CHOICES]


def _text(label: Any, limit: int, description: Any = None) -> TextAreaField:
    return TextAreaField(
        label,
        description=description,
        validators=[
            Optional(),
            Length(max=limit, message=_l("Keep this to %(max)d characters or fewer", max=limit)),
        ],
    )


class TriageForm(VersionedForm):
    change_labels = {
        "subject_id": _l("Link to a red flag card"),
        "sighting_id": _l("A sighting logged from it"),
    }
    status = RadioField(
        _l("What should happen with this report?"),
        choices=_status_choices(),
        validators=[DataRequired(_l("Choose what to do with this report"))],
    )
    urgent_action = _text(
        _l("Action taken"),
        2000,
        _l("Needed when the report is urgent: what was done, and by whom."),
    )
    triage_note = _text(_l("Note (optional)"), 2000)
    venue_id = SelectField(_l("Link to a venue"), validators=[Optional()])
    area_id = SelectField(_l("Link to an area"), validators=[Optional()])
    subject_reference = StringField(
        _l("Link to a red flag card"),
        description=_l("The card's reference, like RF-2026-0001. Leave empty for none."),
        validators=[
            Optional(),
            Length(max=40, message=_l("Keep this to %(max)d characters or fewer", max=40)),
        ],
    )

    def validate_urgent_action(self, field: Any) -> None:
        if self.status.data == TriageStatus.URGENT.value and not (field.data or "").strip():
            raise ValidationError(URGENT_NEEDS_ACTION)
