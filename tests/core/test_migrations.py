"""The migrations build exactly the models' schema; every revision goes up, down and up
again with rows in every table and keeps them wherever both schemas hold them; a downgrade
that would destroy data refuses and changes nothing; and a run that fails part-way leaves
the schema, version and rows it started with. On SQLite and (in CI) on PostgreSQL."""

from __future__ import annotations

import functools
import shutil
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, current_app
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from partnership import create_app
from partnership.config import ROOT
from partnership.extensions import db
from partnership.subjects.search import POSTGRESQL_INDEXES, is_search_index
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
            " '', '', NULL, '', 901, 901, :now, :now, 903, :now, :now)"
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


def rows_5c1e7a9d3b42(conn: Connection) -> None:
    now = {"now": NOW}
    # Rows from before start at version 1; a new row gets 1 without naming it.
    versioned = (
        "organisations",
        "users",
        "venues",
        "areas",
        "sightings",
        "safe_space_uses",
        "welfare_notes",
        "subjects",
        "red_flag_notes",
        "public_reports",
        "dispersal_authorisations",
        "dispersal_directions",
        "exclusion_notices",
    )
    for table in versioned:
        query = f"SELECT count(*) FROM {table} WHERE version <> 1"  # noqa: S608 (names above)
        assert conn.execute(text(query)).scalar() == 0
    conn.execute(text("DELETE FROM organisations WHERE id = 905"))
    conn.execute(
        text(
            "INSERT INTO organisations (id, name, kind, active, created_at)"
            " VALUES (905, 'Migration Pastors', 'street_pastors', true, :now)"
        ),
        now,
    )
    conn.execute(text("UPDATE subjects SET version = 2, aliases = 'Mig' WHERE id = 903"))
    conn.execute(
        text(
            "INSERT INTO record_changes (id, record_type, record_id, version, changed_at,"
            " changed_by_id, changed_by_name, fields) VALUES (905, 'subjects', 903, 2, :now,"
            " 901, 'M', '[\"aliases\"]')"
        ),
        now,
    )


def rows_ce32d29027a5(conn: Connection) -> None:
    """A second author's records, and digests of the answers."""
    second_author(conn, ("key907", "ss907", "wn907"))


def rows_7b2a621e18fa(conn: Connection) -> None:
    """A subject recorded after the search index was made (its trigger indexes it); the
    revision adds no table, so the rows of an earlier run are still there."""
    conn.execute(text("DELETE FROM subjects WHERE id = 908"))
    conn.execute(
        text(
            "INSERT INTO subjects (id, reference, apparent_sex, age_band, height, build, clothing,"
            " distinguishing_features, description, name, aliases, date_of_birth, address,"
            " created_by_id, organisation_id, created_at, updated_at) VALUES (908,"
            " 'RF-2026-0908', '', '', '', '', 'red scarf', '', 'Waits by the taxi rank',"
            " 'Another Name', '', NULL, '', 901, 901, :now, :now)"
        ),
        {"now": NOW},
    )


def second_author(conn: Connection, keys: tuple[str, str, str]) -> None:
    """A second author's sighting, Safe Space use and welfare note under ``keys``."""
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
        " action_taken, vulnerabilities, created_at, updated_at) VALUES (907, :sighting_key,"
        " :digest,"
        " 901, 907, 'police', :now, '2026-11-27', 'Castle Square', '', '', '', '', '', '', '',"
        " '', 'not_known', 'no_action', '[]', :now, :now)",
        "INSERT INTO safe_space_uses (id, submission_key, submission_digest, organisation_id,"
        " author_id, venue_id, arrived_at, night, age_band, gender, reasons, support, handed_to,"
        " notes, created_at) VALUES (907, :use_key, :digest, 901, 907, 902, :now, '2026-11-27',"
        " '', '', '[]', '[]', 'friend', '', :now)",
        "INSERT INTO welfare_notes (id, submission_key, submission_digest, organisation_id,"
        " author_id, occurred_at, night, place, age_band, gender, support, handed_to, notes,"
        " created_at) VALUES (907, :note_key, :digest, 901, 907, :now, '2026-11-27', 'Kingsway',"
        " '', '', '[]', 'nobody', '', :now)",
        "UPDATE public_reports SET submission_digest = :digest WHERE id = 906",
    ]
    sighting_key, use_key, note_key = keys
    for statement in statements:
        conn.execute(
            text(statement),
            {
                **now,
                "digest": digest,
                "sighting_key": sighting_key,
                "use_key": use_key,
                "note_key": note_key,
            },
        )


