"""Every showing of a red flag's card or details is audited: one event per page shown,
naming the red flag, wherever it is shown (its profile, search, the form changing it, the
merge page, a notice, "seen at my venue", tonight's exclusions, link suggestions, ...).

The walk opens every page of the URL map, as every role that may read red flags, on one of
everything; a page showing the red flag's description, name, aliases or address must have
written exactly one audit event, and that event must name the red flag. So a new page that
shows a card fails here until it is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from partnership.auth.models import Organisation, User
from partnership.core.enums import Role
from partnership.core.models import AuditEvent
from partnership.extensions import db
from partnership.subjects.models import Subject
from partnership.subjects.visibility import READERS
from tests.walk import World, build_world, give_reason, opens, pages, sign_in_as


def details_of(app: Flask, world: World) -> list[str]:
    """What only a red flag's card or profile shows: its description and personal details."""
    with app.app_context():
        subject = db.session.get(Subject, world.ids["subject_id"])
        assert subject is not None
        return [subject.description, subject.name, subject.aliases, subject.address]


def last_event_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def events_after(app: Flask, event_id: int) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.id > event_id)))
        db.session.expunge_all()
        return found


def names_subject(event: AuditEvent, subject_id: int) -> bool:
    details: dict[str, Any] = event.details or {}
    return (
        (event.object_type == "subject" and event.object_id == str(subject_id))
        or details.get("subject") == subject_id
        or subject_id in details.get("subjects", [])
    )


# The pages that show each role the card, at the least (the walk finds any others).
SHOWN_AT_LEAST = {
    Role.PREMISES_STAFF: {
        "subjects.profile",
        "subjects.search",
        "orders.tonight",
        "orders.venue_breach",
    },
    Role.WELFARE: {"subjects.profile", "subjects.search"},
    Role.OFFICER: {
        "subjects.profile",
        "subjects.search",
        "subjects.edit",
        "subjects.merge",
        "orders.notice_detail",
    },
    Role.INSPECTOR: {"subjects.profile", "subjects.edit", "orders.notice_detail"},
    Role.COORDINATOR: {"subjects.profile", "subjects.merge", "orders.notice_detail"},
}


@pytest.mark.parametrize("who", sorted(READERS), ids=str)
def test_every_page_showing_a_red_flag_writes_one_event_naming_it(
    who: Role,
    app: Flask,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Members see names and aliases too, so every detail can reach their pages.
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_NAME_WITH_MEMBERS", True)
    world = build_world(app, make_user, make_org)
    secrets = details_of(app, world)
    subject_id = world.ids["subject_id"]
    browser = app.test_client()
    sign_in_as(browser, world.users[who])
    if opens("subjects.justify", who):
        give_reason(browser, world)
    shown = set()
    for endpoint, url in pages(app, world, who):
        before = last_event_id(app)
        page = browser.get(url).get_data(as_text=True)
        written = events_after(app, before)
        if not any(secret in page for secret in secrets):
            continue
        shown.add(endpoint)
        assert len(written) == 1, (url, [event.action for event in written])
        assert names_subject(written[0], subject_id), (url, written[0].action)
    assert SHOWN_AT_LEAST[who] <= shown


def test_a_form_shown_again_after_a_mistake_is_audited_again(
    app: Flask,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:
    world = build_world(app, make_user, make_org)
    door = app.test_client()
    sign_in_as(door, world.users[Role.PREMISES_STAFF])
    seen = f"/orders/notices/{world.ids['notice_id']}/seen"
    assert door.get(seen).status_code == 200
    refused = door.post(seen, data={"venue_id": str(world.ids["venue_id"]), "when": "now"})
    assert refused.status_code == 400
    viewed = [
        event
        for event in events_after(app, 0)
        if event.action == "notice.viewed" and event.actor_id == world.users[Role.PREMISES_STAFF].id
    ]
    assert [event.details["page"] for event in viewed] == ["seen_at_my_venue"] * 2
    assert all(event.details["subject"] == world.ids["subject_id"] for event in viewed)

    officer = app.test_client()
    sign_in_as(officer, world.users[Role.OFFICER])
    give_reason(officer, world)
    edit = f"/subjects/{world.ids['subject_id']}/edit"
    assert officer.get(edit).status_code == 200
    assert officer.post(edit, data={"description": ""}).status_code == 400
    edits = [
        event
        for event in events_after(app, 0)
        if event.action == "subject.viewed" and event.details.get("page") == "edit"
    ]
    assert len(edits) == 2
    assert all(
        event.justification and event.object_id == str(world.ids["subject_id"]) for event in edits
    )
