"""Purchases with real PDFs in the private storage: what the library and reviews tests start from."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.core.storage import private_storage
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.orders.models import OrderLine
from tests.accounts.conftest import MODEL_BACKEND
from tests.documents.conftest import pdf_bytes
from tests.factories import ListingFactory, OrderLineFactory, SellerFactory, UserFactory, document_with_pages

PAGES = 5


def version_with_pdf(
    version: DocumentVersion, *, pages: int = PAGES, data: bytes | None = None
) -> DocumentVersion:
    """Give a factory-made version a real PDF in the private storage, and publish it."""
    data = data if data is not None else pdf_bytes(pages=pages)
    sha256 = hashlib.sha256(data).hexdigest()
    name = private_storage().save(f"documents/{version.document_id}/{sha256}.pdf", ContentFile(data))
    DocumentVersion.objects.filter(pk=version.pk).update(
        file=name, sha256=sha256, size_bytes=len(data), page_count=pages, status=VersionStatus.ACCEPTED
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
    """A paid order for ``listing`` (order_mark_paid: the buyer's entitlement, the sale), its line."""
    line: OrderLine = OrderLineFactory(buyer=buyer, listing=listing)
    return line


def login(client, user: User) -> None:
    client.force_login(user, backend=MODEL_BACKEND)


@pytest.fixture(autouse=True)
def _files_of_their_own(own_storage: None) -> None:
    """Every library test keeps its files in a folder of its own (tests/conftest.py)."""


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
