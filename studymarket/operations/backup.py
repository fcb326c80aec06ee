"""A consistent snapshot of the embedded profile while the site runs: the SQLite database
through SQLite's online backup API (a file copy of a live WAL database may be torn), then the
private and public storage folders, then a manifest with every file's SHA-256.

Order matters: the database first, the files after. A file is written before, or just after,
the row that names it commits, and files are never changed in place (stored under their
SHA-256 or a random mark), so every file the snapshot's database names is already on disk when
the folders are copied. The other way round, a file written between the copy and the database
snapshot would be missing. Files made after the database snapshot are copied too, unnamed:
harmless. The search index is rebuilt on restore, not copied (bench/backup_restore.py
measured both), and the cache, static files and mail folder are not data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.storage import Storage
from django.db import connections

from studymarket.core.storage import private_storage, public_storage, storage_is_local
from studymarket.operations.manifest import (
    DATABASE_NAME,
    FileEntry,
    Manifest,
    app_version,
    file_sha256,
    manifest_write,
)
from studymarket.operations.sqlite_snapshot import database_copy, migrations_applied

_CHUNK = 1024 * 1024
# A folder being written; renamed to its final name only when complete, so a snapshot with a
# manifest is always whole, and the retention never counts a half-written one.
PARTIAL_SUFFIX = ".partial"


class BackupRefused(Exception):
    """This installation cannot be backed up by `manage.py backup`; the message says how instead."""


def storage_folders() -> dict[str, Path]:
    """The local storage folders, by the name they have in a snapshot."""
    folders: dict[str, Path] = {}
    for name, storage in (("private", private_storage()), ("public", public_storage())):
        if not storage_is_local(storage):
            raise BackupRefused(
                "The files are in object storage (STORAGE=s3): `manage.py backup` copies local folders "
                "only. Turn on versioning of the bucket instead (README, Running at scale: Backups)."
            )
        folders[name] = Path(_location(storage))
    return folders


def _location(storage: Storage) -> str:
    location: str = storage.location  # type: ignore[attr-defined]
    return location


def database_path() -> Path:
    connection = connections["default"]
    if connection.vendor != "sqlite":
        raise BackupRefused(
            f"The database is {connection.vendor}, not SQLite: back it up with pg_dump or base backups "
            "and WAL archiving (README, Running at scale: Backups)."
        )
    return Path(connection.settings_dict["NAME"])


def snapshot_create(*, target: Path, log: Callable[[str], None] = lambda line: None) -> Manifest:
    """Write a snapshot of the running site to ``target`` (absent or empty) and return its manifest."""
    database = database_path()
    folders = storage_folders()
    if any(target.resolve().is_relative_to(folder.resolve()) for folder in folders.values()):
        raise BackupRefused(
            f"{target} is inside a storage folder it would copy: choose a folder outside them."
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupRefused(f"{target} exists and is not empty: give a new folder for the snapshot.")
    if not database.is_file():
        raise BackupRefused(f"There is no database at {database}: nothing to back up.")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f"{target.name}{PARTIAL_SUFFIX}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        database_copy(source=database, destination=staging / DATABASE_NAME)
        entries = [_entry(staging, staging / DATABASE_NAME)]
        log(f"Database copied ({entries[0].size} bytes).")
        for name, folder in folders.items():
            copied = _tree_copy(source=folder, destination=staging / name, root=staging)
            entries.extend(copied)
            log(f"Copied {len(copied)} {name} file(s).")
        manifest = Manifest(
            created_at=created_at,
            app_version=app_version(),
            database="sqlite",
            migrations=migrations_applied(staging / DATABASE_NAME),
            files=entries,
        )
        manifest_write(directory=staging, manifest=manifest)
        if target.exists():
            target.rmdir()  # empty, checked above
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _tree_copy(*, source: Path, destination: Path, root: Path) -> list[FileEntry]:
    """Copy every file under ``source``, hashing as it goes. A file deleted meanwhile is skipped."""
    entries: list[FileEntry] = []
    if not source.is_dir():
        return entries
    for folder, _subfolders, names in os.walk(source):
        for name in sorted(names):
            path = Path(folder) / name
            copy = destination / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                entries.append(_file_copy(path, copy, root))
            except FileNotFoundError:
                continue  # deleted after the database snapshot (an export expired, a copy rebuilt)
    return entries


def _file_copy(source: Path, destination: Path, root: Path) -> FileEntry:
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as read, destination.open("wb") as write:
        while chunk := read.read(_CHUNK):
            digest.update(chunk)
            write.write(chunk)
            size += len(chunk)
    shutil.copystat(source, destination)
    return FileEntry(path=destination.relative_to(root).as_posix(), size=size, sha256=digest.hexdigest())


def _entry(root: Path, path: Path) -> FileEntry:
    return FileEntry(
        path=path.relative_to(root).as_posix(), size=path.stat().st_size, sha256=file_sha256(path)
    )
