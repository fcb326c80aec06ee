"""Purchases with real PDFs in the private storage: what the library's, the reviews' and the
refund tests start from (so are the buyer, listing and order_line fixtures, tests/conftest.py).
A test that stores them keeps its files in a folder of its own (the own_storage fixture)."""

import hashlib

from django.core.files.base import ContentFile

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.core.storage import private_storage
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.orders.models import OrderLine
from tests.factories import ListingFactory, OrderLineFactory, SellerFactory, document_with_pages
from tests.pdfs import pdf_bytes

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