# Each revision inserts rows into the tables it adds or changes. A new revision
# fails test_every_revision_has_rows until it has an entry here.
def rows_5e55a0b1c2d3(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO server_sessions (id, session_id, data, expires_at)"
            " VALUES (907, 'sid907', :data, :now)"
        ),
        {"data": b"\x80", "now": NOW},
    )


def rows_3f6b2d8e9a41(conn: Connection) -> None:
    """A sighting more, in the report's new indexes."""
    conn.execute(text("DELETE FROM sightings WHERE id = 908"))
    conn.execute(
        text(
            "INSERT INTO sightings (id, submission_key, submission_digest, organisation_id,"
            " author_id, sharing, occurred_at, night, place, other_behaviour, apparent_sex,"
            " age_band, height, build, clothing, distinguishing_features, description,"
            " victim_response, action_taken, vulnerabilities, latitude, longitude, created_at,"
            " updated_at) VALUES (908, 'key908', NULL, 901, 907, 'police', :now, '2026-11-28',"
            " 'Castle Square', '', '', '', '', '', '', '', '', 'not_known', 'no_action', '[]',"
            " 51.62, -3.94, :now, :now)"
        ),
        {"now": NOW},
    )


ROWS: dict[str, Callable[[Connection], None]] = {
    "b19c751d0fcb": rows_b19c751d0fcb,
    "f36cc50288a7": rows_f36cc50288a7,
    "6f755b8896fa": rows_6f755b8896fa,
    "da5df94bf74a": rows_da5df94bf74a,
    "72dbae3e2fcb": rows_72dbae3e2fcb,
    "23b070fdfbea": rows_23b070fdfbea,
    "5e55a0b1c2d3": rows_5e55a0b1c2d3,
    "5c1e7a9d3b42": rows_5c1e7a9d3b42,
    "ce32d29027a5": rows_ce32d29027a5,
    "7b2a621e18fa": rows_7b2a621e18fa,
    "3f6b2d8e9a41": rows_3f6b2d8e9a41,
}


MIGRATIONS = ROOT / "migrations"


@functools.cache
def script() -> ScriptDirectory:
    """The revisions, read as alembic reads them (which puts keep_data.py on sys.path)."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def revisions() -> list[str]:
    """Revision ids from the first to head."""
    return [r.revision for r in reversed(list(script().walk_revisions()))]


def drops(revision: str) -> Any:
    """The revision's DROPS (keep_data.Drops): what its downgrade drops."""
    declared = getattr(script().get_revision(revision).module, "DROPS", None)
    assert declared is not None, f"{revision} has no DROPS (see migrations/keep_data.py)"
    return declared


def at_risk(revision: str) -> list[str]:
    """The tables and columns whose data the revision's downgrade refuses to drop."""
    declared = drops(revision)
    return [*declared.tables, *declared.columns]


def parent(revision: str) -> str:
    down = script().get_revision(revision).down_revision
    assert down is None or isinstance(down, str)
    return down or "base"


def alembic_config(directory: Path = MIGRATIONS, *x_args: str) -> Config:
    """Flask-Migrate's configuration, for running alembic's commands directly and seeing
    their exceptions (Flask-Migrate's own turns a CommandError into exit status 1)."""
    config: Config = current_app.extensions["migrate"].migrate.get_config(
        str(directory), x_arg=list(x_args)
    )
    return config


@dataclass(frozen=True)
class Snapshot:
    """Every table's shape and every row (alembic_version's included)."""

    schema: dict[str, dict[str, Any]]
    rows: dict[str, list[dict[str, Any]]]


