"""The partnership the notice tests work in: its bars, police, coordinator and a red flag."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import Flask

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.venues.models import Venue
from tests.sightings.factories import add_sighting
from tests.subjects.factories import add_link, add_subject

MakeUser = Callable[..., User]


@dataclass
class World:
    """Two member bars, a closed venue, police, the coordinator, and a red flag shared with
    the partnership with two sightings linked: one shared with the partnership, one police
    only. The red flag carries the canary (name, aliases, date of birth, address and a
    police-only note)."""

    bar: Organisation
    anchor: Venue
    door: User
    club: Organisation
    neon: Venue
    club_door: User
    closed: Venue
    officer: User
    coordinator: User
    subject_id: int
    reference: str
    shared_sighting: int
    police_sighting: int


def build_world(
    app: Flask,
    make_org: Callable[..., Organisation],
    make_user: MakeUser,
    make_venue: Callable[..., Venue],
) -> World:
    bar = make_org(OrgKind.LICENSED_PREMISES, "Anchor Ltd")
    anchor = make_venue(bar, "The Anchor Bar")
    closed = make_venue(bar, "The Old Anchor", active=False)
    club = make_org(OrgKind.LICENSED_PREMISES, "Neon Ltd")
    neon = make_venue(club, "Neon Nightclub")
    door = make_user(Role.PREMISES_STAFF, bar)
    club_door = make_user(Role.PREMISES_STAFF, club)
    officer = make_user(Role.OFFICER)
    coordinator = make_user(Role.COORDINATOR)
    subject_id, reference = add_subject(
        app,
        officer,
        "police",
        "partnership",
        aliases="Birdy",
        date_of_birth=date(1990, 1, 2),
        address="1 Canary Street",
        clothing="Red cap",
    )
    shared = add_sighting(app, door, anchor.id, night=date(2026, 11, 20))
    police_only = add_sighting(app, door, anchor.id, night=date(2026, 11, 21), sharing="police")
    for sighting in (shared, police_only):
        add_link(app, subject_id, officer, sighting_id=sighting)
    return World(
        bar=bar,
        anchor=anchor,
        door=door,
        club=club,
        neon=neon,
        club_door=club_door,
        closed=closed,
        officer=officer,
        coordinator=coordinator,
        subject_id=subject_id,
        reference=reference,
        shared_sighting=shared,
        police_sighting=police_only,
    )
