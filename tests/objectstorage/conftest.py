"""Every test here runs the site on object storage: moto in server mode on 127.0.0.1 (one for
the session, tests/objectstorage/store.py), a bucket of the test's own with the public-read
policy on public/, and the S3 block of config/settings.py pointed at it (wiring.py)."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

from tests.objectstorage.store import MotoStore, free_port
from tests.objectstorage.wiring import Bucket, bucket_make, storages_on_bucket
from tests.reader_draws import reader_draws_finish


@pytest.fixture(scope="session")
def session_store() -> Iterator[MotoStore]:
    store = MotoStore(free_port())
    store.start()
    yield store
    store.stop()


@pytest.fixture
def store(session_store: MotoStore) -> Iterator[MotoStore]:
    """The store the test's bucket is in (the outage tests bring one of their own to stop)."""
    yield session_store
    session_store.check.clock = time.time


@pytest.fixture
def bucket(store: MotoStore) -> Bucket:
    return bucket_make(store)


@pytest.fixture(autouse=True)
def _on_object_storage(
    bucket: Bucket,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    db: None,
) -> Iterator[None]:
    # Workspaces (copies of stored files for pikepdf and the child process) in the test's folder.
    settings.DATA_DIR = tmp_path / "data"
    storages_on_bucket(bucket, settings, monkeypatch)
    yield
    reader_draws_finish()  # page draws still storing pages ahead end before the bucket goes