def snapshot() -> Snapshot:
    schema: dict[str, dict[str, Any]] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        columns = inspector.get_multi_columns()
        primary_keys = inspector.get_multi_pk_constraint()
        foreign_keys = inspector.get_multi_foreign_keys()
        indexes = inspector.get_multi_indexes()
        uniques = inspector.get_multi_unique_constraints()
        for key in sorted(columns, key=lambda key: key[1]):
            table = key[1]
            schema[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in columns[key]],
                "primary key": primary_keys[key]["constrained_columns"],
                "foreign keys": sorted(
                    (
                        str(fk["name"]),
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                        str(fk["options"].get("ondelete")),
                    )
                    for fk in foreign_keys[key]
                ),
                "indexes": sorted(
                    (str(ix["name"]), tuple(map(str, ix["column_names"])), ix["unique"])
                    for ix in indexes[key]
                ),
                "unique": sorted(
                    (str(uq["name"]), tuple(uq["column_names"])) for uq in uniques[key]
                ),
            }
            query = sa.select(sa.table(table, *(sa.column(c["name"]) for c in columns[key])))
            rows[table] = sorted((dict(r._mapping) for r in conn.execute(query)), key=repr)
    return Snapshot(schema, rows)


def changed_rows(before: Snapshot, after: Snapshot, schema: dict[str, Any]) -> dict[str, str]:
    """Tables of `schema` whose rows differ between the two snapshots, comparing the columns
    `schema` holds: for each, how many rows before and after."""
    changed = {}
    for table, shape in schema.items():
        if table == "alembic_version":
            continue
        names = [name for name, _type, _nullable in shape["columns"]]

        def held(rows: list[dict[str, Any]], names: list[str] = names) -> list[str]:
            return sorted(repr([row[name] for name in names]) for row in rows)

        if held(before.rows[table]) != held(after.rows.get(table, [])):
            changed[table] = f"{len(before.rows[table])} -> {len(after.rows.get(table, []))}"
    return changed


def dropped_by_downgrade(newer: Snapshot, older: Snapshot) -> set[str]:
    """The tables, and columns of tables kept, that the newer schema has and the older not."""
    dropped = set(newer.schema) - set(older.schema)
    for table in set(newer.schema) & set(older.schema):
        names = {c[0] for c in newer.schema[table]["columns"]}
        dropped |= {
            f"{table}.{name}" for name in names - {c[0] for c in older.schema[table]["columns"]}
        }
    return dropped


def delete_what_would_be_lost(revision: str, schema: dict[str, Any]) -> None:
    """Empty the columns and tables the revision's downgrade refuses to drop while they hold
    data (its disposable tables and columns keep theirs); `schema` orders the deletes."""
    declared = drops(revision)
    with db.engine.begin() as conn:
        for name, empty in declared.columns.items():
            table, column = name.split(".")
            conn.execute(sa.table(table, sa.column(column)).update().values({column: empty}))
        left = list(declared.tables)
        while left:  # a table after every table referring to it
            table = next(
                t
                for t in left
                if not any(
                    fk[2] == t
                    for other in left
                    if other != t
                    for fk in schema[other]["foreign keys"]
                )
            )
            conn.execute(sa.table(table).delete())
            left.remove(table)


def migrate_with_rows() -> None:
    """Upgrade to head one revision at a time, adding each revision's rows."""
    for revision in revisions():
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            ROWS[revision](conn)


def assert_connections_as_the_app_expects() -> None:
    """After a run, the pool's connection still enforces foreign keys and still has
    transactions: what the app's one commit per request relies on."""
    with db.engine.connect() as conn:
        with pytest.raises(IntegrityError):
            conn.execute(text("UPDATE users SET organisation_id = 999999 WHERE id = 901"))
        conn.rollback()
        conn.execute(text("UPDATE users SET name = 'Rolled back' WHERE id = 901"))
        conn.rollback()
        assert conn.scalar(text("SELECT name FROM users WHERE id = 901")) == "M"


