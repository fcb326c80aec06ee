"""The SQLite side of a snapshot: the consistent copy of the live database and what the copy
records, through Python's sqlite3 on the files themselves (not Django's connection, which is
the live database's). The one module of operations with SQL of its own (security/semgrep.yml).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


class DatabaseCopyFailed(Exception):
    pass


def database_copy(*, source: Path, destination: Path) -> None:
    """A consistent copy of the live database: SQLite's backup API, in one step.

    One step reads the whole database in one read transaction. In WAL mode a reader never
    blocks a writer (nor a writer a reader), so the site keeps writing meanwhile; the copy is
    the database as it was when the step began. Copying in many small steps gains nothing in
    WAL mode and restarts from the first page whenever another connection writes: under steady
    writes it might never finish. The copy is switched to a rollback journal, so it is one
    self-contained file (no -wal beside it); the site turns WAL on again when it opens it.
    """
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as live:
        with sqlite3.connect(destination) as copy:
            live.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")
            (result,) = copy.execute("PRAGMA integrity_check").fetchone()
    live.close()
    copy.close()
    if result != "ok":
        raise DatabaseCopyFailed(f"The copy of the database failed SQLite's integrity check: {result}")


def migrations_applied(database: Path) -> dict[str, list[str]]:
    """The migrations recorded in the snapshot's own database (the live one may move on meanwhile)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as copy:
        rows = copy.execute("SELECT app, name FROM django_migrations ORDER BY app, id").fetchall()
    copy.close()
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied
