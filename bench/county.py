"""A year of a county's data, seeded once and reused: 200 venues owned by 40 licensed-premises
organisations, a police force, the partnership and Street Pastors; ``rows`` sightings spread
evenly over the 365 nights ending tonight, with Safe Space uses, public reports, welfare
notes, red flags and their notes and links, dispersal authorisations and directions,
exclusion notices and recent breaches; and the people who sign in to look at them.

.venv/bin/python bench/county.py --rows 10000 [--database sqlite|postgres|both]

A seeded database is kept (SQLite files in bench/.cache/, PostgreSQL databases named
``bench_pages_county_<rows>`` on the server in PARTNERSHIP_BENCH_POSTGRES) and used again
while it was seeded with the same rows, seed version and schema for the same night;
otherwise it is dropped and seeded afresh.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, insert, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateIndex, CreateTable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import bench_app
from partnership import config as config_module
from partnership import models as all_models
from partnership.admin import service as admin_service
from partnership.auth.models import Organisation, User
from partnership.core.enums import (
    ActionTaken,
    Behaviour,
    Exemption,
    OrgKind,
    Rank,
    Role,
    Sharing,
    VictimResponse,
)
from partnership.core.nights import LONDON, NIGHT_ENDS, night_bounds, night_of, to_local
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.notices.models import (
    ExclusionNotice,
    ExclusionNoticeIncident,
    NoticeVenue,
)
from partnership.orders.notices.service import default_appeal_how, end_for
from partnership.public.models import PublicReport
from partnership.sightings.models import Sighting, SightingBehaviour
from partnership.subjects.models import RedFlagNote, Subject, SubjectLink
from partnership.venues.models import Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote

# Bump when what the seed writes changes: a database seeded by another version is re-seeded.
SEED_VERSION = 3
BATCH = 20_000
VENUES = 200
PREMISES_ORGANISATIONS = 40
NIGHTS = 365
CACHE = Path(__file__).resolve().parent / ".cache"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432"
DATABASE_PREFIX = "bench_pages_county"
MARKER_TABLE = "bench_seed"

PASSWORD = "bench-password-123"  # noqa: S105 (a bench account's, known on purpose)
# The authenticator secret of every account that signs in with a security code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
# Who signs in, by what they do: their email addresses (all with PASSWORD).
ACCOUNTS = {
    "officer": "officer@bench.example.org",
    "inspector": "inspector@bench.example.org",
    "coordinator": "coordinator@bench.example.org",
    "analyst": "analyst@bench.example.org",
    "door supervisor": "door@bench.example.org",
}
# Red flags are named from these; a search for the first finds many.
SURNAMES = ("Pritchard", "Llewellyn", "Hughes", "Morgan", "Rees", "Bevan", "Vaughan", "Powell")
FORENAMES = ("Gareth", "Rhys", "Dylan", "Owain", "Jamie", "Liam", "Callum", "Aled", "Ryan")

BEHAVIOURS = [b.value for b in Behaviour if b is not Behaviour.OTHER]
RESPONSES = [r.value for r in VictimResponse]
ACTIONS = [a.value for a in ActionTaken]
CITY_CENTRE = {
    "type": "Polygon",
    "coordinates": [
        [[-3.97, 51.59], [-3.92, 51.59], [-3.92, 51.65], [-3.97, 51.65], [-3.97, 51.59]]
    ],
}

Row = dict[str, Any]


@dataclass(frozen=True)
class Cast:
    """The ids the seed hands out records to: organisations, venues and people."""

    police: int
    partnership: int
    pastors: int
    premises: list[int]  # the licensed-premises organisations
    venue_owner: dict[int, int]  # venue id -> its organisation
    author_of: dict[int, int]  # organisation id -> the staff member who logs its records
    officer: int
    inspector: int
    coordinator: int
    pastor: int


@dataclass
class Counters:
    """The next explicit id of each bulk-inserted table, and references per year."""

    subject: int = 0
    note: int = 0
    link: int = 0
    use: int = 0
    public: int = 0
    welfare: int = 0
    breach: int = 0

    def __post_init__(self) -> None:
        self.references: dict[str, int] = {}

    def reference(self, prefix: str, moment: datetime | date) -> str:
        """The next <prefix>-<year>-<4 digits> reference of the moment's (local) year."""
        year = to_local(moment).year if isinstance(moment, datetime) else moment.year
        key = f"{prefix}-{year}"
        self.references[key] = self.references.get(key, 0) + 1
        return f"{key}-{self.references[key]:04d}"


