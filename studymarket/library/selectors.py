import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet

from studymarket.core import clock
from studymarket.documents.extraction import extraction_workspace
from studymarket.documents.models import DocumentPage, DocumentVersion, VersionStatus
from studymarket.library.models import Download, Entitlement, StampedCopy
from studymarket.library.tracing import Evidence, PdfTraces, TraceUnreadable, pdf_traces_read


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


def entitlement_ended_get(*, user: Any, document_id: int) -> Entitlement | None:
    """The user's most recent entitlement to the document if it was revoked (a refund, a
    chargeback, an upheld notice) and none is active: the reader then says why access ended."""
    if not getattr(user, "is_authenticated", False):
        return None
    entitlements = Entitlement.objects.filter(buyer=user, document_id=document_id)
    if entitlements.filter(revoked_at__isnull=True).exists():
        return None
    return (
        entitlements.select_related("document__listing", "order_line").order_by("-revoked_at", "-pk").first()
    )


def guarantee_deadline(granted_at: datetime) -> datetime:
    """The end of the satisfaction guarantee's window for a purchase paid at ``granted_at``
    (order_mark_paid grants at the payment's time). The one statement of the window: here,
    below payments, so that the library's download note and payments.refunds.policy's
    guarantee_check both use it (tests/library/test_guarantee_note.py checks that they agree)."""
    return granted_at + timedelta(days=settings.GUARANTEE_WINDOW_DAYS)


def guarantee_lost_by_download(*, entitlement: Entitlement) -> datetime | None:
    """The window's end while a download of the PDF would cost the buyer the automatic refund
    (an active entitlement, within the window, never downloaded; reading online does not
    count), else None."""
    if entitlement.revoked_at is not None:
        return None
    downloaded = Download.objects.filter(entitlement_id=entitlement.pk).exists()
    return _guarantee_until(entitlement.granted_at, downloaded=downloaded, now=clock.now())


def _guarantee_until(granted_at: datetime, *, downloaded: bool, now: datetime) -> datetime | None:
    deadline = guarantee_deadline(granted_at)
    return None if downloaded or now > deadline else deadline


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
    # While a download would end the automatic refund: the guarantee window's end (the
    # "Download PDF" button says so), else None. See guarantee_lost_by_download().
    guarantee_until: datetime | None = None

    @property
    def new_version_available(self) -> bool:
        """A newer version came out since the buyer last downloaded the PDF."""
        return (
            self.version is not None
            and self.downloaded_version_number is not None
            and self.version.number > self.downloaded_version_number
        )


# What "Mijn documenten" shows of each entitlement and what it hangs from (library/index.html and
# _download.html); the rest of those wide rows is left out, since this page is read on every visit
# (issue 14). A field the page starts to show must be added here, or each row costs a query
# (tests/library/test_views.py, test_my_documents_takes_the_same_queries_for_many_documents).
_LIBRARY_FIELDS = (
    "document_id",
    "order_number",
    "granted_at",
    "document__current_version_id",
    "document__current_version__number",
    "document__current_version__created_at",
    "document__current_version__page_count",
    "document__listing__title",
    "document__listing__slug",
    "order_line__id",
)


def library_items(*, user: Any) -> list[LibraryItem]:
    """Every document the user may read, the most recently updated first."""
    if not getattr(user, "is_authenticated", False):
        return []
    entitlements = list(
        Entitlement.objects.filter(buyer=user, revoked_at__isnull=True)
        # "order_line" (orders' link to the entitlement, read back) only for the id in the
        # "Geld terug aanvragen" link: the page shows nothing else of the order.
        .select_related("document__current_version", "document__listing", "order_line")
        .only(*_LIBRARY_FIELDS)
        .order_by(F("document__current_version__created_at").desc(nulls_last=True), "-granted_at", "-pk")
    )
    if not entitlements:
        return []
    ids = [e.pk for e in entitlements]
    copies: dict[tuple[int, int | None], StampedCopy] = {
        (c.entitlement_id, c.version_id): c
        for c in StampedCopy.objects.filter(entitlement_id__in=ids).only(
            "pk", "entitlement_id", "version_id", "status", "size_bytes"
        )
    }
    # The newest version each buyer downloaded: a plain query beside the list, which costs less
    # than a subquery per row in it.
    downloaded: dict[int, int] = {}
    for entitlement_id, number in Download.objects.filter(entitlement_id__in=ids).values_list(
        "entitlement_id", "stamped_copy__version__number"
    ):
        downloaded[entitlement_id] = max(number, downloaded.get(entitlement_id, number))
    now = clock.now()
    return [
        LibraryItem(
            entitlement=e,
            version=e.document.current_version,
            copy=copies.get((e.pk, e.document.current_version_id)),
            downloaded_version_number=downloaded.get(e.pk),
            guarantee_until=_guarantee_until(e.granted_at, downloaded=e.pk in downloaded, now=now),
        )
        for e in entitlements
    ]


