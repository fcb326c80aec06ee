from django.db.models import Max, QuerySet

from studymarket.documents.models import DocumentVersion, OriginalityMatch, VersionStatus

_WITH_SELLER_AND_LISTING = ("document__seller", "document__listing")


def held_upload_list() -> QuerySet[DocumentVersion]:
    """Uploads waiting for a staff decision, oldest first, with their closest match's similarity."""
    return (
        DocumentVersion.objects.filter(status=VersionStatus.HELD_FOR_REVIEW)
        .select_related(*_WITH_SELLER_AND_LISTING)
        .annotate(top_similarity=Max("originality_matches__similarity"))
        .order_by("created_at", "pk")
    )


def upload_get(*, version_id: int) -> DocumentVersion:
    return DocumentVersion.objects.select_related(*_WITH_SELLER_AND_LISTING).get(pk=version_id)


def upload_match_list(*, version: DocumentVersion) -> QuerySet[OriginalityMatch]:
    """The earlier uploads this version overlaps, closest first."""
    return version.originality_matches.select_related(
        *(f"earlier_version__{path}" for path in _WITH_SELLER_AND_LISTING)
    ).order_by("-similarity", "earlier_version__created_at")
