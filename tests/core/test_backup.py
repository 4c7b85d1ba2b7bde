"""``flask backup create`` and ``flask backup restore``, on SQLite and (in CI) on PostgreSQL:
a backup taken while sightings are being written restores complete and consistent, a
restored portal signs people in, and damaged or mismatched backups are refused."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import stat
import tarfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import Result
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from partnership import create_app
from partnership.auth.models import User
from partnership.config import ROOT
from partnership.core import backup
from partnership.core.enums import OrgKind, Role
from partnership.core.models import AuditEvent, utcnow
from partnership.core.uploads import CleanImage
from partnership.extensions import db
from partnership.public.support import BUILT_IN
from partnership.sightings import service as sightings_service
from partnership.sightings.models import Attachment, Sighting, SightingBehaviour
from tests.conftest import TEST_CONFIG
from tests.core.test_migrations import ROWS
from tests.factories import PASSWORD, make_org, make_user

OLDER_REVISION = "72dbae3e2fcb"


# Databases, portals and data


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Make a portal on a database URL with an instance folder of its own (the same folder
    for the same ``instance`` name); engines are closed after the test."""
    made: list[Flask] = []

    def make(url: str, instance: str = "source", **overrides: Any) -> Flask:
        monkeypatch.setenv("PARTNERSHIP_INSTANCE_PATH", str(tmp_path / instance))
        app = create_app({**TEST_CONFIG, "DATABASE_URL": url, **overrides})
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def migrated(app: Flask, revision: str = "head") -> Flask:
    with app.app_context():
        upgrade(revision=revision)
    return app


def head() -> str:
    found = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    assert found is not None
    return found


def add_user(app: Flask, role: Role, kind: OrgKind, email: str) -> User:
    """An account with a password (and a two-factor secret if the role needs one)."""
    return make_user(app, role, make_org(app, kind, f"{kind.value} {email}"), email=email)