def seed(
    url: str,
    rows: int,
    now: datetime | None = None,
    seed_number: int = 11,
    like: int | None = None,
) -> Flask:
    """An app on ``url`` (every table dropped and made again) holding a year of a county's
    data: ``rows`` sightings over the 365 nights ending with the night of ``now``, and
    everything around them (module docstring).

    ``like`` (a larger number of sightings) seeds the latest ``rows`` sightings of that
    larger county instead: as many a night, over only the last nights, with the same
    orders in force, so the small county's pages show what the large one's show and only
    the tables' sizes differ. Bulk rows carry explicit ids; on PostgreSQL
    every sequence is then set past them and the database vacuumed and analysed, as
    autovacuum would have. SQLite is given no statistics: that is the portal's own job."""
    now = now or datetime.now(UTC)
    tonight = night_of(now)
    scale = like or rows
    app = bench_app(url)
    randomiser = random.Random(seed_number)
    with app.app_context():
        cast = _people(randomiser)
        counters = Counters()
        subjects: list[Row] = []
        made = 0
        while made < rows:
            count = min(BATCH, rows - made)
            _insert_sightings(
                range(made + 1, made + count + 1),
                rows,
                scale,
                tonight,
                now,
                cast,
                counters,
                randomiser,
                subjects,
            )
            made += count
        _insert_orders(scale, tonight, now, cast, counters, randomiser, subjects)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            reset_sequences(db.engine)
            # What autovacuum would have done by the time anyone opens a page.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    return app


def columns_of(model: Any, rows: list[Row]) -> list[Row]:
    """``rows`` with only the keys that are columns of ``model``'s table (the seed keeps a
    little more on some rows, such as the night a red flag was made)."""
    names = set(model.__table__.columns.keys())
    return [{key: value for key, value in row.items() if key in names} for row in rows]


def reset_sequences(engine: Engine) -> None:
    """Set every table's id sequence past its highest id (PostgreSQL), so records saved
    after a bulk insert with explicit ids get new ids rather than a refusal."""
    with engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            column = table.columns.get("id")
            if column is None or not column.primary_key:
                continue
            sequence = conn.scalar(
                text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
            )
            if sequence is None:  # not an integer id made by the database
                continue
            conn.execute(
                text(
                    f"SELECT setval(:sequence, COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "  # noqa: S608
                    f'FROM "{table.name}"'
                ),
                {"sequence": sequence},
            )


def _people(randomiser: random.Random) -> Cast:
    """The organisations, venues and accounts, through the admin service as a coordinator
    would make them; the accounts of ACCOUNTS sign in with PASSWORD (and TOTP_SECRET where
    their role needs a security code)."""
    police = admin_service.create_organisation(None, "Bench Police", OrgKind.POLICE)
    partnership = admin_service.create_organisation(None, "Bench Partnership", OrgKind.PARTNERSHIP)
    pastors = admin_service.create_organisation(
        None, "Bench Street Pastors", OrgKind.STREET_PASTORS
    )
    premises = [
        admin_service.create_organisation(
            None, f"Bench Premises Group {number + 1}", OrgKind.LICENSED_PREMISES
        )
        for number in range(PREMISES_ORGANISATIONS)
    ]

    def account(
        key: str | None, name: str, organisation: Organisation, role: Role, rank: Rank | None = None
    ) -> User:
        email = ACCOUNTS[key] if key else f"{name.lower().replace(' ', '.')}@bench.example.org"
        user = admin_service.create_user(
            None,
            name=name,
            email=email,
            organisation=organisation,
            role=role,
            rank=rank,
            password=PASSWORD if key else None,
        ).user
        if role.needs_two_factor:
            user.totp_secret = TOTP_SECRET
        return user

    officer = account("officer", "Bench Constable", police, Role.OFFICER, Rank.CONSTABLE)
    inspector = account("inspector", "Bench Inspector", police, Role.INSPECTOR, Rank.INSPECTOR)
    coordinator = account("coordinator", "Bench Coordinator", partnership, Role.COORDINATOR)
    account("analyst", "Bench Analyst", partnership, Role.ANALYST)
    pastor = account(None, "Bench Pastor", pastors, Role.WELFARE)
    door = account("door supervisor", "Bench Door Supervisor", premises[0], Role.PREMISES_STAFF)
    staff = [door] + [
        account(None, f"Bench Staff {number + 1}", organisation, Role.PREMISES_STAFF)
        for number, organisation in enumerate(premises[1:], start=1)
    ]
    venues = []
    for number in range(VENUES):
        owner = premises[number * PREMISES_ORGANISATIONS // VENUES]
        venues.append(
            Venue(
                organisation_id=owner.id,
                name=f"Venue {number + 1}",
                address=f"{number + 1} Wind Street",
                postcode=f"SA1 {number % 9 + 1}AB",
                latitude=51.60 + (number % 20) * 0.002 + randomiser.random() * 0.001,
                longitude=-3.96 + (number // 20) * 0.003 + randomiser.random() * 0.001,
                licence_number=f"PL{number + 1:05d}",
                has_safe_space=number % 4 == 0,
            )
        )
    db.session.add_all(venues)
    db.session.commit()
    return Cast(
        police=police.id,
        partnership=partnership.id,
        pastors=pastors.id,
        premises=[organisation.id for organisation in premises],
        venue_owner={venue.id: venue.organisation_id for venue in venues},
        author_of={member.organisation_id: member.id for member in staff},
        officer=officer.id,
        inspector=inspector.id,
        coordinator=coordinator.id,
        pastor=pastor.id,
    )


def night_for(number: int, rows: int, tonight: date, scale: int | None = None) -> date:
    """The night of sighting ``number`` of ``rows``: evenly over the 365 nights, in order,
    the last one tonight; as many a night as ``scale`` sightings would have (so fewer rows
    cover only the last nights)."""
    per_year = scale or rows
    return tonight - timedelta(days=(rows - number) * NIGHTS // per_year)


def moment_on(night: date, now: datetime, randomiser: random.Random) -> datetime:
    """A time in the evening of ``night`` (19:00 to 04:00 local); tonight, between the
    start of the night (or of the day, before 18:00) and ``now``, never after it."""
    moment = night_bounds(night).start + timedelta(minutes=randomiser.randrange(60, 600))
    if moment <= now:
        return moment
    since = night_bounds(night).start
    if since >= now:
        since = datetime.combine(night, NIGHT_ENDS).replace(tzinfo=LONDON).astimezone(UTC)
    seconds = max(1, int((now - since).total_seconds()))
    return now - timedelta(seconds=randomiser.randrange(seconds))


def _insert_sightings(
    numbers: range,
    rows: int,
    scale: int,
    tonight: date,
    now: datetime,
    cast: Cast,
    counters: Counters,
    randomiser: random.Random,
    subjects: list[Row],
) -> None:
    """One batch of sightings with their behaviours, and the Safe Space uses, public
    reports, welfare notes and red flags (with notes and links) that go with them."""
    venue_ids = list(cast.venue_owner)
    sightings: list[Row] = []
    behaviours: list[Row] = []
    uses: list[Row] = []
    public: list[Row] = []
    welfare: list[Row] = []
    new_subjects: list[Row] = []
    notes: list[Row] = []
    links: list[Row] = []
    for number in numbers:
        night = night_for(number, rows, tonight, scale)
        moment = moment_on(night, now, randomiser)
        venue_id = randomiser.choice(venue_ids)
        organisation_id = cast.venue_owner[venue_id]
        author_id = cast.author_of[organisation_id]
        sharing = Sharing.ORGANISATION if number % 5 == 0 else Sharing.PARTNERSHIP
        sightings.append(
            {
                "id": number,
                "submission_key": f"s{number}",
                "organisation_id": organisation_id,
                "author_id": author_id,
                "sharing": sharing.value,
                "occurred_at": moment,
                "night": night,
                "venue_id": venue_id,
                "apparent_sex": randomiser.choice(("male", "male", "female", "not_sure")),
                "age_band": randomiser.choice(("18_24", "25_34", "35_44", "not_sure")),
                "clothing": randomiser.choice(("Dark jacket", "White shirt", "Red hoodie")),
                "victim_response": randomiser.choice(RESPONSES),
                "action_taken": randomiser.choice(ACTIONS),
                "vulnerabilities": [],
                "created_at": moment,
                "updated_at": moment,
            }
        )
        for code in randomiser.sample(BEHAVIOURS, randomiser.choice((1, 1, 2))):
            behaviours.append({"sighting_id": number, "code": code, "night": night})
        if number % 20 == 0:
            counters.use += 1
            uses.append(
                {
                    "id": counters.use,
                    "submission_key": f"u{number}",
                    "organisation_id": organisation_id,
                    "author_id": author_id,
                    "venue_id": venue_id,
                    "arrived_at": moment,
                    "night": night,
                    "reasons": ["harassed"],
                    "support": ["water"],
                    "handed_to": "friend",
                    "sighting_id": number,
                    "created_at": moment,
                }
            )
        if number % 50 == 0:
            counters.public += 1
            public.append(
                {
                    "id": counters.public,
                    "reference": f"PR-B{number}",
                    "submission_key": f"p{number}",
                    "reporter": "me",
                    "language": "en",
                    "venue_id": venue_id,
                    "place": "",
                    "night": night,
                    "time_of_night": "after_midnight",
                    "received_at": moment,
                    "status": "reviewed",
                }
            )
        if number % 100 == 30:
            counters.welfare += 1
            welfare.append(
                {
                    "id": counters.welfare,
                    "submission_key": f"w{number}",
                    "organisation_id": cast.pastors,
                    "author_id": cast.pastor,
                    "occurred_at": moment,
                    "night": night,
                    "venue_id": venue_id,
                    "place": "Outside the venue",
                    "support": ["water", "listened"],
                    "handed_to": "friend",
                    "created_at": moment,
                }
            )
        if number % 50 == 25:
            subject = _subject(number, moment, cast, counters, randomiser)
            new_subjects.append(subject)
            notes.extend(_notes(subject, tonight, cast, counters))
            for sighting_id in {number, max(1, number - 7)}:
                counters.link += 1
                links.append(
                    {
                        "id": counters.link,
                        "subject_id": subject["id"],
                        "sighting_id": sighting_id,
                        "details_obtained": False,
                        "linked_by_id": cast.officer,
                        "organisation_id": cast.police,
                        "linked_at": moment,
                    }
                )
    for model, batch in (
        (Sighting, sightings),
        (SightingBehaviour, behaviours),
        (SafeSpaceUse, uses),
        (PublicReport, public),
        (WelfareNote, welfare),
        (Subject, columns_of(Subject, new_subjects)),
        (RedFlagNote, notes),
        (SubjectLink, links),
    ):
        if batch:
            db.session.execute(insert(model), batch)
    db.session.commit()
    subjects.extend(new_subjects)


def _subject(
    number: int, moment: datetime, cast: Cast, counters: Counters, randomiser: random.Random
) -> Row:
    """A red flag made by police the night of sighting ``number``."""
    counters.subject += 1
    forename, surname = randomiser.choice(FORENAMES), randomiser.choice(SURNAMES)
    return {
        "id": counters.subject,
        "reference": counters.reference("RF", moment),
        "description": f"Man in his twenties, seen near venues on {surname} Street",
        "name": f"{forename} {surname}",
        "aliases": "",
        "address": f"{counters.subject} High Street",
        "apparent_sex": "male",
        "age_band": "25_34",
        "height": "tall",
        "build": "slim",
        "clothing": "Dark jacket",
        "distinguishing_features": "Tattoo on the left hand",
        "created_by_id": cast.officer,
        "organisation_id": cast.police,
        "created_at": moment,
        "updated_at": moment,
        "sighting": number,
        "night": night_of(moment),
    }


def _notes(subject: Row, tonight: date, cast: Cast, counters: Counters) -> list[Row]:
    """A red flag's notes: one shared with the partnership (three in four subjects) or
    police only, reviewed six months after it was written; every third subject has a
    second, police-only note."""
    made: list[Row] = []
    sharings = ["partnership" if subject["id"] % 4 else "police"]
    if subject["id"] % 3 == 0:
        sharings.append("police")
    for sharing in sharings:
        counters.note += 1
        made.append(
            {
                "id": counters.note,
                "subject_id": subject["id"],
                "author_id": cast.officer,
                "organisation_id": cast.police,
                "behaviours": ["aspb.loitering", "assb.unwanted_touching"],
                "text": "Seen approaching lone women as they leave venues at closing time.",
                "sharing": sharing,
                "source_evaluation": "1" if sharing == "police" else "",
                "intelligence_assessment": "A" if sharing == "police" else "",
                "handling_code": "P" if sharing == "police" else "",
                "review_on": subject["night"] + timedelta(days=182),
                "created_at": subject["created_at"],
            }
        )
    return made


def _insert_orders(
    rows: int,
    tonight: date,
    now: datetime,
    cast: Cast,
    counters: Counters,
    randomiser: random.Random,
    subjects: list[Row],
) -> None:
    """Dispersal authorisations (one a night, and a second tonight), directions under
    them (one for every 200 sightings, and a few given tonight), exclusion notices (one
    for every 500 sightings, a quarter in force tonight) and breaches in the last week."""
    authorisations = _authorisations(tonight, now, cast, counters)
    db.session.execute(
        insert(DispersalAuthorisation), columns_of(DispersalAuthorisation, authorisations)
    )
    directions = _directions(
        authorisations, rows, tonight, now, cast, counters, randomiser, subjects
    )
    db.session.execute(insert(DispersalDirection), directions)
    notices, covered, incidents = _notices(rows, tonight, now, cast, counters, randomiser, subjects)
    db.session.execute(insert(ExclusionNotice), notices)
    for start in range(0, len(covered), BATCH):
        db.session.execute(insert(NoticeVenue), covered[start : start + BATCH])
    db.session.execute(insert(ExclusionNoticeIncident), incidents)
    breaches = _breaches(now, tonight, directions, notices, covered, cast, counters, randomiser)
    if breaches:
        db.session.execute(insert(Breach), breaches)


def _authorisations(tonight: date, now: datetime, cast: Cast, counters: Counters) -> list[Row]:
    """The city centre authorised every night, 18:00 to 06:00; tonight from 06:00 to 06:00
    (so whenever the bench runs it is in force) with the harbour too."""
    made: list[Row] = []
    for days_back in range(NIGHTS - 1, -1, -1):
        night = tonight - timedelta(days=days_back)
        bounds = night_bounds(night)
        localities = ["City centre"]
        starts_at = bounds.start
        if night == tonight:
            localities.append("Harbour")
            starts_at = bounds.end - timedelta(hours=24)
        for locality in localities:
            made.append(
                {
                    "id": len(made) + 1,
                    "reference": counters.reference("S34", starts_at),
                    "locality_name": locality,
                    "geometry": CITY_CENTRE,
                    "boundary": "Bounded by the Kingsway, Princess Way and the river.",
                    "starts_at": starts_at,
                    "ends_at": bounds.end,
                    "necessity": ["harassment_alarm_distress"],
                    "grounds": "Repeated disorder and harassment at closing time.",
                    "echr_regard": "Limited to the night-time economy area and hours.",
                    "authorised_by_id": cast.inspector,
                    "signed_name": "Bench Inspector",
                    "signed_rank": Rank.INSPECTOR.value,
                    "signed_at": min(starts_at, now) - timedelta(hours=1),
                    "created_at": min(starts_at, now) - timedelta(hours=1),
                    "updated_at": min(starts_at, now) - timedelta(hours=1),
                    "night": night,
                }
            )
    return made


def _directions(
    authorisations: list[Row],
    rows: int,
    tonight: date,
    now: datetime,
    cast: Cast,
    counters: Counters,
    randomiser: random.Random,
    subjects: list[Row],
) -> list[Row]:
    """One direction for every 200 sightings, evenly over the year under the city centre's
    authorisation of its night, each lasting 2 to 48 hours; and four given tonight before
    ``now``, still in force."""
    city_centre = {
        row["night"]: row for row in authorisations if row["locality_name"] == "City centre"
    }
    moments: list[tuple[date, datetime, timedelta]] = []
    total = max(1, rows // 200)
    for number in range(1, total + 1):
        night = night_for(number, total, tonight)
        given_at = moment_on(night, now, randomiser)
        hours = randomiser.choice((2, 4, 8, 12, 24, 48))
        moments.append((night, given_at, timedelta(hours=hours)))
    tonight_starts = night_bounds(tonight).end - timedelta(hours=24)
    for number in range(1, 5):
        given_at = max(now - timedelta(minutes=20 * number), tonight_starts + timedelta(minutes=1))
        moments.append((tonight, given_at, timedelta(hours=12)))
    made: list[Row] = []
    for night, given_at, lasting in sorted(moments, key=lambda item: item[1]):
        subject = randomiser.choice(subjects) if subjects and len(made) % 3 == 0 else None
        made.append(
            {
                "id": len(made) + 1,
                "reference": counters.reference("S35", given_at),
                "authorisation_id": city_centre[night]["id"],
                "subject_id": subject["id"] if subject else None,
                "person_name": subject["name"] if subject else "Unnamed man",
                "apparent_age": None if subject else 25,
                "address": subject["address"] if subject else "",
                "description": "Dark jacket, shouting at door staff",
                "given_at": given_at,
                "place": "Outside Venue 1, Wind Street",
                "given_by_id": cast.officer,
                "given_by_name": "Bench Constable",
                "given_by_rank": Rank.CONSTABLE.value,
                "in_uniform": True,
                "excluded_geometry": None,
                "excluded_description": "The whole authorised city centre",
                "ends_at": given_at + lasting,
                "leave_by": given_at + timedelta(minutes=15),
                "in_writing": True,
                "offence_warning_given": True,
                "exemptions_checked": {exemption.value: False for exemption in Exemption},
                "created_at": given_at,
                "updated_at": given_at,
            }
        )
    return made


def _notices(
    rows: int,
    tonight: date,
    now: datetime,
    cast: Cast,
    counters: Counters,
    randomiser: random.Random,
    subjects: list[Row],
) -> tuple[list[Row], list[Row], list[Row]]:
    """One exclusion notice for every 500 sightings (at least four), of 1 to 6 months: every
    fourth in force tonight, the rest ended; every fifth covers all 200 venues, the others
    1 to 200. Each relies on the sighting its red flag was made from."""
    venues = db.session.execute(text("SELECT id, name, address FROM venues ORDER BY id")).all()
    total = max(4, rows // 500)
    notices: list[Row] = []
    covered: list[Row] = []
    incidents: list[Row] = []
    first_night = tonight - timedelta(days=NIGHTS - 1)
    for number in range(total):
        months = 1 + number % 6
        if number % 4 == 0:
            starts_on = tonight - timedelta(days=randomiser.randrange(0, 28))
        else:
            latest = NIGHTS - 2 - months * 31
            starts_on = first_night + timedelta(days=randomiser.randrange(0, latest))
        ends_on = end_for(starts_on, months)
        issued_at = min(
            datetime.combine(starts_on, datetime.min.time()).replace(tzinfo=LONDON).astimezone(UTC)
            + timedelta(hours=10),
            now - timedelta(minutes=30),
        )
        subject = subjects[number % len(subjects)]
        notices.append(
            {
                "id": number + 1,
                "reference": counters.reference("PEN", starts_on),
                "subject_id": subject["id"],
                "reasons": "Unwanted touching of customers on two nights.",
                "starts_on": starts_on,
                "duration_months": months if months in (3, 6) else None,
                "ends_on": ends_on,
                "appeal_by": starts_on + timedelta(days=14),
                "appeal_how": default_appeal_how(),
                "review_on": starts_on + (ends_on - starts_on) // 2,
                "issued_by_id": cast.coordinator,
                "issued_by_name": "Bench Coordinator",
                "issued_at": issued_at,
                "created_at": issued_at,
                "updated_at": issued_at,
            }
        )
        chosen = (
            venues if number % 5 == 0 else randomiser.sample(venues, randomiser.randint(1, VENUES))
        )
        covered.extend(
            {
                "notice_id": number + 1,
                "venue_id": venue.id,
                "venue_name": venue.name,
                "venue_address": venue.address,
            }
            for venue in chosen
        )
        incidents.append({"notice_id": number + 1, "sighting_id": subject["sighting"]})
    return notices, covered, incidents


def _breaches(
    now: datetime,
    tonight: date,
    directions: list[Row],
    notices: list[Row],
    covered: list[Row],
    cast: Cast,
    counters: Counters,
    randomiser: random.Random,
) -> list[Row]:
    """In the last week: every other direction given then was breached (police warned the
    person), and every other notice in force tonight was breached at a venue it covers
    (the venue refused entry)."""
    week_ago = now - timedelta(days=7)
    made: list[Row] = []
    recent = [row for row in directions if row["given_at"] >= week_ago]
    for direction in recent[::2]:
        end = min(direction["ends_at"], now)
        span = max(1, int((end - direction["given_at"]).total_seconds()))
        counters.breach += 1
        made.append(
            {
                "id": counters.breach,
                "direction_id": direction["id"],
                "occurred_at": direction["given_at"]
                + timedelta(seconds=randomiser.randrange(span)),
                "place": "Wind Street",
                "recorded_by_id": cast.officer,
                "organisation_id": cast.police,
                "outcome": "warned",
            }
        )
    venues_of: dict[int, list[int]] = {}
    for row in covered:
        venues_of.setdefault(row["notice_id"], []).append(row["venue_id"])
    in_force = [row for row in notices if row["starts_on"] <= tonight <= row["ends_on"]]
    for notice in in_force[::2]:
        venue_id = randomiser.choice(venues_of[notice["id"]])
        organisation_id = cast.venue_owner[venue_id]
        since = max(week_ago, notice["issued_at"])
        span = max(1, int((now - since).total_seconds()))
        counters.breach += 1
        made.append(
            {
                "id": counters.breach,
                "notice_id": notice["id"],
                "occurred_at": since + timedelta(seconds=randomiser.randrange(span)),
                "venue_id": venue_id,
                "recorded_by_id": cast.author_of[organisation_id],
                "organisation_id": organisation_id,
                "outcome": "refused_entry",
            }
        )
    return made


# Seeding once and reusing.


def schema_digest(dialect_name: str) -> str:
    """A digest of the tables and indexes ``db.create_all`` makes on this dialect: a
    database seeded under another schema is seeded again."""
    driver = "postgresql+psycopg" if dialect_name == "postgresql" else "sqlite"
    dialect = create_engine(f"{driver}://").dialect
    assert all_models.__all__  # every table is in the metadata
    statements = []
    for table in db.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)))
        statements.extend(
            str(CreateIndex(index).compile(dialect=dialect))
            for index in sorted(table.indexes, key=lambda index: str(index.name))
        )
    return hashlib.sha256("\n".join(statements).encode()).hexdigest()[:16]


def marker(dialect_name: str, rows: int, night: date, like: int | None = None) -> dict[str, Any]:
    """What a seeded database must have been seeded with to be used again."""
    return {
        "rows": rows,
        "like": like,
        "seed_version": SEED_VERSION,
        "schema": schema_digest(dialect_name),
        "night": night.isoformat(),
    }


def postgres_server() -> str:
    """The PostgreSQL server the bench makes its databases on (a URL without a database)."""
    return os.environ.get("PARTNERSHIP_BENCH_POSTGRES", DEFAULT_POSTGRES).rstrip("/")


def county_database(
    kind: str, rows: int, now: datetime | None = None, like: int | None = None
) -> str:
    """The URL of a database of ``kind`` (``sqlite`` or ``postgres``) holding a county of
    ``rows`` sightings for tonight (the latest of a county of ``like``, see :func:`seed`):
    the one already seeded if its marker matches, else one seeded now (dropped first).
    Prints whether it was reused, or how long seeding took."""
    now = now or datetime.now(UTC)
    if kind == "sqlite":
        url, wanted = _sqlite_county(rows, now, like)
    elif kind == "postgres":
        url, wanted = _postgres_county(rows, now, like)
    else:
        raise ValueError(f"unknown database kind {kind!r}")
    if wanted is None:
        print(f"{kind}: reusing the county of {rows:,} sightings ({_shown(url)})", flush=True)
        return url
    started = time.perf_counter()
    app = seed(url, rows, now, like=like)
    with app.app_context():
        db.engine.dispose()
    _keep_marker(kind, url, wanted)
    print(
        f"{kind}: seeded {rows:,} sightings in {time.perf_counter() - started:.0f} s "
        f"({_shown(url)})",
        flush=True,
    )
    return url


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _name(rows: int, like: int | None) -> str:
    return f"{rows}" if like is None else f"{rows}_of_{like}"


def _sqlite_county(rows: int, now: datetime, like: int | None) -> tuple[str, dict[str, Any] | None]:
    """The SQLite file's URL, and the marker to write once seeded (None: reuse it)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"county_{_name(rows, like)}.db"
    sidecar = path.with_suffix(".json")
    wanted = marker("sqlite", rows, night_of(now), like)
    url = f"sqlite:///{path}"
    if path.exists() and sidecar.exists() and json.loads(sidecar.read_text()) == wanted:
        return url, None
    for stale in (sidecar, path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    return url, wanted


def _postgres_county(
    rows: int, now: datetime, like: int | None
) -> tuple[str, dict[str, Any] | None]:
    """The PostgreSQL database's URL, and the marker to write once seeded (None: reuse
    it); a database whose marker does not match is dropped and made again, empty."""
    name = f"{DATABASE_PREFIX}_{_name(rows, like)}"
    server = make_url(config_module.database_uri(postgres_server(), Path()))
    url = server.set(database=name).render_as_string(hide_password=False)
    wanted = marker("postgresql", rows, night_of(now), like)
    if _postgres_marker(url, server.set(database="postgres")) == wanted:
        return url, None
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url, wanted


def _postgres_marker(url: str, maintenance: Any) -> dict[str, Any] | None:
    """The marker the database at ``url`` was seeded with, or None (no database, or not
    finished seeding)."""
    name = make_url(url).database
    admin = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
    finally:
        admin.dispose()
    if not found:
        return None
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table(MARKER_TABLE):
            return None
        with engine.connect() as conn:
            kept = conn.scalar(text(f"SELECT marker FROM {MARKER_TABLE}"))  # noqa: S608
    finally:
        engine.dispose()
    return json.loads(kept) if kept else None


def _keep_marker(kind: str, url: str, wanted: dict[str, Any]) -> None:
    """Write down what the database was seeded with, once the seed has finished."""
    if kind == "sqlite":
        Path(make_url(url).database or "").with_suffix(".json").write_text(json.dumps(wanted))
        return
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE {MARKER_TABLE} (marker TEXT NOT NULL)"))
            conn.execute(
                text(f"INSERT INTO {MARKER_TABLE} (marker) VALUES (:marker)"),  # noqa: S608
                {"marker": json.dumps(wanted)},
            )
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--like", type=int, help="the latest rows of a county this large")
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    kinds = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    for kind in kinds:
        county_database(kind, args.rows, like=args.like)


if __name__ == "__main__":
    main()
