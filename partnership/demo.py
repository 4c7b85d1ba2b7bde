"""A small, realistic demo partnership: the data `make run` loads into an empty database."""

from __future__ import annotations

import click

from partnership.admin import service as admin_service
from partnership.core.enums import OrgKind, Rank, Role

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


def seed() -> None:
    """Add the demo organisations and one account per role, all with DEMO_PASSWORD."""
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


def print_logins() -> None:
    click.echo(f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}):")
    for email, _name, org, role, _rank, _designated, _locale in USERS:
        two_factor = "  + two-factor set-up at first sign-in" if role.needs_two_factor else ""
        click.echo(f"  {role.value:<15} {email:<34} {org}{two_factor}")
