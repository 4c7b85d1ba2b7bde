from __future__ import annotations

from typing import Any

from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from partnership.core.enums import TITLES, TriageStatus
from partnership.core.fields import limit, text_area
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm
from partnership.triage.service import TRIAGE_CHOICES, URGENT_NEEDS_ACTION


def _status_choices() -> list[SelectChoice]:
    return [SelectChoice(code, TITLES[TriageStatus][code]) for code in TRIAGE_CHOICES]


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
    urgent_action = text_area(
        _l("Action taken"),
        _l("Needed when the report is urgent: what was done, and by whom."),
        most=2000,
    )
    triage_note = text_area(_l("Note (optional)"), most=2000)
    venue_id = SelectField(_l("Link to a venue"), validators=[Optional()])
    area_id = SelectField(_l("Link to an area"), validators=[Optional()])
    subject_reference = StringField(
        _l("Link to a red flag card"),
        description=_l("The card's reference, like RF-2026-0001. Leave empty for none."),
        validators=[
            Optional(),
            limit(40),
        ],
    )

    def validate_urgent_action(self, field: Any) -> None:
        if self.status.data == TriageStatus.URGENT.value and not (field.data or "").strip():
            raise ValidationError(URGENT_NEEDS_ACTION)
