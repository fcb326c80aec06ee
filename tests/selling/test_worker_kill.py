"""A real `manage.py db_worker`, killed with SIGKILL while it processes an upload: the upload
stays "processing" (nobody is left to say otherwise) until `reconcile_uploads` finds its
heartbeat stale and queues it again; the next worker accepts it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.selling.services import upload_store
from tests.documents import hostile
from tests.documents.conftest import workspaces

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = Path(settings.BASE_DIR) / "manage.py"
PAGES = 100


def _database_url() -> str:
    """The test database, as DATABASE_URL for a subprocess."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{database['NAME']}"


def _environment(data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": _database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        **extra,
    }


def _manage(*args: str, data_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        env=_environment(data_dir, **extra),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def _wait_for(condition, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what}")
        time.sleep(0.05)


def test_a_killed_worker_leaves_no_upload_stuck_forever(seller, db_task_backend, data_dir):
    # A genuinely heavy upload: 100 pages of detailed drawings take the worker seconds.
    version = upload_store(
        seller=seller, file=ContentFile(hostile.drawings_pdf(pages=PAGES)), original_name="tekeningen.pdf"
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            str(MANAGE),
            "db_worker",
            "--queue-name",
            "*",
            "--interval",
            "0.1",
            "--no-startup-delay",
        ],
        env=_environment(data_dir),
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def midway() -> bool:
            current = DocumentVersion.objects.get(pk=version.pk)
            return current.status == VersionStatus.PROCESSING and current.pages_processed >= 10

        _wait_for(midway, seconds=120, what="the worker to be part-way through the upload")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    time.sleep(1)
    version.refresh_from_db()
    assert version.status == VersionStatus.PROCESSING
    assert 10 <= version.pages_processed < PAGES
    assert workspaces() != []  # the dead worker could not clean up after itself

    reconciled = _manage("reconcile_uploads", data_dir=data_dir, PROCESSING_STALE_SECONDS="0")
    assert f"[{version.pk}]" in reconciled.stdout
    version.refresh_from_db()
    assert (version.status, version.reason_code) == (VersionStatus.FAILED, "interrupted")
    assert workspaces() == []

    _manage("db_worker", "--queue-name", "*", "--batch", "--no-startup-delay", data_dir=data_dir)

    version.refresh_from_db()
    assert (version.status, version.page_count, version.attempts) == (VersionStatus.ACCEPTED, PAGES, 2)
    assert version.pages.count() == PAGES
    assert workspaces() == []
