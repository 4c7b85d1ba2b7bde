"""One of everything, and every page of the URL map opened on it.

:func:`build_world` makes a partnership with a record of every kind, all in force tonight and
visible to the roles that see each kind (a sighting shared with the partnership, a red flag
with an active partnership note and a photo, a notice covering the bar's venue, an
authorisation and a direction, a public report, alerts for every audience, ...).
:func:`pages` then gives, for one role, the address of every page that role may open
(``tests/core/test_access_matrix.py`` says which) with real record ids, so a test can open each.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient

from partnership.alerts.models import Alert
from partnership.auth import service as auth_service
from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.models import AuditEvent, utcnow
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.orders.breaches.models import Breach
from partnership.orders.directions.models import DirectionChange
from partnership.reports.models import ReportRun
from partnership.sightings.models import Attachment, Sighting, SightingBehaviour
from partnership.subjects.models import NoteRenewal, RedFlagNote, Subject, SubjectLink, SubjectPhoto
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from tests.core.test_access_matrix import MATRIX, PUBLIC
from tests.factories import jpeg_bytes, jpeg_row
from tests.orders.factories import SQUARE, add_appeal, add_authorisation, add_direction, add_notice
from tests.public.factories import add_public_report

ANONYMOUS = "anonymous"

# Pages that answer with something other than HTML (documents, exports, photos, JSON, or a
# redirect by design), left out of a walk through the pages.
NOT_PAGES = frozenset(
    {
        "static",
        "home.healthz",
        "home.readyz",
        "home.index",
        "home.language",
        "public.exit_page",
        "sightings.photo",
        "subjects.photo",
        "orders.notice_photo",
        "triage.photo",
        "orders.direction_notice_pdf",
        "orders.authorisation_pdf",
        "orders.notice_pdf",
        "orders.appeal_pdf",
        "reports.pack_pdf",
        "reports.figures_csv",
        "reports.figures_xlsx",
        "reports.sightings_csv",
        "reports.hotspots_geojson",
        "reports.run_progress",
    }
)
# Pages of signing in: a signed-in person is sent on from them, and the two-factor steps
# need a password accepted first.
SIGN_IN_PAGES = frozenset({"auth.login", "auth.two_factor", "auth.two_factor_setup"})
TWO_FACTOR_PAGES = frozenset({"auth.two_factor", "auth.two_factor_setup"})

# The kind of organisation each role's account is made in.
HOME = {
    Role.PREMISES_STAFF: "premises",
    Role.WELFARE: "pastors",
    Role.OFFICER: "police",
    Role.INSPECTOR: "police",
    Role.COORDINATOR: "partnership",
    Role.ANALYST: "council",
    Role.ADMIN: "partnership",
}


@dataclass
class World:
    users: dict[Role, User]
    orgs: dict[str, int]
    ids: dict[str, Any] = field(default_factory=dict)


def build_world(
    app: Flask,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> World:
    """A partnership with one record of every kind, in force tonight."""
    orgs = {
        "police": make_org(OrgKind.POLICE),
        "premises": make_org(OrgKind.LICENSED_PREMISES),
        "pastors": make_org(OrgKind.STREET_PASTORS),
        "partnership": make_org(OrgKind.PARTNERSHIP),
        "council": make_org(OrgKind.LOCAL_AUTHORITY),
    }
    users = {role: make_user(role, orgs[HOME[role]]) for role in Role}
    world = World(users=users, orgs={name: org.id for name, org in orgs.items()})
    now = utcnow()
    night = night_of(now)
    officer, staff = users[Role.OFFICER], users[Role.PREMISES_STAFF]
    with app.app_context():
        area = Area(name="Wind Street zone", description="The bars", geometry=SQUARE)
        venue = Venue(
            organisation_id=staff.organisation_id,
            name="The Anchor Bar",
            address="1 Wind Street, Swansea",
            postcode="SA1 1DP",
            latitude=51.62,
            longitude=-3.94,
            licence_number="PL/0001",
            has_safe_space=True,
        )
        closed = Venue(
            organisation_id=staff.organisation_id,
            name="The Old Vaults",
            address="2 Wind Street, Swansea",
            postcode="SA1 1DP",
            latitude=51.621,
            longitude=-3.941,
            active=False,
        )
        db.session.add_all([area, venue, closed])
        db.session.flush()
        sighting = Sighting(
            submission_key=uuid.uuid4().hex,
            organisation_id=staff.organisation_id,
            author_id=staff.id,
            sharing="partnership",
            occurred_at=now - timedelta(minutes=30),
            night=night,
            venue_id=venue.id,
            area_id=area.id,
            place="By the toilets",
            other_behaviour="Took photos of women",
            description="Tall man who waits outside the toilets",
            victim_response="distressed",
            action_taken="spoke_to",
            apparent_sex="male",
            clothing="Grey hoodie",
            distinguishing_features="Scar on the chin",
        )
        sighting.behaviours = [SightingBehaviour(code="aspb.loitering", night=night)]
        sighting.photos.append(jpeg_row(Attachment))
        db.session.add(sighting)
        db.session.flush()
        use = SafeSpaceUse(
            submission_key=uuid.uuid4().hex,
            organisation_id=staff.organisation_id,
            author_id=staff.id,
            venue_id=venue.id,
            arrived_at=now - timedelta(minutes=20),
            night=night,
            handed_to="street_pastors",
            handed_to_organisation_id=world.orgs["pastors"],
            notes="Stayed until a friend came",
        )
        welfare_note = WelfareNote(
            submission_key=uuid.uuid4().hex,
            organisation_id=users[Role.WELFARE].organisation_id,
            author_id=users[Role.WELFARE].id,
            occurred_at=now - timedelta(minutes=10),
            night=night,
            venue_id=venue.id,
            place="Outside the Anchor",
            handed_to="nobody",
            notes="Gave flip-flops and water",
        )
        subject = Subject(
            reference="RF-2026-0001",
            description="Tall man in a grey hoodie",
            name="Subject Name",
            aliases="Nickname",
            address="3 Subject Street",
            clothing="Grey hoodie",
            distinguishing_features="Scar on the chin",
            organisation_id=officer.organisation_id,
            created_by_id=officer.id,
        )
        note = RedFlagNote(
            author_id=officer.id,
            organisation_id=officer.organisation_id,
            text="Seen following women between bars",
            sharing="partnership",
            review_on=now.date() + timedelta(days=60),
        )
        note.renewals.append(
            NoteRenewal(
                renewed_by_id=officer.id,
                reason="Seen again",
                previous_review_on=now.date(),
                new_review_on=now.date() + timedelta(days=60),
            )
        )
        subject.notes.append(note)
        photo = jpeg_row(SubjectPhoto)
        subject.photos.append(photo)
        db.session.add_all([use, welfare_note, subject])
        db.session.flush()
        link = SubjectLink(
            subject_id=subject.id,
            sighting_id=sighting.id,
            organisation_id=staff.organisation_id,
            linked_by_id=staff.id,
        )
        db.session.add(link)
        db.session.flush()
        alerts = []
        for audience, organisation in (
            ("police", None),
            ("coordinators", None),
            ("organisation", staff.organisation_id),
        ):
            alerts.append(
                Alert(
                    key=f"walk:{audience}:subject",
                    kind="subject_linked",
                    audience=audience,
                    organisation_id=organisation,
                    subject_id=subject.id,
                    sighting_id=sighting.id,
                    venue_id=venue.id,
                    night=night,
                    details={"link": link.id},
                )
            )
            alerts.append(
                Alert(
                    key=f"walk:{audience}:busy",
                    kind="busy_venue",
                    audience=audience,
                    organisation_id=organisation,
                    venue_id=venue.id,
                    night=night,
                    details={"count": 7},
                )
            )
        db.session.add_all(alerts)
        db.session.commit()
        world.ids.update(
            venue_id=venue.id,
            closed_venue_id=closed.id,
            area_id=area.id,
            sighting_id=sighting.id,
            photo_id=sighting.photos[0].id,
            use_id=use.id,
            note_id=welfare_note.id,
            welfare_note_id=welfare_note.id,
            subject_id=subject.id,
            red_flag_note_id=note.id,
            subject_photo_id=photo.id,
            link_id=link.id,
            alert_id=alerts[0].id,
        )
        venue_row = db.session.get(Venue, venue.id)
        assert venue_row is not None
        db.session.expunge(venue_row)

    authorisation_id = add_authorisation(
        app, now - timedelta(hours=2), now + timedelta(hours=20), area_id=world.ids["area_id"]
    )
    direction_id = add_direction(
        app,
        authorisation_id,
        now - timedelta(hours=1),
        now + timedelta(hours=20),
        subject_id=world.ids["subject_id"],
        address="4 Directed Street",
        description="Shouting at door staff",
        route="Along Wind Street to the station",
        items_surrendered="A bottle",
        items_return="Ask at the police station",
    )
    today = night_of(now)
    notice_id = add_notice(
        app,
        world.ids["subject_id"],
        [venue_row],
        today - timedelta(days=1),
        today + timedelta(days=90),
        include_photo=True,
        warning_note="Warned at the door",
        issued_by_name=users[Role.COORDINATOR].name,
    )
    add_appeal(
        app,
        notice_id,
        today,
        outcome="upheld",
        outcome_reason="Seen on CCTV",
        decided_on=today,
        decided_by_name="Coordinator",
    )
    appeal_id = add_appeal(app, notice_id, today)
    report = add_public_report(
        app,
        venue_id=world.ids["venue_id"],
        area_id=world.ids["area_id"],
        received_at=now - timedelta(hours=3),
        other_behaviour="Blocked the door",
        wants_contact=True,
        contact_name="Reporter Name",
        contact_detail="07700 900000",
        contact_times="Evenings",
        subject_id=world.ids["subject_id"],
        photo=jpeg_bytes(),
    )
    with app.app_context():
        db.session.add_all(
            [
                Breach(
                    direction_id=direction_id,
                    occurred_at=now - timedelta(minutes=30),
                    place="Back on Wind Street",
                    recorded_by_id=officer.id,
                    organisation_id=officer.organisation_id,
                    outcome="warned",
                    notes="Left when told",
                ),
                Breach(
                    notice_id=notice_id,
                    occurred_at=now - timedelta(minutes=15),
                    venue_id=world.ids["venue_id"],
                    recorded_by_id=staff.id,
                    organisation_id=staff.organisation_id,
                    outcome="refused_entry",
                    notes="Turned away at the door",
                ),
                DirectionChange(
                    direction_id=direction_id,
                    kind="varied",
                    changed_at=now - timedelta(minutes=45),
                    changed_by_id=officer.id,
                    changed_by_name=officer.name,
                    reason="Route changed",
                ),
                AuditEvent(
                    action="subject.viewed",
                    actor_id=officer.id,
                    actor_email=officer.email,
                    organisation_id=officer.organisation_id,
                    organisation_name="Police",
                    object_type="subject",
                    object_id=str(world.ids["subject_id"]),
                    justification="Checking tonight",
                    details={"reason": "other"},
                ),
            ]
        )
        db.session.commit()
        token = auth_service.create_set_password_link(
            db.session.get(User, staff.id),  # type: ignore[arg-type]
            None,
        )
        db.session.commit()
    world.ids.update(
        authorisation_id=authorisation_id,
        direction_id=direction_id,
        notice_id=notice_id,
        appeal_id=appeal_id,
        report_id=report.id,
        user_id=staff.id,
        org_id=world.orgs["premises"],
        token=token,
        code="cy",
        kind="sighting",
        record_id=world.ids["sighting_id"],
    )
    return world


# URL arguments whose name means another record on some pages.
_ARGUMENTS = {
    "subjects.photo": {"photo_id": "subject_photo_id"},
    "subjects.photo_remove": {"photo_id": "subject_photo_id"},
    "subjects.note_renew": {"note_id": "red_flag_note_id"},
}


def report_run(app: Flask, owner: User) -> str:
    """A long report ``owner`` asked for, still counting (its page shows its progress)."""
    run_id = uuid.uuid4().hex
    with app.app_context():
        db.session.add(
            ReportRun(
                id=run_id,
                user_id=owner.id,
                arguments={"range": "last_4_weeks"},
                first_night=night_of(utcnow()) - timedelta(days=27),
                last_night=night_of(utcnow()),
                state="waiting",
                step=0,
                steps=9,
                created_at=utcnow(),
            )
        )
        db.session.commit()
    return run_id


def opens(endpoint: str, who: Role | str) -> bool:
    """Whether ``who`` (a role, or "anonymous") may open ``endpoint`` at all."""
    rule = MATRIX[endpoint]
    if rule == PUBLIC:
        return True
    return who != ANONYMOUS and who in rule  # type: ignore[operator]


def pages(app: Flask, world: World, who: Role | str) -> Iterator[tuple[str, str]]:
    """(endpoint, address) of every HTML page of the URL map ``who`` may open, with the
    world's records in its arguments; a report's run is made for ``who`` first."""
    values = dict(world.ids)
    if who is Role.INSPECTOR:  # an inspector manages their own force's accounts
        values["user_id"] = world.users[Role.OFFICER].id
    if isinstance(who, Role) and opens("reports.run", who):
        values["run_id"] = report_run(app, world.users[who])
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint in sorted(MATRIX):
        rule = rules[endpoint]
        if endpoint in NOT_PAGES | TWO_FACTOR_PAGES or "GET" not in (rule.methods or ()):
            continue
        if not opens(endpoint, who) or (who != ANONYMOUS and endpoint in SIGN_IN_PAGES):
            continue
        names = _ARGUMENTS.get(endpoint, {})
        arguments = {name: values[names.get(name, name)] for name in rule.arguments}
        with app.test_request_context():
            yield endpoint, url_for(endpoint, **arguments)


def sign_in_as(client: FlaskClient, user: User) -> None:
    """Sign ``client`` in as ``user`` (through the session, as ``login_as`` does)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.session_token
        session["_fresh"] = True


def give_reason(client: FlaskClient, world: World) -> None:
    """Give a reason for opening the world's red flag, as its profile asks."""
    response = client.post(
        f"/subjects/{world.ids['subject_id']}/justify", data={"reason": "checking_tonight"}
    )
    assert response.status_code == 302, response.status_code
