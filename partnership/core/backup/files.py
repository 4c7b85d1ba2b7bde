"""The files the portal keeps beside its database: instance folders and setting files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

# Everything the portal keeps outside its database, in one place. A feature that stores files
# puts them in a folder of its own under the instance folder and adds the folder's name here;
# backups then carry it and restores put it back. (Photos are stored in the database today.)
INSTANCE_FOLDERS: tuple[str, ...] = ()
# Settings naming a file the partnership maintains (not secrets), carried with the data.
SETTING_FILES: tuple[str, ...] = ("SUPPORT_SERVICES_FILE",)


@dataclass(frozen=True)
class KeptFiles:
    """What a backup carries beside the database."""

    folders: tuple[str, ...]  # the instance folders there are
    setting_files: dict[str, str]  # setting -> the file's name
    sources: list[tuple[str, Path]]  # (member name, the file) for each of their files


def kept_files(app: Flask) -> KeptFiles:
    """The files ``app`` keeps beside its database, as a backup carries them."""
    instance = Path(app.instance_path)
    folders = tuple(f for f in INSTANCE_FOLDERS if (instance / f).is_dir())
    sources: list[tuple[str, Path]] = []
    for folder in folders:
        sources.extend(_folder_files(instance / folder, folder))
    setting_files: dict[str, str] = {}
    for setting in SETTING_FILES:
        if app.config.get(setting):
            path = Path(app.config[setting])
            setting_files[setting] = path.name
            sources.append((f"settings/{setting}", path))
    return KeptFiles(folders, setting_files, sources)


def folders_to_restore(manifest_folders: tuple[str, ...]) -> list[str]:
    """The instance folders a restore makes hold the backup's files: the backup's and this
    version's (one the backup does not have is emptied)."""
    return sorted(set(manifest_folders) | set(INSTANCE_FOLDERS))


def _folder_files(root: Path, folder: str) -> Iterator[tuple[str, Path]]:
    """Every regular file under ``root`` (symbolic links are not followed), sorted."""
    for directory, subfolders, files in os.walk(root):
        subfolders.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield f"files/{folder}/{path.relative_to(root).as_posix()}", path


def setting_target(app: Flask, setting: str, name: str) -> tuple[Path, bool]:
    configured = app.config.get(setting)
    if configured:
        return Path(configured), True
    return Path(app.instance_path) / name, False


def restore_folder(staging: Path, instance: Path, folder: str) -> int:
    """Make the instance folder ``folder`` hold exactly the backup's files; how many."""
    target = instance / folder
    target.mkdir(parents=True, exist_ok=True)
    # Its contents are replaced rather than the folder itself, which may be a mount point.
    for entry in list(target.iterdir()):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    source = staging / "files" / folder
    count = 0
    if source.is_dir():
        for entry in sorted(source.rglob("*")):
            if entry.is_file():
                destination = target / entry.relative_to(source)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(entry, destination)
                count += 1
    return count


def restore_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(source, part)
    os.replace(part, target)