def cli(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def refused(result: Result, *phrases: str) -> None:
    """The command failed with a message (never a traceback) containing ``phrases``."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    for phrase in phrases:
        assert phrase in result.output, result.output


def user_emails(app: Flask) -> set[str]:
    with app.app_context():
        if "users" not in inspect(db.engine).get_table_names():
            return set()
        return set(db.session.scalars(select(User.email)))


def make_backup(app: Flask, path: Path) -> Path:
    result = cli(app, "backup", "create", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def a_backup(new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path) -> Path:
    """A backup of a migrated database holding one account, source@example.org."""
    source = migrated(portal(new_database()))
    add_user(source, Role.PREMISES_STAFF, OrgKind.LICENSED_PREMISES, "source@example.org")
    return make_backup(source, tmp_path / "backup.tar.gz")


def rewrite(
    original: Path,
    copy: Path,
    change: Callable[[dict[str, bytes], dict[str, Any]], None],
) -> Path:
    """Copy a backup's members into a new archive, letting ``change`` alter them and the
    manifest on the way."""
    with tarfile.open(original) as tar:
        members = {}
        for info in tar:
            data = tar.extractfile(info)
            assert data is not None
            members[info.name] = data.read()
    manifest = json.loads(members.pop(backup.MANIFEST))
    change(members, manifest)
    with tarfile.open(copy, "w:gz") as tar:
        content = json.dumps(manifest).encode()
        for name, data in [*members.items(), (backup.MANIFEST, content)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return copy


# Sightings written while the backup is taken


class Writer(threading.Thread):
    """Records sightings through the sightings service, one commit each, on a portal of its
    own (the real engine settings: WAL on SQLite), until told to stop."""

    def __init__(self, app: Flask, author_id: int, warm_up: int) -> None:
        super().__init__(daemon=True)
        self.app = app
        self.author_id = author_id
        self.committed: list[str] = []  # submission keys, in the order their commits finished
        self.warm_up = warm_up
        self.warmed_up = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.app_context():
                author = db.session.get(User, self.author_id)
                assert author is not None
                while not self.stop.is_set():
                    key = f"writer-{len(self.committed):05d}"
                    now = utcnow()
                    data = sightings_service.SightingData(
                        occurred_at=now,
                        venue_id=None,
                        place="Castle Square",
                        latitude=None,
                        longitude=None,
                        behaviours=["aspb.loitering", "aspb.staring"],
                        other_behaviour="",
                        victim_response="not_known",
                        action_taken="no_action",
                    )
                    sightings_service.record_sighting(author, data, [photo(key)], key, now)
                    db.session.commit()
                    self.committed.append(key)
                    if len(self.committed) >= self.warm_up:
                        self.warmed_up.set()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
            self.warmed_up.set()

    def wait_for(self, count: int) -> None:
        """Return once at least ``count`` sightings have been committed in total."""
        while len(self.committed) < count and self.is_alive():
            self.join(timeout=0.01)


def photo(key: str) -> CleanImage:
    data = f"photo of {key}".encode() * 50
    return CleanImage(data, "image/jpeg", 10, 10, hashlib.sha256(data).hexdigest())


def test_a_backup_made_while_sightings_are_written_restores_complete(
    new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    source_url = new_database()
    source = migrated(portal(source_url))
    author = add_user(source, Role.PREMISES_STAFF, OrgKind.LICENSED_PREMISES, "door@example.org")
    pinned = None
    if source_url.startswith("sqlite"):
        # A long read (a report, an export) holds its snapshot open, as the portal's readers
        # do: SQLite cannot checkpoint past it, so every sighting below stays in the
        # write-ahead log, which a copy of the database file alone would miss.
        pinned = sqlite3.connect(make_url(source_url).database, isolation_level=None)
        pinned.execute("BEGIN")
        pinned.execute("SELECT count(*) FROM sightings").fetchone()
    writer = Writer(portal(source_url), author.id, warm_up=40)
    writer.start()
    try:
        writer.warmed_up.wait()
        assert writer.error is None, writer.error
        finished_before = len(writer.committed)
        result = cli(source, "backup", "create", str(tmp_path / "busy.tar.gz"))
        finished_by_end = len(writer.committed)
        writer.wait_for(finished_by_end + 5)  # and the portal carries on writing after it
    finally:
        writer.stop.set()
        writer.join()
        if pinned is not None:
            pinned.close()
    assert writer.error is None, writer.error
    assert result.exit_code == 0, result.output
    assert f"Backup written to {tmp_path / 'busy.tar.gz'}" in result.output

    target = portal(new_database(), instance="target")
    restored = cli(target, "backup", "restore", str(tmp_path / "busy.tar.gz"))
    assert restored.exit_code == 0, restored.output

    with target.app_context():
        keys = set(db.session.scalars(select(Sighting.submission_key)))
        snapshot = len(keys)
        # Every sighting whose commit had finished when the backup began is there...
        assert snapshot >= finished_before > 0
        # ...and what is there is one moment's database: the first ``snapshot`` commits,
        # no later one without an earlier one, nothing the writer had not committed.
        assert keys == set(writer.committed[:snapshot])
        assert snapshot < len(writer.committed)
        # Every sighting is whole: its behaviours, its photo and its audit event with it.
        behaviours = dict(
            db.session.execute(
                select(SightingBehaviour.sighting_id, func.count()).group_by(
                    SightingBehaviour.sighting_id
                )
            ).all()
        )
        sightings = db.session.execute(select(Sighting.id, Sighting.submission_key)).all()
        assert all(behaviours.get(id_) == 2 for id_, _ in sightings)
        photos = {
            sighting_id: digest
            for sighting_id, digest in db.session.execute(
                select(Attachment.sighting_id, Attachment.sha256)
            )
        }
        assert {id_: photos.get(id_) for id_, _ in sightings} == {
            id_: photo(key).sha256 for id_, key in sightings
        }
        created = list(
            db.session.scalars(
                select(AuditEvent.object_id).where(AuditEvent.action == "sighting.created")
            )
        )
        assert sorted(created) == sorted(str(id_) for id_, _ in sightings)
        assert db.session.scalar(select(func.count(Attachment.id))) == snapshot
    if source_url.startswith("sqlite"):
        check = sqlite3.connect(make_url(target.config["SQLALCHEMY_DATABASE_URI"]).database)
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
        check.close()


# A restored portal at work


def test_a_restored_backup_signs_in_through_the_forms_with_two_factor(
    new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    source = migrated(portal(new_database()))
    coordinator = add_user(source, Role.COORDINATOR, OrgKind.PARTNERSHIP, "co@example.org")
    assert coordinator.totp_secret
    path = make_backup(source, tmp_path / "nightly.tar.gz")

    target = portal(new_database(), instance="target")
    result = cli(target, "backup", "restore", str(path))
    assert result.exit_code == 0, result.output
    assert f"this version's schema ({head()})" in result.output

    client = target.test_client()
    response = client.post("/auth/login", data={"email": coordinator.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/two-factor")
    code = pyotp.TOTP(coordinator.totp_secret).now()
    response = client.post("/auth/two-factor", data={"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Test coordinator" in page.get_data(as_text=True)


def test_create_and_restore_leave_audit_events_without_personal_data(
    a_backup: Path, new_database: Callable[[], str], portal: Callable[..., Flask]
) -> None:
    target = portal(new_database(), instance="target")
    assert cli(target, "backup", "restore", str(a_backup)).exit_code == 0
    with target.app_context():
        made, restored = (
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            ).all()
            for action in ("backup.created", "backup.restored")
        )
    # The backup was made before its own event was written, so the copy has none.
    assert made == []
    [event] = restored
    assert event.actor_id is None and event.actor_email is None
    assert event.details["archive"] == "backup.tar.gz"
    assert event.details["revision"] == head()
    assert "example.org" not in json.dumps(event.details)
    assert str(a_backup.parent) not in json.dumps(event.details)


def test_create_records_what_it_holds_and_never_replaces_a_file(
    new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    source = migrated(portal(new_database()))
    result = cli(source, "backup", "create", str(tmp_path))  # a folder: a dated name in it
    assert result.exit_code == 0, result.output
    [path] = tmp_path.glob("partnership-backup-*.tar.gz")
    assert f"Backup written to {path}" in result.output
    assert "at migration revision" in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds personal data
    assert not list(tmp_path.glob(".partnership-backup-*"))  # no working files left
    with tarfile.open(path) as tar:
        contents = {info.name: tar.extractfile(info).read() for info in tar}  # type: ignore[union-attr]
    manifest = json.loads(contents.pop(backup.MANIFEST))
    kind = make_url(source.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    assert manifest["database_kind"] == kind
    assert manifest["revision"] == head()
    assert manifest["portal_version"] == backup.portal_version()
    assert {m["name"]: (m["size"], m["sha256"]) for m in manifest["members"]} == {
        name: (len(data), hashlib.sha256(data).hexdigest()) for name, data in contents.items()
    }
    with source.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "backup.created")
        ).all()
        assert event.actor_id is None
        assert event.details["archive"] == path.name
        assert event.details["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()

    before = path.read_bytes()
    again = cli(source, "backup", "create", str(path))
    refused(again, "already exists", "never replaces")
    assert path.read_bytes() == before


def test_an_older_backup_is_migrated_to_this_versions_schema(
    new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    source = migrated(portal(new_database()), OLDER_REVISION)
    with source.app_context(), db.engine.begin() as conn:
        for revision in ("b19c751d0fcb", "f36cc50288a7", "6f755b8896fa", OLDER_REVISION):
            ROWS[revision](conn)
    path = make_backup(source, tmp_path / "old.tar.gz")

    target = portal(new_database(), instance="target")
    result = cli(target, "backup", "restore", str(path))
    assert result.exit_code == 0, result.output
    assert f"Migrated the database from {OLDER_REVISION} to {head()}" in result.output
    with target.app_context(), db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head()
        assert "public_reports" in inspect(conn).get_table_names()
    assert user_emails(target) == {"m@example.org"}


def test_files_kept_beside_the_database_go_with_it(
    new_database: Callable[[], str],
    portal: Callable[..., Flask],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("partnership.core.backup.files.INSTANCE_FOLDERS", ("videos",))
    services = tmp_path / "local-services.json"
    shutil.copyfile(BUILT_IN, services)
    source = migrated(portal(new_database(), SUPPORT_SERVICES_FILE=str(services)))
    videos = Path(source.instance_path) / "videos"
    (videos / "2026" / "11").mkdir(parents=True)
    (videos / "one.mp4").write_bytes(b"first video")
    (videos / "2026" / "11" / "two.mp4").write_bytes(b"second video")
    path = make_backup(source, tmp_path / "files.tar.gz")

    target = portal(new_database(), instance="target")
    stale = Path(target.instance_path) / "videos" / "stale.mp4"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"not in the backup")
    result = cli(target, "backup", "restore", str(path))
    refused(result, "videos holds 1 files", "--force")
    assert stale.exists()

    result = cli(target, "backup", "restore", "--force", str(path))
    assert result.exit_code == 0, result.output
    restored = {
        p.relative_to(stale.parent).as_posix(): p.read_bytes()
        for p in stale.parent.rglob("*")
        if p.is_file()
    }
    assert restored == {"one.mp4": b"first video", "2026/11/two.mp4": b"second video"}
    copy = Path(target.instance_path) / "local-services.json"
    assert copy.read_bytes() == services.read_bytes()
    assert f"set SUPPORT_SERVICES_FILE to {copy}" in result.output


# Refusals: nothing in the target changes


def test_a_damaged_or_foreign_archive_is_refused(
    a_backup: Path, new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    target = portal(new_database(), instance="target")
    good = a_backup.read_bytes()
    cut_short = tmp_path / "cut.tar.gz"
    cut_short.write_bytes(good[: len(good) // 2])
    scrambled = tmp_path / "scrambled.tar.gz"
    middle = len(good) // 2
    scrambled.write_bytes(good[:middle] + bytes(b ^ 0xFF for b in good[middle : middle + 64]))
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_text("shopping list")
    no_manifest = tmp_path / "bare.tar.gz"
    with tarfile.open(no_manifest, "w:gz") as tar:
        info = tarfile.TarInfo(next(iter(backup.DATABASE_MEMBERS.values())))
        tar.addfile(info, io.BytesIO(b""))

    def escape(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members["files/videos/../../../escaped"] = b"x"

    outside = rewrite(a_backup, tmp_path / "outside.tar.gz", escape)

    for path, phrase in (
        (cut_short, "cannot be read as a backup"),
        (scrambled, "cannot be read as a backup"),
        (not_a_backup, "cannot be read as a backup"),
        (no_manifest, "has no manifest"),
        (outside, "which no backup holds"),
        (tmp_path / "missing.tar.gz", "There is no backup at"),
    ):
        refused(cli(target, "backup", "restore", str(path)), phrase)
    assert user_emails(target) == set()
    assert not (tmp_path / "escaped").exists()
    assert not list(Path(target.instance_path).glob(".restore-*"))


def test_a_checksum_mismatch_is_refused(
    a_backup: Path, new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    def damage(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        name = next(n for n in members if n.startswith("database."))
        data = bytearray(members[name])
        data[len(data) // 2] ^= 0x01
        members[name] = bytes(data)

    damaged = rewrite(a_backup, tmp_path / "damaged.tar.gz", damage)
    target = portal(new_database(), instance="target")
    refused(cli(target, "backup", "restore", str(damaged)), "does not match the checksum")
    assert user_emails(target) == set()


def test_a_target_that_is_not_empty_is_only_replaced_with_force(
    a_backup: Path, new_database: Callable[[], str], portal: Callable[..., Flask]
) -> None:
    target = migrated(portal(new_database(), instance="target"))
    add_user(target, Role.PREMISES_STAFF, OrgKind.LICENSED_PREMISES, "target@example.org")

    result = cli(target, "backup", "restore", str(a_backup))
    refused(result, "not empty", "rows in", "users", "--force")
    assert user_emails(target) == {"target@example.org"}

    result = cli(target, "backup", "restore", "--force", str(a_backup))
    assert result.exit_code == 0, result.output
    assert user_emails(target) == {"source@example.org"}
    with target.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "backup.restored")
        ).all()
        assert event.details["replaced"] is True


def test_a_migrated_but_empty_target_needs_no_force(
    a_backup: Path, new_database: Callable[[], str], portal: Callable[..., Flask]
) -> None:
    target = migrated(portal(new_database(), instance="target"))
    result = cli(target, "backup", "restore", str(a_backup))
    assert result.exit_code == 0, result.output
    assert user_emails(target) == {"source@example.org"}


def test_a_backup_of_the_other_kind_of_database_is_refused(
    a_backup: Path, new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    def other_kind(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        kind = manifest["database_kind"]
        other = next(k for k in backup.DATABASE_MEMBERS if k != kind)
        members[backup.DATABASE_MEMBERS[other]] = members.pop(backup.DATABASE_MEMBERS[kind])
        for member in manifest["members"]:
            if member["name"] == backup.DATABASE_MEMBERS[kind]:
                member["name"] = backup.DATABASE_MEMBERS[other]
        manifest["database_kind"] = other

    other = rewrite(a_backup, tmp_path / "other.tar.gz", other_kind)
    target = portal(new_database(), instance="target")
    refused(cli(target, "backup", "restore", str(other)), "but the portal is configured for")
    assert user_emails(target) == set()


def test_a_backup_from_a_newer_portal_is_refused(
    a_backup: Path, new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    def newer(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        manifest["revision"] = "ffffffffffff"

    target = portal(new_database(), instance="target")
    path = rewrite(a_backup, tmp_path / "newer.tar.gz", newer)
    refused(cli(target, "backup", "restore", str(path)), "newer version", "ffffffffffff")
    assert user_emails(target) == set()


# PostgreSQL's tools


def fake_tool(folder: Path, name: str, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tool = folder / name
    tool.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    tool.chmod(0o755)
    return tool


def test_postgres_tools_are_found_or_named_with_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(backup.BackupError) as missing:
        backup.find_postgres_tool("pg_dump", str(empty), at_least=15)
    assert "pg_dump was not found" in str(missing.value)
    assert "apt install postgresql-client-15" in str(missing.value)
    assert "PARTNERSHIP_POSTGRES_BIN" in str(missing.value)

    fake_tool(tmp_path / "old", "pg_dump", "9.6.24")
    with pytest.raises(backup.BackupError) as old:
        backup.find_postgres_tool("pg_dump", str(tmp_path / "old"), at_least=15)
    assert "pg_dump 9.6 " in str(old.value)
    assert "older than PostgreSQL 15" in str(old.value)

    # Without the setting: the newest of the PATH's and /usr/lib/postgresql/<version>/bin's.
    monkeypatch.setenv("PATH", str(fake_tool(tmp_path / "path", "pg_dump", "14.2").parent))
    monkeypatch.setattr("partnership.core.backup.postgres.POSTGRES_LIB", tmp_path / "lib")
    fake_tool(tmp_path / "lib" / "15" / "bin", "pg_dump", "15.1")
    newest = fake_tool(tmp_path / "lib" / "16" / "bin", "pg_dump", "16.2")
    found = backup.find_postgres_tool("pg_dump", at_least=15)
    assert (found.path, found.version, found.major) == (newest, "16.2", 16)


def test_backup_create_without_pg_dump_says_what_to_install(
    new_database: Callable[[], str], portal: Callable[..., Flask], tmp_path: Path
) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()
    source = migrated(portal(new_database(), POSTGRES_BIN=str(empty)))
    result = cli(source, "backup", "create", str(tmp_path / "b.tar.gz"))
    if source.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite needs no outside tool.
        assert result.exit_code == 0, result.output
    else:
        refused(result, "pg_dump was not found", "postgresql-client-")
        assert not (tmp_path / "b.tar.gz").exists()
