"""How a person is described, the same way on sightings and on subject profiles, so the
two can be compared: columns for the models and fields for the forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, declarative_mixin, mapped_column
from wtforms import Form, RadioField
from wtforms.validators import Optional

from partnership.core.enums import AgeBand, ApparentSex, Build, Height
from partnership.core.fields import text_line
from partnership.core.lazy import lazy_gettext as _l

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


@dataclass(kw_only=True)
class DescriptionData:
    """The description as a service takes it, checked: blank where not given. Mixed into
    the data of a sighting and of a subject (keyword-only, so it may come before their own
    fields)."""

    apparent_sex: str = ""
    age_band: str = ""
    height: str = ""
    build: str = ""
    clothing: str = ""
    distinguishing_features: str = ""


def description_data(form: Any) -> dict[str, str]:
    """What a form's :class:`DescriptionFields` say, as :class:`DescriptionData` takes it."""
    return {name: getattr(form, name).data or "" for name in DESCRIPTION_FIELDS}


class DescriptionFields(Form):
    """The description as form fields; mixed into a FlaskForm beside its own fields."""

    apparent_sex = RadioField(
        _l("Apparent sex"), choices=ApparentSex.choices(), validators=[Optional()]
    )
    age_band = RadioField(_l("Apparent age"), choices=AgeBand.choices(), validators=[Optional()])
    height = RadioField(_l("Height"), choices=Height.choices(), validators=[Optional()])
    build = RadioField(_l("Build"), choices=Build.choices(), validators=[Optional()])
    clothing = text_line(_l("Clothing"), most=300)
    distinguishing_features = text_line(_l("Anything distinctive"), most=300)


CODED_FIELDS = ("apparent_sex", "age_band", "height", "build")
# Words too common in descriptions to say two people look alike.
_COMMON_WORDS = frozenset(
    {"with", "wearing", "wore", "and", "the", "dark", "light", "colour", "coloured", "top"}
)


@dataclass(frozen=True)
class DescriptionMatch:
    """Why two descriptions may be the same person: the coded fields that agree and the
    words their clothing and distinctive features share."""

    fields: tuple[str, ...]
    words: tuple[str, ...]


def _words(person: Any) -> set[str]:
    text = f"{person.clothing or ''} {person.distinguishing_features or ''}".lower()
    return {word for word in re.findall(r"[^\W\d_]{4,}", text) if word not in _COMMON_WORDS}


def _known(code: str | None) -> str:
    """A coded answer, with "not sure" counted as not given."""
    return "" if not code or code == "not_sure" else code


def match_description(one: Any, other: Any) -> DescriptionMatch | None:
    """The match between two described people, or None.

    No coded field may disagree (both given and different); then three or more coded
    fields must agree, or two with at least one shared distinctive word (four letters or
    more, common words left out). Blank and "not sure" fields neither agree nor disagree,
    so a sparse description matches nothing.
    """
    agreed = []
    for name in CODED_FIELDS:
        mine, theirs = _known(getattr(one, name)), _known(getattr(other, name))
        if mine and theirs:
            if mine != theirs:
                return None
            agreed.append(name)
    shared = tuple(sorted(_words(one) & _words(other)))
    if len(agreed) >= 3 or (len(agreed) >= 2 and shared):
        return DescriptionMatch(tuple(agreed), shared)
    return None
