"""The Section 38 record of a direction: everything the Act requires to be recorded, as
labelled lines in the request's language, for the direction's page."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from partnership.core.catalogue import gettext as _
from partnership.core.enums import Exemption, Rank, Under16Action
from partnership.core.i18n import local_date, local_datetime
from partnership.orders.directions.models import VARIED, DirectionChange, DispersalDirection
from partnership.orders.directions.rules import appears_under


class RecordLine(NamedTuple):
    """One item of the Section 38 record: its label and its value (lines separated by
    newlines)."""

    label: str
    value: str


def _yes_no(answer: bool) -> str:
    return str(_("Yes") if answer else _("No"))


def _rank(code: str) -> str:
    try:
        return str(Rank(code).label)
    except ValueError:
        return code


def _moment(value: Any) -> str:
    if not value:
        return str(_("Not set"))
    return local_datetime(datetime.fromisoformat(value))


def _change_lines(change: DirectionChange) -> list[str]:
    lines = [
        _(
            "%(when)s, by %(name)s",
            when=local_datetime(change.changed_at),
            name=change.changed_by_name,
        ),
        _("Reason: %(reason)s", reason=change.reason),
        _("Notice of it given in writing")
        if change.notice_in_writing
        else _("Notice of it not given in writing"),
    ]
    labels = {
        "ends_at": _("Excluded until"),
        "excluded_geometry": _("Shape of the excluded area"),
        "excluded_description": _("Excluded area in words"),
        "leave_by": _("Leave by"),
        "route": _("Route"),
    }
    for name, label in labels.items():
        if name not in change.after:
            continue
        before, after = change.before.get(name), change.after.get(name)
        if name in ("ends_at", "leave_by"):
            before, after = _moment(before), _moment(after)
        elif name == "excluded_geometry":
            before = _("Part of the locality") if before else _("The whole locality")
            after = _("Part of the locality") if after else _("The whole locality")
        else:
            before, after = before or _("Not set"), after or _("Not set")
        lines.append(
            _("%(what)s: was %(before)s, now %(after)s", what=label, before=before, after=after)
        )
    return lines


def section_38_record(direction: DispersalDirection) -> list[RecordLine]:
    """Everything Section 38 requires to be recorded about ``direction``, in order: the
    person, the locality, the period, the time given, the requirements (area, time to
    leave by, route), items surrendered, and every variation and withdrawal; then the
    rest of what was asked and told at the time. Labels and values in the request's
    language; values of several lines are separated by newlines."""
    record: list[RecordLine] = [RecordLine(_("Reference"), direction.reference)]

    person = [direction.person_name or _("Name not given")]
    if direction.subject is not None:
        person.append(_("Red flag %(reference)s", reference=direction.subject.reference))
    record.append(RecordLine(_("Person"), "\n".join(person)))
    if direction.date_of_birth is not None:
        record.append(
            RecordLine(_("Date of birth"), local_date(direction.date_of_birth, "d MMMM yyyy"))
        )
    if direction.apparent_age is not None:
        record.append(RecordLine(_("Apparent age"), str(direction.apparent_age)))
    if direction.address:
        record.append(RecordLine(_("Address"), direction.address))
    if direction.description:
        record.append(RecordLine(_("Description"), direction.description))

    authorisation = direction.authorisation
    record.append(
        RecordLine(
            _("Locality"),
            "\n".join(
                [
                    _(
                        "%(locality)s, authorisation %(reference)s",
                        locality=authorisation.locality_name,
                        reference=authorisation.reference,
                    ),
                    authorisation.boundary,
                ]
            ),
        )
    )
    record.append(
        RecordLine(
            _("Period of exclusion"),
            _(
                "From %(start)s until %(end)s",
                start=local_datetime(direction.given_at),
                end=local_datetime(direction.ends_at),
            ),
        )
    )
    record.append(RecordLine(_("Time given"), local_datetime(direction.given_at)))
    place = [direction.place]
    if direction.latitude is not None and direction.longitude is not None:
        place.append(
            _(
                "Latitude %(latitude)s, longitude %(longitude)s",
                latitude=direction.latitude,
                longitude=direction.longitude,
            )
        )
    record.append(RecordLine(_("Place given"), "\n".join(place)))
    record.append(
        RecordLine(
            _("Given by"),
            _(
                "%(name)s, %(rank)s, in uniform",
                name=direction.given_by_name,
                rank=_rank(direction.given_by_rank),
            ),
        )
    )

    if direction.excluded_geometry is None:
        area = [
            _(
                "The whole of the authorised locality, %(locality)s",
                locality=authorisation.locality_name,
            )
        ]
    else:
        area = [
            _("Part of the authorised locality, %(locality)s", locality=authorisation.locality_name)
        ]
    if direction.excluded_description:
        area.append(direction.excluded_description)
    record.append(RecordLine(_("Excluded area"), "\n".join(area)))
    record.append(
        RecordLine(
            _("Leave by"),
            local_datetime(direction.leave_by) if direction.leave_by else _("Not set"),
        )
    )
    record.append(RecordLine(_("Route"), direction.route or _("Not set")))

    record.append(RecordLine(_("Items surrendered"), direction.items_surrendered or _("None")))
    if direction.items_surrendered:
        record.append(RecordLine(_("How to get the items back"), direction.items_return))

    if direction.in_writing:
        record.append(RecordLine(_("Notice"), _("Given in writing")))
    else:
        record.append(
            RecordLine(
                _("Notice"),
                _(
                    "Not given in writing, because: %(reason)s",
                    reason=direction.not_in_writing_reason,
                ),
            )
        )
    record.append(
        RecordLine(
            _("Offence warning"),
            _("Told that failing to comply with the direction is an offence")
            if direction.offence_warning_given
            else _("Not recorded"),
        )
    )
    if direction.under_16_action or appears_under(direction, 16):
        action = direction.under_16_action
        said = [Under16Action(action).label if action else _("Not recorded")]
        if direction.under_16_note:
            said.append(direction.under_16_note)
        record.append(RecordLine(_("Appears to be under 16"), "\n".join(said)))
    record.append(
        RecordLine(
            _("Section 36 questions"),
            "\n".join(
                _(
                    "%(question)s: %(answer)s",
                    question=exemption.label,
                    answer=_yes_no(bool(direction.exemptions_checked.get(exemption.value))),
                )
                for exemption in Exemption
            ),
        )
    )

    number = 0
    for change in direction.changes:
        if change.kind == VARIED:
            number += 1
            label = _("Variation %(number)d", number=number)
        else:
            label = _("Withdrawal")
        record.append(RecordLine(label, "\n".join(_change_lines(change))))
    if direction.withdrawn_at is not None:
        record.append(RecordLine(_("Withdrawn at"), local_datetime(direction.withdrawn_at)))
    return record
