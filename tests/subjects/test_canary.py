"""The canary: a subject's name, aliases, date of birth, address and a police-only note's
text are planted, the subject is linked, alerted on, searched for and exported, and then
every page, list, search result, alert and export any other role can reach is read for
them. None may appear, except to police and (for a subject access request) admin."""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from partnership.auth.models import Organisation, User
from partnership.core.enums import OrgKind, Role
from partnership.core.models import utcnow
from partnership.core.nights import night_of
from partnership.venues.models import Venue
from tests.sightings.factories import add_sighting
from tests.subjects.helpers import (
    CANARY_SECRETS,
    justify,
    partnership_note,
    police_note,
    subject_form,
)


def a_sighting(app: Flask, author: User, venue_id: int) -> int:
    """A partnership sighting at the venue tonight."""
    return add_sighting(app, author, venue_id, night=night_of(utcnow()), apparent_sex="male")


def test_the_canary_reaches_no_page_alert_or_export_of_a_role_that_may_not_see_it(
    app: Flask,
    client: FlaskClient,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_venue: Callable[..., Venue],
    login_as: Callable[..., User],
) -> None:
    bar = make_org(OrgKind.LICENSED_PREMISES)
    venue = make_venue(bar)
    bar_staff = make_user(Role.PREMISES_STAFF, bar)
    shared_sighting = a_sighting(app, bar_staff, venue.id)
    own_sighting = a_sighting(app, bar_staff, venue.id)

    officer = login_as(Role.OFFICER)
    created = client.post("/subjects/new", data=subject_form())
    subject_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
    for note in (police_note(), partnership_note()):
        assert client.post(f"/subjects/{subject_id}/notes/new", data=note).status_code == 302
    linked = client.post(
        f"/subjects/link/sighting/{shared_sighting}",
        data={"subject_id": str(subject_id), "reason": "checking_tonight"},
    )
    assert linked.status_code == 302, linked.get_data(as_text=True)
    client.get("/subjects/?q=Canary")  # a search that names the person, in the audit trail
    justify(client, subject_id)
    reference = "RF-" + str(utcnow().year) + "-0001"

    # Police see it all: the canary is really there to be found.
    profile = client.get(f"/subjects/{subject_id}").get_data(as_text=True)
    assert all(secret in profile for secret in ("Canary Name", "CANARY-POLICE-NOTE"))
    exported = client.post(
        "/subjects/access-request",
        data={"reference": reference, "reason": "SAR-1", "file_format": "json"},
    )
    assert exported.status_code == 200 and "Canary Name" in exported.get_data(as_text=True)

    pages = [
        "/dashboard",
        "/alerts/",
        "/subjects/",
        "/subjects/?q=" + reference,
        f"/subjects/{subject_id}",
        f"/subjects/{subject_id}/edit",
        f"/subjects/{subject_id}/merge",
        f"/subjects/{subject_id}/notes/new",
        f"/subjects/{subject_id}/photos/new",
        f"/sightings/{shared_sighting}",
        f"/sightings/{own_sighting}",
        f"/subjects/link/sighting/{own_sighting}",
        f"/subjects/details/{own_sighting}",
        "/sightings/",
        "/subjects/access-request",
        "/subjects/erase",
    ]
    viewers = [
        bar_staff,
        make_user(Role.PREMISES_STAFF),
        make_user(Role.WELFARE),
        make_user(Role.COORDINATOR),
        make_user(Role.ANALYST),
    ]
    for viewer in viewers:
        login_as(viewer)
        justify(client, subject_id)
        for url in pages:
            page = client.get(url).get_data(as_text=True)
            for secret in CANARY_SECRETS:
                assert secret not in page, (viewer.role, url, secret)
        for typed in ("Canary", "Birdy"):  # the query comes back in the page; nothing else may
            found = client.get(f"/subjects/?q={typed}").get_data(as_text=True)
            assert reference not in found, (viewer.role, typed)
            for secret in CANARY_SECRETS:
                assert secret not in found.replace(typed, ""), (viewer.role, typed, secret)
        for form in ("pdf", "json"):
            refused = client.post(
                "/subjects/access-request",
                data={"reference": reference, "reason": "curious", "file_format": form},
            )
            assert refused.status_code == 403, (viewer.role, form)
            assert not any(secret in refused.get_data(as_text=True) for secret in CANARY_SECRETS)

    # The bar really was alerted, by reference only.
    login_as(bar_staff)
    alerts = client.get("/alerts/").get_data(as_text=True)
    assert reference in alerts

    # Admin may answer a subject access request, and sees no record pages otherwise.
    admin = login_as(Role.ADMIN)
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        for secret in CANARY_SECRETS:
            assert secret not in page, (admin.role, url, secret)
    disclosed = client.post(
        "/subjects/access-request",
        data={
            "full_name": "Canary Name",
            "date_of_birth": "1990-01-02",
            "reason": "SAR-2",
            "file_format": "json",
        },
    )
    held = json.loads(disclosed.get_data(as_text=True))
    assert "Canary Name" in json.dumps(held) and "CANARY-POLICE-NOTE" in json.dumps(held)
    assert officer.id  # the officer's account made everything above
