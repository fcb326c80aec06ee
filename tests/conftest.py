"""Fixtures for every test. The environment itself is set in tests/__init__.py."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import Storage, storages
from django.utils import translation
from pytest_django import Settings

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_configure(config: pytest.Config) -> None:
    if not settings.TESTING:
        raise pytest.UsageError("STUDYMARKET_TESTING is off: run pytest from the project root.")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/browser/ needs Chromium; `-m "not browser"` leaves it out.
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _clear_caches() -> Iterator[None]:
    """Each test starts with empty caches (local memory, see tests/__init__.py)."""
    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language (Dutch). A request through the test client
    leaves its language active in this thread, and reverse() would go on using it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _search_index_dir(settings: Settings, tmp_path: Path) -> None:
    """Each test searches (and indexes into) an index folder of its own."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"


@pytest.fixture
def db_task_backend(settings: Settings, db: None) -> None:
    """Enqueue tasks in the database, as production does, instead of running them inline."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def ledger_balanced(db: None) -> Iterator[None]:
    """Put it on every money test: after the test, `manage.py ledger_check` must say "ledger
    balanced" (every journal sums to zero, balances match their entries, sales, refunds and
    payouts match their journals; support.ledger_health)."""
    yield
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    try:
        call_command("ledger_check", "--no-record", stdout=out)
    except CommandError:
        pytest.fail("ledger_check found violations:\n" + out.getvalue())
    assert out.getvalue().strip() == "ledger balanced"


@pytest.fixture
def own_storage(tmp_path: Path) -> Iterator[None]:
    """Private and public files in this test's own folder: ids are used again after each
    test's rollback, and so would be the paths made from them (stale copies, stale pages).
    The library's and the reviews' tests use it for every test (their conftests).

    The file fields hold the storage objects made at start-up, so those very objects are
    pointed elsewhere (overriding STORAGES would make new ones that the fields never see).
    """
    from studymarket.documents.models import DocumentPage, DocumentVersion
    from studymarket.library.models import StampedCopy

    objects = {
        id(s): (alias, s)
        for alias, s in [
            ("private", storages["default"]),
            ("private", StampedCopy._meta.get_field("file").storage),
            ("private", DocumentVersion._meta.get_field("file").storage),
            ("public", storages["public"]),
            ("public", DocumentPage._meta.get_field("preview_image").storage),
        ]
    }
    before = {key: s._location for key, (_, s) in objects.items()}  # type: ignore[attr-defined]
    for alias, storage in objects.values():
        storage._location = str(tmp_path / alias)  # type: ignore[attr-defined]
        _forget_location(storage)
    yield
    for key, (_, storage) in objects.items():
        storage._location = before[key]  # type: ignore[attr-defined]
        _forget_location(storage)


def _forget_location(storage: Storage) -> None:
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
