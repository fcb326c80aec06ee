from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, Subquery

from studymarket.documents.models import DocumentPage, DocumentVersion, VersionStatus
from studymarket.library.models import Download, Entitlement, StampedCopy
from studymarket.library.stamping import marks_read


def entitlement_active_get(*, user: Any, document_id: int) -> Entitlement | None:
    """The user's entitlement to read the document, if they bought it and were not refunded.

    Takes any user, anonymous ones too: the answer is then None.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Entitlement.objects.filter(buyer=user, document_id=document_id, revoked_at__isnull=True)
        .select_related("document__current_version", "document__listing")
        .order_by("-granted_at", "-pk")
        .first()
    )


def owned_document_ids(*, user: Any) -> set[int]:
    """The documents the user may read now (the cart refuses to sell them again)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Entitlement.objects.filter(buyer=user, revoked_at__isnull=True).values_list("document_id", flat=True)
    )


@dataclass(frozen=True)
class LibraryItem:
    """One row of "Mijn documenten"."""

    entitlement: Entitlement
    version: DocumentVersion | None  # the newest published version: the one the buyer gets
    copy: StampedCopy | None  # the buyer's PDF of that version, if one was asked for
    downloaded_version_number: int | None  # the newest version they downloaded, if any

    @property
    def new_version_available(self) -> bool:
        """A newer version came out since the buyer last downloaded the PDF."""
        return (
            self.version is not None
            and self.downloaded_version_number is not None
            and self.version.number > self.downloaded_version_number
        )


def library_items(*, user: Any) -> list[LibraryItem]:
    """Every document the user may read, the most recently updated first."""
    if not getattr(user, "is_authenticated", False):
        return []
    newest_download = (
        Download.objects.filter(entitlement=OuterRef("pk"))
        .order_by("-stamped_copy__version__number")
        .values("stamped_copy__version__number")[:1]
    )
    entitlements = list(
        Entitlement.objects.filter(buyer=user, revoked_at__isnull=True)
        # "order_line" (orders' link to the entitlement, read back) only for the id in the
        # "Geld terug aanvragen" link: the page shows nothing else of the order.
        .select_related("document__current_version", "document__listing", "order_line")
        .annotate(downloaded_version_number=Subquery(newest_download))
        .order_by(F("document__current_version__created_at").desc(nulls_last=True), "-granted_at", "-pk")
    )
    copies: dict[tuple[int, int | None], StampedCopy] = {
        (c.entitlement_id, c.version_id): c
        for c in StampedCopy.objects.filter(entitlement__in=entitlements).only(
            "pk", "entitlement_id", "version_id", "status", "size_bytes"
        )
    }
    return [
        LibraryItem(
            entitlement=e,
            version=e.document.current_version,
            copy=copies.get((e.pk, e.document.current_version_id)),
            downloaded_version_number=e.downloaded_version_number,
        )
        for e in entitlements
    ]


def reader_version_get(*, entitlement: Entitlement, version_id: int) -> DocumentVersion | None:
    """The entitled document's current version, or an earlier published one (a reader left
    open when a newer version comes out keeps loading its pages); None for any other."""
    return (
        DocumentVersion.objects.filter(pk=version_id, document_id=entitlement.document_id)
        .filter(Q(status=VersionStatus.ACCEPTED) | Q(pk=entitlement.document.current_version_id))
        .first()
    )


def reader_page_texts(*, version: DocumentVersion) -> dict[int, str]:
    """Each page's text by number: the reader offers it beside the image (screen readers,
    copying a sentence)."""
    return dict(DocumentPage.objects.filter(version=version).values_list("number", "text"))


def stamped_copy_find(*, pdf_bytes: bytes) -> StampedCopy | None:
    """The copy a (leaked) PDF was made from, by the mark in its /ID or XMP metadata; it
    names the buyer and the order (copy.entitlement.buyer, .order_number)."""
    marks = marks_read(pdf_bytes)
    if not marks:
        return None
    found = {
        c.mark: c
        for c in StampedCopy.objects.filter(mark__in=marks).select_related("entitlement__buyer", "version")
    }
    return next((found[m] for m in marks if m in found), None)
