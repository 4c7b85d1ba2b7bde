"""Tonight's exclusions, per role: door staff see the people excluded from their venues
(and nothing police-only), other venues' staff do not, welfare users see only the dispersal
areas, police see everything in force, what ends in the next 24 hours and what was
breached; and the canary never reaches anyone but police."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.extensions import db
from partnership.orders.directions.models import DispersalDirection
from partnership.orders.notices import service as notice_service
from partnership.orders.notices import tonight as tonight_page
from partnership.venues.models import Venue
from tests.conftest import Clock, events
from tests.factories import signed_in
from tests.orders import factories as orders
from tests.orders.factories import add_breach
from tests.orders.notices.factories import World
from tests.orders.notices.test_notices import (
    add_photo,
    fixed_clock,
    issue,
    issue_at,
    page,
)
from tests.subjects.factories import add_subject
from tests.subjects.helpers import CANARY_SECRETS

MakeUser = Callable[..., User]
# Friday night, 23:00 GMT.
NIGHT = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
SECRETS = (
    *CANARY_SECRETS,
    "CANARY-DIRECTED-PERSON",
    "CANARY-DIRECTED-ADDRESS",
)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return fixed_clock(monkeypatch)


def add_authorisation(
    app: Flask,
    starts_at: datetime,
    ends_at: datetime,
    name: str,
    *,
    ended_at: datetime | None = None,
) -> int:
    """An authorisation of the locality ``name``, drawn on no map."""
    return orders.add_authorisation(
        app,
        starts_at,
        ends_at,
        locality_name=name,
        geometry={},
        boundary=f"{name}: Wind Street from Castle Square to Fabian Way",
        ended_at=ended_at,
    )


def add_direction(
    app: Flask,
    authorisation_id: int,
    reference: str,
    given_at: datetime,
    ends_at: datetime,
    *,
    subject_id: int | None = None,
) -> int:
    """A direction to a red flag's subject, or else to a person named only on it."""
    return orders.add_direction(
        app,
        authorisation_id,
        given_at,
        ends_at,
        reference=reference,
        subject_id=subject_id,
        person_name="" if subject_id else "CANARY-DIRECTED-PERSON",
        address="" if subject_id else "CANARY-DIRECTED-ADDRESS",
        excluded_description="The whole of Wind Street",
    )


def section(body: str, heading_id: str) -> str:
    """The text of one section of the page, from its heading to the next section."""
    start = body.index(f'id="{heading_id}"')
    end = body.find("<section", start)
    return body[start : end if end != -1 else len(body)]


@pytest.fixture
def tonight(app: Flask, world: World, clock: Clock) -> dict[str, int]:
    """A notice in force covering the Anchor and Neon (issued in the afternoon), tonight's
    dispersal area, one that ended yesterday, and it is now 23:00 on Friday night."""
    notice_id = issue(signed_in(app, world.coordinator), world)
    area = add_authorisation(
        app, NIGHT - timedelta(hours=4), NIGHT + timedelta(hours=20), "Wind Street zone"
    )
    add_authorisation(app, NIGHT - timedelta(days=2), NIGHT - timedelta(days=1), "Old Castle zone")
    add_authorisation(
        app,
        NIGHT - timedelta(hours=6),
        NIGHT + timedelta(hours=20),
        "Ended early zone",
        ended_at=NIGHT - timedelta(hours=5, minutes=30),
    )
    clock.now = NIGHT
    return {"notice": notice_id, "area": area}


