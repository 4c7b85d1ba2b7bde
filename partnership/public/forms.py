"""The public report form: one form, answered a few questions at a time.

Each step shows some fields and carries the others' answers as hidden fields, so the form
works without JavaScript and without anything kept on the server between steps. Only the
photo is never carried: it is chosen on the last step.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_wtf.file import FileField
from wtforms import (
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from partnership.core.enums import Behaviour, ReporterKind, TimeOfNight
from partnership.core.fields import limit
from partnership.core.forms import Form
from partnership.core.geo import GeoError, check_point
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.when import read_date

MAX_AGE = timedelta(days=365)
DESCRIPTION_LIMIT = 5000
PLACE_LIMIT = 300
SHORT_LIMIT = 200

# The behaviour taxonomy in words for the public (codes: partnership.core.enums.Behaviour).
PLAIN_BEHAVIOURS: dict[str, Any] = {
    Behaviour.UNWANTED_TOUCHING.value: _l("Touching that was not wanted"),
    Behaviour.GETTING_CLOSE.value: _l("Brushing against someone or getting too close"),
    Behaviour.SEXUAL_COMMENTS.value: _l("Sexual comments, remarks or jokes that were not welcome"),
    Behaviour.SEXUAL_CONDUCT.value: _l("Sexual gestures or movements"),
    Behaviour.CATCALLING.value: _l("Wolf-whistling or cat-calling"),
    Behaviour.ABUSE_AFTER_REJECTION.value: _l("Shouting or abuse after someone said no"),
    Behaviour.FOLLOWING.value: _l("Following someone"),
    Behaviour.STARING.value: _l("Staring in a way that felt threatening"),
    Behaviour.FILMING.value: _l("Filming or taking photos of someone without their agreement"),
    Behaviour.SPIKING_SUSPECTED.value: _l(
        "Spiking: something put in a drink, or an injection, or you think so"
    ),
    Behaviour.REPEATED_APPROACHES.value: _l(
        "Going up to person after person, or group after group, or making propositions"
    ),
    Behaviour.TARGETING_VULNERABLE.value: _l(
        "Singling out people who were drunk, alone or vulnerable"
    ),
    Behaviour.LOITERING.value: _l("Hanging around, for example outside the toilets"),
    Behaviour.OUT_OF_CONTEXT.value: _l("Behaving in a way that felt wrong for the place"),
    Behaviour.OTHER.value: _l("Something else"),
}

TONIGHT, LAST_NIGHT, ANOTHER_NIGHT = "tonight", "last_night", "another"
YES, NO = "yes", "no"

# The fields each step asks for; the rest are carried as hidden fields.
STEPS: dict[int, tuple[str, ...]] = {
    1: ("reporter",),
    2: ("venue_id", "place", "latitude", "longitude"),
    3: ("when", "night", "time_of_night"),
    4: ("behaviours", "other_behaviour", "description"),
    5: ("wants_contact", "contact_name", "contact_detail", "contact_times"),
    6: ("photo", "website"),
}
CHECK_STEP = max(STEPS)
CONTACT_FIELDS = ("contact_name", "contact_detail", "contact_times")


def parse_night(text: str | None) -> date | None:
    """A date as a browser's date picker sends it (2026-11-27) or as people type it
    (27/11/2026, 27-11-2026, 27.11.26); None if it is not one (:func:`read_date`)."""
    return read_date(text, date.min, date.max, as_typed=True)


class PublicReportForm(Form):
    # The night it is now, set by the view before validating (the form reads no clock).
    tonight: date | None = None

    step = HiddenField(default="1")
    # Random, made when the form is first shown: a report sent twice is stored once.
    submission_key = HiddenField()
    # Set when "Change" was chosen on the check page: "Continue" goes back there.
    returning = HiddenField()

    reporter = RadioField(
        _l("Who are you reporting for?"),
        choices=ReporterKind.choices(),
        validators=[DataRequired(_l("Choose who you are reporting for"))],
    )

    venue_id = SelectField(
        _l("Was it at or near one of these places?"),
        description=_l("Pubs, bars and clubs in the partnership."),
        validators=[Optional()],
    )
    # No Optional(): it would stop validate_place running on an empty answer.
    place = TextAreaField(
        _l("Or describe where it was"),
        description=_l("For example a street, a taxi rank or a bus stop."),
        validators=[limit(PLACE_LIMIT)],
    )
    latitude = HiddenField()
    longitude = HiddenField()

    when = RadioField(
        _l("When did it happen?"),
        choices=[
            SelectChoice(TONIGHT, _l("Tonight or today")),
            SelectChoice(LAST_NIGHT, _l("Last night")),
            SelectChoice(ANOTHER_NIGHT, _l("Another night")),
        ],
        validators=[DataRequired(_l("Choose when it happened"))],
    )
    # Text, read by parse_night: a browser's date picker sends 2026-11-27, a person may type
    # 27/11/2026.
    night = StringField(
        _l("Date"),
        description=_l(
            "For example 27/11/2026. If it was after midnight, choose the date of the "
            "evening before."
        ),
        validators=[limit(20)],
    )
    time_of_night = RadioField(
        _l("Roughly what time was it?"),
        choices=TimeOfNight.choices(),
        validators=[DataRequired(_l("Choose roughly what time it was"))],
    )

    behaviours = SelectMultipleField(
        _l("What happened?"),
        description=_l("Choose all that apply."),
        choices=[SelectChoice(code, label) for code, label in PLAIN_BEHAVIOURS.items()],
        validators=[DataRequired(_l("Choose at least one thing that happened"))],
    )
    other_behaviour = StringField(_l("What else happened?"), validators=[limit(SHORT_LIMIT * 2)])
    description = TextAreaField(
        _l("Tell us more (optional)"),
        description=_l(
            "Anything that would help: what happened, what the person looked like, "
            "what they were wearing. Up to %(max)d characters.",
            max=DESCRIPTION_LIMIT,
        ),
        validators=[Optional(), limit(DESCRIPTION_LIMIT)],
    )

    wants_contact = RadioField(
        _l("Do you want someone to contact you?"),
        choices=[SelectChoice(NO, _l("No")), SelectChoice(YES, _l("Yes"))],
        default=NO,
        validators=[DataRequired(_l("Choose whether you want someone to contact you"))],
    )
    contact_name = StringField(
        _l("Your name, or what we should call you (optional)"),
        validators=[Optional(), limit(SHORT_LIMIT)],
    )
    contact_detail = StringField(
        _l("Phone number or email address"), validators=[limit(SHORT_LIMIT)]
    )
    contact_times = StringField(
        _l("When is it safe to contact you? (optional)"),
        description=_l("For example: weekdays after 6pm, or text first."),
        validators=[Optional(), limit(SHORT_LIMIT)],
    )

    # Its hint names the size limit of this deployment: see the template.
    photo = FileField(_l("Add a photo (optional)"))
    # The honeypot: hidden from people and screen readers; a bot fills it in.
    website = StringField(_l("Leave this box empty"))

    def validate_place(self, field: Field) -> None:
        if self.latitude.data or self.longitude.data:
            if self.pin() is None:
                # Dropped, so that the page does not carry a pin nobody can see to remove.
                self.latitude.data = self.longitude.data = ""
                raise ValidationError(
                    _l(
                        "The pin must be on a place in the UK. Put the pin on the map again, "
                        "or choose a place from the list or describe where it was"
                    )
                )
            return
        if not self.venue_id.data and not (field.data or "").strip():
            raise ValidationError(
                _l("Choose a place from the list, put a pin on the map, or describe where it was")
            )

    def pin(self) -> tuple[float, float] | None:
        """The pin's latitude and longitude, if both are given and it is in the UK."""
        try:
            latitude, longitude = float(self.latitude.data or ""), float(self.longitude.data or "")
            check_point(latitude, longitude)
        except (ValueError, GeoError):
            return None
        return latitude, longitude

    def validate_night(self, field: Field) -> None:
        if self.when.data != ANOTHER_NIGHT:
            return
        day = parse_night(field.data)
        if day is None:
            raise ValidationError(_l("Enter the date it happened, like 27/11/2026"))
        if self.tonight is not None and day > self.tonight:
            raise ValidationError(_l("The date cannot be in the future"))
        if self.tonight is not None and day < self.tonight - MAX_AGE:
            raise ValidationError(_l("The date must be within the last year"))

    def chosen_night(self) -> date | None:
        """The night the answers name (named by the date it starts), if they name one."""
        if self.tonight is None:
            return None
        if self.when.data == TONIGHT:
            return self.tonight
        if self.when.data == LAST_NIGHT:
            return self.tonight - timedelta(days=1)
        if self.when.data == ANOTHER_NIGHT:
            return parse_night(self.night.data)
        return None

    def validate_other_behaviour(self, field: Field) -> None:
        if Behaviour.OTHER.value in (self.behaviours.data or []) and not (field.data or "").strip():
            raise ValidationError(_l("Tell us what else happened"))

    def validate_contact_detail(self, field: Field) -> None:
        if self.wants_contact.data == YES and not (field.data or "").strip():
            raise ValidationError(
                _l("Enter a phone number or email address, so that someone can contact you")
            )

    def validate_step(self, step: int) -> bool:
        """Check only the fields ``step`` asks for (with their ``validate_<name>`` rules)."""
        ok = True
        for name in STEPS[step]:
            field = self[name]
            inline = getattr(type(self), f"validate_{name}", None)
            if not field.validate(self, [inline] if inline else []):
                ok = False
        return ok

    def contact_wanted(self) -> bool:
        return bool(self.wants_contact.data == YES)
