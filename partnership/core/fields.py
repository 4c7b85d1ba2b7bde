"""Form fields that many forms share, each made in one place so that every form says the
same thing the same way: the length limit and its message, free text, a date, a 24-hour
time and, on the night the clocks go back, which of the two 01:30s.

:class:`WhenFields` is the date, time and "which 01:30" that go with a "When?" choice of
"now" or "earlier" (:func:`partnership.core.when.resolve_moment`), mixed into a form
beside its own fields as :class:`~partnership.core.description.DescriptionFields` is.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from datetime import datetime
from typing import Any

from wtforms import DateField, Form, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from partnership.core.lazy import lazy_gettext as _l
from partnership.core.when import (
    WhenError,
    fold_choices,
    moment_from_fields,
    resolve_moment,
    when_choices,
)

CLOCK_HINT = _l("24-hour clock, like 18:00")


def limit(most: int) -> Length:
    """At most ``most`` characters, saying so in the words every form uses."""
    return Length(max=most, message=_l("Keep this to %(max)d characters or fewer", max=most))


def text_area(label: Any, description: Any = None, *, most: int) -> TextAreaField:
    """Free text of several lines, at most ``most`` characters."""
    return TextAreaField(label, description=description, validators=[limit(most)])


def text_line(label: Any, description: Any = None, most: int = 200) -> StringField:
    """Free text of one line, at most ``most`` characters."""
    return StringField(label, description=description, validators=[limit(most)])


def name_field(label: Any, missing: Any) -> StringField:
    """A name that must be given (``missing`` says so), of at most 200 characters."""
    return StringField(
        label,
        validators=[
            DataRequired(missing),
            Length(max=200, message=_l("Name must be 200 characters or fewer")),
        ],
    )


def day_field(label: Any = None, description: Any = None) -> DateField:
    """A date that may be left empty (the service says when one is needed)."""
    described = {} if description is None else {"description": description}
    return DateField(_l("Date") if label is None else label, validators=[Optional()], **described)


def clock_field(label: Any) -> StringField:
    """A 24-hour time typed as hours and minutes, like 18:00."""
    return text_line(label, CLOCK_HINT, most=5)


def fold_field() -> RadioField:
    """Which of the two hours from 01:00 to 02:00, on the night the clocks go back."""
    return RadioField(_l("Which 01:00 to 02:00?"), choices=fold_choices(), validators=[Optional()])


def when_field(label: Any) -> RadioField:
    """ "Now" or "earlier", "now" chosen to start with: the question :class:`WhenFields`
    follow."""
    return RadioField(
        label,
        choices=when_choices(),
        default="now",
        validators=[DataRequired(_l("Choose when it happened"))],
    )


def earlier_clock() -> StringField:
    """The time that goes with an "earlier" answer: left empty for "now"."""
    return StringField(_l("Time"), validators=[Optional(), limit(5)])


# Which form fields hold each part of a moment, as core/when.py names them.
WHEN_NAMES: Mapping[str, str] = {"when": "when", "day": "day", "clock": "clock", "fold": "fold"}


def add_error(field: Any, message: Any) -> None:
    """Put ``message`` on ``field``, unless it says so already."""
    if str(message) not in [str(m) for m in field.errors]:
        field.errors = [*field.errors, message]


def read_moment(
    form: Any,
    now: datetime,
    names: Mapping[str, str] = WHEN_NAMES,
    *,
    earliest: datetime | None = None,
) -> datetime | None:
    """The UTC moment a form's "now or earlier" answer and its date, time and which 01:30
    mean (:func:`partnership.core.when.resolve_moment`, which also says how far back
    ``earliest`` allows); None with the problem put on its field. ``names`` maps the parts
    to the form's fields."""
    try:
        return resolve_moment(
            getattr(form, names["when"]).data or "",
            getattr(form, names["day"]).data,
            getattr(form, names["clock"]).data or "",
            getattr(form, names["fold"]).data,
            now,
            earliest=earliest,
        )
    except WhenError as error:
        add_error(getattr(form, names[error.field]), error.message)
        return None


class MomentFields:
    """Reading a date, a 24-hour time and which 01:30 as one UTC moment."""

    def moment(
        self, day_name: str = "day", clock_name: str = "clock", fold_name: str = "fold"
    ) -> datetime | None:
        """The UTC moment entered in London time on these fields (see
        :func:`partnership.core.when.moment_from_fields`)."""
        return moment_from_fields(
            getattr(self, day_name), getattr(self, clock_name), getattr(self, fold_name)
        )


# The fields a form's ``when`` choice is followed by, in the order they are shown.
_WHEN_FIELDS = ("day", "clock", "fold")


class WhenFields(MomentFields, Form):
    """The date, time and "which 01:30" of an "earlier" answer to the form's own ``when``
    choice. They take their place right after ``when``, as if declared there, so the
    fields (and the error summary) keep the order the form shows them in."""

    day = day_field()
    clock = earlier_clock()
    fold = fold_field()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        anchor = cls.__dict__.get("when")
        if anchor is None:
            return
        for offset, name in enumerate(_WHEN_FIELDS, start=1):
            field = copy(getattr(WhenFields, name))
            # WTForms orders fields by when they were made: just after ``when``, before
            # whatever the form made next.
            field.creation_counter = anchor.creation_counter + offset / (len(_WHEN_FIELDS) + 1)
            setattr(cls, name, field)
