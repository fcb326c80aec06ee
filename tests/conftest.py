"""Fixtures for every test, and those that tests in several folders share. The environment
itself is set in tests/__init__.py; plain helpers live in modules of their own (tests/pdfs.py,
tests/purchases.py, ...), never in a conftest."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import Storage, storages
from django.utils import translation
from pytest_django import Settings

from studymarket.accounts.models import SellerProfile, User
from studymarket.catalog.models import Listing
from studymarket.core.storage import private_storage, public_storage
from studymarket.orders.models import OrderLine
from tests.factories import SellerFactory, UserFactory
from tests.purchases import listing_with_pdf, purchase
from tests.smtp import Inbox, free_port
from tests.xdist_units import PackageUnits

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_configure(config: pytest.Config) -> None:
    if not settings.TESTING:
        raise pytest.UsageError("STUDYMARKET_TESTING is off: run pytest from the project root.")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> PackageUnits | None:
    """``--dist loadgroup``: tests/demo/ in one piece on one worker (tests/xdist_units.py)."""
    if config.getvalue("dist") == "loadgroup":
        return PackageUnits(config, log)
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/browser/ needs Chromium; `-m "not browser"` leaves it out.
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _storages_stay_the_objects_the_fields_hold() -> Iterator[None]:
    """File fields hold the storage objects made when their models were defined. A test that
    overrides STORAGES (tests/objectstorage/) makes Django forget those objects, and restoring
    the setting makes new ones: a file saved through `private_storage()` would then be looked
    for through the field's old object, elsewhere. When STORAGES is back to what it was, the
    field's objects are put back."""
    from django.core.files.storage import default_storage
    from django.core.signals import setting_changed
    from django.utils.functional import empty

    from studymarket.documents.models import DocumentPage, DocumentVersion

    original = settings.STORAGES
    objects = {
        "default": DocumentVersion._meta.get_field("file").storage,
        "public": DocumentPage._meta.get_field("preview_image").storage,
    }

    def put_back(*, setting: str, **kwargs: object) -> None:
        if setting == "STORAGES" and settings.STORAGES == original:
            storages._storages.update(objects)  # type: ignore[attr-defined]
            default_storage._wrapped = empty  # type: ignore[attr-defined]

    setting_changed.connect(put_back, weak=False)
    yield
    setting_changed.disconnect(put_back)


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
    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}


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


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder of the test's own, laid out as DATA_DIR is (private/, public/, tmp/), so
    it can tell exactly which files it made and left (tests/data_files.py); a subprocess given
    it as DATA_DIR sees the same files. The documents' and the selling tests use it for every
    test (their conftests)."""
    root = tmp_path / "data"
    settings.DATA_DIR = root
    by_kind = {"private": private_storage(), "public": public_storage()}
    for kind, storage in by_kind.items():
        monkeypatch.setattr(storage, "_location", str(root / kind))
        _forget_location(storage)
    yield root
    monkeypatch.undo()
    for storage in by_kind.values():
        _forget_location(storage)


def _forget_location(storage: Storage) -> None:
    # FileSystemStorage caches its folder; the next use reads _location again.
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


@pytest.fixture
def seller(db: None) -> SellerProfile:
    profile: SellerProfile = SellerFactory()
    return profile


# A purchase with a real PDF (tests/purchases.py): what the library's and the reviews' tests
# start from. tests/checkout/conftest.py has a buyer of its own, one who signs in with a password.


@pytest.fixture
def buyer(db: None) -> User:
    user: User = UserFactory(email="anna@example.nl", first_name="Anna", last_name="de Vries")
    return user


@pytest.fixture
def listing(db: None) -> Listing:
    return listing_with_pdf(title="Account Management Samenvatting")


@pytest.fixture
def order_line(buyer: User, listing: Listing) -> OrderLine:
    return purchase(buyer=buyer, listing=listing)


@pytest.fixture
def smtp_inbox(settings: Settings) -> Iterator[Inbox]:
    """Django sends real SMTP to a server on 127.0.0.1 for the length of the test (tests/smtp.py)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield inbox
    finally:
        controller.stop()
