"""Restore a snapshot (operations.backup) into an empty data folder, then prove it works.

Nothing is written before the whole snapshot has been read and found to match its manifest,
and before its migrations are known to this code; nothing is ever written over an existing
database or file (the operator moves the old data folder aside). After the copy: migrate (the
snapshot may be older than the code), the ledger check, the file-per-version check, and the
search index rebuilt from the database.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from studymarket.operations.backup import database_path, storage_folders
from studymarket.operations.files_check import files_check
from studymarket.operations.manifest import DATABASE_NAME, Manifest, SnapshotInvalid, snapshot_verify


@dataclass
class RestoreSummary:
    manifest: Manifest
    files: int = 0
    ledger: str = ""
    file_problems: list[str] = field(default_factory=list)
    indexed: str = ""

    @property
    def healthy(self) -> bool:
        return self.ledger == "ledger balanced" and not self.file_problems


def snapshot_restore(*, source: Path, log: Callable[[str], None] = lambda line: None) -> RestoreSummary:
    database = database_path()
    folders = storage_folders()
    # Before anything is read from the database: opening it would create an empty file.
    connections["default"].close()
    _refuse_occupied(database, folders)
    manifest = snapshot_verify(source)
    log(f"Snapshot of {manifest.created_at} ({manifest.app_version}): {len(manifest.files)} files verified.")
    _refuse_newer(manifest)

    database.parent.mkdir(parents=True, exist_ok=True)
    summary = RestoreSummary(manifest=manifest)
    for entry in manifest.files:
        if entry.path == DATABASE_NAME:
            target = database
        else:
            kind, _, rest = entry.path.partition("/")
            target = folders[kind] / rest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / entry.path, target)
        summary.files += 1
    log(f"Restored the database and {summary.files - 1} stored file(s).")

    connections["default"].close()
    call_command("migrate", "--no-input", verbosity=0)
    summary.ledger = _ledger_check()
    log(summary.ledger)
    summary.file_problems = files_check()
    log(f"files_check: {len(summary.file_problems)} problem(s)")
    out = StringIO()
    call_command("search_rebuild", "--clear", stdout=out)
    summary.indexed = out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else ""
    log(summary.indexed)
    return summary


def _refuse_occupied(database: Path, folders: dict[str, Path]) -> None:
    found = [str(path) for path in (database, Path(f"{database}-wal")) if path.exists()]
    found += [str(folder) for folder in folders.values() if folder.is_dir() and any(folder.iterdir())]
    if found:
        raise SnapshotInvalid(
            f"The data folder is not empty ({', '.join(found)}). Nothing was restored. A restore never "
            "writes over data: stop the site, move the data folder aside (e.g. mv var var.old) and run "
            "restore again."
        )


def _refuse_newer(manifest: Manifest) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise SnapshotInvalid(
            f"The snapshot's database is newer than this code (migrations {shown} are unknown here). "
            f"Nothing was restored; install version {manifest.app_version} or later first."
        )


def _ledger_check() -> str:
    out = StringIO()
    try:
        call_command("ledger_check", stdout=out)
    except CommandError as error:
        return f"{out.getvalue().strip()}\n{error}".strip()
    return out.getvalue().strip()
