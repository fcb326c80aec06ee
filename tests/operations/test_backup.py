"""`manage.py backup`: what a snapshot holds, what it refuses, the daily backup and its
retention, and `manage.py files_check`."""

import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from config.periodic import periodic_tasks
from studymarket.core.storage import private_storage
from studymarket.operations.manifest import DATABASE_NAME, MANIFEST_NAME, file_sha256, snapshot_verify
from studymarket.operations.retention import snapshot_name, snapshots_listed, snapshots_to_keep
from studymarket.operations.tasks import backup_daily, backup_daily_task

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="backup is the embedded profile's")


def _backup(target: Path) -> str:
    out = io.StringIO()
    call_command("backup", "--to", str(target), stdout=out)
    return out.getvalue()


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_snapshot_holds_the_database_the_files_and_a_manifest_of_them(data_dir, order_line, tmp_path):
    target = tmp_path / "snapshot"

    out = _backup(target)

    version = order_line.listing.document.current_version
    manifest = snapshot_verify(target)
    by_path = {entry.path: entry for entry in manifest.files}
    document = by_path[f"private/{version.file.name}"]
    assert (document.size, document.sha256) == (version.size_bytes, version.sha256)
    assert by_path[DATABASE_NAME].sha256 == file_sha256(target / DATABASE_NAME)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == sorted(
        [*by_path, MANIFEST_NAME]
    )
    assert manifest.database == "sqlite"
    assert manifest.search_index == "rebuilt"
    assert "0001_initial" in manifest.migrations["orders"]
    assert manifest.app_version.startswith("0.1.0")
    with sqlite3.connect(target / DATABASE_NAME) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
        assert copy.execute("SELECT number FROM orders_order").fetchall() == [(order_line.order.number,)]
    copy.close()
    assert f"Snapshot written to {target}: {len(manifest.files)} files" in out
    assert not list(tmp_path.glob("snapshot.partial*"))


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_backup_refuses_a_folder_that_is_not_empty(data_dir, tmp_path):
    target = tmp_path / "old"
    target.mkdir()
    (target / "something").write_text("x")

    with pytest.raises(CommandError, match="exists and is not empty: give a new folder"):
        _backup(target)
    assert [p.name for p in target.iterdir()] == ["something"]
    inside = data_dir / "private" / "backups"
    with pytest.raises(CommandError, match="is inside a storage folder it would copy"):
        _backup(inside)
    assert not inside.exists()


def test_manifest_is_json_with_its_own_checksum(tmp_path):
    body = {"a": 1}
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(body))
    from studymarket.operations.manifest import SnapshotInvalid, manifest_read

    with pytest.raises(SnapshotInvalid, match="does not match its own checksum or cannot be read"):
        manifest_read(tmp_path)


def _day(n: int, hour: int = 3) -> datetime:
    return datetime(2026, 12, 7, hour, tzinfo=UTC) - timedelta(days=n)


def test_retention_keeps_the_newest_of_each_of_7_days_and_4_weeks():
    # Two a day (03:00 and 15:00) for the last 60 days; 2026-12-07 is a Monday.
    moments = [_day(n, hour) for n in range(60) for hour in (3, 15)]

    kept = snapshots_to_keep(moments, daily=7, weekly=4)

    daily = {_day(n, 15) for n in range(7)}  # the newest of each of the last 7 days
    # The newest of the 4 newest ISO weeks: this week (today), then the Sundays before.
    weekly = {_day(0, 15), _day(1, 15), _day(8, 15), _day(15, 15)}
    assert kept == daily | weekly


def test_retention_keeps_everything_while_there_are_few():
    moments = [_day(0), _day(1), _day(30)]
    assert snapshots_to_keep(moments, daily=7, weekly=4) == set(moments)


def _fake_snapshot(folder: Path, moment: datetime) -> Path:
    path = folder / snapshot_name(moment)
    path.mkdir(parents=True)
    (path / MANIFEST_NAME).write_text("{}")
    return path


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_daily_backup_makes_one_a_day_and_prunes(data_dir, order_line, tmp_path, settings):
    settings.BACKUP_KEEP_DAILY, settings.BACKUP_KEEP_WEEKLY = 2, 0
    folder = tmp_path / "backups"
    now = datetime(2026, 12, 7, 10, tzinfo=UTC)
    old = [_fake_snapshot(folder, now - timedelta(days=n)) for n in (1, 2, 3)]
    (folder / "operator-notes.txt").write_text("not ours: never deleted")
    killed = folder / f"{snapshot_name(now - timedelta(days=2))}.partial-4242"
    running = folder / f"{snapshot_name(now - timedelta(hours=1))}.partial-4343"
    killed.mkdir()
    running.mkdir()

    made = backup_daily(folder=folder, moment=now)
    again = backup_daily(folder=folder, moment=now + timedelta(hours=5))

    assert made == str(folder / "studymarket-20261207T100000Z")
    assert again == ""
    snapshot_verify(Path(made))
    assert sorted(snapshots_listed(folder)) == [old[0], Path(made)]
    assert (folder / "operator-notes.txt").exists()
    assert not killed.exists()
    assert running.exists()


def test_daily_backup_is_periodic_only_when_a_folder_is_set(settings, tmp_path):
    settings.BACKUP_DIR = ""
    assert backup_daily_task not in [task for task, _ in periodic_tasks()]
    assert backup_daily_task.call() == ""
    settings.BACKUP_DIR = str(tmp_path)
    assert (backup_daily_task, float(settings.LEDGER_INTERVAL_SECONDS)) in periodic_tasks()


@pytest.mark.django_db
def test_files_check_names_a_missing_and_a_changed_document(data_dir, order_line, listing):
    out = io.StringIO()
    call_command("files_check", stdout=out)
    assert out.getvalue() == "files complete\n"

    version = listing.document.current_version
    path = Path(private_storage().path(version.file.name))
    path.write_bytes(path.read_bytes() + b"%")
    with pytest.raises(CommandError, match="1 stored file"):
        call_command("files_check", stdout=(out := io.StringIO()))
    assert out.getvalue() == (
        f"document version {version.pk}: {version.file.name} has {version.size_bytes + 1} bytes, "
        f"recorded {version.size_bytes}\n"
    )
    path.unlink()
    with pytest.raises(CommandError):
        call_command("files_check", stdout=(out := io.StringIO()))
    assert out.getvalue() == f"document version {version.pk}: {version.file.name} is missing\n"


def test_backup_at_scale_points_to_pg_dump_and_bucket_versioning(monkeypatch, tmp_path):
    from types import SimpleNamespace

    from studymarket.operations import backup

    embedded = SimpleNamespace(vendor="sqlite", settings_dict={"NAME": str(tmp_path / "db.sqlite3")})
    monkeypatch.setattr(backup, "connections", {"default": embedded})
    monkeypatch.setattr(backup, "storage_is_local", lambda storage: False)
    with pytest.raises(
        CommandError, match=r"object storage \(STORAGE=s3\).*Turn on versioning of the bucket"
    ):
        _backup(tmp_path / "snapshot")
    monkeypatch.setattr(backup, "connections", {"default": SimpleNamespace(vendor="postgresql")})
    with pytest.raises(CommandError, match="not SQLite: back it up with pg_dump or base backups"):
        _backup(tmp_path / "snapshot")
    assert not (tmp_path / "snapshot").exists()
