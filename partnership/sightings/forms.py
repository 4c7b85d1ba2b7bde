from __future__ import annotations

from typing import Any

from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Optional, ValidationError

from partnership.core.description import DescriptionFields
from partnership.core.enums import (
    ActionTaken,
    Behaviour,
    Sharing,
    VictimResponse,
    Vulnerability,
)
from partnership.core.fields import WhenFields, limit, text_area, when_field
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.locking import VersionedForm

MAX_PHOTOS = 5


class SightingForm(WhenFields, DescriptionFields, VersionedForm):
    # Correcting, ``version`` is the sighting's; logging one from another record, it is
    # that record's (which the new sighting is linked to).
    change_labels = {
        "occurred_at": _l("When did it happen?"),
        "night": None,
        "area_id": None,
        "latitude": _l("Place on the map"),
        "longitude": _l("Place on the map"),
        "sighting_id": _l("A sighting logged from it"),
    }
    submission_key = HiddenField()
    # "safe_space_use:<id>" or "welfare_note:<id>": the record this sighting is logged from.
    source = HiddenField()
    venue_id = SelectField(_l("Where was it?"), validators=[Optional()])
    # No Optional(): it would stop validate_place from running on an empty answer.
    place = StringField(
        _l("Or describe the place"),
        validators=[limit(300)],
    )
    latitude = HiddenField()
    longitude = HiddenField()

    when = when_field(_l("When did it happen?"))

    behaviours = SelectMultipleField(
        _l("What did you see?"),
        description=_l("Choose all that apply"),
        choices=Behaviour.choices(),
        validators=[DataRequired(_l("Choose at least one behaviour"))],
    )
    other_behaviour = StringField(
        _l("Describe the other behaviour"),
        validators=[limit(500)],
    )
    victim_response = RadioField(
        _l("How did the person they targeted respond?"),
        choices=VictimResponse.choices(),
        default=VictimResponse.NOT_KNOWN.value,
        validators=[DataRequired(_l("Choose how the person they targeted responded"))],
    )
    action_taken = RadioField(
        _l("What did you do?"),
        choices=ActionTaken.choices(),
        validators=[DataRequired(_l("Choose what you did"))],
    )
    vulnerabilities = SelectMultipleField(
        _l("Was anyone vulnerable?"),
        description=_l("Choose any that apply"),
        choices=Vulnerability.choices(),
        validators=[Optional()],
    )

    description = text_area(_l("Anything else about what happened"), most=2000)

    sharing = RadioField(
        _l("Who can see this?"),
        choices=Sharing.choices(),
        default=Sharing.PARTNERSHIP.value,
        validators=[DataRequired(_l("Choose who can see this"))],
    )
    photos = MultipleFileField(
        _l("Photos (optional)"),
        description=_l("Up to 5 photos. Location and camera details are removed."),
    )

    def validate_other_behaviour(self, field: Any) -> None:
        if Behaviour.OTHER.value in (self.behaviours.data or []) and not (field.data or "").strip():
            raise ValidationError(_l("Describe the other behaviour"))

    def validate_place(self, field: Any) -> None:
        if not self.venue_id.data and not (field.data or "").strip():
            raise ValidationError(_l("Choose a venue or describe the place"))

    def validate_photos(self, field: Any) -> None:
        files = [f for f in (field.data or []) if getattr(f, "filename", "")]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_l("Attach up to %(n)d photos", n=MAX_PHOTOS))


class SightingFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    night_from = DateField(_l("Nights from"), validators=[Optional()])
    night_to = DateField(_l("Nights to"), validators=[Optional()])
    venue = SelectField(_l("Venue"), validators=[Optional()])
    area = SelectField(_l("Area"), validators=[Optional()])
    behaviour = SelectField(_l("Behaviour"), validators=[Optional()])
    organisation = SelectField(_l("Organisation"), validators=[Optional()])
