"""How a person is described, the same way on sightings and on subject profiles, so the
two can be compared: columns for the models and fields for the forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, declarative_mixin, mapped_column
from wtforms import Form, RadioField, StringField
from wtforms.validators import Length, Optional

from partnership.core.enums import AgeBand, ApparentSex, Build, Height

DESCRIPTION_FIELDS = (
    "apparent_sex",
    "age_band",
    "height",
    "build",
    "clothing",
    "distinguishing_features",
)


@declarative_mixin
class DescribedPerson:
    """Apparent sex, age, height and build (stable codes) and what they wore or stood out by."""

    apparent_sex: Mapped[str] = mapped_column(String(20), default="")
    age_band: Mapped[str] = mapped_column(String(20), default="")
    height: Mapped[str] = mapped_column(String(20), default="")
    build: Mapped[str] = mapped_column(String(20), default="")
    clothing: Mapped[str] = mapped_column(Text, default="")
    distinguishing_features: Mapped[str] = mapped_column(Text, default="")


def _text(label: Any) -> StringField:
    return StringField(
        label,
        validators=[
            Optional(),
            Length(max=300, message=_l("Keep this to %(max)d characters or fewer", max=300)),
        ],
    )


class DescriptionFields(Form):
    """The description as form fields; mixed into a FlaskForm beside its own fields."""

    apparent_sex = RadioField(
        _l("Apparent sex"), choices=ApparentSex.choices(), validators=[Optional()]
    )
    age_band = RadioField(_l("Apparent age"), choices=AgeBand.choices(), validators=[Optional()])
    height = RadioField(_l("Height"), choices=Height.choices(), validators=[Optional()])
    build = RadioField(_l("Build"), choices=Build.choices(), validators=[Optional()])
    clothing = _text(_l("Clothing"))
    distinguishing_features = _text(_l("Anything distinctive"))
