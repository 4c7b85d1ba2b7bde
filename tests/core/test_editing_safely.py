"""Editing safely: every record people edit carries a version, and two people editing one
record at once never silently undo each other, whether one sends after the other or both
reach the database together.

Each record type is one :class:`~tests.editing.Editable` in :data:`EDITABLE`; the tests
below run for every one, on the database the suite runs on (SQLite or PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from partnership.auth.models import Organisation, User
from partnership.core.access import public
from partnership.core.enums import OrgKind, Role
from partnership.core.locking import RecordChange
from partnership.extensions import db
from partnership.orders.authorisations.models import DispersalAuthorisation
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.notices.models import ExclusionNotice
from partnership.public.models import PublicReport
from partnership.sightings.models import Sighting
from partnership.subjects.models import RedFlagNote, Subject
from partnership.venues.models import Area, Venue
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from tests.editing import (
    GENERIC,
    STALE,
    Case,
    Editable,
    answered,
    assert_told_who_what_and_when,
    both_open,
    first_lands_between_check_and_flush,
    in_threads,
    opened,
    refused_page_form,
    released_together,
    send,
    text,
)
from tests.factories import (
    add_venue,
    colleagues,
    make_area,
    make_org,
    make_user,
    make_venue,
    signed_in,
)
from tests.orders.factories import add_authorisation, add_direction, add_notice
from tests.public.factories import add_public_report
from tests.sightings.factories import add_sighting
from tests.subjects.factories import add_subject, note_ids
from tests.welfare.factories import add_safe_space_use, add_welfare_note

# The records are made in the recent past and edited now (the real clock): a sighting
# may be corrected, a direction varied, a notice changed.
YESTERDAY = datetime.now(UTC).date() - timedelta(days=1)


@dataclass
class Makers:
    """What an entry needs to make its record and its two editors."""

    app: Flask

    def user(self, role: Role) -> User:
        return make_user(self.app, role)

    def org(self, kind: OrgKind, name: str | None = None) -> Organisation:
        return make_org(self.app, kind, name)

    def two(self, role: Role) -> tuple[User, User]:
        return colleagues(self.app, role)

    def case(self, people: tuple[User, User], record_id: int, page: str, **kwargs: Any) -> Case:
        first, second = people
        return Case(
            record_id=record_id,
            page=page,
            first=signed_in(self.app, first),
            second=signed_in(self.app, second),
            first_name=first.name,
            **kwargs,
        )


@pytest.fixture
def makers(app: Flask) -> Makers:
    return Makers(app)


# --- The record types ------------------------------------------------------------------


def subject(m: Makers) -> Case:
    people = m.two(Role.OFFICER)
    subject_id, _reference = add_subject(m.app, people[0])
    case = m.case(people, subject_id, f"/subjects/{subject_id}/edit")
    for client in (case.first, case.second):  # editing needs a current reason for viewing
        client.post(f"/subjects/{subject_id}/justify", data={"reason": "checking_tonight"})
    return case


def red_flag_note(m: Makers) -> Case:
    people = m.two(Role.OFFICER)
    subject_id, _reference = add_subject(
        m.app, people[0], "partnership", review_on=YESTERDAY + timedelta(days=5)
    )
    (note_id,) = note_ids(m.app, subject_id)
    return m.case(people, note_id, f"/subjects/{subject_id}/notes/{note_id}/renew")


def sighting(m: Makers) -> Case:
    people = m.two(Role.OFFICER)  # police correct any sighting, at any time
    author = m.user(Role.PREMISES_STAFF)
    sighting_id = add_sighting(m.app, author, None, night=YESTERDAY)
    return m.case(people, sighting_id, f"/sightings/{sighting_id}/correct")


def _logged_from(kind: str) -> Callable[[Makers], Case]:
    """A Safe Space use or welfare note, changed by logging a sighting from it."""

    def make(m: Makers) -> Case:
        people = m.two(Role.OFFICER)
        staff = m.user(Role.PREMISES_STAFF)
        if kind == "welfare_note":
            record_id = add_welfare_note(m.app, m.user(Role.WELFARE), None, night=YESTERDAY)
        else:
            venue_id = add_venue(m.app, staff.organisation)
            record_id = add_safe_space_use(m.app, staff, venue_id, night=YESTERDAY)
        extra = {"behaviours": "aspb.following", "action_taken": "spoke_to"}
        return m.case(people, record_id, f"/sightings/new?source={kind}:{record_id}", extra=extra)

    return make


def _sighting_logged_from(record: Any) -> tuple[str | None, int]:
    """What the sighting linked to ``record`` says of the clothing, and how many there are."""
    total = db.session.scalar(select(func.count()).select_from(Sighting)) or 0
    return (record.sighting.clothing if record.sighting else None), int(total)


def public_report(m: Makers) -> Case:
    people = m.two(Role.OFFICER)
    report = add_public_report(m.app, status="reviewed", received_at=datetime.now(UTC))
    return m.case(
        people,
        report.id,
        f"/public-reports/{report.id}",
        action=f"/public-reports/{report.id}/triage",
    )


def venue(m: Makers) -> Case:
    people = m.two(Role.COORDINATOR)
    owner = m.org(OrgKind.LICENSED_PREMISES)
    venue_id = make_venue(m.app, owner, safe_space=False, licence_number="").id
    return m.case(people, venue_id, f"/venues/{venue_id}/edit")


def area(m: Makers) -> Case:
    area_id = make_area(m.app)
    return m.case(m.two(Role.COORDINATOR), area_id, f"/venues/areas/{area_id}/edit")


def organisation(m: Makers) -> Case:
    org = m.org(OrgKind.STREET_PASTORS, name="Swansea Street Pastors")
    return m.case(m.two(Role.ADMIN), org.id, f"/admin/organisations/{org.id}/edit")


def account(m: Makers) -> Case:
    target = m.user(Role.OFFICER)
    return m.case(
        m.two(Role.ADMIN),
        target.id,
        f"/admin/users/{target.id}",
        action=f"/admin/users/{target.id}/role",
    )


def authorisation(m: Makers) -> Case:
    now = datetime.now(UTC)
    ident = add_authorisation(m.app, now - timedelta(hours=1), now + timedelta(hours=7))
    page = f"/orders/authorisations/{ident}/end"
    return m.case(m.two(Role.INSPECTOR), ident, page, action=page)


def direction(m: Makers) -> Case:
    now = datetime.now(UTC)
    authorisation_id = add_authorisation(m.app, now - timedelta(hours=2), now + timedelta(hours=7))
    ident = add_direction(
        m.app, authorisation_id, now - timedelta(minutes=30), now + timedelta(hours=20)
    )
    return m.case(
        m.two(Role.OFFICER),
        ident,
        f"/orders/directions/{ident}/vary",
        extra={"reason": "Told them"},
    )


def _notice(m: Makers) -> int:
    officer = m.user(Role.OFFICER)
    subject_id, _reference = add_subject(m.app, officer, "partnership")
    today = datetime.now(UTC).date()
    return add_notice(
        m.app,
        subject_id,
        [],
        today - timedelta(days=10),
        today + timedelta(days=60),
        review_on=today + timedelta(days=30),
        appeal_by=today + timedelta(days=4),
        issued_at=datetime.now(UTC) - timedelta(days=10),
    )


def notice(m: Makers) -> Case:
    ident = _notice(m)
    return m.case(m.two(Role.COORDINATOR), ident, f"/orders/notices/{ident}/vary")


def notice_appeal(m: Makers) -> Case:
    ident = _notice(m)
    return m.case(m.two(Role.COORDINATOR), ident, f"/orders/notices/{ident}/appeals/new")


def _logged_into_a_sighting(name: str, model: type, kind: str) -> Editable:
    """A Safe Space use or welfare note, changed by logging a sighting from it."""
    return Editable(
        name,
        model,
        _logged_from(kind),
        "clothing",
        "A sighting logged from it",
        _sighting_logged_from,
        after_one=lambda typed: (typed, 1),
        # Sent again having seen it, the second sighting is saved; the record keeps its link.
        after_both=lambda first, _second: (first, 2),
        shows_now=False,
    )


EDITABLE = [
    Editable("subject", Subject, subject, "clothing", "Clothing", lambda s: s.clothing),
    Editable(
        "red flag note",
        RedFlagNote,
        red_flag_note,
        "reason",
        "Review date",
        lambda note: [renewal.reason for renewal in note.renewals],
        after_one=lambda typed: [typed],
        after_both=lambda first, second: [first, second],
    ),
    Editable(
        "sighting correction", Sighting, sighting, "clothing", "Clothing", lambda s: s.clothing
    ),
    _logged_into_a_sighting("welfare note", WelfareNote, "welfare_note"),
    _logged_into_a_sighting("safe space use", SafeSpaceUse, "safe_space_use"),
    Editable(
        "public report triage",
        PublicReport,
        public_report,
        "triage_note",
        "Note (optional)",
        lambda report: report.triage_note,
    ),
    Editable("venue", Venue, venue, "address", "Address", lambda v: v.address),
    Editable("area", Area, area, "description", "Description (optional)", lambda a: a.description),
    Editable(
        "organisation",
        Organisation,
        organisation,
        "name",
        "Name",
        lambda org: org.name,
        first="Swansea Bay Street Pastors",
        second="Swansea Pastors SECOND",
    ),
    Editable(
        "account",
        User,
        account,
        "rank",
        "Police rank",
        lambda user: user.rank,
        first="sergeant",
        second="pcso",
    ),
    Editable(
        "authorisation",
        DispersalAuthorisation,
        authorisation,
        "reason",
        "Ended early",
        lambda a: a.end_reason,
        after_both=lambda first, _second: first,
        again_refused="This authorisation was already ended early",
    ),
    Editable("direction", DispersalDirection, direction, "route", "Route", lambda d: d.route),
    Editable(
        "exclusion notice",
        ExclusionNotice,
        notice,
        "reasons",
        "Reasons for the notice",
        lambda n: n.reasons,
    ),
    Editable(
        "exclusion notice appeal",
        ExclusionNotice,
        notice_appeal,
        "grounds",
        "Appeals",
        lambda n: [appeal.grounds for appeal in n.appeals],
        after_one=lambda typed: [typed],
        after_both=lambda first, _second: [first],
        again_refused="An appeal against this notice is already waiting for a decision.",
        shows_now=False,  # the page shows the appeal now waiting instead
    ),
]
EVERY = pytest.mark.parametrize("editable", EDITABLE, ids=[e.name for e in EDITABLE])


def _then_sent_again(app: Flask, editable: Editable, case: Case, refused: Any) -> None:
    """The refused page kept the second person's answer and moved on to the version saved
    now: sent again as it stands, it saves (or meets the rule that it cannot happen
    twice)."""
    again = refused_page_form(refused, case)
    assert again[editable.field] == editable.second
    assert int(again["version"]) == editable.version(app, case.record_id)
    resent = send(case.second, case, again)
    if editable.again_refused:
        assert resent.status_code == 400 and editable.again_refused in text(resent)
    else:
        assert resent.status_code == 302, text(resent)
    assert editable.held(app, case.record_id) == editable.after_both(
        editable.first, editable.second
    )


@EVERY
def test_the_second_of_two_saves_from_one_version_is_told_who_changed_what(
    app: Flask, makers: Makers, editable: Editable
) -> None:
    case = editable.make(makers)
    first_form, second_form = both_open(case)
    opened_on = int(first_form["version"])

    saved = send(case.first, case, answered(first_form, case, **{editable.field: editable.first}))
    assert saved.status_code == 302, text(saved)
    assert editable.version(app, case.record_id) == opened_on + 1

    refused = send(
        case.second, case, answered(second_form, case, **{editable.field: editable.second})
    )
    assert_told_who_what_and_when(refused, case, editable)
    assert editable.second in text(refused)  # what they typed is still in the form
    assert editable.held(app, case.record_id) == editable.after_one(editable.first)
    _then_sent_again(app, editable, case, refused)


@EVERY
def test_two_saves_that_reach_the_database_together_never_lose_one(
    app: Flask, makers: Makers, editable: Editable, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = editable.make(makers)
    first_form, second_form = both_open(case)
    first_answers = answered(first_form, case, **{editable.field: editable.first})

    with first_lands_between_check_and_flush(
        monkeypatch, lambda: send(case.first, case, first_answers)
    ) as landed:
        refused = send(
            case.second, case, answered(second_form, case, **{editable.field: editable.second})
        )
    assert landed["response"].status_code == 302, text(landed["response"])
    # The second passed its check on the version both opened, and still did not write.
    assert_told_who_what_and_when(refused, case, editable)
    assert editable.second in text(refused)
    assert editable.held(app, case.record_id) == editable.after_one(editable.first)
    _then_sent_again(app, editable, case, refused)


@EVERY
def test_of_two_saves_released_at_once_one_saves_and_the_other_is_told(
    app: Flask, makers: Makers, editable: Editable, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = editable.make(makers)
    first_form, second_form = both_open(case)
    first_answers = answered(first_form, case, **{editable.field: editable.first})
    second_answers = answered(second_form, case, **{editable.field: editable.second})

    with released_together(monkeypatch):
        responses = in_threads(
            lambda: send(case.first, case, first_answers),
            lambda: send(case.second, case, second_answers),
        )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 400], [text(r) for r in responses]
    winner = 0 if responses[0].status_code == 302 else 1
    loser = responses[1 - winner]
    page = text(loser)
    assert STALE in page and GENERIC not in page
    # The record holds the winner's save, whole; the loser's wrote nothing.
    won_with = (editable.first, editable.second)[winner]
    assert editable.held(app, case.record_id) == editable.after_one(won_with)
    assert editable.version(app, case.record_id) == int(first_form["version"]) + 1


# --- What moves a version on, and what the change log keeps ------------------------------


def test_each_save_leaves_who_and_which_fields_never_their_values(
    app: Flask, makers: Makers
) -> None:
    case = subject(makers)
    form = opened(case.first, case)
    secret = "SECRET-TATTOO-ON-LEFT-HAND"
    answers = answered(form, case, clothing="Red coat", distinguishing_features=secret)
    assert send(case.first, case, answers).status_code == 302
    with app.app_context():
        (change,) = db.session.scalars(select(RecordChange))
        assert (change.record_type, change.record_id, change.version) == (
            "subjects",
            case.record_id,
            2,
        )
        assert change.changed_by_name == case.first_name
        assert change.fields == ["clothing", "distinguishing_features"]
        assert secret not in repr(db.session.execute(select(RecordChange.__table__)).all())


def test_sending_a_form_unchanged_moves_no_version_on(app: Flask, makers: Makers) -> None:
    case = venue(makers)
    form = opened(case.first, case)
    assert send(case.first, case, form).status_code == 302
    with app.app_context():
        assert db.session.get(Venue, case.record_id).version == 1
        assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0


# --- Accounts' buttons, bookkeeping that is not an edit, a form without its version ----


def test_an_accounts_buttons_carry_the_version_its_page_showed(app: Flask, makers: Makers) -> None:
    case = account(makers)
    page = f"/admin/users/{case.record_id}"
    shown = text(case.second.get(page))
    assert 'name="version" value="1"' in shown
    changed = send(case.first, case, answered(opened(case.first, case), case, rank="sergeant"))
    assert changed.status_code == 302

    # The second manager's page still says version 1: deactivating is refused, and told why.
    refused = case.second.post(f"{page}/deactivate", data={"version": "1"})
    assert refused.status_code == 400
    assert f"{STALE}: {case.first_name} changed Police rank" in text(refused)
    with app.app_context():
        target = db.session.get(User, case.record_id)
        assert target is not None and target.active and target.rank == "sergeant"
    # The page now carries the version saved: sent again, it deactivates.
    assert 'name="version" value="2"' in text(refused)
    done = case.second.post(f"{page}/deactivate", data={"version": "2"})
    assert done.status_code == 302
    with app.app_context():
        target = db.session.get(User, case.record_id)
        assert target is not None and not target.active


def test_signing_in_and_expiry_are_not_edits_a_form_must_give_way_to(
    app: Flask, makers: Makers
) -> None:
    from partnership.subjects import service as subjects

    case = account(makers)
    form = opened(case.first, case)
    with app.app_context():  # the person signs in and out meanwhile (bookkeeping only)
        target = db.session.get(User, case.record_id)
        assert target is not None
        target.failed_logins = 3
        target.last_login_at = datetime.now(UTC)
        target.rotate_session()
        db.session.commit()
    assert send(case.first, case, answered(form, case, rank="sergeant")).status_code == 302

    note = red_flag_note(makers)
    renewal = opened(note.first, note)
    with app.app_context():  # the note's review date passes and it is marked expired
        assert subjects.expire_overdue(datetime.now(UTC) + timedelta(days=10))
        db.session.commit()
    assert send(note.first, note, answered(renewal, note, reason="Still seen")).status_code == 302


def test_a_form_without_its_version_is_refused_not_saved(app: Flask, makers: Makers) -> None:
    case = subject(makers)
    form = opened(case.first, case)
    form.setlist("version", ["not-a-number"])
    refused = send(case.first, case, answered(form, case, clothing="Tampered"))
    assert refused.status_code == 400
    assert f"{STALE}. Nothing you sent was saved" in text(refused)
    with app.app_context():
        kept = db.session.get(Subject, case.record_id)
        assert kept is not None and kept.clothing == "" and kept.version == 1


def test_a_lost_race_outside_a_form_gets_a_plain_page_not_an_error(
    other_app: Callable[..., Flask], makers: Makers
) -> None:
    racing = other_app()
    venue_id = venue(makers).record_id

    @racing.route("/test-race")
    @public
    def race() -> str:
        here = db.session.get(Venue, venue_id)
        assert here is not None and here.version == 1
        with racing.app_context():  # someone else's request, with its own session
            db.session.get(Venue, venue_id).name = "Renamed elsewhere"  # type: ignore[union-attr]
            db.session.commit()
        here.name = "Renamed here"
        db.session.commit()
        return "saved"

    response = racing.test_client().get("/test-race")
    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in text(response)
    with racing.app_context():
        assert db.session.get(Venue, venue_id).name == "Renamed elsewhere"  # type: ignore[union-attr]