def test_door_staff_see_who_is_excluded_from_their_venues_with_the_allowed_card(
    app: Flask, world: World, tonight: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    door = signed_in(app, world.door)
    response = door.get("/orders/tonight")
    assert response.status_code == 200
    body = page(response)
    excluded = section(body, "excluded-heading")
    assert world.reference in excluded
    assert "Red cap" in excluded  # the description card
    assert "Excluded until Friday 26 February 2027" in excluded
    assert f"/orders/notices/{tonight['notice']}/seen" in excluded
    assert "1 person is excluded from your venues tonight." in excluded
    assert "/photo" not in excluded  # no photo on this notice
    areas = section(body, "areas-heading")
    assert "Wind Street zone" in areas and "Castle Square to Fabian Way" in areas
    assert "Old Castle zone" not in areas and "Ended early zone" not in areas
    # Door staff are not shown the police or coordinator lists.
    assert 'id="directions-heading"' not in body and 'id="notices-heading"' not in body
    assert f'/orders/notices/{tonight["notice"]}"' not in body
    for secret in SECRETS:
        assert secret not in body
    (event,) = events(app, "notice.tonight_viewed")
    assert event.details["notices"] == [tonight["notice"]]

    # Name and aliases appear only where the settings share them with members.
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_NAME_WITH_MEMBERS", True)
    shared = page(door.get("/orders/tonight"))
    assert "Canary Name" in shared and "Birdy" in shared
    assert "1 Canary Street" not in shared and "2 January 1990" not in shared


def test_the_photo_shows_only_when_the_notice_has_it_and_the_settings_allow(
    app: Flask,
    world: World,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_photo(app, world.subject_id)
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", True)
    notice_id = issue(signed_in(app, world.coordinator), world, include_photo="y")
    clock.now = NIGHT
    door = signed_in(app, world.door)
    assert f"/orders/notices/{notice_id}/photo" in page(door.get("/orders/tonight"))
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", False)
    assert f"/orders/notices/{notice_id}/photo" not in page(door.get("/orders/tonight"))


def test_staff_of_a_venue_the_notice_does_not_cover_see_nobody(
    app: Flask,
    world: World,
    tonight: dict[str, int],
    make_org: Callable[..., Organisation],
    make_user: MakeUser,
    make_venue: Callable[..., Venue],
) -> None:
    late_bar = make_org(OrgKind.LICENSED_PREMISES, "Castle Ltd")
    make_venue(late_bar, "Castle Lounge")
    late_door = signed_in(app, make_user(Role.PREMISES_STAFF, late_bar))
    body = page(late_door.get("/orders/tonight"))
    assert world.reference not in body and "PEN-2026-0001" not in body
    assert "Nobody is excluded from your venues tonight." in body
    assert "Wind Street zone" in body  # the areas are for every member
    assert events(app, "notice.tonight_viewed") == []
    # Staff of the Neon (covered) see the person.
    assert world.reference in page(signed_in(app, world.club_door).get("/orders/tonight"))


def test_welfare_users_see_only_the_dispersal_areas(
    app: Flask, world: World, tonight: dict[str, int], make_user: MakeUser
) -> None:
    authorisation = tonight["area"]
    add_direction(
        app, authorisation, "S35-2026-0001", NIGHT - timedelta(hours=1), NIGHT + timedelta(hours=5)
    )
    body = page(signed_in(app, make_user(Role.WELFARE)).get("/orders/tonight"))
    assert "Wind Street zone" in body
    for hidden in (world.reference, "PEN-2026-0001", "S35-2026-0001", "Red cap", *SECRETS):
        assert hidden not in body
    assert 'id="excluded-heading"' not in body and 'id="notices-heading"' not in body


def test_police_see_everything_in_force_what_ends_within_24_hours_and_what_was_breached(
    app: Flask,
    world: World,
    clock: Clock,
    make_user: MakeUser,
) -> None:
    # A notice ending tonight (issued three months ago) and one running on.
    _ending_id, ending_reference = add_subject(app, world.officer, "partnership")
    ending = issue_at(
        app,
        world.coordinator,
        ending_reference,
        datetime(2026, 8, 28, 12, 0, tzinfo=UTC),
        review_on=date(2026, 10, 1),
    )
    running = issue(signed_in(app, world.coordinator), world)
    area = add_authorisation(
        app, NIGHT - timedelta(hours=4), NIGHT + timedelta(hours=20), "Wind Street zone"
    )
    soon = add_direction(
        app, area, "S35-2026-0001", NIGHT - timedelta(hours=1), NIGHT + timedelta(hours=2)
    )
    later = add_direction(
        app,
        area,
        "S35-2026-0002",
        NIGHT - timedelta(minutes=30),
        NIGHT + timedelta(hours=30),
        subject_id=world.subject_id,
    )
    add_direction(  # withdrawn: not in force
        app, area, "S35-2026-0003", NIGHT - timedelta(hours=2), NIGHT + timedelta(hours=10)
    )
    with app.app_context():
        withdrawn = db.session.query(DispersalDirection).filter_by(reference="S35-2026-0003").one()
        withdrawn.withdrawn_at = NIGHT - timedelta(hours=1)
        db.session.commit()
    add_breach(app, world.officer.organisation_id, NIGHT - timedelta(minutes=10), direction_id=soon)
    add_breach(app, world.bar.id, NIGHT - timedelta(days=2), notice_id=running)
    add_breach(app, world.bar.id, NIGHT - timedelta(days=9), notice_id=ending)  # too old
    clock.now = NIGHT

    for role in (Role.OFFICER, Role.INSPECTOR):
        body = page(signed_in(app, make_user(role)).get("/orders/tonight"))
        directions = section(body, "directions-heading")
        assert "S35-2026-0001" in directions and "S35-2026-0002" in directions
        assert "S35-2026-0003" not in directions
        assert f"/orders/directions/{later}" in directions
        assert "CANARY-DIRECTED-PERSON" in directions  # police see who
        notices_in_force = section(body, "notices-heading")
        assert "PEN-2026-0001" in notices_in_force and "PEN-2026-0002" in notices_in_force
        expiring = section(body, "expiring-heading")
        assert "S35-2026-0001" in expiring and "PEN-2026-0001" in expiring
        assert "S35-2026-0002" not in expiring and "PEN-2026-0002" not in expiring
        assert "Ends 28 November 2026, 06:00" in expiring  # after the night of its last day
        breached = section(body, "breaches-heading")
        assert f"/orders/directions/{soon}" in breached and "Arrested" in breached
        assert f"/orders/notices/{running}" in breached and "Refused entry" in breached
        assert f"/orders/notices/{ending}" not in breached
        assert "Wind Street zone" in section(body, "areas-heading")


def test_the_coordinator_sees_notices_and_areas_but_no_directions(
    app: Flask, world: World, tonight: dict[str, int]
) -> None:
    add_direction(
        app,
        tonight["area"],
        "S35-2026-0001",
        NIGHT - timedelta(hours=1),
        NIGHT + timedelta(hours=5),
    )
    body = page(signed_in(app, world.coordinator).get("/orders/tonight"))
    assert f"/orders/notices/{tonight['notice']}" in section(body, "notices-heading")
    assert "Wind Street zone" in body
    assert "S35-2026-0001" not in body and 'id="directions-heading"' not in body
    for secret in SECRETS:
        assert secret not in body


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_administrators_may_not_open_tonight(
    app: Flask, make_user: MakeUser, role: Role
) -> None:
    assert signed_in(app, make_user(role)).get("/orders/tonight").status_code == 403


def test_the_canary_never_reaches_a_non_police_page_of_orders(
    app: Flask,
    world: World,
    tonight: dict[str, int],
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", True)
    add_direction(
        app,
        tonight["area"],
        "S35-2026-0001",
        NIGHT - timedelta(hours=1),
        NIGHT + timedelta(hours=5),
    )
    notice = tonight["notice"]
    pages = {
        world.door: ["/orders/tonight", f"/orders/notices/{notice}/seen"],
        world.club_door: ["/orders/tonight", f"/orders/notices/{notice}/seen"],
        make_user(Role.WELFARE): ["/orders/tonight"],
        world.coordinator: [
            "/orders/tonight",
            "/orders/notices/",
            f"/orders/notices/{notice}",
            f"/orders/notices/{notice}/vary",
            f"/orders/notices/{notice}/lift",
            f"/orders/notices/{notice}/appeals/new",
            f"/orders/notices/new?subject_id={world.subject_id}",
        ],
    }
    for user, urls in pages.items():
        client = signed_in(app, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user.role, url)
            body = page(response)
            for secret in SECRETS:
                assert secret not in body, (user.role, url, secret)
    # Police see them (the same pages are not hiding everything).
    police = page(signed_in(app, world.officer).get(f"/orders/notices/{notice}"))
    assert "1 Canary Street" in police and "Canary Name" in police


def _issue_many(app: Flask, world: World, count: int) -> list[int]:
    """``count`` notices in force tonight, each about a red flag of its own, the first
    ending soonest."""
    ids = []
    for number in range(count):
        _subject_id, reference = add_subject(
            app, world.officer, "partnership", review_on=date(2027, 6, 1)
        )
        ids.append(
            issue_at(
                app,
                world.coordinator,
                reference,
                NIGHT - timedelta(hours=6),
                duration_months=None,
                ends_on=date(2027, 1, 1) + timedelta(days=number),
            )
        )
    return ids


def test_door_staff_page_through_everyone_excluded_from_their_venues(
    app: Flask, world: World, clock: Clock
) -> None:
    count = tonight_page.SHOWN + 3
    issued = _issue_many(app, world, count)
    clock.now = NIGHT
    door = signed_in(app, world.door)

    first = section(page(door.get("/orders/tonight")), "excluded-heading")
    assert f"{count} people are excluded from your venues tonight." in first
    assert first.count("Seen at my venue") == tonight_page.SHOWN
    assert "/orders/tonight?page=2" in first
    (event,) = events(app, "notice.tonight_viewed")
    assert event.details["notices"] == sorted(issued[: tonight_page.SHOWN])

    second = section(page(door.get("/orders/tonight?page=2")), "excluded-heading")
    assert second.count("Seen at my venue") == 3
    for notice_id in issued[tonight_page.SHOWN :]:
        assert f"/orders/notices/{notice_id}/seen" in second
    assert events(app, "notice.tonight_viewed")[-1].details["notices"] == sorted(
        issued[tonight_page.SHOWN :]
    )

    # A page past the last, or not a page at all, shows no one and is not an error.
    for wrong in ("99", "0", "-1", "two", "9" * 30):
        response = door.get(f"/orders/tonight?page={wrong}")
        assert response.status_code == 200


def test_police_see_the_notices_ending_soonest_and_how_many_are_in_force(
    app: Flask, world: World, clock: Clock
) -> None:
    count = tonight_page.SHOWN + 2
    issued = _issue_many(app, world, count)
    clock.now = NIGHT
    body = page(signed_in(app, world.officer).get("/orders/tonight"))
    notices = section(body, "notices-heading")
    assert f"The {tonight_page.SHOWN} ending soonest of {count}." in notices
    for notice_id in issued[: tonight_page.SHOWN]:
        assert f'/orders/notices/{notice_id}"' in notices
    for notice_id in issued[tonight_page.SHOWN :]:
        assert f'/orders/notices/{notice_id}"' not in notices
    assert "/orders/notices/" in notices  # all of them a link away


def test_the_notices_list_pages_through_the_current_notices(
    app: Flask, world: World, clock: Clock
) -> None:
    count = notice_service.PAGE_SIZE + 2
    issued = _issue_many(app, world, count)
    clock.now = NIGHT
    coordinator = signed_in(app, world.coordinator)
    first = page(coordinator.get("/orders/notices/"))
    second = page(coordinator.get("/orders/notices/?page=2"))
    for notice_id in issued[: notice_service.PAGE_SIZE]:
        assert f'/orders/notices/{notice_id}"' in first
        assert f'/orders/notices/{notice_id}"' not in second
    for notice_id in issued[notice_service.PAGE_SIZE :]:
        assert f'/orders/notices/{notice_id}"' in second
        assert f'/orders/notices/{notice_id}"' not in first
    assert "/orders/notices/?page=2" in first