def reader_version_get(*, entitlement: Entitlement, version_id: int) -> DocumentVersion | None:
    """The entitled document's current version, or an earlier published one (a reader left
    open when a newer version comes out keeps loading its pages); None for any other. The
    current one (almost every page image asked for) costs no query: the entitlement brought it."""
    if version_id == entitlement.document.current_version_id:
        return entitlement.document.current_version
    return (
        DocumentVersion.objects.filter(pk=version_id, document_id=entitlement.document_id)
        .filter(Q(status=VersionStatus.ACCEPTED) | Q(pk=entitlement.document.current_version_id))
        .first()
    )


def reader_page_texts(*, version: DocumentVersion) -> dict[int, str]:
    """Each page's text by number: the reader offers it beside the image (screen readers,
    copying a sentence)."""
    return dict(DocumentPage.objects.filter(version=version).values_list("number", "text"))


@dataclass(frozen=True)
class CopyTrace:
    """The copy a PDF was made from, the traces in it that point there, and its downloads."""

    copy: StampedCopy
    evidence: list[Evidence]
    downloads: list[Download]


def stamped_copy_trace(*, traces: PdfTraces) -> CopyTrace | None:
    """The copy a PDF's traces (library.tracing.pdf_traces_read) lead to: by the mark in the
    page content, then the one in the /ID, then the one in the XMP, then the visible line's
    order number; None when none of them is ours.

    An order number alone names an order, which may hold several documents, each with a copy
    per version: the copy whose version's pages the PDF's pages contain wins."""
    copy = _copy_by_mark([*traces.content_marks, *traces.id_marks, *traces.xmp_marks])
    if copy is None:
        copy = _copy_by_order_number(traces)
    if copy is None:
        return None
    found = {
        Evidence.CONTENT: copy.mark in traces.content_marks,
        Evidence.DOCUMENT_ID: copy.mark in traces.id_marks,
        Evidence.XMP: copy.mark in traces.xmp_marks,
        Evidence.VISIBLE: copy.entitlement.order_number in traces.order_numbers,
    }
    downloads = list(copy.downloads.order_by("downloaded_at", "pk"))
    return CopyTrace(copy=copy, evidence=[kind for kind, yes in found.items() if yes], downloads=downloads)


def _copies() -> QuerySet[StampedCopy]:
    return StampedCopy.objects.select_related(
        "entitlement__buyer",
        "entitlement__document__listing",
        "entitlement__document__seller__user",
        "version",
    )


def _copy_by_mark(marks: list[str]) -> StampedCopy | None:
    if not marks:
        return None
    found = {c.mark: c for c in _copies().filter(mark__in=marks)}
    return next((found[m] for m in marks if m in found), None)


_SPACE = re.compile(r"\s+")


def _copy_by_order_number(traces: PdfTraces) -> StampedCopy | None:
    for number in traces.order_numbers:
        candidates = list(_copies().filter(entitlement__order_number=number).order_by("-created_at", "-pk"))
        if len(candidates) > 1:
            leaked = [_SPACE.sub("", text) for text in traces.page_texts]
            candidates.sort(key=lambda copy: -_pages_contained(copy.version_id, leaked))
        if candidates:
            return candidates[0]
    return None


def _pages_contained(version_id: int, leaked: list[str]) -> int:
    """How many of the version's pages (text, spaces ignored) are found in the leaked pages."""
    count = 0
    for text in DocumentPage.objects.filter(version_id=version_id).values_list("text", flat=True).iterator():
        own = _SPACE.sub("", text)
        if own and any(own in page for page in leaked):
            count += 1
    return count


def stamped_copy_find(*, pdf_bytes: bytes) -> StampedCopy | None:
    """The copy a (leaked) PDF was made from (stamped_copy_trace), read in the sandbox; None
    when it carries nothing of ours or cannot be read. It names the buyer and the order
    (copy.entitlement.buyer, .order_number)."""
    with extraction_workspace() as workdir:
        path = workdir / "leak.pdf"
        path.write_bytes(pdf_bytes)
        try:
            traces = pdf_traces_read(path, workdir=workdir)
        except TraceUnreadable:
            return None
    found = stamped_copy_trace(traces=traces)
    return found.copy if found else None
