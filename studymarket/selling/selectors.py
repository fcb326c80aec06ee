"""What the seller's pages read: their documents and where each stands, the page count the
preview choice is about, and the suggestions the describe form offers."""

from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Course, Institution, Listing, ListingStatus, Programme
from studymarket.catalog.reputation import Reputation, seller_reputation
from studymarket.core.money import Money
from studymarket.core.pricing import PriceBreakdown, price_breakdown
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.originality import own_original_document_id
from studymarket.documents.reasons import Reason
from studymarket.documents.rejections import reason_text
from studymarket.orders.models import SELLER_SHARE_CENTS, OrderLine

SUGGESTIONS_MAX = 10
_SEARCH_WORDS_MAX = 5


class Phase(models.TextChoices):
    """Where a seller's document stands, as the status panel and the dashboard tell it."""

    PROCESSING = (
        "processing",
        gettext_lazy("Wordt verwerkt"),
    )  # the newest version is uploaded or being processed
    DESCRIBE = (
        "describe",
        gettext_lazy("Beschrijving nodig"),
    )  # processed; waiting for the seller's description
    PUBLISHING = (
        "publishing",
        gettext_lazy("Wordt online gezet"),
    )  # described; the finalize task is on its way
    PUBLISHED = "published", gettext_lazy("Online")
    OFFLINE = "offline", gettext_lazy("Offline")
    # Taken down by staff after a notice (trust): the seller received a statement of reasons
    # by e-mail, with how to appeal; only staff bring it back.
    TAKEN_DOWN = "taken_down", gettext_lazy("Offline gehaald na een melding")
    HELD = "held", gettext_lazy("Wacht op controle")
    REJECTED = "rejected", gettext_lazy("Geweigerd")
    FAILED = "failed", gettext_lazy("Mislukt")


@dataclass(frozen=True)
class SellerDocument:
    document: Document
    version: DocumentVersion  # the newest, whatever its state
    listing: Listing | None

    @property
    def phase(self) -> Phase:
        status = self.version.status
        if status in (VersionStatus.UPLOADED, VersionStatus.PROCESSING):
            return Phase.PROCESSING
        if status == VersionStatus.HELD_FOR_REVIEW:
            return Phase.HELD
        if status == VersionStatus.REJECTED:
            return Phase.REJECTED
        if status == VersionStatus.FAILED:
            return Phase.FAILED
        if self.listing is None:
            return Phase.DESCRIBE
        if self.listing.status == ListingStatus.DRAFT:
            return Phase.PUBLISHING
        if self.listing.status == ListingStatus.UNPUBLISHED:
            return Phase.OFFLINE
        if self.listing.status == ListingStatus.TAKEN_DOWN:
            return Phase.TAKEN_DOWN
        return Phase.PUBLISHED

    @property
    def polling(self) -> bool:
        """Whether something is running that the seller waits for."""
        return self.phase in (Phase.PROCESSING, Phase.PUBLISHING)

    @property
    def title(self) -> str:
        return self.listing.title if self.listing else self.version.original_name

    @property
    def reason(self) -> str:
        """Why the newest version was refused or failed, in the seller's language."""
        if self.version.reason_code:
            return str(reason_text(self.version.reason_code, self.version.reason_params))
        return self.version.status_reason

    @property
    def earnings(self) -> PriceBreakdown | None:
        return price_breakdown(self.listing.price) if self.listing else None

    @property
    def can_upload_new_version(self) -> bool:
        # Versions are for a described document with a version that went through; a refused
        # first upload is replaced by a new upload instead.
        return self.listing is not None and self.document.current_version_id is not None and not self.polling

    @property
    def shows_describe_form(self) -> bool:
        """The description form is for a document that can go on sale: not under a refusal of
        a first upload (a refused new version of a document on sale keeps its form)."""
        return not (self.phase == Phase.REJECTED and self.document.current_version_id is None)

    @property
    def can_delete(self) -> bool:
        """A refused draft: its only versions were refused and it was never on sale (no version
        was ever accepted, so no listing of it was sold). selling.deletion checks it again."""
        return self.phase == Phase.REJECTED and self.document.current_version_id is None

    @property
    def conversion_percent(self) -> float | None:
        """Sales per view of the listing, in percent; None before anyone viewed it."""
        if self.listing is None or not self.listing.view_count:
            return None
        return 100 * self.listing.sold_count / self.listing.view_count

    @cached_property
    def own_original(self) -> "SellerDocument | None":
        """For an upload refused as an exact copy of the seller's OWN other document: that
        document (they meant a new version of it); None otherwise."""
        if self.phase != Phase.REJECTED or self.version.reason_code != Reason.EXACT_COPY:
            return None
        document_id = own_original_document_id(version=self.version)
        if document_id is None:
            return None
        original = _with_versions(Document.objects.filter(seller_id=self.document.seller_id, pk=document_id))
        found = original.first()
        return _seller_document(found) if found is not None and found.versions.all() else None

    @cached_property
    def version_rows(self) -> list["VersionRow"]:
        """The versions table, newest first, each with the state the seller can trust: an
        accepted version is "Online" only while its listing is on sale."""
        return [self._version_row(version) for version in self.document.versions.all()]

    def _version_row(self, version: DocumentVersion) -> "VersionRow":
        current = version.pk == self.document.current_version_id
        online = current and self.listing is not None and self.listing.status == ListingStatus.PUBLISHED
        if version.status != VersionStatus.ACCEPTED:
            label = str(version.get_status_display())
        elif not current and self.document.current_version_id is not None:
            label = str(gettext_lazy("Vervangen door een nieuwere versie"))
        elif self.listing is None:
            label = str(Phase.DESCRIBE.label)
        else:
            label = str(_LISTING_LABELS.get(ListingStatus(self.listing.status), Phase.PUBLISHED.label))
        return VersionRow(version=version, label=label, current=current, online=online)