@pytest.fixture
def empty_database(new_database: Callable[..., str]) -> str:
    """A new, empty database of the same kind as the test database."""
    return new_database()


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
        # The search index is not in the models' metadata (subjects/search.py makes it);
        # test_the_migrated_search_index_equals_the_one_create_all_makes compares it.
        opts = {"compare_type": True, "include_name": lambda name, *_: not is_search_index(name)}
        context = MigrationContext.configure(conn, opts=opts)
        assert compare_metadata(context, db.metadata) == []


@pytest.mark.slow
def test_every_revision_keeps_every_row_going_up_down_and_up_again(
    migrating_app: Flask,
) -> None:
    stamp(revision="base")  # an empty database, with the (empty) alembic_version of base
    older = snapshot()
    for revision in revisions():
        previous = parent(revision)
        upgrade(revision=revision)
        assert changed_rows(older, snapshot(), older.schema) == {}, f"up to {revision}"
        with db.engine.begin() as conn:
            ROWS[revision](conn)
        full = snapshot()
        assert [t for t, rows in full.rows.items() if not rows] == [], "ROWS fills every table"

        # DROPS names every table and column the downgrade drops, and every one it
        # refuses to drop holds data here, so the refusal is tried for each.
        declared = drops(revision)
        named = {*declared.tables, *declared.columns, *declared.disposable}
        # A table only SQLite has (the subject search's) is named on PostgreSQL too.
        made_here = {name for name in named if name.split(".")[0] in full.schema}
        assert dropped_by_downgrade(full, older) == made_here, f"DROPS of {revision}"
        for name, empty in declared.columns.items():
            table, column = name.split(".")
            assert any(row[column] != empty for row in full.rows[table]), f"ROWS: {name}"

        if at_risk(revision):
            with pytest.raises(CommandError) as refused:
                command.downgrade(alembic_config(), previous)
            message = str(refused.value)
            assert f"Downgrade of revision {revision} refused" in message
            for name in at_risk(revision):
                assert f"\n  {name}: " in message
            assert "Nothing was changed" in message
            assert "-x lose-data=yes" in message
            assert snapshot() == full
            delete_what_would_be_lost(revision, full.schema)
        kept = snapshot()

        downgrade(revision=previous)
        down = snapshot()
        assert down.schema == older.schema, f"down from {revision}"
        assert changed_rows(kept, down, older.schema) == {}, f"down from {revision}"

        upgrade(revision=revision)
        up = snapshot()
        assert up.schema == full.schema, f"up to {revision} again"
        assert changed_rows(kept, up, older.schema) == {}, f"up to {revision} again"

        with db.engine.begin() as conn:
            ROWS[revision](conn)  # the tables are back, with their constraints
        older = snapshot()


def test_going_back_to_keys_unique_for_everyone_rewrites_another_authors_repeats(
    migrating_app: Flask,
) -> None:
    """Keys became unique per author (ce32d29027a5): a second author may reuse the first
    one's. The older schema wants them unique for everyone, so the downgrade rewrites the
    repeats (a key only guards against a double tap) and keeps every row."""
    migrate_with_rows()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM sightings WHERE id = 907"))
        conn.execute(text("DELETE FROM safe_space_uses WHERE id = 907"))
        conn.execute(text("DELETE FROM welfare_notes WHERE id = 907"))
        second_author(conn, ("key902", "ss902", "wn902"))
    delete_what_would_be_lost("ce32d29027a5", snapshot().schema)
    before = snapshot()
    downgrade(revision=parent("ce32d29027a5"))
    after = snapshot()
    for table, first in (
        ("sightings", "key902"),
        ("safe_space_uses", "ss902"),
        ("welfare_notes", "wn902"),
    ):
        keys = {row["id"]: row["submission_key"] for row in after.rows[table]}
        assert len(keys) == len(before.rows[table])  # every row kept
        assert len(set(keys.values())) == len(keys)  # unique for everyone again
        assert keys[902] == first  # the first author's key is untouched
        assert keys[907] != first and first in keys[907]


