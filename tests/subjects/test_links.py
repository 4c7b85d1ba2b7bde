"""Red flags: linking sightings, Safe Space uses and welfare notes to subjects, removing
links, and recording details obtained in one step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.subjects import links
from partnership.subjects.models import Subject, SubjectLink
from tests.conftest import events, update
from tests.factories import add_venue, signed_in
from tests.sightings.factories import add_sighting
from tests.subjects.factories import add_link, add_subject
from tests.welfare.factories import add_safe_space_use, add_welfare_note

MakeUser = Callable[..., User]
NOW = datetime(2026, 11, 28, 0, 45, tzinfo=UTC)  # Friday night, 00:45 GMT
TONIGHT = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    for module in (
        "partnership.subjects.link_views",
        "partnership.subjects.views",
        "partnership.sightings.views",
        "partnership.welfare.views",
    ):
        monkeypatch.setattr(f"{module}.utcnow", lambda: NOW)
    return NOW


def all_links(app: Flask) -> list[SubjectLink]:
    with app.app_context():
        found = list(db.session.scalars(select(SubjectLink).order_by(SubjectLink.id)))
        db.session.expunge_all()
        return found


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def link_answers(**overrides: str) -> dict[str, str]:
    answers = {"reason": "checking_tonight", "detail": "", "reference": ""}
    answers.update(overrides)
    return answers


@pytest.fixture
def people(make_user: MakeUser, make_org: Callable[..., Organisation]) -> dict[str, User]:
    """A bar's staff, a second bar's staff, an officer, a Street Pastor."""
    return {
        "bar": make_user(
            Role.PREMISES_STAFF, make_org(OrgKind.LICENSED_PREMISES, "The Anchor Ltd")
        ),
        "other_bar": make_user(Role.PREMISES_STAFF, make_org(OrgKind.LICENSED_PREMISES)),
        "officer": make_user(Role.OFFICER),
        "pastor": make_user(Role.WELFARE),
    }


def test_bar_staff_link_their_sighting_by_reference_with_one_audited_reason(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    venue = add_venue(app, bar.organisation)
    sighting = add_sighting(app, bar, venue)
    subject, reference = add_subject(app, officer, "partnership")
    client = signed_in(app, bar)

    page = client.get(f"/subjects/link/sighting/{sighting}")
    assert page.status_code == 200
    response = client.post(
        f"/subjects/link/sighting/{sighting}",
        data=link_answers(
            reason="other", detail="Door staff know him", reference=reference.lower()
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/sightings/{sighting}")

    (link,) = all_links(app)
    assert (link.subject_id, link.sighting_id, link.details_obtained) == (subject, sighting, False)
    assert (link.linked_by_id, link.organisation_id, link.linked_at) == (
        bar.id,
        bar.organisation_id,
        NOW,
    )
    (event,) = events(app, "subject.linked")
    assert event.justification == "Other: Door staff know him"
    assert (event.object_type, event.object_id) == ("subject", str(subject))
    assert event.details["record_type"] == "sighting"
    assert event.details["record_id"] == sighting

    detail = client.get(f"/sightings/{sighting}").get_data(as_text=True)
    assert f"Linked to red flag {reference}." in detail
    assert reference in detail
    assert f"/subjects/links/{link.id}/remove" in detail
    assert f"/subjects/link/sighting/{sighting}" in detail
    assert "Record details obtained" not in detail  # police only


def test_the_profile_lists_where_the_subject_was_seen(app: Flask, people: dict[str, User]) -> None:
    bar, officer = people["bar"], people["officer"]
    venue = add_venue(app, bar.organisation)
    shared = add_sighting(app, bar, venue)
    police_only = add_sighting(app, officer, None, sharing="police", night=TONIGHT - timedelta(1))
    use = add_safe_space_use(app, bar, venue, night=TONIGHT - timedelta(2))
    subject, _reference = add_subject(app, officer, "partnership")
    for record in ({"sighting_id": shared}, {"sighting_id": police_only}):
        add_link(app, subject, officer, **record)
    add_link(app, subject, bar, safe_space_use_id=use)
    with app.app_context():
        db.session.get(Sighting, shared).details_obtained_at = NOW  # type: ignore[union-attr]
        db.session.execute(
            SubjectLink.__table__.update()
            .where(SubjectLink.sighting_id == shared)
            .values(details_obtained=True)
        )
        db.session.commit()

    officer_client = signed_in(app, officer)
    officer_client.post(f"/subjects/{subject}/justify", data={"reason": "checking_tonight"})
    page = officer_client.get(f"/subjects/{subject}").get_data(as_text=True)
    assert "Sighting on the night of Friday 27 November 2026" in page
    assert "Sighting on the night of Thursday 26 November 2026" in page
    assert "Safe Space use on the night of Wednesday 25 November 2026" in page
    assert f"/welfare/safe-space/{use}" in page
    assert "Details obtained" in page
    assert "Castle Square" in page

    # The other bar sees the shared sighting only: not the police-only one, not the
    # first bar's Safe Space use.
    other = signed_in(app, people["other_bar"])
    other.post(f"/subjects/{subject}/justify", data={"reason": "checking_tonight"})
    page = other.get(f"/subjects/{subject}").get_data(as_text=True)
    assert "Sighting on the night of Friday 27 November 2026" in page
    assert "Thursday 26 November" not in page
    assert "Safe Space use" not in page


def test_a_duplicate_link_is_refused_with_a_message_and_nothing_written(
    app: Flask, people: dict[str, User]
) -> None:
    officer = people["officer"]
    sighting = add_sighting(app, people["bar"], None)
    subject, reference = add_subject(app, officer)
    client = signed_in(app, officer)
    first = client.post(
        f"/subjects/link/sighting/{sighting}", data=link_answers(reference=reference)
    )
    assert first.status_code == 302
    again = client.post(
        f"/subjects/link/sighting/{sighting}", data=link_answers(reference=reference)
    )
    assert again.status_code == 400
    assert f"{reference} is already linked to this record." in again.get_data(as_text=True)
    assert len(all_links(app)) == 1
    assert len(events(app, "subject.linked")) == 1

    with app.test_request_context():
        actor = db.session.get(User, officer.id)
        record = db.session.get(Sighting, sighting)
        found = db.session.get(Subject, subject)
        assert actor is not None and record is not None and found is not None
        with pytest.raises(links.AlreadyLinked) as refused:
            links.link_record(actor, found, record, "again", NOW)
        assert refused.value.link.subject_id == subject


def test_bad_input_comes_back_with_a_message_and_what_was_typed(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    sighting = add_sighting(app, bar, add_venue(app, bar.organisation))
    _hidden, hidden_reference = add_subject(app, officer, "police")
    client = signed_in(app, bar)

    unknown = client.post(
        f"/subjects/link/sighting/{sighting}", data=link_answers(reference="RF-2099-0123")
    )
    assert unknown.status_code == 400
    page = unknown.get_data(as_text=True)
    assert "There is no red flag with the reference RF-2099-0123." in page
    assert 'value="RF-2099-0123"' in page

    # A red flag the member may not see answers exactly as one that does not exist.
    hidden = client.post(
        f"/subjects/link/sighting/{sighting}", data=link_answers(reference=hidden_reference)
    )
    assert hidden.status_code == 400
    assert f"There is no red flag with the reference {hidden_reference}." in hidden.get_data(
        as_text=True
    )

    nothing = client.post(
        f"/subjects/link/sighting/{sighting}", data={"detail": "kept detail", "reference": ""}
    )
    assert nothing.status_code == 400
    page = nothing.get_data(as_text=True)
    assert "Choose why you are linking this record" in page
    assert "Enter a red flag reference or choose a suggested red flag" in page
    assert "kept detail" in page

    other = client.post(
        f"/subjects/link/sighting/{sighting}", data=link_answers(reason="other", reference="RF-1")
    )
    assert "Say why you are linking this record" in other.get_data(as_text=True)
    assert all_links(app) == []
    assert events(app, "subject.linked") == []


def test_a_member_of_another_organisation_cannot_link_a_shared_sighting(
    app: Flask, people: dict[str, User], make_user: MakeUser
) -> None:
    bar, other_bar = people["bar"], people["other_bar"]
    sighting = add_sighting(app, bar, add_venue(app, bar.organisation), sharing="partnership")
    _subject, reference = add_subject(app, people["officer"], "partnership")
    other = signed_in(app, other_bar)
    assert other.get(f"/sightings/{sighting}").status_code == 200  # they can see it
    assert "Link to a red flag" not in other.get(f"/sightings/{sighting}").get_data(as_text=True)
    assert other.get(f"/subjects/link/sighting/{sighting}").status_code == 404
    posted = other.post(
        f"/subjects/link/sighting/{sighting}", data=link_answers(reference=reference)
    )
    assert posted.status_code == 404
    assert all_links(app) == []

    own = signed_in(app, bar)
    assert own.get(f"/subjects/link/nonsense/{sighting}").status_code == 404
    assert own.get(f"/subjects/link/sighting/{sighting + 100}").status_code == 404
    for role in (Role.COORDINATOR, Role.ANALYST, Role.ADMIN):
        assert (
            signed_in(app, make_user(role)).get(f"/subjects/link/sighting/{sighting}").status_code
            == 403
        )


def test_police_and_the_records_own_organisation_link_safe_space_uses_and_welfare_notes(
    app: Flask, people: dict[str, User], make_user: MakeUser
) -> None:
    bar, officer, pastor = people["bar"], people["officer"], people["pastor"]
    venue = add_venue(app, bar.organisation)
    use = add_safe_space_use(app, bar, venue)
    note = add_welfare_note(app, pastor, None)
    subject, reference = add_subject(app, officer, "partnership")

    police = signed_in(app, officer)
    made = police.post(
        f"/subjects/link/safe_space_use/{use}", data=link_answers(reference=reference)
    )
    assert made.status_code == 302
    assert made.headers["Location"].endswith(f"/welfare/safe-space/{use}")
    detail = signed_in(app, bar).get(f"/welfare/safe-space/{use}").get_data(as_text=True)
    assert reference in detail
    assert "Link to a red flag" in detail

    welfare = signed_in(app, pastor)
    page = welfare.get(f"/subjects/link/welfare_note/{note}")
    assert page.status_code == 200
    made = welfare.post(
        f"/subjects/link/welfare_note/{note}", data=link_answers(subject_id=str(subject))
    )
    assert made.status_code == 302
    assert made.headers["Location"].endswith(f"/welfare/notes/{note}")
    assert {(link.safe_space_use_id, link.welfare_note_id) for link in all_links(app)} == {
        (use, None),
        (None, note),
    }
    # The bar may not link the Street Pastors' note (it cannot even see it).
    assert signed_in(app, bar).get(f"/subjects/link/welfare_note/{note}").status_code == 404
    # A coordinator sees the Safe Space use and its red flag, but may not link it.
    coordinator = make_user(Role.COORDINATOR)
    page = signed_in(app, coordinator).get(f"/welfare/safe-space/{use}").get_data(as_text=True)
    assert reference in page
    assert "Link to a red flag" not in page


def test_removing_a_link_is_audited_and_only_for_police_or_the_organisation_that_made_it(
    app: Flask, people: dict[str, User]
) -> None:
    bar, other_bar, officer = people["bar"], people["other_bar"], people["officer"]
    sighting = add_sighting(app, bar, add_venue(app, bar.organisation))
    subject, reference = add_subject(app, officer, "partnership")
    by_bar = add_link(app, subject, bar, sighting_id=sighting)

    other = signed_in(app, other_bar)
    assert f"/subjects/links/{by_bar}/remove" not in other.get(f"/sightings/{sighting}").get_data(
        as_text=True
    )
    assert other.post(f"/subjects/links/{by_bar}/remove").status_code == 404
    assert other.post("/subjects/links/9999/remove").status_code == 404
    assert len(all_links(app)) == 1

    response = signed_in(app, bar).post(f"/subjects/links/{by_bar}/remove")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sightings/{sighting}")
    assert all_links(app) == []
    (event,) = events(app, "subject.unlinked")
    assert (event.object_id, event.details["record_id"], event.actor_id) == (
        str(subject),
        sighting,
        bar.id,
    )

    by_bar_again = add_link(app, subject, bar, sighting_id=sighting)
    assert signed_in(app, officer).post(f"/subjects/links/{by_bar_again}/remove").status_code == 302
    assert all_links(app) == []
    assert reference  # the reference was shown in the flash; nothing else to check


def test_a_member_never_sees_a_police_only_subject_on_the_link_page(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    venue = add_venue(app, bar.organisation)
    described = {"apparent_sex": "male", "age_band": "25_34", "height": "tall"}
    # A police-only subject, seen at the same bar two nights ago doing the same thing,
    # described alike: every reason would suggest it, but the bar may not see it.
    hidden, hidden_reference = add_subject(
        app, officer, "police", name="Hidden Canary", **described
    )
    earlier = add_sighting(app, bar, venue, night=TONIGHT - timedelta(2), **described)
    add_link(app, hidden, officer, sighting_id=earlier)
    # A subject shared with the partnership, also linked there: the bar may see its card.
    shared, shared_reference = add_subject(
        app, officer, "partnership", "police", name="Shared Canary"
    )
    add_link(app, shared, officer, sighting_id=earlier)
    tonight = add_sighting(app, bar, venue, **described)

    page = signed_in(app, bar).get(f"/subjects/link/sighting/{tonight}").get_data(as_text=True)
    assert shared_reference in page
    assert hidden_reference not in page
    for canary in ("Hidden Canary", "Shared Canary", "CANARY-POLICE-NOTE", "CANARY-PARTNERSHIP"):
        assert canary not in page
    (event,) = events(app, "subject.suggestions_shown")
    assert event.details["subjects"] == [shared]
    assert (event.object_type, event.object_id) == ("sighting", str(tonight))

    police_page = signed_in(app, officer).get(f"/subjects/link/sighting/{tonight}")
    text = police_page.get_data(as_text=True)
    assert hidden_reference in text and "Hidden Canary" in text  # police see both, named


def test_details_obtained_creates_a_subject_and_links_it_in_one_step(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    sighting = add_sighting(
        app,
        bar,
        add_venue(app, bar.organisation),
        apparent_sex="male",
        clothing="Red puffer jacket",
        description="Followed her to the taxi rank",
    )
    client = signed_in(app, officer)
    form = client.get(f"/subjects/details/{sighting}")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert 'value="Red puffer jacket"' in page
    assert "Followed her to the taxi rank" in page

    response = client.post(
        f"/subjects/details/{sighting}",
        data={
            "reason": "checking_tonight",
            "description": "Followed her to the taxi rank",
            "apparent_sex": "male",
            "clothing": "Red puffer jacket",
            "name": "Obtained Name",
            "date_of_birth": "1991-03-04",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        subject = db.session.scalar(select(Subject))
        assert subject is not None
        assert (subject.name, subject.date_of_birth) == ("Obtained Name", date(1991, 3, 4))
        record = db.session.get(Sighting, sighting)
        assert record is not None and record.details_obtained_at == NOW
        subject_id, reference = subject.id, subject.reference
    assert response.headers["Location"].endswith(f"/subjects/{subject_id}")
    (link,) = all_links(app)
    assert (link.subject_id, link.sighting_id, link.details_obtained) == (
        subject_id,
        sighting,
        True,
    )
    for action in ("subject.created", "subject.linked", "subject.details_obtained"):
        assert len(events(app, action)) == 1, action
    assert events(app, "subject.details_obtained")[0].justification == (
        "Checking a person seen tonight"
    )
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Details obtained recorded on red flag {reference}." in follow
    detail = client.get(f"/sightings/{sighting}").get_data(as_text=True)
    assert "Details obtained" in detail
    assert "Record details obtained" in detail


def test_details_obtained_with_an_existing_reference_links_instead(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    first = add_sighting(app, bar, None)
    second = add_sighting(app, bar, None)
    subject, reference = add_subject(app, officer)
    add_link(app, subject, officer, sighting_id=second)  # already linked, details not yet
    client = signed_in(app, officer)

    for sighting in (first, second):
        response = client.post(
            f"/subjects/details/{sighting}",
            data={"reason": "checking_tonight", "reference": f" {reference} ", "description": ""},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.headers["Location"].endswith(f"/subjects/{subject}")
    assert count(app, Subject) == 1
    assert {(link.sighting_id, link.details_obtained) for link in all_links(app)} == {
        (first, True),
        (second, True),
    }
    assert len(events(app, "subject.linked")) == 1  # the second was linked already
    assert len(events(app, "subject.details_obtained")) == 2
    with app.app_context():
        stamped = db.session.scalars(select(Sighting.details_obtained_at)).all()
        assert stamped == [NOW, NOW]


def test_details_obtained_bad_input_writes_nothing(
    app: Flask, people: dict[str, User], make_user: MakeUser
) -> None:
    bar, officer = people["bar"], people["officer"]
    sighting = add_sighting(app, bar, None)
    client = signed_in(app, officer)
    missing = client.post(
        f"/subjects/details/{sighting}",
        data={"reason": "checking_tonight", "description": " ", "name": "Typed Name"},
    )
    assert missing.status_code == 400
    page = missing.get_data(as_text=True)
    assert "Describe the person" in page
    assert 'value="Typed Name"' in page

    unknown = client.post(
        f"/subjects/details/{sighting}",
        data={"reason": "checking_tonight", "reference": "RF-2099-0007", "name": "Kept"},
    )
    assert unknown.status_code == 400
    page = unknown.get_data(as_text=True)
    assert "There is no red flag with the reference RF-2099-0007." in page
    assert 'value="RF-2099-0007"' in page

    no_reason = client.post(f"/subjects/details/{sighting}", data={"description": "Tall man"})
    assert no_reason.status_code == 400
    assert "Choose why you are linking this record" in no_reason.get_data(as_text=True)

    assert count(app, Subject) == 0
    assert all_links(app) == []
    with app.app_context():
        assert db.session.scalar(select(Sighting.details_obtained_at)) is None
    assert events(app, "subject.details_obtained") == []

    assert signed_in(app, bar).get(f"/subjects/details/{sighting}").status_code == 403
    assert client.get(f"/subjects/details/{sighting + 100}").status_code == 404


def test_an_old_reference_of_a_merged_red_flag_links_the_one_it_was_merged_into(
    app: Flask, people: dict[str, User]
) -> None:
    officer = people["officer"]
    sighting = add_sighting(app, people["bar"], None)
    kept, kept_reference = add_subject(app, officer)
    merged, merged_reference = add_subject(app, officer)
    update(app, Subject, merged, merged_into_id=kept, merged_at=NOW)
    client = signed_in(app, officer)
    response = client.post(
        f"/subjects/link/sighting/{sighting}", data=link_answers(reference=merged_reference)
    )
    assert response.status_code == 302
    assert [link.subject_id for link in all_links(app)] == [kept]
    assert f"Linked to red flag {kept_reference}." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    # The service refuses a merged profile outright.
    with app.test_request_context():
        actor = db.session.get(User, officer.id)
        record = db.session.get(Sighting, sighting)
        old = db.session.get(Subject, merged)
        assert actor is not None and record is not None and old is not None
        with pytest.raises(links.LinkRefused):
            links.link_record(actor, old, record, "checking", NOW)
