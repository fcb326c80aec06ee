"""The operator's round trip: a purchase, `manage.py backup --to DIR`, the data folder gone,
`manage.py restore DIR` into an empty one: the buyer still reads and downloads the document,
the ledger is balanced, every stored file is whole. A damaged or too new snapshot, or an
occupied data folder, is refused with nothing written."""

import io
import json
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from studymarket.operations.manifest import DATABASE_NAME, MANIFEST_NAME, file_sha256, manifest_read
from tests.operations.snapshots import files_under, manage, restored_facts

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="backup and restore are the embedded profile's"),
]


@pytest.fixture
def snapshot(data_dir, order_line, tmp_path: Path) -> Path:
    target: Path = tmp_path / "snapshot"
    call_command("backup", "--to", str(target), stdout=io.StringIO())
    return target


def test_restored_site_lets_the_buyer_read_and_download(snapshot, order_line, buyer, tmp_path):
    restored = tmp_path / "restored"

    result = manage("restore", str(snapshot), data_dir=restored)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert "ledger balanced" in lines
    assert "files_check: 0 problem(s)" in lines
    assert "Indexed 1 published listings (tantivy)." in lines
    facts = restored_facts(data_dir=restored, email=buyer.email)
    assert facts["read"] == 200
    assert (facts["download"], facts["pdf"]) == (200, "%PDF-")
    assert (
        facts["stored_sha256"]
        == facts["recorded_sha256"]
        == order_line.listing.document.current_version.sha256
    )
    assert facts["integrity"] == "ok"
    ledger = manage("ledger_check", data_dir=restored)
    assert (ledger.returncode, ledger.stdout.strip()) == (0, "ledger balanced")


def test_one_changed_byte_is_refused_and_nothing_is_written(snapshot, tmp_path):
    (document,) = files_under(snapshot / "private" / "documents")
    data = bytearray(document.read_bytes())
    data[len(data) // 2] ^= 0x01
    document.write_bytes(bytes(data))
    restored = tmp_path / "restored"

    result = manage("restore", str(snapshot), data_dir=restored)

    assert result.returncode == 1
    entry = next(e for e in manifest_read(snapshot).files if e.path.endswith(document.name))
    assert (
        f"Snapshot {snapshot} is damaged: {entry.path} does not match the manifest "
        f"(expected sha256 {entry.sha256}, {entry.size} bytes; found sha256 {file_sha256(document)}, "
        f"{entry.size} bytes). Nothing was restored; use another snapshot."
    ) in result.stderr
    assert files_under(restored) == []


def test_a_changed_manifest_is_refused(snapshot, tmp_path):
    manifest = snapshot / MANIFEST_NAME
    body = json.loads(manifest.read_text())
    body["app_version"] = "9.9.9"
    manifest.write_text(json.dumps(body))

    result = manage("restore", str(snapshot), data_dir=tmp_path / "restored")

    assert result.returncode == 1
    assert f"Snapshot {snapshot} is damaged: manifest.json does not match its own checksum" in result.stderr
    assert files_under(tmp_path / "restored") == []


def test_a_snapshot_newer_than_the_code_is_refused(snapshot, tmp_path):
    from studymarket.operations.manifest import FileEntry, manifest_write

    database = snapshot / DATABASE_NAME
    with sqlite3.connect(database) as copy:
        copy.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('orders', '9999_from_the_future', '2030-01-01')"
        )
    copy.close()
    old = manifest_read(snapshot)
    files = [
        FileEntry(path=e.path, size=database.stat().st_size, sha256=file_sha256(database))
        if e.path == DATABASE_NAME
        else e
        for e in old.files
    ]
    migrations = {**old.migrations, "orders": [*old.migrations["orders"], "9999_from_the_future"]}
    manifest_write(
        directory=snapshot, manifest=type(old)(**{**old.__dict__, "files": files, "migrations": migrations})
    )

    result = manage("restore", str(snapshot), data_dir=tmp_path / "restored")

    assert result.returncode == 1
    assert (
        "The snapshot's database is newer than this code (migrations orders.9999_from_the_future are unknown "
        f"here). Nothing was restored; install version {old.app_version} or later first."
    ) in result.stderr
    assert files_under(tmp_path / "restored") == []


def test_an_occupied_data_folder_is_refused(snapshot, tmp_path):
    restored = tmp_path / "restored"
    (restored / "private").mkdir(parents=True)
    (restored / "private" / "keep.txt").write_text("the operator's own data")

    result = manage("restore", str(snapshot), data_dir=restored)

    assert result.returncode == 1
    assert "The data folder is not empty" in result.stderr
    assert "move the data folder aside" in result.stderr
    assert files_under(restored) == [restored / "private" / "keep.txt"]