@dataclass(frozen=True)
class VersionRow:
    version: DocumentVersion
    label: str
    current: bool  # the version buyers get
    online: bool  # and it is on sale now


# What an accepted current version is, by its listing's state.
_LISTING_LABELS = {
    ListingStatus.DRAFT: Phase.PUBLISHING.label,
    ListingStatus.PUBLISHED: Phase.PUBLISHED.label,
    ListingStatus.UNPUBLISHED: Phase.OFFLINE.label,
    ListingStatus.TAKEN_DOWN: Phase.TAKEN_DOWN.label,
}


def _with_versions(queryset: QuerySet[Document]) -> QuerySet[Document]:
    return queryset.select_related("listing", "current_version").prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
    )


def _seller_document(document: Document) -> SellerDocument:
    versions = list(document.versions.all())  # prefetched, newest first
    try:
        listing: Listing | None = document.listing
    except Listing.DoesNotExist:
        listing = None
    return SellerDocument(document=document, version=versions[0], listing=listing)


# What the dashboard shows of each document (selling/dashboard.html, SellerDocument.phase, .title,
# .earnings, .can_upload_new_version): the seller's main page reads only these columns of the
# wide rows (issue 14). A field the dashboard starts to show must be added here, or each row costs
# a query (tests/selling/test_dashboard_queries.py counts them).
_DASHBOARD_DOCUMENT_FIELDS = (
    "created_at",
    "current_version_id",
    "listing__title",
    "listing__price_cents",
    "listing__status",
    "listing__sold_count",
    "listing__view_count",
)
_DASHBOARD_VERSION_FIELDS = ("document_id", "number", "status", "original_name")


def seller_document_list(*, seller: SellerProfile) -> list[SellerDocument]:
    """The seller's documents for the dashboard, the newest first."""
    documents = (
        Document.objects.filter(seller=seller)
        .order_by("-created_at", "-pk")
        .select_related("listing")
        .only(*_DASHBOARD_DOCUMENT_FIELDS)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.order_by("-number").only(*_DASHBOARD_VERSION_FIELDS),
            )
        )
    )
    return [_seller_document(document) for document in documents if document.versions.all()]


@dataclass(frozen=True)
class DashboardRow:
    state: SellerDocument
    earned: Money | None  # the seller's share of the listing's paid, not refunded sales

    @property
    def conversion_percent(self) -> float | None:
        return self.state.conversion_percent


