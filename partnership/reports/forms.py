"""The report's filters: a GET form (nothing changes, so no CSRF token), read from the query
string ``range``, ``from``, ``to``, ``area``, ``venue`` and ``behaviour``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from partnership.core.enums import Behaviour
from partnership.core.forms import Form
from partnership.core.lazy import lazy_gettext as _l
from partnership.core.when import read_date
from partnership.extensions import db
from partnership.reports.figures import Filters, Period, preset
from partnership.reports.service import DEFAULT_RANGE, MAX_NIGHTS, ReportChoice
from partnership.venues.models import Area, Venue

CUSTOM = "custom"
RANGE_CHOICES = (
    SelectChoice("this_week", _l("This week")),
    SelectChoice("last_week", _l("Last week")),
    SelectChoice("last_4_weeks", _l("Last 4 weeks")),
    SelectChoice("quarter", _l("Last 13 weeks (a quarter)")),
    SelectChoice(CUSTOM, _l("Choose the nights")),
)
# Nights a report can cover: anything else is a typing slip (and year 1 has no period
# before it).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def parse_night(text: str | None) -> date | None:
    """A night's date typed as ``2026-11-16`` (what a date picker sends) or ``16/11/2026``,
    from 2000 to 2099; None when it is neither."""
    return read_date(text, EARLIEST, LATEST)


class ReportForm(Form):
    class Meta:
        csrf = False  # a GET report changes nothing

    range = RadioField(
        _l("Nights"),
        choices=list(RANGE_CHOICES),
        default=DEFAULT_RANGE,
        validate_choice=False,
    )
    from_ = StringField(
        _l("First night"),
        description=_l("For chosen nights: the date the night starts, for example 2026-11-16"),
        name="from",
    )
    to = StringField(
        _l("Last night"),
        description=_l("For example 2026-11-22"),
    )
    area = SelectField(_l("Area"), default="", validate_choice=False)
    venue = SelectField(_l("Venue"), default="", validate_choice=False)
    behaviour = SelectField(_l("Behaviour"), default="", validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = db.session.execute(
            select(Area.id, Area.name).where(Area.active.is_(True)).order_by(Area.name, Area.id)
        ).all()
        self.area.choices = [SelectChoice("", _l("All areas"))] + [
            SelectChoice(str(ident), name) for ident, name in areas
        ]
        venues = db.session.execute(
            select(Venue.id, Venue.name, Venue.active).order_by(Venue.name, Venue.id)
        ).all()
        self.venue.choices = [SelectChoice("", _l("All venues"))] + [
            SelectChoice(
                str(ident), name if active else _l("%(name)s (no longer active)", name=name)
            )
            for ident, name, active in venues
        ]
        self.behaviour.choices = [SelectChoice("", _l("All behaviours")), *Behaviour.choices()]

    @staticmethod
    def _allowed(field: SelectField) -> set[str]:
        return {str(choice.value) for choice in field.choices or []}  # type: ignore[union-attr]

    def validate_range(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in RANGE_CHOICES}:
            raise ValidationError(_l("Choose which nights to report on"))

    def _custom_night(self, field: StringField, missing: Any, unreadable: Any) -> date | None:
        """The night ``field`` names when the range is custom (None when it is not); the
        message ``missing`` or ``unreadable`` when it names none."""
        if self.range.data != CUSTOM:
            return None
        if not (field.data or "").strip():
            raise ValidationError(missing)
        night = parse_night(field.data)
        if night is None:
            raise ValidationError(unreadable)
        return night

    def validate_from_(self, field: StringField) -> None:
        self._custom_night(
            field,
            _l("Enter the first night"),
            _l("Enter the first night as a date, for example 2026-11-16"),
        )

    def validate_to(self, field: StringField) -> None:
        last = self._custom_night(
            field,
            _l("Enter the last night"),
            _l("Enter the last night as a date, for example 2026-11-22"),
        )
        if last is None:
            return
        first = parse_night(self.from_.data)
        if first is None:
            return
        if last < first:
            raise ValidationError(_l("The last night must be the same as or after the first"))
        if (last - first).days + 1 > MAX_NIGHTS:
            raise ValidationError(_l("Choose %(max)d nights or fewer", max=MAX_NIGHTS))

    def validate_area(self, field: SelectField) -> None:
        if (field.data or "") not in self._allowed(field):
            raise ValidationError(_l("Choose an area from the list"))

    def validate_venue(self, field: SelectField) -> None:
        if (field.data or "") not in self._allowed(field):
            raise ValidationError(_l("Choose a venue from the list"))

    def validate_behaviour(self, field: SelectField) -> None:
        if (field.data or "") not in self._allowed(field):
            raise ValidationError(_l("Choose a behaviour from the list"))

    def choice(self, now: datetime) -> ReportChoice:
        """The report asked for, after :meth:`validate`: each answer with an error gives way
        to its default (the default range, every area, venue or behaviour), so a page with a
        mistake still shows figures while the form keeps what was typed."""
        dates_wrong = bool(self.range.errors or self.from_.errors or self.to.errors)
        name = DEFAULT_RANGE if dates_wrong else str(self.range.data)
        first, last = parse_night(self.from_.data), parse_night(self.to.data)
        if name == CUSTOM and first is not None and last is not None:
            period = Period(first, last)
        else:
            name = DEFAULT_RANGE if name == CUSTOM else name
            period = preset(name, now)

        def chosen(field: SelectField) -> str | None:
            return None if field.errors or not field.data else str(field.data)

        area, venue = chosen(self.area), chosen(self.venue)
        return ReportChoice(
            range_name=name,
            period=period,
            filters=Filters(
                area_id=int(area) if area else None,
                venue_id=int(venue) if venue else None,
                behaviour=chosen(self.behaviour),
            ),
        )
