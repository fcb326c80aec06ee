from django.db.models import QuerySet

from studymarket.documents.models import DocumentPage, DocumentVersion, TocEntry


def preview_pages(*, version: DocumentVersion, count: int) -> QuerySet[DocumentPage]:
    """The first ``count`` pages: the ones anyone may see before buying."""
    return version.pages.filter(number__lte=count).order_by("number")


def toc_entries(*, version: DocumentVersion) -> QuerySet[TocEntry]:
    return version.toc_entries.order_by("position")
