"""Helpers of the backup and restore tests: `manage.py` in a subprocess on a data folder of
its own (restore writes the database file that this process's Django must not hold open), and
what a buyer sees of a restored site, read in that folder by a subprocess."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings

MARKER = "restored-facts: "

# Run in the restored site by `manage.py shell -c`: the buyer's entitlement, the reader page and
# the download through the real views, the stored file's bytes, SQLite's integrity check.
_FACTS = """
import hashlib, json
from django.db import connection
from django.test import Client
from django.urls import reverse
from studymarket.library.models import Entitlement
from studymarket.documents.models import DocumentVersion
entitlement = Entitlement.objects.select_related("buyer").get(buyer__email={email!r}, revoked_at__isnull=True)
version = DocumentVersion.objects.get(pk=entitlement.document.current_version_id)
client = Client()
client.force_login(entitlement.buyer, backend="django.contrib.auth.backends.ModelBackend")
read = client.get(reverse("library:read", args=[entitlement.document_id]))
url = reverse("library:download", args=[entitlement.document_id])
download = client.post(url)
if download.status_code == 202:
    download = client.post(url)
body = b"".join(download.streaming_content) if download.streaming else download.content
with version.file.open("rb") as stored:
    stored_sha256 = hashlib.sha256(stored.read()).hexdigest()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA integrity_check")
    integrity = cursor.fetchone()[0]
print({marker!r} + json.dumps({{
    "read": read.status_code, "download": download.status_code, "pdf": body[:5].decode("latin-1"),
    "stored_sha256": stored_sha256, "recorded_sha256": version.sha256, "integrity": integrity,
}}))
"""


def environment(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'studymarket.sqlite3'}",
        "SEARCH_INDEX_DIR": str(data_dir / "search"),
    }


def manage(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        cwd=settings.BASE_DIR,
        env=environment(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def restored_facts(*, data_dir: Path, email: str) -> dict[str, object]:
    shell = manage("shell", "-c", _FACTS.format(email=email, marker=MARKER), data_dir=data_dir)
    assert shell.returncode == 0, shell.stdout + shell.stderr
    (line,) = [line for line in shell.stdout.splitlines() if line.startswith(MARKER)]
    facts: dict[str, object] = json.loads(line.removeprefix(MARKER))
    return facts


def snapshot_count(database: Path, table: str) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        (count,) = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()  # noqa: S608 (our names)
    connection.close()
    return int(count)


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []
