"""Purchases with real PDFs in the private storage: what the library and reviews tests start from."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.core.storage import private_storage
from studymarket.documents.models import DocumentPage, DocumentVersion, VersionStatus
from studymarket.library.models import StampedCopy
from studymarket.library.services import entitlements_grant
from studymarket.orders.models import OrderLine
from studymarket.orders.services import order_create, order_mark_paid
from tests.accounts.conftest import MODEL_BACKEND
from tests.documents.conftest import pdf_bytes
from tests.factories import ListingFactory, SellerFactory, UserFactory, document_with_pages

PAGES = 5


def version_with_pdf(
    version: DocumentVersion, *, pages: int = PAGES, data: bytes | None = None
) -> DocumentVersion:
    """Give a factory-made version a real PDF in the private storage, and publish it."""
    data = data if data is not None else pdf_bytes(pages=pages)
    sha256 = hashlib.sha256(data).hexdigest()
    name = private_storage().save(f"documents/{version.document_id}/{sha256}.pdf", ContentFile(data))
    DocumentVersion.objects.filter(pk=version.pk).update(
        file=name, sha256=sha256, size_bytes=len(data), page_count=pages, status=VersionStatus.PUBLISHED
    )
    version.refresh_from_db()
    return version


def listing_with_pdf(*, pages: int = PAGES, **fields: object) -> Listing:
    seller = SellerFactory()
    listing: Listing = ListingFactory(
        seller=seller, document=document_with_pages(seller=seller, page_count=pages), **fields
    )
    version = listing.document.current_version
    assert version is not None
    version_with_pdf(version, pages=pages)
    listing.document.refresh_from_db()
    return listing


def purchase(*, buyer: User, listing: Listing) -> OrderLine:
    """A paid order for ``listing`` and the buyer's entitlement (granted again here: until
    order_mark_paid grants it, and harmlessly after, as granting is idempotent)."""
    order = order_create(buyer=buyer, listings=[listing])
    order_mark_paid(order_id=order.pk)
    entitlements_grant(order_id=order.pk)
    line: OrderLine = order.lines.get()
    return line


def login(client, user: User) -> None:
    client.force_login(user, backend=MODEL_BACKEND)


@pytest.fixture(autouse=True)
def _own_storage(tmp_path: Path) -> Iterator[None]:
    """Private and public files in this test's own folder: ids are used again after each
    test's rollback, and so would be the paths made from them (stale copies, stale pages).

    The file fields hold the storage objects made at start-up, so those very objects are
    pointed elsewhere (overriding STORAGES would make new ones that the fields never see).
    """
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
    for _alias, storage in objects.values():
        storage._location = str(tmp_path / _alias)  # type: ignore[attr-defined]
        _forget_location(storage)
    yield
    for key, (_, storage) in objects.items():
        storage._location = before[key]  # type: ignore[attr-defined]
        _forget_location(storage)


def _forget_location(storage: Storage) -> None:
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


@pytest.fixture
def listing(db: None) -> Listing:
    return listing_with_pdf(title="Account Management Samenvatting")


@pytest.fixture
def buyer(db: None) -> User:
    user: User = UserFactory(email="anna@example.nl", first_name="Anna", last_name="de Vries")
    return user


@pytest.fixture
def order_line(buyer: User, listing: Listing) -> OrderLine:
    return purchase(buyer=buyer, listing=listing)
