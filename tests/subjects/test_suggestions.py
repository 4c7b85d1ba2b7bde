"""Red flags: the suggested links and the reasons given for them, in words.

Each reason on its own produces a suggestion saying why; an unrelated sighting produces
none; a member is never shown a subject they may not see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.sightings.models import Sighting
from partnership.subjects import suggestions
from partnership.subjects.models import Subject
from partnership.welfare.models import SafeSpaceUse, WelfareNote
from tests.conftest import update
from tests.factories import add_venue, signed_in
from tests.sightings.factories import add_sighting
from tests.subjects.factories import add_link, add_subject
from tests.subjects.test_links import NOW, TONIGHT, all_links
from tests.welfare.factories import add_safe_space_use, add_welfare_note

MakeUser = Callable[..., User]
TALL_MAN = {"apparent_sex": "male", "age_band": "25_34", "height": "tall"}
SHORT_WOMAN = {"apparent_sex": "female", "age_band": "45_plus", "height": "short"}


@pytest.fixture
def people(make_user: MakeUser, make_org: Callable[..., Organisation]) -> dict[str, User]:
    return {
        "bar": make_user(Role.PREMISES_STAFF, make_org(OrgKind.LICENSED_PREMISES)),
        "officer": make_user(Role.OFFICER),
    }


def suggested(
    app: Flask, user: User, model: type, record_id: int, today: date | None = None
) -> dict[int, list[str]]:
    """What ``user`` is suggested for the record: subject id -> the reasons."""
    with app.test_request_context():
        viewer = db.session.get(User, user.id)
        record = db.session.get(model, record_id)
        assert viewer is not None and record is not None
        found = suggestions.suggestions(viewer, record, today or NOW.date())
        return {suggestion.subject.id: suggestion.reasons for suggestion in found}


def test_same_venue_and_behaviour_within_a_few_nights(app: Flask, people: dict[str, User]) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    subject, _ref = add_subject(app, officer, **SHORT_WOMAN)  # no notes; no description match
    earlier = add_sighting(
        app,
        bar,
        anchor,
        night=TONIGHT - timedelta(days=3),
        behaviours=("aspb.following", "aspb.staring"),
    )
    add_link(app, subject, officer, sighting_id=earlier)
    tonight = add_sighting(
        app, bar, anchor, behaviours=("aspb.following", "assb.catcalling"), **TALL_MAN
    )

    assert suggested(app, officer, Sighting, tonight) == {
        subject: [
            "Linked to a sighting at The Anchor on the night of Tuesday 24 November 2026"
            " with the same behaviour: Following someone."
        ]
    }
    # Four nights apart is too far.
    update(app, Sighting, earlier, night=TONIGHT - timedelta(days=4))
    assert suggested(app, officer, Sighting, tonight) == {}


def test_several_shared_behaviours_are_named(app: Flask, people: dict[str, User]) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    subject, _ref = add_subject(app, officer)
    behaviours = ("aspb.following", "aspb.staring")
    later = add_sighting(app, bar, anchor, night=TONIGHT + timedelta(days=1), behaviours=behaviours)
    add_link(app, subject, officer, sighting_id=later)
    tonight = add_sighting(app, bar, anchor, behaviours=behaviours)
    assert suggested(app, officer, Sighting, tonight)[subject] == [
        "Linked to a sighting at The Anchor on the night of Saturday 28 November 2026"
        " with the same behaviours: Following someone, Staring."
    ]


def test_a_matching_description_says_which_fields_and_words_agree(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    elsewhere = add_venue(app, bar.organisation, "The Lamb")
    # The subject's own description.
    own, _ref = add_subject(
        app, officer, distinguishing_features="Spider tattoo on neck", **TALL_MAN
    )
    # Another subject described only through a sighting linked to it, at another venue
    # a fortnight ago with another behaviour (so only the description can suggest it).
    through_sighting, _ref2 = add_subject(app, officer)
    old = add_sighting(
        app,
        bar,
        elsewhere,
        night=TONIGHT - timedelta(days=14),
        behaviours=("aspb.filming",),
        **TALL_MAN,
    )
    add_link(app, through_sighting, officer, sighting_id=old)
    tonight = add_sighting(
        app, bar, anchor, distinguishing_features="Tattoo of a spider, neck", **TALL_MAN
    )

    found = suggested(app, officer, Sighting, tonight)
    assert found[own] == [
        "The red flag's description agrees with this sighting on apparent sex, age, height"
        " and shares the words neck, spider, tattoo."
    ]
    assert found[through_sighting] == [
        "A sighting linked to this red flag on the night of Friday 13 November 2026 agrees"
        " with this one on apparent sex, age, height."
    ]
    assert set(found) == {own, through_sighting}


def test_a_subject_with_active_notes_seen_at_the_venue_before(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    subject, _ref = add_subject(app, officer, "police", **SHORT_WOMAN)
    use = add_safe_space_use(app, bar, anchor, night=TONIGHT - timedelta(days=20))
    add_link(app, subject, officer, safe_space_use_id=use)
    tonight = add_sighting(app, bar, anchor, behaviours=("aspb.loitering",), **TALL_MAN)

    assert suggested(app, officer, Sighting, tonight) == {
        subject: [
            "Has active notes and was seen at The Anchor on the night of Saturday 7 November 2026."
        ]
    }
    # Once the note is past its review date it no longer counts.
    assert suggested(app, officer, Sighting, tonight, NOW.date() + timedelta(days=91)) == {}


def test_an_unrelated_sighting_gets_no_suggestion(app: Flask, people: dict[str, User]) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    lamb = add_venue(app, bar.organisation, "The Lamb")
    subject, _ref = add_subject(app, officer, "police", "partnership", **SHORT_WOMAN)
    earlier = add_sighting(app, bar, lamb, behaviours=("aspb.filming",), **SHORT_WOMAN)
    add_link(app, subject, officer, sighting_id=earlier)
    tonight = add_sighting(app, bar, anchor, behaviours=("aspb.following",), **TALL_MAN)
    assert suggested(app, officer, Sighting, tonight) == {}
    # A sparse description (one field) matches nothing either.
    sparse = add_sighting(app, bar, anchor, behaviours=("aspb.staring",), apparent_sex="female")
    assert suggested(app, officer, Sighting, sparse) == {}


def test_linked_merged_and_erased_subjects_are_never_suggested(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    tonight = add_sighting(app, bar, anchor, **TALL_MAN)
    linked, _r1 = add_subject(app, officer, **TALL_MAN)
    merged, _r2 = add_subject(app, officer, **TALL_MAN)
    erased, _r3 = add_subject(app, officer, **TALL_MAN)
    open_one, _r4 = add_subject(app, officer, **TALL_MAN)
    add_link(app, linked, officer, sighting_id=tonight)
    update(app, Subject, merged, merged_into_id=open_one, merged_at=NOW)
    update(app, Subject, erased, erased_at=NOW)
    assert set(suggested(app, officer, Sighting, tonight)) == {open_one}


def test_a_member_is_only_suggested_subjects_they_may_see(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    police_only, _r1 = add_subject(app, officer, "police", **TALL_MAN)
    shared, _r2 = add_subject(app, officer, "partnership", **TALL_MAN)
    earlier = add_sighting(app, bar, anchor, night=TONIGHT - timedelta(days=1), **TALL_MAN)
    for subject in (police_only, shared):
        add_link(app, subject, officer, sighting_id=earlier)
    tonight = add_sighting(app, bar, anchor, **TALL_MAN)

    assert set(suggested(app, officer, Sighting, tonight)) == {police_only, shared}
    member = suggested(app, bar, Sighting, tonight)
    assert set(member) == {shared}
    assert len(member[shared]) == 4  # venue and behaviour, two descriptions, active notes

    # Reasons rest only on records the member may see: a police-only sighting is not used.
    update(app, Sighting, earlier, sharing="police", author_id=officer.id)
    update(app, Sighting, earlier, organisation_id=officer.organisation_id)
    member = suggested(app, bar, Sighting, tonight)
    assert member == {
        shared: [
            "The red flag's description agrees with this sighting on apparent sex, age, height."
        ]
    }


def test_a_safe_space_use_is_compared_through_its_sighting_and_its_venue(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    by_behaviour, _r1 = add_subject(app, officer)
    by_notes, _r2 = add_subject(app, officer, "police")
    earlier = add_sighting(app, bar, anchor, night=TONIGHT - timedelta(days=2))
    add_link(app, by_behaviour, officer, sighting_id=earlier)
    old_note = add_welfare_note(app, bar, anchor, night=TONIGHT - timedelta(days=30))
    add_link(app, by_notes, officer, welfare_note_id=old_note)
    logged = add_sighting(app, bar, anchor)
    use = add_safe_space_use(app, bar, anchor, sighting_id=logged)

    assert suggested(app, officer, SafeSpaceUse, use) == {
        by_behaviour: [
            "Linked to a sighting at The Anchor on the night of Wednesday 25 November 2026"
            " with the same behaviour: Following someone."
        ],
        by_notes: [
            "Has active notes and was seen at The Anchor on the night of Wednesday 28 October 2026."
        ],
    }
    # The subject linked to the sighting logged from it is suggested for the use too.
    tonight_subject, _r3 = add_subject(app, officer)
    add_link(app, tonight_subject, officer, sighting_id=logged)
    assert tonight_subject in suggested(app, officer, SafeSpaceUse, use)
    # A welfare note away from any venue has nothing to compare.
    street = add_welfare_note(app, bar, None)
    assert suggested(app, officer, WelfareNote, street) == {}


def test_the_link_page_shows_each_suggestion_with_its_reasons(
    app: Flask, people: dict[str, User]
) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    subject, reference = add_subject(app, officer, "partnership")
    earlier = add_sighting(app, bar, anchor, night=TONIGHT - timedelta(days=1))
    add_link(app, subject, officer, sighting_id=earlier)
    tonight = add_sighting(app, bar, anchor)

    client = signed_in(app, bar)
    page = client.get(f"/subjects/link/sighting/{tonight}").get_data(as_text=True)
    assert reference in page
    assert (
        "<li>Linked to a sighting at The Anchor on the night of Thursday 26 November 2026"
        " with the same behaviour: Following someone.</li>"
    ) in page
    assert "<li>Has active notes and was seen at The Anchor" in page
    assert f'name="subject_id" value="{subject}"' in page or (
        f'value="{subject}" name="subject_id"' in page
    )
    # Choosing it links it; it is then no longer suggested.
    response = client.post(
        f"/subjects/link/sighting/{tonight}",
        data={"reason": "checking_tonight", "subject_id": str(subject), "reference": ""},
    )
    assert response.status_code == 302
    assert suggested(app, bar, Sighting, tonight) == {}


def test_nothing_is_linked_by_suggesting(app: Flask, people: dict[str, User]) -> None:
    bar, officer = people["bar"], people["officer"]
    anchor = add_venue(app, bar.organisation, "The Anchor")
    subject, _ref = add_subject(app, officer, "partnership")
    earlier = add_sighting(app, bar, anchor, night=TONIGHT - timedelta(days=1))
    add_link(app, subject, officer, sighting_id=earlier)
    tonight = add_sighting(app, bar, anchor)
    assert suggested(app, officer, Sighting, tonight)
    assert signed_in(app, officer).get(f"/subjects/link/sighting/{tonight}").status_code == 200
    assert [link.sighting_id for link in all_links(app)] == [earlier]
