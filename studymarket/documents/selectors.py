from django.db.models import QuerySet

from studymarket.accounts.models import SellerProfile
from studymarket.documents.models import Document, DocumentPage, DocumentVersion, TocEntry


def preview_pages(*, version: DocumentVersion, count: int) -> QuerySet[DocumentPage]:
    """The first ``count`` pages: the ones anyone may see before buying."""
    return version.pages.filter(number__lte=count).order_by("number")


def toc_entries(*, version: DocumentVersion) -> QuerySet[TocEntry]:
    return version.toc_entries.order_by("position")


def document_find(*, seller: SellerProfile, original_name: str) -> Document | None:
    """The seller's document whose current version was uploaded under this name, if any."""
    return (
        Document.objects.filter(seller=seller, current_version__original_name=original_name)
        .select_related("current_version")
        .order_by("pk")
        .first()
    )
