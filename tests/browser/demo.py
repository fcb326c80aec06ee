"""``demo_data_loaded()``: what ``call_command("demo_data")`` gives a browser test, in a second
instead of a minute.

Loading the demo (56 listings with PDFs and previews, 724 sales, the search index) took most of
the browser tests' time, and seven tests each load it into a freshly flushed database. The
first load in a process is the real one; afterwards the database, the stored files and the
search index are copied aside, and a later test that starts from the same state gets that
copy back, then still runs the command (which finds everything loaded and returns).

"The same state" is checked, not assumed: every table's rows (content types and permissions
by their names, as a flush recreates them under new ids), the storage folders' places, the
language and the settings the load reads; and a load that sent mail is never copied. Anything
else, or a database other than SQLite, loads for real. The storage folders get the copy's
files back: whatever else is in them was left by earlier tests, whose rows the flush removed
(so a restored id never meets a stale file).
"""

import hashlib
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from django.utils.module_loading import import_string

from studymarket.core.page_cache import public_pages_changed
from studymarket.search.backends import backend_get
from studymarket.storefront.figures import platform_figures_forget

# Rows a flush recreates under new ids (post_migrate): compared by their natural keys.
_BY_NAME = {
    "django_content_type": "SELECT app_label, model FROM django_content_type",
    "auth_permission": (
        "SELECT p.codename, c.app_label, c.model FROM auth_permission p "
        "JOIN django_content_type c ON c.id = p.content_type_id"
    ),
}
# Never different in a way that matters, or restored as a whole with the rest.
_SKIPPED = {"sqlite_sequence", "django_migrations"}


@dataclass
class _Snapshot:
    state: str
    database: sqlite3.Connection
    files: Path  # a copy of each storage folder, by its index in _folders()
    search_index: Path


_snapshots: dict[str, _Snapshot] = {}


def demo_data_loaded() -> None:
    """``call_command("demo_data", verbosity=0)``, from a copy when one fits (see above)."""
    folders = _folders()
    state = _state(folders) if folders is not None else None
    if folders is None or state is None:
        call_command("demo_data", verbosity=0)
        return
    snapshot = _snapshots.get(state)
    if snapshot is None:
        if _load_sends_no_mail():
            _snapshots[state] = _take(state, folders)
        return
    _restore(snapshot, folders)
    call_command("demo_data", verbosity=0)


def _load_sends_no_mail() -> bool:
    """Loads the demo for real; a copy could not send the mail that a load sent."""
    backend = import_string(settings.EMAIL_BACKEND)
    sent: list[object] = []
    send_messages = backend.send_messages

    def counted(self: object, messages: list[object]) -> int:
        sent.extend(messages)
        return send_messages(self, messages)  # type: ignore[no-any-return]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(backend, "send_messages", counted)
        call_command("demo_data", verbosity=0)
    return not sent


def _folders() -> list[Path] | None:
    found = []
    for alias in ("default", "public"):
        storage = storages[alias]
        if not isinstance(storage, FileSystemStorage):
            return None
        found.append(Path(storage.location))
    return found


def _state(folders: list[Path]) -> str | None:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    digest = hashlib.sha256()
    for value in (
        settings.DATA_DIR,
        settings.SEARCH_BACKEND,
        settings.TASKS,
        translation.get_language(),
        *folders,
    ):
        digest.update(repr(value).encode() + b"\0")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        tables = [name for (name,) in cursor.fetchall() if name not in _SKIPPED]
        for table in tables:
            cursor.execute(_BY_NAME.get(table, f'SELECT * FROM "{table}"'))
            rows = sorted(repr(row) for row in cursor.fetchall())
            digest.update(f"{table}:{len(rows)}\0".encode())
            for row in rows:
                digest.update(row.encode() + b"\0")
    return digest.hexdigest()


def _take(state: str, folders: list[Path]) -> _Snapshot:
    connection.ensure_connection()
    database = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(database)
    root = Path(tempfile.mkdtemp(prefix="demo-", dir=settings.DATA_DIR))
    for number, folder in enumerate(folders):
        if folder.exists():
            shutil.copytree(folder, root / "files" / str(number))
    index = Path(backend_get().path)  # type: ignore[attr-defined]
    shutil.copytree(index, root / "search")
    return _Snapshot(state=state, database=database, files=root / "files", search_index=root / "search")


def _restore(snapshot: _Snapshot, folders: list[Path]) -> None:
    connection.ensure_connection()
    snapshot.database.backup(connection.connection)
    # The restored content types have other ids than the ones Django remembers.
    ContentType.objects.clear_cache()
    for number, folder in enumerate(folders):
        shutil.rmtree(folder, ignore_errors=True)
        if (snapshot.files / str(number)).exists():
            # dirs_exist_ok: a request of the previous test still in flight (a reader page image
            # being stored) may have made the folder again since rmtree.
            shutil.copytree(snapshot.files / str(number), folder, dirs_exist_ok=True)
    backend = backend_get()
    backend.destroy()  # type: ignore[attr-defined]
    shutil.copytree(snapshot.search_index, backend.path)  # type: ignore[attr-defined]
    # What the load does to the cache: a new public-page generation, no platform figures.
    public_pages_changed()
    platform_figures_forget()
