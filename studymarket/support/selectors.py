from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from studymarket.documents.models import DocumentVersion, OriginalityMatch, VersionStatus
from studymarket.trust.models import Notice
from studymarket.trust.selectors import notices_open

_WITH_SELLER_AND_LISTING = ("document__seller", "document__listing")


def held_upload_list() -> QuerySet[DocumentVersion]:
    """Uploads waiting for a staff decision, oldest first, with their closest match's similarity
    (an earlier upload's, ``top_similarity``; a registered work's, ``rights_similarity``)."""
    return (
        DocumentVersion.objects.filter(status=VersionStatus.HELD_FOR_REVIEW)
        .select_related(*_WITH_SELLER_AND_LISTING)
        .annotate(
            top_similarity=Max("originality_matches__similarity"),
            rights_similarity=Max("rights_holder_matches__similarity"),
        )
        .order_by("created_at", "pk")
    )


def upload_get(*, version_id: int) -> DocumentVersion:
    return DocumentVersion.objects.select_related(*_WITH_SELLER_AND_LISTING).get(pk=version_id)


def upload_match_list(*, version: DocumentVersion) -> QuerySet[OriginalityMatch]:
    """The earlier uploads this version overlaps, closest first."""
    return version.originality_matches.select_related(
        *(f"earlier_version__{path}" for path in _WITH_SELLER_AND_LISTING)
    ).order_by("-similarity", "earlier_version__created_at")


class ItemKind:
    NEAR_DUPLICATE = "near_duplicate"
    RIGHTS_HOLDER = "rights_holder"
    NOTICE = "notice"


@dataclass(frozen=True)
class QueueItem:
    """One thing staff have to decide on, whatever it is: a held upload or an open report."""

    kinds: list[tuple[str, str]]  # (ItemKind, label), one or more
    title: str
    url: str
    who: str  # the seller of the upload, or the reporter
    received_at: datetime
    deadline_at: datetime
    status: str
    similarity: float | None = None
    version: DocumentVersion | None = field(default=None, compare=False)

    @property
    def overdue(self) -> bool:
        return self.deadline_at < timezone.now()


def moderation_queue() -> list[QueueItem]:
    """Everything waiting for staff: uploads held as near-duplicates or for a rights holder, and
    open reports (trust.selectors.notices_open); the nearest deadline first, then the oldest."""
    items = [_upload_item(version) for version in held_upload_list()]
    items += [_notice_item(notice) for notice in notices_open()]
    return sorted(items, key=lambda item: (item.deadline_at, item.received_at))


def _upload_item(version: DocumentVersion) -> QueueItem:
    kinds = []
    top = getattr(version, "top_similarity", None)
    rights = getattr(version, "rights_similarity", None)
    if top is not None:
        kinds.append((ItemKind.NEAR_DUPLICATE, _("Lijkt op eerdere upload")))
    if rights is not None:
        kinds.append((ItemKind.RIGHTS_HOLDER, _("Materiaal van rechthebbende")))
    held_at = version.processed_at or version.updated_at
    listing = getattr(version.document, "listing", None)
    return QueueItem(
        kinds=kinds or [(ItemKind.NEAR_DUPLICATE, _("Tegengehouden upload"))],
        title=(listing.title if listing is not None else "") or version.original_name,
        url=reverse("support:upload_review", args=[version.pk]),
        who=version.document.seller.display_name,
        received_at=version.created_at,
        deadline_at=held_at + timedelta(hours=settings.MODERATION_HELD_UPLOAD_HOURS),
        status=version.get_status_display(),
        similarity=max((value for value in (top, rights) if value is not None), default=None),
        version=version,
    )


def _notice_item(notice: Notice) -> QueueItem:
    return QueueItem(
        kinds=[(ItemKind.NOTICE, _("Melding: %(kind)s") % {"kind": notice.get_kind_display()})],
        title=f"{notice.number} · {notice.listing.title}",
        url=notice.get_staff_url(),
        who=notice.reporter_name,
        received_at=notice.created_at,
        deadline_at=notice.deadline_at,
        status=notice.get_status_display(),
    )
