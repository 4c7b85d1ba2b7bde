"""The migrations build exactly the models' schema, and every revision goes down
and up again with rows in its tables, on SQLite and (in CI) on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

from partnership import create_app
from partnership.config import ROOT
from partnership.extensions import db
from tests.conftest import TEST_CONFIG

NOW = "2026-11-27 23:30:00"


def rows_b19c751d0fcb(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO organisations (id, name, kind, active, created_at) "
            "VALUES (901, 'Migration Police', 'police', true, :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO users (id, email, name, organisation_id, role, rank, designated_pcso,"
            " locale, session_token, active, failed_logins, created_at) VALUES (901,"
            " 'm@example.org', 'M', 901, 'officer', 'constable', false, 'cy', 'tok901', true, 0,"
            " :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO set_password_links (id, user_id, token_hash, created_at, expires_at)"
            " VALUES (901, 901, 'hash901', :now, :now)"
        ),
        {"now": NOW},
    )
    conn.execute(
        text(
            "INSERT INTO audit_events (id, created_at, actor_id, action, details)"
            " VALUES (901, :now, 901, 'auth.login', '{}')"
        ),
        {"now": NOW},
    )


def rows_f36cc50288a7(conn: Connection) -> None:
    now = {"now": NOW}
    conn.execute(
        text(
            "INSERT INTO venues (id, organisation_id, name, address, postcode, latitude, longitude,"
            " licence_number, has_safe_space, active, created_at) VALUES (902, 901, 'The Anchor',"
            " '1 Wind Street', 'SA1 1DP', 51.62, -3.94, 'PL/123', true, true, :now)"
        ),
        now,
    )
    conn.execute(
        text(
            "INSERT INTO areas (id, name, description, geometry, active, created_at) VALUES (902,"
            " 'Wind Street', '', '{\"type\": \"Polygon\", \"coordinates\": []}', true, :now)"
        ),
        now,
    )
    conn.execute(
        text(
            "INSERT INTO sightings (id, submission_key, organisation_id, author_id, sharing,"
            " occurred_at, night, venue_id, area_id, place, other_behaviour, apparent_sex,"
            " age_band, height, build, clothing, distinguishing_features, description,"
            " victim_response, action_taken, vulnerabilities, created_at, updated_at) VALUES"
            " (902, 'key902', 901, 901, 'partnership', :now, '2026-11-27', 902, 902, '', '',"
            " 'male', '25_34', 'tall', 'slim', 'black coat', '', '', 'moved_away', 'spoke_to',"
            " '[]', :now, :now)"
        ),
        now,
    )
    conn.execute(
        text("INSERT INTO sighting_behaviours (sighting_id, code) VALUES (902, 'aspb.staring')")
    )
    conn.execute(
        text(
            "INSERT INTO sighting_revisions (id, sighting_id, changed_by_id, changed_at, before,"
            " after) VALUES (902, 902, 901, :now, '{}', '{}')"
        ),
        now,
    )
    conn.execute(
        text(
            "INSERT INTO attachments (id, sighting_id, content_type, width, height, size, sha256,"
            " data, created_at) VALUES (902, 902, 'image/jpeg', 1, 1, 3, 'x', :data, :now)"
        ),
        {**now, "data": b"abc"},
    )
    conn.execute(
        text(
            "INSERT INTO safe_space_uses (id, submission_key, organisation_id, author_id, venue_id,"
            " arrived_at, night, age_band, gender, reasons, support, handed_to,"
            " handed_to_organisation_id, notes, sighting_id, created_at) VALUES (902, 'ss902',"
            " 901, 901, 902, :now, '2026-11-27', '18_24', 'woman', '[]', '[]', 'street_pastors',"
            " 901, '', 902, :now)"
        ),
        now,
    )
    conn.execute(
        text(
            "INSERT INTO welfare_notes (id, submission_key, organisation_id, author_id,"
            " occurred_at, night, place, age_band, gender, support, handed_to, notes, created_at)"
            " VALUES (902, 'wn902', 901, 901, :now, '2026-11-27', 'Castle Square', '', '', '[]',"
            " 'nobody', '', :now)"
        ),
        now,
    )


def rows_6f755b8896fa(conn: Connection) -> None:
    now = {"now": NOW}
    conn.execute(
        text(
            "INSERT INTO subjects (id, reference, apparent_sex, age_band, height, build, clothing,"
            " distinguishing_features, description, name, aliases, date_of_birth, address,"
            " created_by_id, organisation_id, created_at, updated_at) VALUES (903,"
            " 'RF-2026-0903', 'male', '25_34', 'tall', 'slim', 'black coat', '', 'Follows women',"
            " 'A Name', '', '1990-01-02', '', 901, 901, :now, :now)"
        ),
        now,
    )
    conn.execute(
        text(
            "INSERT INTO red_flag_notes (id, subject_id, author_id, organisation_id, behaviours,"
            " text, sharing, source_evaluation, intelligence_assessment, handling_code,"
            " review_on, expired_at, created_at) VALUES (903, 903, 901, 901,"
            " '[\"aspb.following\"]', 'Seen following', 'police', '1', 'A', 'P', '2027-02-25',"
            " NULL, :now)"
        ),
        now,
    )
    conn.execute(
        text(
            "INSERT INTO note_renewals (id, note_id, renewed_by_id, renewed_at, reason,"
            " previous_review_on, new_review_on) VALUES (903, 903, 901, :now, 'Still a risk',"
            " '2027-02-25', '2027-05-26')"
        ),
        now,
    )


def rows_da5df94bf74a(conn: Connection) -> None:
    now = {"now": NOW}
    # subjects outlives this revision's downgrade: the second run starts afresh.
    conn.execute(text("DELETE FROM subjects WHERE id = 904"))
    conn.execute(
        text(
            "INSERT INTO subjects (id, reference, apparent_sex, age_band, height, build, clothing,"
            " distinguishing_features, description, name, aliases, date_of_birth, address,"
            " created_by_id, organisation_id, created_at, updated_at, merged_into_id, merged_at,"
            " erased_at) VALUES (904, 'RF-2026-0904', '', '', '', '', '', '', 'Same person',"
            " '', '', NULL, '', 901, 901, :now, :now, 903, :now, NULL)"
        ),
        now,
    )
    conn.execute(
        text("UPDATE sightings SET details_obtained_at = :now WHERE id = 902"),
        now,
    )
    conn.execute(
        text(
            "INSERT INTO subject_links (id, subject_id, sighting_id, safe_space_use_id,"
            " welfare_note_id, details_obtained, linked_by_id, organisation_id, linked_at)"
            " VALUES (904, 903, 902, NULL, NULL, true, 901, 901, :now)"
        ),
        now,
    )
    conn.execute(
        text(
            "INSERT INTO subject_photos (id, subject_id, added_by_id, content_type, width,"
            " height, size, sha256, data, created_at) VALUES (904, 903, 901, 'image/jpeg', 1,"
            " 1, 1, 'x', :data, :now)"
        ),
        {**now, "data": b"\xff"},
    )
    conn.execute(
        text(
            "INSERT INTO alerts (id, key, kind, audience, organisation_id, subject_id,"
            " sighting_id, venue_id, night, details, created_at) VALUES (904, 'k904',"
            " 'subject_linked', 'police', NULL, 903, 902, NULL, '2026-11-27', '{}', :now)"
        ),
        now,
    )
    conn.execute(
        text("INSERT INTO alert_reads (alert_id, user_id, read_at) VALUES (904, 901, :now)"),
        now,
    )


def rows_72dbae3e2fcb(conn: Connection) -> None:
    now = {"now": NOW}
    square = (
        '{"type": "Polygon", "coordinates":'
        " [[[-3.95, 51.61], [-3.93, 51.61], [-3.93, 51.63], [-3.95, 51.61]]]}"
    )
    statements = [
        "INSERT INTO dispersal_authorisations (id, reference, version, area_id, locality_name,"
        " geometry, boundary, starts_at, ends_at, necessity, grounds, echr_regard,"
        " authorised_by_id, signed_name, signed_rank, signed_at, ended_at, ended_by_id,"
        " end_reason, created_at, updated_at) VALUES (905, 'S34-2026-0905', 1, 902,"
        " 'Wind Street', :square, 'Wind Street, The Strand', :now, :now,"
        " '[\"crime_disorder\"]', 'Fights at closing', 'No protest expected', 901, 'M',"
        " 'inspector', :now, NULL, NULL, '', :now, :now)",
        "INSERT INTO dispersal_directions (id, reference, version, authorisation_id,"
        " subject_id, person_name, date_of_birth, apparent_age, address, description,"
        " given_at, place, latitude, longitude, given_by_id, given_by_name, given_by_rank,"
        " in_uniform, excluded_geometry, excluded_description, ends_at, leave_by, route,"
        " items_surrendered, items_return, in_writing, not_in_writing_reason,"
        " offence_warning_given, under_16_action, under_16_note, exemptions_checked,"
        " withdrawn_at, created_at, updated_at) VALUES (905, 'S35-2026-0905', 1, 905, 903,"
        " 'A Name', NULL, 30, '', 'Tall', :now, 'Wind Street', 51.62, -3.94, 901, 'M',"
        " 'constable', true, NULL, 'The whole locality', :now, :now, 'Via High Street', '',"
        " '', true, '', true, '', '', '{}', NULL, :now, :now)",
        "INSERT INTO direction_changes (id, direction_id, kind, changed_at, changed_by_id,"
        " changed_by_name, reason, notice_in_writing, before, after) VALUES (905, 905,"
        " 'varied', :now, 901, 'M', 'Shorter', true, '{}', '{}')",
        "INSERT INTO exclusion_notices (id, reference, version, subject_id, warned_on,"
        " warning_note, reasons, starts_on, duration_months, ends_on, include_photo,"
        " appeal_by, appeal_how, review_on, issued_by_id, issued_by_name, issued_at,"
        " lifted_at, lift_reason, created_at, updated_at) VALUES (905, 'PEN-2026-0905', 1,"
        " 903, NULL, '', 'Repeated following', '2026-11-28', 3, '2027-02-27', false,"
        " '2026-12-12', 'Write to the coordinator', '2027-01-28', 901, 'M', :now, NULL, '',"
        " :now, :now)",
        "INSERT INTO exclusion_notice_incidents (notice_id, sighting_id) VALUES (905, 902)",
        "INSERT INTO notice_venues (notice_id, venue_id, venue_name, venue_address) VALUES"
        " (905, 902, 'The Anchor', '1 Wind Street')",
        "INSERT INTO notice_appeals (id, notice_id, received_on, grounds, recorded_by_id,"
        " outcome, outcome_reason, decided_on, decided_by_id, decided_by_name, created_at)"
        " VALUES (905, 905, '2026-12-01', 'Not me', 901, '', '', NULL, NULL, '', :now)",
        "INSERT INTO breaches (id, direction_id, notice_id, occurred_at, place, venue_id,"
        " recorded_by_id, organisation_id, outcome, notes, created_at) VALUES (905, 905,"
        " NULL, :now, 'Wind Street', NULL, 901, 901, 'warned', '', :now)",
    ]
    for statement in statements:
        conn.execute(text(statement), {**now, "square": square})


def rows_23b070fdfbea(conn: Connection) -> None:
    now = {"now": NOW}
    statements = [
        "INSERT INTO public_reports (id, reference, submission_key, reporter, language,"
        " venue_id, area_id, place, latitude, longitude, night, time_of_night,"
        " other_behaviour, description, wants_contact, contact_name, contact_detail,"
        " contact_times, received_at, status, triaged_at, triaged_by_id, urgent_action,"
        " triage_note, subject_id, sighting_id) VALUES (906, 'PR-ABCD-2345', 'p906', 'me',"
        " 'cy', 902, 902, 'By the bus stop', 51.62, -3.94, '2026-11-27', 'after_midnight',"
        " '', 'He followed me', true, 'Sam', '07700 900123', 'After 6pm', :now, 'reviewed',"
        " :now, 901, '', 'Checked CCTV', 903, 902)",
        "INSERT INTO public_report_behaviours (report_id, code) VALUES (906, 'aspb.following')",
        "INSERT INTO report_runs (id, user_id, arguments, first_night, last_night, state,"
        " step, steps, created_at, finished_at, result, failure) VALUES ('run906', 901,"
        " '{\"range\": \"custom\"}', '2025-11-23', '2026-11-22', 'done', 9, 9, :now, :now,"
        " '{\"period\": {}}', '')",
        "DELETE FROM sighting_behaviours WHERE sighting_id = 902 AND code = 'assb.catcalling'",
        "INSERT INTO sighting_behaviours (sighting_id, code, night) VALUES (902,"
        " 'assb.catcalling', '2026-11-27')",
        "INSERT INTO public_report_photos (id, report_id, content_type, width, height, size,"
        " sha256, data, created_at) VALUES (906, 906, 'image/jpeg', 1, 1, 3, 'abc', :data, :now)",
    ]
    for statement in statements:
        conn.execute(text(statement), {**now, "data": b"jpg"})


def rows_ce32d29027a5(conn: Connection) -> None:
    """A second author's records under the keys the first author's already use (allowed
    now; the downgrade rewrites them), and digests of the answers."""
    now = {"now": NOW}
    digest = "d" * 64
    statements = [
        "DELETE FROM sightings WHERE id = 907",
        "DELETE FROM safe_space_uses WHERE id = 907",
        "DELETE FROM welfare_notes WHERE id = 907",
        "DELETE FROM users WHERE id = 907",
        "INSERT INTO users (id, email, name, organisation_id, role, rank, designated_pcso,"
        " locale, session_token, active, failed_logins, created_at) VALUES (907,"
        " 'n@example.org', 'N', 901, 'officer', 'constable', false, 'en', 'tok907', true, 0,"
        " :now)",
        "INSERT INTO sightings (id, submission_key, submission_digest, organisation_id,"
        " author_id, sharing, occurred_at, night, place, other_behaviour, apparent_sex, age_band,"
        " height, build, clothing, distinguishing_features, description, victim_response,"
        " action_taken, vulnerabilities, created_at, updated_at) VALUES (907, 'key902', :digest,"
        " 901, 907, 'police', :now, '2026-11-27', 'Castle Square', '', '', '', '', '', '', '',"
        " '', 'not_known', 'no_action', '[]', :now, :now)",
        "INSERT INTO safe_space_uses (id, submission_key, submission_digest, organisation_id,"
        " author_id, venue_id, arrived_at, night, age_band, gender, reasons, support, handed_to,"
        " notes, created_at) VALUES (907, 'ss902', :digest, 901, 907, 902, :now, '2026-11-27',"
        " '', '', '[]', '[]', 'friend', '', :now)",
        "INSERT INTO welfare_notes (id, submission_key, submission_digest, organisation_id,"
        " author_id, occurred_at, night, place, age_band, gender, support, handed_to, notes,"
        " created_at) VALUES (907, 'wn902', :digest, 901, 907, :now, '2026-11-27', 'Kingsway',"
        " '', '', '[]', 'nobody', '', :now)",
        "UPDATE public_reports SET submission_digest = :digest WHERE id = 906",
    ]
    for statement in statements:
        conn.execute(text(statement), {**now, "digest": digest})


# Each revision inserts rows into the tables it adds or changes. A new revision
# fails test_every_revision_has_rows until it has an entry here.
ROWS: dict[str, Callable[[Connection], None]] = {
    "b19c751d0fcb": rows_b19c751d0fcb,
    "f36cc50288a7": rows_f36cc50288a7,
    "6f755b8896fa": rows_6f755b8896fa,
    "da5df94bf74a": rows_da5df94bf74a,
    "72dbae3e2fcb": rows_72dbae3e2fcb,
    "23b070fdfbea": rows_23b070fdfbea,
    "ce32d29027a5": rows_ce32d29027a5,
}


def revisions() -> list[str]:
    """Revision ids from the first to head."""
    script = ScriptDirectory(str(ROOT / "migrations"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same kind as the test database."""
    base = os.environ.get("PARTNERSHIP_TEST_DATABASE_URL")
    if not base or base.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"migrations_{uuid.uuid4().hex[:10]}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def migrating_app(empty_database: str) -> Iterator[Flask]:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": empty_database})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_every_revision_has_rows() -> None:
    assert set(revisions()) == set(ROWS)


def test_the_migrated_schema_equals_the_models(migrating_app: Flask) -> None:
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_every_revision_goes_down_and_up_again_with_rows(migrating_app: Flask) -> None:
    previous = "base"
    for revision in revisions():
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            ROWS[revision](conn)
        downgrade(revision=previous)
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            ROWS[revision](conn)  # the tables are back, with their constraints
            tables = set(inspect(conn).get_table_names())
            assert {"organisations", "users", "audit_events"} <= tables
        previous = revision
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