@dataclass(frozen=True)
class SellerDashboard:
    rows: list[DashboardRow]
    views: int
    sales: int
    earned: Money
    reputation: Reputation

    @property
    def conversion_percent(self) -> float | None:
        """Sales per view over all the seller's listings, in percent; None before any view."""
        return 100 * self.sales / self.views if self.views else None

    @property
    def tier_progress(self) -> tuple[int, int] | None:
        """(points into the current step, points the step takes) towards the next tier."""
        reputation = self.reputation
        if reputation.next_tier is None:
            return None
        start = reputation.tier.min_points if reputation.tier else 0
        return reputation.points - start, reputation.next_tier.min_points - start


def seller_dashboard(*, seller: SellerProfile) -> SellerDashboard:
    """The seller's main page: each document with its views, sales, conversion and earnings,
    the totals, and the seller's reputation tier. A fixed number of queries, however many
    documents (tests/selling/test_dashboard_queries.py)."""
    documents = seller_document_list(seller=seller)
    # Paid (an entitlement granted) and not reversed: what the seller earned from each listing,
    # from the order lines' snapshots (the same amounts the ledger posts), in one query.
    earned_cents = dict(
        OrderLine.objects.filter(seller=seller, entitlement__isnull=False, refunded_at__isnull=True)
        .values("listing_id")
        .annotate(total=Sum(SELLER_SHARE_CENTS))
        .values_list("listing_id", "total")
    )
    rows = [
        DashboardRow(
            state=state,
            earned=Money(int(earned_cents.get(state.listing.pk, 0))) if state.listing else None,
        )
        for state in documents
    ]
    listings = [state.listing for state in documents if state.listing is not None]
    return SellerDashboard(
        rows=rows,
        views=sum(listing.view_count for listing in listings),
        sales=sum(listing.sold_count for listing in listings),
        earned=Money(int(sum(earned_cents.values()))),
        reputation=seller_reputation(seller=seller),
    )


def seller_document_get(*, seller: SellerProfile, pk: int) -> SellerDocument:
    """The seller's own document; raises Document.DoesNotExist for anyone else's."""
    document = _with_versions(Document.objects.filter(seller=seller)).get(pk=pk)
    if not document.versions.all():
        raise Document.DoesNotExist
    return _seller_document(document)


def document_page_count(*, document: Document) -> int:
    """The page count the preview choice is about: the newest version's once it is known,
    else the current (published) one's; 0 while nothing has been counted."""
    newest = (
        document.versions.exclude(status__in=[VersionStatus.REJECTED, VersionStatus.FAILED])
        .order_by("-number")
        .first()
    )
    if newest is not None and newest.page_count:
        return newest.page_count
    current = document.current_version
    return current.page_count if current else 0


def course_search(*, query: str, limit: int = SUGGESTIONS_MAX) -> QuerySet[Course]:
    """Courses matching every word of ``query`` in their name, code, programme or institution."""
    condition = Q()
    for word in query.split()[:_SEARCH_WORDS_MAX]:
        condition &= (
            Q(name__icontains=word)
            | Q(code__icontains=word)
            | Q(programme__name__icontains=word)
            | Q(programme__institution__name__icontains=word)
        )
    return (
        Course.objects.filter(condition)
        .select_related("programme__institution")
        .order_by("name", "pk")[:limit]
    )


def course_chosen(*, pk: object) -> list[Course]:
    """The course a form names (as its raw value), as a list of none or one."""
    try:
        number = int(str(pk))
    except ValueError:
        return []
    return list(Course.objects.select_related("programme__institution").filter(pk=number))


def institution_search(*, query: str, limit: int = SUGGESTIONS_MAX) -> QuerySet[Institution]:
    return Institution.objects.filter(name__icontains=query.strip()).order_by("name")[:limit]


def programme_search(
    *, institution_name: str, query: str, limit: int = SUGGESTIONS_MAX
) -> QuerySet[Programme]:
    return Programme.objects.filter(
        institution__name__iexact=institution_name.strip(), name__icontains=query.strip()
    ).order_by("name")[:limit]


def book_get_by_isbn(*, isbn: str) -> Book | None:
    """The known book with this ISBN (10 or 13); raises ValidationError for an invalid ISBN."""
    return Book.objects.filter(isbn13=isbn_normalise(isbn)).first()


def document_listing_id(*, document_id: int) -> int | None:
    """The id of the document's listing, None while the seller has not described it."""
    return Listing.objects.filter(document_id=document_id).values_list("pk", flat=True).first()