def test_lose_data_yes_lets_a_downgrade_delete_what_the_older_schema_cannot_hold(
    migrating_app: Flask,
) -> None:
    migrate_with_rows()
    before = snapshot()
    with pytest.raises(CommandError, match="refused"):
        command.downgrade(alembic_config(), "base")
    assert snapshot() == before

    downgrade(revision="base", x_arg=["lose-data=yes"])
    after = snapshot()
    assert list(after.schema) == ["alembic_version"]
    assert after.rows["alembic_version"] == []


def test_a_refused_downgrade_undoes_the_steps_it_took_before_refusing(
    migrating_app: Flask,
) -> None:
    migrate_with_rows()
    # The second newest revision that would lose data refuses; the newer ones go first.
    guarded = [r for r in reversed(revisions()) if at_risk(r)]
    refusing = guarded[1]
    newer = revisions()[revisions().index(refusing) + 1 :]
    schema = snapshot().schema
    for revision in newer:
        delete_what_would_be_lost(revision, schema)
    before = snapshot()

    with pytest.raises(CommandError, match=f"Downgrade of revision {refusing} refused"):
        command.downgrade(alembic_config(), parent(refusing))

    assert snapshot() == before  # the newer revisions' steps were rolled back with it
    assert_connections_as_the_app_expects()


def with_revision(tmp_path: Path, upgrade_body: str) -> Path:
    """A copy of the migrations folder with one more revision after head."""
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    head = revisions()[-1]
    source = (
        "from alembic import op\n"
        "import sqlalchemy as sa\n\n"
        'revision = "0ff1ce0ff1ce"\n'
        f"down_revision = {head!r}\n\n\n"
        "def upgrade():\n"
        + textwrap.indent(textwrap.dedent(upgrade_body), "    ")
        + "\n\ndef downgrade():\n    pass\n"
    )
    (directory / "versions" / "0ff1ce0ff1ce_one_more.py").write_text(source)
    return directory


def test_a_failed_upgrade_leaves_the_previous_schema_and_a_retry_works(
    migrating_app: Flask, tmp_path: Path
) -> None:
    # The revision creates a table, copies a table others refer to (on SQLite), changes
    # rows, and then fails on a second venue with the same name.
    directory = with_revision(
        tmp_path,
        """\
        op.create_table("checks", sa.Column("id", sa.Integer(), primary_key=True))
        with op.batch_alter_table("sightings") as batch_op:
            batch_op.add_column(
                sa.Column("checked", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
            batch_op.alter_column("place", existing_type=sa.Text(), nullable=True)
        op.execute("UPDATE venues SET name = name || ' (checked)'")
        op.create_index("uq_venues_name", "venues", ["name"], unique=True)
        """,
    )
    migrate_with_rows()
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO venues (id, organisation_id, name, address, postcode, created_at,"
                " licence_number, has_safe_space, active) VALUES (999, 901, 'The Anchor',"
                " '9 Wind Street', 'SA1 1DP', :now, '', false, true)"
            ),
            {"now": NOW},
        )
    before = snapshot()

    with pytest.raises(IntegrityError):
        upgrade(directory=str(directory))

    assert snapshot() == before
    assert_connections_as_the_app_expects()

    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM venues WHERE id = 999"))
    fixed = snapshot()
    upgrade(directory=str(directory))

    after = snapshot()
    assert after.rows["alembic_version"] == [{"version_num": "0ff1ce0ff1ce"}]
    assert "checks" in after.schema
    assert after.rows["sightings"]
    assert [row["checked"] for row in after.rows["sightings"]] == [False] * len(
        after.rows["sightings"]
    )
    assert [row["name"] for row in after.rows["venues"]] == ["The Anchor (checked)"]
    others = {table: shape for table, shape in fixed.schema.items() if table != "venues"}
    assert changed_rows(fixed, after, others) == {}
    assert_connections_as_the_app_expects()


