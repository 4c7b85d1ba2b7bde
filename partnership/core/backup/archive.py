"""The backup archive: its manifest, how it is written, and the checks made on reading it."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import IO, Any, cast

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MANIFEST_MAX_BYTES = 10 * 1024 * 1024
_CHUNK = 1024 * 1024
_MEMBER_NAME = re.compile(
    r"manifest\.json|database\.sqlite3|database\.pgdump"
    r"|files/[A-Za-z0-9][A-Za-z0-9_.-]*/[^\x00-\x1f\\]+|settings/[A-Z][A-Z0-9_]*"
)
_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Member:
    """One file in the archive, as the manifest lists it."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and where it came from."""

    created_at: str  # ISO 8601, UTC
    portal_version: str
    database_kind: str
    revision: str | None  # the database's Alembic revision; None: never migrated
    database_tool: str  # "SQLite 3.40.1" or "pg_dump 15.8"
    folders: tuple[str, ...]
    setting_files: dict[str, str]  # setting -> the file's name where it was
    members: tuple[Member, ...]
    format: int = FORMAT

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.database_kind]

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    def folder_members(self, folder: str) -> list[Member]:
        prefix = f"files/{folder}/"
        return [m for m in self.members if m.name.startswith(prefix)]

    def to_json(self) -> bytes:
        data = asdict(self)
        data["folders"] = list(self.folders)
        data["members"] = [asdict(m) for m in self.members]
        return json.dumps(data, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """The manifest in ``raw``; :class:`BackupError` if it is not one this portal reads."""
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise TypeError("not an object")
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"The backup is in format {data.get('format')!r}, which this version of "
                    f"the portal does not read (it reads format {FORMAT}): restore it with the "
                    "version that made it or a later one."
                )
            members = tuple(
                Member(_text(m["name"]), _count(m["size"]), _digest(m["sha256"]))
                for m in data["members"]
            )
            manifest = cls(
                created_at=_text(data["created_at"]),
                portal_version=_text(data["portal_version"]),
                database_kind=_choice(data["database_kind"], DATABASE_MEMBERS),
                revision=None if data["revision"] is None else _text(data["revision"]),
                database_tool=_text(data["database_tool"]),
                folders=tuple(_folder(f) for f in data["folders"]),
                setting_files={
                    _setting(setting): _file_name(name)
                    for setting, name in dict(data["setting_files"]).items()
                },
                members=members,
            )
        except BackupError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise BackupError(
                f"The backup's manifest is damaged ({error}): do not restore from it; "
                "use another backup."
            ) from None
        return manifest


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{value!r} is not a size")
    return value


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[Any], str]:
    """A check that a manifest's value is text that is all ``pattern``, ``what`` if not."""

    def check(value: Any) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return check


_digest = _matching(_SHA256, "a SHA-256")
_folder = _matching(_FOLDER_NAME, "a folder name")
_setting = _matching(_SETTING_NAME, "a setting")


