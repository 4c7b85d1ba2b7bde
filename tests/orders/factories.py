"""Orders made straight in the database, as someone else would have made them: each
order's own service is tested on its own; these stand in for it elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from itertools import count
from typing import Any

from blinker import NamedSignal
from flask import Flask

from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.notices.models import ExclusionNotice, NoticeAppeal, NoticeVenue
from partnership.venues.models import Venue

# A small square around Wind Street, Swansea: [longitude, latitude].
SQUARE: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [[-3.95, 51.61], [-3.93, 51.61], [-3.93, 51.63], [-3.95, 51.63], [-3.95, 51.61]]
    ],
}
_numbers = count(1)


def add_authorisation(app: Flask, starts_at: datetime, ends_at: datetime, **values: Any) -> int:
    """A Section 34 authorisation signed by an inspector, in force from ``starts_at``."""
    number = next(_numbers)
    columns: dict[str, Any] = {
        "reference": f"S34-2026-{number:04d}",
        "locality_name": f"Locality {number}",
        "geometry": SQUARE,
        "boundary": "Wind Street from The Strand to Castle Street",
        "necessity": ["crime_disorder"],
        "grounds": "Groups following women between bars",
        "echr_regard": "No protest or gathering is planned",
        "signed_name": "Inspector Morgan",
        "signed_rank": "inspector",
        "signed_at": starts_at,
        **values,
    }
    with app.app_context():
        authorisation = DispersalAuthorisation(starts_at=starts_at, ends_at=ends_at, **columns)
        db.session.add(authorisation)
        db.session.commit()
        return authorisation.id


def add_direction(
    app: Flask, authorisation_id: int, given_at: datetime, ends_at: datetime, **values: Any
) -> int:
    """A Section 35 direction given under ``authorisation_id``."""
    columns: dict[str, Any] = {
        "reference": f"S35-2026-{next(_numbers):04d}",
        "person_name": "Directed Person",
        "apparent_age": 30,
        "place": "Wind Street",
        "given_by_name": "PC Jones",
        "given_by_rank": "constable",
        "in_uniform": True,
        "excluded_description": "The whole locality",
        "offence_warning_given": True,
        **values,
    }
    with app.app_context():
        direction = DispersalDirection(
            authorisation_id=authorisation_id, given_at=given_at, ends_at=ends_at, **columns
        )
        db.session.add(direction)
        db.session.commit()
        return direction.id


def add_notice(
    app: Flask,
    subject_id: int,
    venues: list[Venue],
    starts_on: date,
    ends_on: date,
    **values: Any,
) -> int:
    """A partnership exclusion notice covering ``venues``."""
    columns: dict[str, Any] = {
        "reference": f"PEN-2026-{next(_numbers):04d}",
        "reasons": "Repeatedly following women between bars",
        "duration_months": None,
        "appeal_by": starts_on,
        "appeal_how": "Write to the partnership coordinator",
        "review_on": starts_on,
        "issued_by_name": "Coordinator",
        "issued_at": datetime.combine(starts_on, time(12), tzinfo=UTC),
        **values,
    }
    with app.app_context():
        notice = ExclusionNotice(
            subject_id=subject_id, starts_on=starts_on, ends_on=ends_on, **columns
        )
        notice.venues = [
            NoticeVenue(venue_id=venue.id, venue_name=venue.name, venue_address=venue.address)
            for venue in venues
        ]
        db.session.add(notice)
        db.session.commit()
        return notice.id


def add_appeal(app: Flask, notice_id: int, received_on: date, **values: Any) -> int:
    """An undecided appeal against ``notice_id``."""
    with app.app_context():
        appeal = NoticeAppeal(
            notice_id=notice_id, received_on=received_on, grounds="It was not me", **values
        )
        db.session.add(appeal)
        db.session.commit()
        return appeal.id


def add_breach(app: Flask, organisation_id: int, occurred_at: datetime, **order: int) -> None:
    """A breach of the order in ``order`` (``direction_id=...`` or ``notice_id=...``) at
    Castle Square: an arrest for a direction, refused entry for a notice."""
    with app.app_context():
        db.session.add(
            Breach(
                occurred_at=occurred_at,
                place="Castle Square",
                organisation_id=organisation_id,
                outcome="arrested" if "direction_id" in order else "refused_entry",
                **order,
            )
        )
        db.session.commit()


@contextmanager
def listening(signal: NamedSignal) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    """What ``signal`` sends while the block runs: (sender, keywords) each time."""
    heard: list[tuple[Any, dict[str, Any]]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        heard.append((sender, kwargs))

    with signal.connected_to(receiver):
        yield heard
