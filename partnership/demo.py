"""A small, realistic demo partnership: the data `make run` loads into an empty database."""

from __future__ import annotations

import json
from typing import Any

import click

from partnership.admin import service as admin_service
from partnership.core import geo
from partnership.core.enums import OrgKind, Rank, Role
from partnership.venues import service as venue_service

DEMO_PASSWORD = "safer-nights-demo"  # noqa: S105 (demo only; seeding is refused in production)

ORGANISATIONS = [
    ("South Wales Police (demo)", OrgKind.POLICE),
    ("The Anchor Bar", OrgKind.LICENSED_PREMISES),
    ("Castle Lounge", OrgKind.LICENSED_PREMISES),
    ("Neon Nightclub", OrgKind.LICENSED_PREMISES),
    ("Swansea Street Pastors", OrgKind.STREET_PASTORS),
    ("Safe Haven Welfare Hub", OrgKind.WELFARE),
    ("Swansea Safer Nights Partnership", OrgKind.PARTNERSHIP),
    ("City and County Council (demo)", OrgKind.LOCAL_AUTHORITY),
]

# email, name, organisation, role, rank, designated PCSO, language
USERS = [
    ("door@anchor.example", "Dai Morgan", "The Anchor Bar", Role.PREMISES_STAFF, None, False, "en"),
    ("bar@neon.example", "Lowri Hughes", "Neon Nightclub", Role.PREMISES_STAFF, None, False, "cy"),
    (
        "pastor@streetpastors.example",
        "Ruth Evans",
        "Swansea Street Pastors",
        Role.WELFARE,
        None,
        False,
        "en",
    ),
    (
        "welfare@safehaven.example",
        "Sam Price",
        "Safe Haven Welfare Hub",
        Role.WELFARE,
        None,
        False,
        "en",
    ),
    (
        "pc@police.example",
        "PC Rhys Jenkins",
        "South Wales Police (demo)",
        Role.OFFICER,
        Rank.CONSTABLE,
        False,
        "en",
    ),
    (
        "pcso@police.example",
        "PCSO Ffion Lewis",
        "South Wales Police (demo)",
        Role.OFFICER,
        Rank.PCSO,
        True,
        "cy",
    ),
    (
        "inspector@police.example",
        "Insp. Carys Thomas",
        "South Wales Police (demo)",
        Role.INSPECTOR,
        Rank.INSPECTOR,
        False,
        "en",
    ),
    (
        "coordinator@safernights.example",
        "Alex Rowlands",
        "Swansea Safer Nights Partnership",
        Role.COORDINATOR,
        None,
        False,
        "en",
    ),
    (
        "analyst@council.example",
        "Priya Shah",
        "City and County Council (demo)",
        Role.ANALYST,
        None,
        False,
        "en",
    ),
    (
        "admin@safernights.example",
        "Morgan Davies",
        "Swansea Safer Nights Partnership",
        Role.ADMIN,
        None,
        False,
        "en",
    ),
]


# Wind Street, Swansea: organisation (and venue name), address, postcode, latitude,
# longitude, premises licence number, runs a Safe Space. Addresses are made up.
VENUES = [
    ("The Anchor Bar", "20 Wind Street, Swansea", "SA1 1DZ", 51.6199, -3.9404, "PL/SWA/0412", True),
    ("Castle Lounge", "3 Wind Street, Swansea", "SA1 1DP", 51.6205, -3.9410, "PL/SWA/0387", False),
    ("Neon Nightclub", "54 Wind Street, Swansea", "SA1 1EB", 51.6191, -3.9396, "PL/SWA/0519", True),
]

ZONE_NAME = "Wind Street night-time economy zone"
ZONE_DESCRIPTION = "Wind Street from Castle Street to Quay Parade, about 60 m either side."
# GeoJSON order: [longitude, latitude].
ZONE_GEOMETRY: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [
            [-3.93758, 51.61693],
            [-3.93616, 51.61759],
            [-3.94122, 51.62177],
            [-3.94264, 51.62111],
            [-3.93758, 51.61693],
        ]
    ],
}


def seed() -> None:
    """Add the demo organisations, one account per role (all with DEMO_PASSWORD), a venue
    for each licensed premises on Wind Street, and the Wind Street zone."""
    orgs = {
        name: admin_service.create_organisation(None, name, kind) for name, kind in ORGANISATIONS
    }
    for email, name, org, role, rank, designated, locale in USERS:
        admin_service.create_user(
            None,
            name=name,
            email=email,
            organisation=orgs[org],
            role=role,
            rank=rank,
            designated_pcso=designated,
            locale=locale,
            password=DEMO_PASSWORD,
        )
    for name, address, postcode, latitude, longitude, licence, safe_space in VENUES:
        venue_service.create_venue(
            None,
            venue_service.VenueDetails(
                name=name,
                organisation_id=orgs[name].id,
                address=address,
                postcode=postcode,
                latitude=latitude,
                longitude=longitude,
                licence_number=licence,
                has_safe_space=safe_space,
            ),
        )
    venue_service.create_area(
        None,
        name=ZONE_NAME,
        description=ZONE_DESCRIPTION,
        geometry=geo.parse_area_geometry(json.dumps(ZONE_GEOMETRY)),
    )


def print_logins() -> None:
    click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for email, _name, org, role, _rank, _designated, _locale in USERS:
        two_factor = "  + two-factor set-up at first sign-in" if role.needs_two_factor else ""
        click.echo(f"  {role.value:<15} {email:<34} {org}{two_factor}")
