"""What the seller tests build again and again: an upload through the real service, the draft
listing the describe form makes (without the finalising it queues), the preview pages drawn, and
the describe form's data."""

from django.core.files.base import ContentFile

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import Document, DocumentVersion
from studymarket.selling.services import upload_store
from tests.factories import ListingFactory
from tests.pdfs import pdf_bytes


def stored_upload(seller, *, pages: int = 5, document: Document | None = None) -> DocumentVersion:
    return upload_store(
        seller=seller,
        file=ContentFile(pdf_bytes(pages=pages)),
        original_name="samenvatting.pdf",
        document=document,
    )


def draft_listing(seller, document: Document, *, preview_page_count: int) -> Listing:
    return ListingFactory(
        seller=seller,
        document=document,
        status=ListingStatus.DRAFT,
        published_at=None,
        preview_page_count=preview_page_count,
    )


def preview_pages(listing: Listing) -> list[int]:
    version = Document.objects.get(pk=listing.document_id).current_version
    assert version is not None
    return list(version.pages.exclude(preview_image="").values_list("number", flat=True))


def describe_data(course, /, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Samenvatting Marketing",
        "description": "Alle hoofdstukken, met voorbeelden.",
        "course": str(course.pk),
        "academic_year": "2025/2026",
        "document_type": "summary",
        "language": "nl",
        "price": "9,49",
    }
    data.update(overrides)
    return data
