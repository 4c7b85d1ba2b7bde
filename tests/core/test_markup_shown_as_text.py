"""Markup stored in any name or free-text field shows as text on every page, for everyone.

Every text column of every model is either free text (someone typed it: a venue's name, an
area's, an organisation's, an account's, a red flag's name and aliases, a place, a notice's
reasons, ...) or a code the portal wrote itself; a new column fails
``test_every_text_column_is_classified`` until it is put in one list or the other. The walk
stores a marker with markup in every free-text field of one of everything, opens every page
of the URL map as every role that may open it (and the public pages anonymously), and
checks that no page holds the markup as markup, and that pages do show it, escaped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import String, Text, select, update

from partnership.auth.models import Organisation, User
from partnership.core.enums import Role
from partnership.core.lazy import lazy_gettext
from partnership.extensions import db
from tests.walk import ANONYMOUS, build_world, give_reason, opens, pages, sign_in_as

MARK = '<i data-x="1">'
SCRIPT = "<script>"
ESCAPED = (str(escape(MARK)), str(escape(SCRIPT)))

# Text columns someone typed (directly, or copied from what someone typed): they get markers.
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "areas": ("name", "description"),
    "organisations": ("name",),
    "users": ("name",),
    "record_changes": ("changed_by_name",),
    "venues": ("name", "address", "postcode", "licence_number"),
    "audit_events": ("organisation_name", "justification"),
    "dispersal_authorisations": (
        "locality_name",
        "boundary",
        "grounds",
        "echr_regard",
        "signed_name",
        "end_reason",
    ),
    "report_runs": ("failure",),
    "sightings": ("place", "other_behaviour", "description", "clothing", "distinguishing_features"),
    "subjects": (
        "description",
        "name",
        "aliases",
        "address",
        "clothing",
        "distinguishing_features",
    ),
    "dispersal_directions": (
        "person_name",
        "address",
        "description",
        "place",
        "given_by_name",
        "excluded_description",
        "route",
        "items_surrendered",
        "items_return",
        "not_in_writing_reason",
        "under_16_note",
    ),
    "exclusion_notices": ("warning_note", "reasons", "appeal_how", "issued_by_name", "lift_reason"),
    "public_reports": (
        "place",
        "other_behaviour",
        "description",
        "contact_name",
        "contact_detail",
        "contact_times",
        "urgent_action",
        "triage_note",
    ),
    "red_flag_notes": ("text",),
    "safe_space_uses": ("notes",),
    "welfare_notes": ("place", "notes"),
    "breaches": ("place", "notes"),
    "direction_changes": ("changed_by_name", "reason"),
    "note_renewals": ("reason",),
    "notice_appeals": ("grounds", "outcome_reason", "decided_by_name"),
    "notice_venues": ("venue_name", "venue_address"),
}
# Text columns the portal writes itself: codes from a fixed list, references it numbers,
# keys, hashes and checked email addresses (which cannot hold "<").
CODES: dict[str, tuple[str, ...]] = {
    "organisations": ("kind",),
    "users": ("email", "role", "rank", "locale", "password_hash", "session_token", "totp_secret"),
    "audit_events": ("actor_email", "action", "object_type", "object_id"),
    "dispersal_authorisations": ("reference", "signed_rank"),
    "report_runs": ("id", "state"),
    "server_sessions": ("session_id",),
    "record_changes": ("record_type",),
    "set_password_links": ("token_hash",),
    "sightings": (
        "submission_key",
        "submission_digest",
        "sharing",
        "victim_response",
        "action_taken",
        "apparent_sex",
        "age_band",
        "height",
        "build",
    ),
    "subjects": ("reference", "apparent_sex", "age_band", "height", "build"),
    "alerts": ("key", "kind", "audience"),
    "attachments": ("content_type", "sha256"),
    "dispersal_directions": ("reference", "given_by_rank", "under_16_action"),
    "exclusion_notices": ("reference",),
    "public_reports": (
        "reference",
        "submission_key",
        "submission_digest",
        "reporter",
        "language",
        "time_of_night",
        "status",
    ),
    "red_flag_notes": (
        "sharing",
        "source_evaluation",
        "intelligence_assessment",
        "handling_code",
    ),
    "safe_space_uses": ("submission_key", "submission_digest", "age_band", "gender", "handed_to"),
    "sighting_behaviours": ("code",),
    "subject_photos": ("content_type", "sha256"),
    "welfare_notes": ("submission_key", "submission_digest", "age_band", "gender", "handed_to"),
    "breaches": ("outcome",),
    "direction_changes": ("kind",),
    "notice_appeals": ("outcome",),
    "public_report_behaviours": ("code",),
    "public_report_photos": ("content_type", "sha256"),
}


def text_columns() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                found.setdefault(table.name, set()).add(column.name)
    return found


def test_every_text_column_is_classified(app: Flask) -> None:
    classified: dict[str, set[str]] = {}
    for listing in (FREE_TEXT, CODES):
        for table, names in listing.items():
            assert not classified.get(table, set()) & set(names), table
            classified.setdefault(table, set()).update(names)
    assert classified == text_columns(), "put each new text column in FREE_TEXT or CODES"


def marker(number: int, length: int | None) -> str:
    """Markup for one field: both markers and a number, or as much as a short field holds."""
    value = f"{MARK}{number}{SCRIPT}"
    if length is None or len(value) <= length:
        return value
    return f"{SCRIPT}{number}"[:length]


def mark_every_free_text_field(app: Flask) -> None:
    """Put markup in every free-text field of every row (a different number in each)."""
    number = 0
    with app.app_context():
        tables = {table.name: table for table in db.metadata.sorted_tables}
        for name, columns in FREE_TEXT.items():
            table = tables[name]
            keys = list(table.primary_key.columns)
            for row in db.session.execute(select(*keys)).all():
                values = {}
                for column in columns:
                    number += 1
                    values[column] = marker(number, getattr(table.c[column].type, "length", None))
                where = [key == value for key, value in zip(keys, row, strict=True)]
                db.session.execute(update(table).where(*where).values(**values))
        db.session.commit()


# Pages some roles may open but that do not show them this world's record: (who, endpoint)
# -> the answer expected.
NOT_OPENED = {
    # A welfare note is its organisation's, police's, the coordinator's and whoever it was
    # handed to (no one here).
    (Role.PREMISES_STAFF, "welfare.welfare_note_detail"): 404,
    # Only the author (for 24 hours) and police correct a sighting; others go back to it.
    (Role.WELFARE, "sightings.correct"): 302,
    # Members link only their own organisation's records.
    (Role.WELFARE, "subjects.link"): 404,
    # A constable may not authorise or end a dispersal area (the inspector may).
    (Role.OFFICER, "orders.authorisation_create"): 403,
    (Role.OFFICER, "orders.authorisation_end"): 403,
}


def check(url: str, response: Any, shown_escaped: list[str]) -> None:
    """The page holds no stored markup as markup; note whether it shows some as text."""
    if response.status_code == 302:
        return
    assert response.mimetype == "text/html", url
    page = response.get_data(as_text=True)
    assert MARK not in page and SCRIPT not in page, f"markup printed as markup on {url}"
    if any(escaped in page for escaped in ESCAPED):
        shown_escaped.append(url)


@pytest.mark.parametrize("who", [ANONYMOUS, *Role], ids=str)
def test_markup_in_every_field_shows_as_text_on_every_page(
    who: Role | str,
    app: Flask,
    client: object,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Members see names, aliases and photos too, so those reach their pages.
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_NAME_WITH_MEMBERS", True)
    monkeypatch.setitem(app.config, "SUBJECT_SHARE_PHOTO_WITH_MEMBERS", True)
    world = build_world(app, make_user, make_org)
    mark_every_free_text_field(app)
    browser = app.test_client()
    if who != ANONYMOUS:
        sign_in_as(browser, world.users[Role(who)])
        if opens("subjects.justify", who):
            give_reason(browser, world)
    shown_escaped = []
    opened = []
    for endpoint, url in pages(app, world, who):
        response = browser.get(url)
        assert response.status_code == NOT_OPENED.get((who, endpoint), 200), url
        if response.status_code == 200:
            opened.append(endpoint)
        check(url, response, shown_escaped)
    if who == ANONYMOUS:
        # The report form's second step lists the venues: the form's own "Change" button
        # goes straight there.
        step = browser.post("/safety/report", data={"action": "change-2"})
        assert step.status_code == 200
        check("/safety/report (place)", step, shown_escaped)
    assert opened, "the walk opened no page"
    assert shown_escaped, "no page showed a stored marker: the walk proves nothing"


def test_a_lazy_message_escapes_what_is_put_into_it(app: Flask) -> None:
    with app.test_request_context():
        message = lazy_gettext("%(name)s (no longer active)", name=f"{MARK}Bar{SCRIPT}")
        assert str(message) == f"{MARK}Bar{SCRIPT} (no longer active)"
        assert str(escape(message)) == f"{ESCAPED[0]}Bar{ESCAPED[1]} (no longer active)"
        assert str(escape(lazy_gettext("Keep this to %(max)d characters or fewer", max=5))) == (
            "Keep this to 5 characters or fewer"
        )


def test_the_report_filter_shows_a_closed_venue_name_as_text(
    app: Flask,
    login_as: Callable[..., User],
    client: object,
    make_venue: Callable[..., object],
    make_org: Callable[..., Organisation],
) -> None:
    """The reported case: a venue no longer active is listed in the report's venue filter
    as "<name> (no longer active)", a lazy message holding the name."""
    from partnership.core.enums import OrgKind

    login_as(Role.ANALYST)
    make_venue(make_org(OrgKind.LICENSED_PREMISES), name=f"{MARK}Closed{SCRIPT}", active=False)
    page = client.get("/reports/").get_data(as_text=True)  # type: ignore[attr-defined]
    assert f"{ESCAPED[0]}Closed{ESCAPED[1]} (no longer active)" in page
    assert MARK not in page and SCRIPT not in page
