"""Every route, as every role and anonymously: who gets in, who is sent to sign in,
who is refused, and whose records are not found.

The table below is written by hand on purpose: it is the portal's access policy,
and a change to a view's decorator that does not match it fails here. A new route
fails ``test_every_route_is_in_the_matrix`` until it has a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from partnership.auth import service as auth_service
from partnership.auth.models import Organisation, User
from partnership.core.access import view_rule
from partnership.core.enums import OrgKind, Role
from partnership.core.models import utcnow
from partnership.core.nights import night_of
from partnership.extensions import db
from partnership.sightings.models import Attachment
from partnership.subjects.models import SubjectPhoto
from partnership.venues.models import Area, Venue
from tests.alerts.factories import add_alert
from tests.conftest import reload
from tests.factories import add_stored_photo, add_venue, jpeg_bytes, make_venue
from tests.orders.factories import add_appeal, add_authorisation, add_direction, add_notice
from tests.public.factories import add_public_report
from tests.reports.factories import add_report_run
from tests.sightings.factories import add_sighting
from tests.subjects.factories import add_link, add_subject, note_ids
from tests.welfare.factories import add_safe_space_use, add_welfare_note

ANONYMOUS = "anonymous"
NIGHT = date(2026, 11, 27)  # the night the records are made on
EVERYONE = frozenset(Role)
MANAGERS = frozenset({Role.COORDINATOR, Role.ADMIN})
ADMIN = frozenset({Role.ADMIN})
# Accounts: coordinators and administrators, and inspectors for their own force's.
ACCOUNT_MANAGERS = MANAGERS | {Role.INSPECTOR}

PUBLIC = "public"
POLICE = frozenset({Role.OFFICER, Role.INSPECTOR})
FRONTLINE = frozenset({Role.PREMISES_STAFF, Role.WELFARE, *POLICE})
WELFARE_READERS = FRONTLINE | {Role.COORDINATOR}
SUBJECT_READERS = POLICE | {Role.PREMISES_STAFF, Role.WELFARE, Role.COORDINATOR}
ALERTED = SUBJECT_READERS
REPORTERS = POLICE | {Role.ANALYST, Role.COORDINATOR}

# endpoint -> PUBLIC, or the roles allowed in.
MATRIX: dict[str, str | frozenset[Role]] = {
    "static": PUBLIC,
    "home.index": PUBLIC,
    "home.healthz": PUBLIC,
    "home.readyz": PUBLIC,
    "home.language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.two_factor": PUBLIC,
    "auth.two_factor_setup": PUBLIC,
    "auth.set_password": PUBLIC,
    "home.dashboard": EVERYONE,
    "auth.logout": EVERYONE,
    "auth.account": EVERYONE,
    "auth.account_language": EVERYONE,
    "auth.account_password": EVERYONE,
    "admin.users": ACCOUNT_MANAGERS,
    "admin.user_create": ACCOUNT_MANAGERS,
    "admin.user_detail": ACCOUNT_MANAGERS,
    "admin.user_role": ACCOUNT_MANAGERS,
    "admin.user_deactivate": ACCOUNT_MANAGERS,
    "admin.user_reactivate": ACCOUNT_MANAGERS,
    "admin.user_reset_two_factor": ACCOUNT_MANAGERS,
    "admin.user_unlock": ACCOUNT_MANAGERS,
    "admin.user_set_password_link": ACCOUNT_MANAGERS,
    "admin.organisations": MANAGERS,
    "admin.organisation_create": MANAGERS,
    "admin.organisation_edit": MANAGERS,
    "admin.audit_log": ADMIN,
    "venues.venues": MANAGERS,
    "venues.venue_create": MANAGERS,
    "venues.venue_edit": MANAGERS,
    "venues.areas": MANAGERS,
    "venues.area_create": MANAGERS,
    "venues.area_edit": MANAGERS,
    "sightings.list_sightings": FRONTLINE,
    "sightings.create": FRONTLINE,
    "sightings.detail": FRONTLINE,
    "sightings.photo": FRONTLINE,
    "sightings.correct": FRONTLINE,
    "welfare.safe_space_uses": WELFARE_READERS,
    "welfare.safe_space_use_detail": WELFARE_READERS,
    "welfare.safe_space_use_create": frozenset({Role.PREMISES_STAFF, Role.OFFICER, Role.INSPECTOR}),
    "welfare.welfare_notes": WELFARE_READERS,
    "welfare.welfare_note_detail": WELFARE_READERS,
    "welfare.welfare_note_create": frozenset({Role.WELFARE}),
    "subjects.search": SUBJECT_READERS,
    "subjects.create": POLICE,
    "subjects.profile": SUBJECT_READERS,
    "subjects.justify": SUBJECT_READERS,
    "subjects.edit": POLICE,
    "subjects.note_create": POLICE,
    "subjects.note_renew": POLICE,
    "subjects.merge": POLICE | {Role.COORDINATOR},
    "subjects.photo_add": POLICE,
    "subjects.photo": SUBJECT_READERS,
    "subjects.photo_remove": POLICE,
    "subjects.link": FRONTLINE,
    "subjects.unlink": FRONTLINE,
    "subjects.details_obtained": POLICE,
    "subjects.access_request": POLICE | ADMIN,
    "subjects.erase": POLICE | ADMIN,
    "alerts.list_alerts": ALERTED,
    "alerts.mark_read": ALERTED,
    "alerts.mark_all_read": ALERTED,
    "orders.authorisations": POLICE,
    "orders.authorisation_create": POLICE,
    "orders.authorisation_detail": POLICE,
    "orders.authorisation_end": POLICE,
    "orders.directions": POLICE,
    "orders.direction_create": POLICE,
    "orders.direction_detail": POLICE,
    "orders.direction_vary": POLICE,
    "orders.direction_withdraw": POLICE,
    "orders.direction_breach": POLICE,
    "orders.notices": POLICE | {Role.COORDINATOR},
    "orders.notice_create": frozenset({Role.COORDINATOR}),
    "orders.notice_detail": POLICE | {Role.COORDINATOR},
    "orders.notice_photo": POLICE | {Role.COORDINATOR, Role.PREMISES_STAFF},
    "orders.notice_vary": frozenset({Role.COORDINATOR}),
    "orders.notice_lift": frozenset({Role.COORDINATOR}),
    "orders.notice_appeal": frozenset({Role.COORDINATOR}),
    "orders.appeal_decide": frozenset({Role.COORDINATOR}),
    "orders.venue_breach": frozenset({Role.PREMISES_STAFF}),
    "orders.tonight": FRONTLINE | {Role.COORDINATOR},
    "orders.direction_notice_pdf": POLICE,
    "orders.authorisation_pdf": POLICE,
    "orders.notice_pdf": POLICE | {Role.COORDINATOR},
    "orders.appeal_pdf": POLICE | {Role.COORDINATOR},
    "reports.report": REPORTERS,
    "reports.figures_csv": REPORTERS,
    "reports.figures_xlsx": REPORTERS,
    "reports.hotspots_geojson": REPORTERS,
    "reports.pack_pdf": REPORTERS,
    "reports.run": REPORTERS,
    "reports.run_progress": REPORTERS,
    # Individual sightings, pseudonymised: never to coordinators, who see no sightings.
    "reports.sightings_csv": POLICE | {Role.ANALYST},
    # Triage of public reports: police only (issue 7), the coordinator too sees only counts.
    "triage.queue": POLICE,
    "triage.report": POLICE,
    "triage.photo": POLICE,
    "triage.triage": POLICE,
    # Anonymous public reporting: no account, by design (issue 7).
    "public.start": PUBLIC,
    "public.support_services": PUBLIC,
    "public.report": PUBLIC,
    "public.exit_page": PUBLIC,
    "public.we_did": PUBLIC,
}

# Pages about one account, requested for a bar's staff member, an administrator, an
# officer of the viewer's own force (of some force for a viewer who is not police), and an
# officer of another force.
USER_TARGETS = ("staff_account", "admin_account", "viewers_force_officer", "other_force_officer")
USER_RECORD_PAGES = frozenset(
    {
        "admin.user_detail",
        "admin.user_role",
        "admin.user_deactivate",
        "admin.user_reactivate",
        "admin.user_reset_two_factor",
        "admin.user_unlock",
        "admin.user_set_password_link",
    }
)

# Pages about one organisation, requested for a partner's and a police force's.
ORGANISATION_RECORD_PAGES = frozenset({"admin.organisation_edit"})
ORGANISATION_TARGETS = ("partner_organisation", "police_force")

# An area for the area pages: a small square in Swansea, [longitude, latitude].
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-3.95, 51.61], [-3.93, 51.61], [-3.93, 51.63], [-3.95, 51.63], [-3.95, 51.61]]
    ],
}

# Pages about one record, and the records each is requested for. Records are made
# for each viewer: in the viewer's own organisation, in a second organisation of
# the same kind, or (Safe Space uses, welfare notes) handed over to the viewer's.
RECORD_PAGES = {
    "sightings.detail": "sighting",
    "sightings.photo": "sighting",
    "sightings.correct": "sighting",
    "welfare.safe_space_use_detail": "safe_space_use",
    "welfare.welfare_note_detail": "welfare_note",
    "subjects.profile": "subject",
    "subjects.justify": "subject",
    "subjects.edit": "subject",
    "subjects.note_create": "subject",
    "subjects.note_renew": "subject",
    "subjects.merge": "subject",
    "subjects.photo_add": "subject",
    "subjects.photo": "subject_photo",
    "subjects.photo_remove": "subject_photo",
    "subjects.link": "sighting_to_link",
    "subjects.unlink": "subject_link",
    "subjects.details_obtained": "sighting",
    "alerts.mark_read": "alert",
    "orders.authorisation_detail": "authorisation",
    "orders.authorisation_end": "authorisation",
    "orders.direction_detail": "direction",
    "orders.direction_vary": "direction",
    "orders.direction_withdraw": "direction",
    "orders.direction_breach": "direction",
    "orders.notice_detail": "notice",
    "orders.notice_vary": "notice",
    "orders.notice_lift": "notice",
    "orders.notice_appeal": "notice",
    "orders.appeal_decide": "notice",
    "orders.notice_photo": "notice_photo",
    "orders.venue_breach": "notice",
    "orders.direction_notice_pdf": "direction",
    "orders.authorisation_pdf": "authorisation",
    "orders.notice_pdf": "notice",
    "orders.appeal_pdf": "decided_appeal",
    "triage.report": "public_report",
    "triage.photo": "public_report",
    "triage.triage": "public_report",
    "reports.run": "report_run",
    "reports.run_progress": "report_run",
}
RECORD_TARGETS = {
    "sighting": (
        "org_shared_same_org",
        "org_shared_other_org",
        "partnership_other_org",
        "police_only_same_org",
    ),
    "safe_space_use": ("same_org", "other_org", "handed_to_viewer"),
    "welfare_note": ("same_org", "other_org", "handed_to_viewer"),
    # A subject's notes decide who sees it: members only while a partnership note is active.
    "subject": ("active_partnership_note", "police_notes_only", "expired_partnership_note"),
    "subject_photo": ("active_partnership_note", "police_notes_only", "expired_partnership_note"),
    "sighting_to_link": (
        "org_shared_same_org",
        "org_shared_other_org",
        "partnership_other_org",
        "police_only_same_org",
    ),
    # A link between a shared card and a partnership sighting, made by an organisation.
    "subject_link": ("made_by_viewers_org", "made_by_other_org"),
    # An alert for police, for coordinators, for the viewer's organisation or another's.
    "alert": ("for_police", "for_coordinators", "for_viewers_org", "for_other_org"),
    "authorisation": ("in_force",),
    "direction": ("in_force",),
    # A notice in force tonight (with its photo) covering one of the viewer's
    # organisation's venues, or only another organisation's.
    "notice": ("covers_viewers_venue", "covers_other_venue"),
    "notice_photo": ("covers_viewers_venue", "covers_other_venue"),
    "decided_appeal": ("covers_viewers_venue", "covers_other_venue"),
    # A new public report with a photo: nobody's organisation wrote it.
    "public_report": ("new_with_photo",),
    # A long report's run: only the person who asked for it may open it.
    "report_run": ("viewers_own", "someone_elses"),
}
# (record, target) -> the roles that may see it (DESIGN.md section 2).
SEES: dict[tuple[str, str], frozenset[Role]] = {
    ("sighting", "org_shared_same_org"): FRONTLINE,
    ("sighting", "org_shared_other_org"): POLICE,
    ("sighting", "partnership_other_org"): FRONTLINE,
    ("sighting", "police_only_same_org"): POLICE,
    ("safe_space_use", "same_org"): WELFARE_READERS,
    ("safe_space_use", "other_org"): POLICE | {Role.COORDINATOR},
    ("safe_space_use", "handed_to_viewer"): WELFARE_READERS,
    ("welfare_note", "same_org"): WELFARE_READERS,
    ("welfare_note", "other_org"): POLICE | {Role.COORDINATOR},
    ("welfare_note", "handed_to_viewer"): WELFARE_READERS,
    ("subject", "active_partnership_note"): SUBJECT_READERS,
    ("subject", "police_notes_only"): POLICE,
    ("subject", "expired_partnership_note"): POLICE,
    # Photos reach members only where the data-sharing settings allow (off by default).
    ("subject_photo", "active_partnership_note"): POLICE,
    ("subject_photo", "police_notes_only"): POLICE,
    ("subject_photo", "expired_partnership_note"): POLICE,
    # Police link any record they see; members only their own organisation's.
    ("sighting_to_link", "org_shared_same_org"): FRONTLINE,
    ("sighting_to_link", "org_shared_other_org"): POLICE,
    ("sighting_to_link", "partnership_other_org"): POLICE,
    ("sighting_to_link", "police_only_same_org"): POLICE,
    ("subject_link", "made_by_viewers_org"): FRONTLINE,
    ("subject_link", "made_by_other_org"): POLICE,
    ("alert", "for_police"): POLICE,
    ("alert", "for_coordinators"): frozenset({Role.COORDINATOR}),
    ("alert", "for_viewers_org"): frozenset({Role.PREMISES_STAFF, Role.WELFARE}),
    ("alert", "for_other_org"): frozenset(),
    ("authorisation", "in_force"): POLICE,
    ("direction", "in_force"): POLICE,
    ("notice", "covers_viewers_venue"): POLICE | {Role.COORDINATOR, Role.PREMISES_STAFF},
    ("notice", "covers_other_venue"): POLICE | {Role.COORDINATOR},
    # Members (the coordinator too) see a notice's photo only where the data-sharing
    # settings allow (off here).
    ("notice_photo", "covers_viewers_venue"): POLICE,
    ("notice_photo", "covers_other_venue"): POLICE,
    ("decided_appeal", "covers_viewers_venue"): POLICE | {Role.COORDINATOR},
    ("decided_appeal", "covers_other_venue"): POLICE | {Role.COORDINATOR},
    ("public_report", "new_with_photo"): POLICE,
    ("report_run", "viewers_own"): REPORTERS,
    ("report_run", "someone_elses"): frozenset(),
}

# Pages whose role rule lets a police officer in, where the officer's rank then refuses
# (a constable may not authorise or end a dispersal area): (endpoint, role) -> 403.
RANK_REFUSED = {
    ("orders.authorisation_create", Role.OFFICER),
    ("orders.authorisation_end", Role.OFFICER),
}

# Records that some allowed roles still may not see: (target, role) -> 404.
# Coordinators manage every account except administrators' and police accounts, and every
# organisation except police forces; inspectors only their own force's accounts (DESIGN.md
# section 2: the police-only level must not depend on a partnership manager).
HIDDEN_TARGETS = {
    ("admin_account", Role.COORDINATOR),
    ("viewers_force_officer", Role.COORDINATOR),
    ("other_force_officer", Role.COORDINATOR),
    ("police_force", Role.COORDINATOR),
    ("admin_account", Role.INSPECTOR),
    ("staff_account", Role.INSPECTOR),
    ("other_force_officer", Role.INSPECTOR),
}


def endpoints(app: Flask) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, rule)
    return rules


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    assert set(endpoints(app)) == set(MATRIX), (
        "classify new routes in MATRIX, remove rows of routes that are gone"
    )


def test_every_route_declares_public_or_its_roles(app: Flask) -> None:
    unclassified = [e for e in endpoints(app) if view_rule(app, e) is None]
    assert unclassified == []


def test_the_declared_rules_match_the_matrix(app: Flask) -> None:
    for endpoint, expected in MATRIX.items():
        assert view_rule(app, endpoint) == expected, endpoint


def test_an_unclassified_view_is_refused_even_when_signed_in(
    other_app: Callable[..., Flask], make_user: Callable[..., User]
) -> None:
    other = other_app()
    other.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    anonymous = other.test_client()
    assert anonymous.get("/forgotten").status_code == 302
    admin = make_user(Role.ADMIN)
    signed_in = other.test_client()
    with signed_in.session_transaction() as session:
        session["_user_id"] = admin.session_token
    response = signed_in.get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data


@dataclass
class Case:
    endpoint: str
    who: str  # a role's value, or "anonymous"
    target: str  # what the URL points at


def cases() -> list[Case]:
    found = []
    for endpoint in MATRIX:
        if endpoint == "static":
            continue
        if endpoint in USER_RECORD_PAGES:
            targets: tuple[str, ...] = USER_TARGETS
        elif endpoint in ORGANISATION_RECORD_PAGES:
            targets = ORGANISATION_TARGETS
        elif endpoint in RECORD_PAGES:
            targets = RECORD_TARGETS[RECORD_PAGES[endpoint]]
        else:
            targets = ("-",)
        for target in targets:
            for who in (ANONYMOUS, *[r.value for r in Role]):
                found.append(Case(endpoint, who, target))
    return found


def expected_outcome(case: Case) -> str:
    rule = MATRIX[case.endpoint]
    if rule == PUBLIC:
        return "public"
    if case.who == ANONYMOUS:
        return "sign in"
    role = Role(case.who)
    assert isinstance(rule, frozenset)
    if role not in rule:
        return "forbidden"
    if (case.target, role) in HIDDEN_TARGETS:
        return "not found"
    record = RECORD_PAGES.get(case.endpoint)
    if record is not None and role not in SEES[(record, case.target)]:
        return "not found"
    if (case.endpoint, role) in RANK_REFUSED:
        return "forbidden"
    return "allowed"


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c.endpoint}-{c.who}-{c.target}")
def test_access(
    case: Case,
    app: Flask,
    make_user: Callable[..., User],
    make_org: Callable[..., object],
    login_as: Callable[..., User],
    client: object,
) -> None:
    staff = make_user(Role.PREMISES_STAFF)
    org = make_org(OrgKind.POLICE if case.target == "police_force" else OrgKind.WELFARE)
    with app.test_request_context():
        token = auth_service.create_set_password_link(reload(app, staff), None)
        venue = Venue(organisation_id=staff.organisation_id, name="The Test Bar")
        area = Area(name="Test zone", geometry=SQUARE)
        db.session.add_all([venue, area])
        db.session.commit()
        venue_id, area_id = venue.id, area.id
    values = {
        "user_id": staff.id,
        "org_id": org.id,
        "token": token,
        "code": "cy",
        "venue_id": venue_id,
        "area_id": area_id,
    }
    viewer = login_as(Role(case.who)) if case.who != ANONYMOUS else make_user(Role.WELFARE)
    if case.endpoint in USER_RECORD_PAGES:
        values["user_id"] = account_for(case.target, viewer, staff, make_user, make_org).id
    if case.endpoint in RECORD_PAGES:
        values.update(
            make_record(app, RECORD_PAGES[case.endpoint], case.target, viewer, make_user, make_org)
        )
    elif case.endpoint.startswith(("sightings.", "welfare.", "subjects.", "alerts.", "orders.")):
        values.update(
            sighting_id=0,
            photo_id=0,
            use_id=0,
            note_id=0,
            subject_id=0,
            record_id=0,
            link_id=0,
            alert_id=0,
            authorisation_id=0,
            direction_id=0,
            notice_id=0,
            appeal_id=0,
        )
    values.setdefault("kind", "sighting")
    if values["kind"] == 0:
        values["kind"] = "sighting"

    rule = endpoints(app)[case.endpoint]
    url_args = {name: values[name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        url = url_for(case.endpoint, **url_args)
    method = "GET" if "GET" in (rule.methods or ()) else "POST"

    response = client.open(url, method=method)  # type: ignore[attr-defined]
    location = response.headers.get("Location", "")
    outcome = expected_outcome(case)

    if outcome == "sign in":
        assert response.status_code == 302 and "/auth/login?next=" in location
    elif outcome == "forbidden":
        assert response.status_code == 403
    elif outcome == "not found":
        assert response.status_code == 404
    elif outcome == "allowed":
        assert response.status_code in (200, 302, 400), response.status_code
        assert "/auth/login?next=" not in location
    else:  # public ("Exit this page" leaves with 303 See Other)
        assert response.status_code in (200, 302, 303, 400), response.status_code


def account_for(
    target: str,
    viewer: User,
    staff: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> User:
    """The account ``target`` names, relative to ``viewer``."""
    if target == "admin_account":
        return make_user(Role.ADMIN)
    if target == "viewers_force_officer":
        viewer_org = viewer.organisation
        force = viewer_org if viewer_org.kind == OrgKind.POLICE.value else make_org(OrgKind.POLICE)
        return make_user(Role.OFFICER, force)
    if target == "other_force_officer":
        return make_user(Role.OFFICER, make_org(OrgKind.POLICE))
    return staff


def make_record(
    app: Flask,
    record: str,
    target: str,
    viewer: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> dict[str, int]:
    """A record of ``record`` kind placed as ``target`` says, relative to ``viewer``."""
    if record in ("subject", "subject_photo"):
        return make_subject(app, target, make_user)
    if record == "subject_link":
        return make_link(app, target, viewer, make_user, make_org)
    if record == "alert":
        return make_alert(app, target, viewer, make_org)
    if record in ("authorisation", "direction"):
        return make_dispersal(app)
    if record in ("notice", "notice_photo", "decided_appeal"):
        return make_notice(
            app, target, viewer, make_user, make_org, decided=record == "decided_appeal"
        )
    if record == "public_report":
        return make_public_report(app)
    if record == "report_run":
        owner = viewer if target == "viewers_own" else make_user(Role.ANALYST)
        return make_report_run(app, owner)
    if record == "sighting_to_link":
        return {**make_record(app, "sighting", target, viewer, make_user, make_org), "kind": 0}
    viewer_org = viewer.organisation
    if target.endswith("same_org"):
        author = make_user(viewer.role_enum, viewer_org)
    else:  # another organisation of the same kind, or anyone for a hand-over
        author = make_user(viewer.role_enum, make_org(OrgKind(viewer_org.kind)))
    if record == "sighting":
        sharing = {
            "org_shared": "organisation",
            "partnership": "partnership",
            "police_only": "police",
        }
        level = next(v for k, v in sharing.items() if target.startswith(k))
        record_id = add_sighting(app, author, None, night=NIGHT, sharing=level)
        photo_id = add_stored_photo(app, Attachment, sighting_id=record_id)
    else:
        venue_id = add_venue(app, author.organisation, "Record Bar")
        handed = viewer_org.id if target == "handed_to_viewer" else None
        add = add_safe_space_use if record == "safe_space_use" else add_welfare_note
        record_id = add(
            app,
            author,
            venue_id,
            night=NIGHT,
            handed_to="welfare",
            handed_to_organisation_id=handed,
        )
        photo_id = 0
    return {
        "sighting_id": record_id,
        "use_id": record_id,
        "note_id": record_id,
        "photo_id": photo_id,
        "record_id": record_id,
    }


def make_report_run(app: Flask, owner: User) -> dict[str, Any]:
    """A long report asked for by ``owner`` (the matrix opens its page)."""
    return {"run_id": add_report_run(app, owner)}


def make_public_report(app: Flask) -> dict[str, int]:
    """A new public report with a photo, as the public form makes it."""
    return {"report_id": add_public_report(app, photo=jpeg_bytes()).id}


def make_dispersal(app: Flask) -> dict[str, int]:
    """An authorisation in force now, and a direction given under it an hour ago."""
    now = utcnow()
    authorisation_id = add_authorisation(app, now - timedelta(hours=2), now + timedelta(hours=20))
    direction_id = add_direction(
        app, authorisation_id, now - timedelta(hours=1), now + timedelta(hours=20)
    )
    return {"authorisation_id": authorisation_id, "direction_id": direction_id}


def make_notice(
    app: Flask,
    target: str,
    viewer: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    *,
    decided: bool = False,
) -> dict[str, int]:
    """A notice in force today, issued with the subject's photo, covering a venue of the
    viewer's organisation or of another; and an appeal against it, undecided unless
    ``decided`` (then upheld)."""
    subject = make_subject(app, "active_partnership_note", make_user)
    org = (
        viewer.organisation
        if target == "covers_viewers_venue"
        else make_org(OrgKind.LICENSED_PREMISES)
    )
    today = night_of(utcnow())
    venue = make_venue(app, org, "Notice Bar", address="2 Wind Street")
    notice_id = add_notice(
        app,
        subject["subject_id"],
        [venue],
        today - timedelta(days=1),
        today + timedelta(days=90),
        include_photo=True,
    )
    outcome = {"outcome": "upheld", "outcome_reason": "Seen on CCTV", "decided_on": today}
    appeal_id = add_appeal(app, notice_id, today, **(outcome if decided else {}))
    return {"notice_id": notice_id, "appeal_id": appeal_id}


def make_alert(
    app: Flask, target: str, viewer: User, make_org: Callable[..., Organisation]
) -> dict[str, int]:
    """A busy-venue alert (about no subject) for the audience ``target`` names."""
    audience, org_id = {
        "for_police": ("police", None),
        "for_coordinators": ("coordinators", None),
        "for_viewers_org": ("organisation", viewer.organisation_id),
        "for_other_org": ("organisation", make_org(OrgKind(viewer.organisation.kind)).id),
    }[target]
    return {"alert_id": add_alert(app, audience, org_id)}


def make_link(
    app: Flask,
    target: str,
    viewer: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> dict[str, int]:
    """A shared card linked to a partnership sighting by the viewer's organisation, or by
    another organisation of the same kind."""
    subject_id = make_subject(app, "active_partnership_note", make_user)["subject_id"]
    org = (
        viewer.organisation
        if target == "made_by_viewers_org"
        else make_org(OrgKind(viewer.organisation.kind))
    )
    author = make_user(viewer.role_enum, org)
    sighting_id = add_sighting(app, author, None, night=NIGHT)
    return {"link_id": add_link(app, subject_id, author, sighting_id=sighting_id)}


def make_subject(app: Flask, target: str, make_user: Callable[..., User]) -> dict[str, int]:
    """A subject written by an officer, whose one note is as ``target`` says: an active
    partnership note, a police-only note, or a partnership note past its review date."""
    officer = make_user(Role.OFFICER)
    today = utcnow().date()
    sharing, review_on = {
        "active_partnership_note": ("partnership", today + timedelta(days=90)),
        "police_notes_only": ("police", today + timedelta(days=90)),
        "expired_partnership_note": ("partnership", today - timedelta(days=1)),
    }[target]
    subject_id, _reference = add_subject(
        app, officer, sharing, review_on=review_on, description="Tall, grey hoodie"
    )
    (note_id,) = note_ids(app, subject_id)
    return {
        "subject_id": subject_id,
        "note_id": note_id,
        "photo_id": add_stored_photo(app, SubjectPhoto, subject_id=subject_id),
    }