def test_an_upgrade_that_leaves_rows_referring_to_nothing_fails_and_changes_nothing(
    migrating_app: Flask, tmp_path: Path
) -> None:
    # With SQLite's foreign keys off for the run, only the check before COMMIT stops this;
    # PostgreSQL refuses the DELETE itself.
    directory = with_revision(
        tmp_path,
        """\
        op.create_table("checks", sa.Column("id", sa.Integer(), primary_key=True))
        op.execute("DELETE FROM organisations WHERE id = 901")
        """,
    )
    migrate_with_rows()
    before = snapshot()

    with pytest.raises((CommandError, IntegrityError)) as failed:
        command.upgrade(alembic_config(directory), "head")

    if db.engine.dialect.name == "sqlite":
        assert "row(s) of users refer to missing organisations" in str(failed.value)
    assert snapshot() == before
    assert_connections_as_the_app_expects()


def test_a_column_that_is_never_null_holds_data_where_it_is_not_its_empty_value(
    tmp_path: Path,
) -> None:
    script()  # puts keep_data.py on sys.path, as alembic does for the revisions
    from keep_data import Drops

    engine = create_engine(f"sqlite:///{tmp_path / 'drops.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL)"))
        conn.execute(text("INSERT INTO notes (id, note) VALUES (1, ''), (2, 'Kept'), (3, '')"))
        declared = Drops("r", tables=["notes"], columns={"notes.note": ""})
        assert declared.holding_data(conn) == [("notes", 3), ("notes.note", 1)]
        conn.execute(text("DELETE FROM notes WHERE id = 2"))
        assert declared.holding_data(conn) == [("notes", 2)]
    engine.dispose()


def search_index(conn: Connection) -> list[tuple[str, ...]]:
    """The subject search's index as the database describes it: SQLite's table, its own
    tables and triggers; PostgreSQL's trigram indexes."""
    if conn.dialect.name == "sqlite":
        query = (
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE name LIKE 'subject~_search%' ESCAPE '~' ORDER BY name"
        )
    else:
        query = (
            "SELECT 'index', indexname, indexdef FROM pg_indexes"
            " WHERE tablename = 'subjects' AND indexname LIKE '%~_trigram' ESCAPE '~'"
            " ORDER BY indexname"
        )
    return [tuple(row) for row in conn.execute(text(query))]


def test_the_migrated_search_index_equals_the_one_create_all_makes(
    migrating_app: Flask, new_database: Callable[..., str]
) -> None:
    upgrade()
    with db.engine.connect() as conn:
        migrated = search_index(conn)
        sqlite = conn.dialect.name == "sqlite"
    created_app = create_app({**TEST_CONFIG, "DATABASE_URL": new_database()})
    with created_app.app_context():
        db.create_all()
        with db.engine.connect() as conn:
            created = search_index(conn)
        db.session.remove()
        db.engine.dispose()
    # SQLite: the table, its 4 own tables and 3 triggers; PostgreSQL: 6 indexes.
    assert len(migrated) == (8 if sqlite else 6)
    assert migrated == created


def test_the_upgrade_indexes_the_subjects_already_there(migrating_app: Flask) -> None:
    migrate_with_rows()  # subject 903 before the index's revision, 908 after it
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            query = "SELECT rowid FROM subject_search WHERE subject_search MATCH :words"
            plan = "EXPLAIN QUERY PLAN " + query.replace(":words", "'taxi'")
            assert "VIRTUAL TABLE" in " ".join(str(row) for row in conn.execute(text(plan)))
        else:
            query = "SELECT id FROM subjects WHERE lower(description) LIKE '%' || :words || '%'"
            # Built and ready. (Whether a query may use them yet is not asked: an index made
            # on rows changed earlier waits until the transactions older than it, in any
            # database of the server, have ended; the search's own test reads the plans.)
            ready = conn.execute(
                text(
                    "SELECT indexrelid::regclass::text, indisvalid AND indisready FROM pg_index"
                    " WHERE indrelid = 'subjects'::regclass"
                    " AND indexrelid::regclass::text LIKE '%~_trigram' ESCAPE '~'"
                )
            )
            assert dict(ready.all()) == {name: True for name in POSTGRESQL_INDEXES}
        assert conn.scalars(text(query), {"words": "follows"}).all() == [903]
        assert conn.scalars(text(query), {"words": "taxi rank"}).all() == [908]