def _choice(value: Any, allowed: dict[str, str]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _file_name(value: Any) -> str:
    if not isinstance(value, str) or value in ("", ".", "..") or "/" in value or "\\" in value:
        raise ValueError(f"{value!r} is not a file name")
    return value


def portal_version() -> str:
    try:
        return metadata.version("partnership")
    except metadata.PackageNotFoundError:
        return "unknown"


def describe(manifest: Manifest) -> list[str]:
    """What a backup holds, one line each, for the command line."""
    database = manifest.member(manifest.database_member)
    size = database.size if database else 0
    revision = (
        f"migration revision {manifest.revision}" if manifest.revision else "no migration revision"
    )
    lines = [
        f"the {KIND_NAMES[manifest.database_kind]} database at {revision} "
        f"({size:,} bytes, {manifest.database_tool})"
    ]
    for folder in manifest.folders:
        members = manifest.folder_members(folder)
        total = sum(m.size for m in members)
        lines.append(f"{len(members)} files from the instance folder's {folder}/ ({total:,} bytes)")
    for setting, name in manifest.setting_files.items():
        member = manifest.member(f"settings/{setting}")
        lines.append(f"the {setting} file {name} ({member.size if member else 0:,} bytes)")
    return lines


# Writing one


class _HashingReader:
    """Hands ``raw`` on to tarfile, hashing what it reads."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        self.digest.update(chunk)
        return chunk


def write_archive(
    path: Path,
    sources: list[tuple[str, Path]],
    manifest_of: Callable[[tuple[Member, ...]], Manifest],
    now: datetime,
) -> Manifest:
    members: list[Member] = []
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as raw:
        with tarfile.open(
            fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6
        ) as tar:
            for name, source in sources:
                try:
                    with source.open("rb") as data:
                        size = os.fstat(data.fileno()).st_size
                        reader = _HashingReader(data)
                        tar.addfile(_info(name, size, now), cast(IO[bytes], reader))
                except FileNotFoundError:
                    if name.startswith("files/"):
                        continue  # deleted since the folder was listed: gone, not lost
                    raise BackupError(f"{source} cannot be read: it is not there.") from None
                except OSError as error:
                    # Also a file cut short while it was read.
                    raise BackupError(f"{source} cannot be read: {error}.") from None
                members.append(Member(name, size, reader.digest.hexdigest()))
            manifest = manifest_of(tuple(members))
            content = manifest.to_json()
            tar.addfile(_info(MANIFEST, len(content), now), io.BytesIO(content))
        raw.flush()
        os.fsync(raw.fileno())
    return manifest


def _info(name: str, size: int, now: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(now.timestamp())
    return info


def file_digest(path: Path) -> tuple[int, str]:
    """The size and SHA-256 of the file at ``path``."""
    with path.open("rb") as f:
        return _read_through(f)


def _read_through(source: IO[bytes], out: IO[bytes] | None = None) -> tuple[int, str]:
    """Read ``source`` to its end, writing it to ``out`` if given; its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return size, digest.hexdigest()


def same_content(one: Path, other: Path) -> bool:
    return file_digest(one) == file_digest(other)


# Reading one


def read_backup(path: Path, staging: Path) -> Manifest:
    """Unpack the backup at ``path`` into the folder ``staging`` and check it.

    Guarantees: the manifest is one this portal reads; every member it lists is there with
    its size and SHA-256; nothing else is there; no member's name could reach outside
    ``staging``. :class:`BackupError` says what is wrong; nothing outside ``staging`` is
    touched either way.
    """
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    found: dict[str, Member] = {}
    manifest_raw: bytes | None = None
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for info in tar:
                name = _checked_name(path, info)
                if name in found or (name == MANIFEST and manifest_raw is not None):
                    raise BackupError(f"{path} holds {name} twice: it is not a backup.")
                source = tar.extractfile(info)
                assert source is not None  # noqa: S101 (a regular file, checked above)
                if name == MANIFEST:
                    manifest_raw = source.read(MANIFEST_MAX_BYTES + 1)
                    if len(manifest_raw) > MANIFEST_MAX_BYTES:
                        raise BackupError(f"{path} has an oversized manifest: it is not a backup.")
                    continue
                size, digest = _unpack(source, staging / name)
                found[name] = Member(name, size, digest)
    except PermissionError:
        raise BackupError(f"{path} cannot be read: permission denied.") from None
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(
            f"{path} cannot be read as a backup: it is damaged, cut short or not a backup "
            f"({error}). Do not restore from it; use another backup."
        ) from None
    if manifest_raw is None:
        raise BackupError(
            f"{path} has no manifest: it is not a backup made by `flask backup create`, "
            "or it was cut short."
        )
    manifest = Manifest.from_json(manifest_raw)
    listed = {m.name: m for m in manifest.members}
    if manifest.database_member not in listed:
        raise BackupError(f"{path} is damaged: its manifest lists no database.")
    for setting in manifest.setting_files:
        if f"settings/{setting}" not in listed:
            raise BackupError(f"{path} is damaged: its manifest lists no file for {setting}.")
    missing = sorted(listed.keys() - found.keys())
    if missing:
        raise BackupError(f"{path} is incomplete: {missing[0]} is missing. Use another backup.")
    unlisted = sorted(found.keys() - listed.keys())
    if unlisted:
        raise BackupError(
            f"{path} holds {unlisted[0]}, which its manifest does not list: it is damaged."
        )
    for name, member in sorted(listed.items()):
        if found[name] != member:
            raise BackupError(
                f"{path} is damaged: {name} does not match the checksum in its manifest "
                f"(SHA-256 {found[name].sha256[:16]}…, {found[name].size:,} bytes; the manifest "
                f"says {member.sha256[:16]}…, {member.size:,} bytes). Do not restore from it; "
                "use another backup."
            )
    return manifest


def _checked_name(path: Path, info: tarfile.TarInfo) -> str:
    name = info.name
    parts = name.split("/")
    if (
        not _MEMBER_NAME.fullmatch(name)
        or name.startswith("/")
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise BackupError(f"{path} holds {name!r}, which no backup holds: it is not a backup.")
    if not info.isfile():
        raise BackupError(f"{path} holds {name!r} which is not a plain file: it is not a backup.")
    return name


def _unpack(source: IO[bytes], target: Path) -> tuple[int, str]:
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        return _read_through(source, out)
