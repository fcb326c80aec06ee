"""The seller's side of the catalog: describing an uploaded document as a listing, adding
a course or a book that is not on studymarket yet, and what the seller's pages read."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Course, Institution, Listing, ListingStatus, Programme
from studymarket.catalog.services import (
    book_create,
    course_create,
    institution_create,
    listing_create,
    programme_create,
)
from studymarket.catalog.tasks import listing_finalize_task
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.pricing import PriceBreakdown, price_breakdown
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.documents.previews import (
    default_preview_page_count,
    preview_page_count_allowed,
    preview_page_count_max,
)
from studymarket.documents.rejections import reason_text

SUGGESTIONS_MAX = 10
_SEARCH_WORDS_MAX = 5
_SLUG_MAX = Listing._meta.get_field("slug").max_length or 220

T = TypeVar("T")


@dataclass(frozen=True)
class NewCourse:
    """A course the seller adds; the institution and programme are found by name or added too."""

    institution: str
    country: str  # needed only when the institution is new
    programme: str
    name: str
    code: str = ""


@dataclass(frozen=True)
class BookSpec:
    """The summarised book: a known one by ISBN, else added with these details."""

    isbn: str
    title: str
    authors: str = ""
    edition: str = ""


@dataclass(frozen=True)
class ListingDetails:
    title: str
    description: str
    course: Course | None  # an existing course, or ``new_course``
    new_course: NewCourse | None
    book: BookSpec | None
    academic_year: str
    document_type: str
    language: str
    whole_book_summarized: bool
    price_cents: int
    preview_page_count: int | None  # None: keep the listing's, or the default by length


def listing_save(*, seller: SellerProfile, document: Document, details: ListingDetails) -> Listing:
    """Create the document's listing (a draft) or update it, then let the finalize task
    publish it: that happens as soon as the document has a processed, published version.

    Raises ValidationError keyed by describe-form field for a course or book that cannot
    be added, ApplicationError for anything else the seller must change.
    """
    if document.seller_id != seller.pk:
        raise ApplicationError(_("Je kunt alleen je eigen documenten aanbieden."))
    page_count = document_page_count(document=document)
    with transaction.atomic():
        # The document's row is the lock: two saves at once must not both create a listing.
        Document.objects.select_for_update().get(pk=document.pk)
        course = details.course or course_find_or_create(new=_required(details.new_course))
        book = book_find_or_create(spec=details.book) if details.book else None
        listing = Listing.objects.filter(document=document).first()
        preview = _preview_page_count(details, listing=listing, page_count=page_count)
        if listing is None:
            listing = listing_create(
                seller=seller,
                document=document,
                course=course,
                book=book,
                title=details.title,
                description=details.description,
                document_type=details.document_type,
                language=details.language,
                academic_year=details.academic_year,
                whole_book_summarized=details.whole_book_summarized,
                price_cents=details.price_cents,
                preview_page_count=preview,
            )
        else:
            listing = _listing_update(listing, details=details, course=course, book=book, preview=preview)
        # Processing may already be done, or still running: the task publishes when it can,
        # and processing's own finalize covers the other order.
        transaction.on_commit(partial(listing_finalize_task.enqueue, listing.pk))
    return listing


def _required(value: T | None) -> T:
    if value is None:
        raise ValidationError({"course": _("Kies je vak uit de lijst, of voeg een nieuw vak toe.")})
    return value


def _preview_page_count(details: ListingDetails, *, listing: Listing | None, page_count: int) -> int:
    if details.preview_page_count is not None:
        if page_count and not preview_page_count_allowed(
            preview_page_count=details.preview_page_count, page_count=page_count
        ):
            raise ValidationError({"preview_page_count": preview_too_many_message(page_count)})
        return details.preview_page_count
    if listing is not None:
        return listing.preview_page_count
    # Before processing has counted the pages, one page is the only safe choice; the seller
    # can choose again once the count is known.
    return default_preview_page_count(page_count) if page_count else 1


def preview_too_many_message(page_count: int) -> str:
    maximum = preview_page_count_max(page_count)
    return ngettext(
        "Kies hoogstens %(max)d voorbeeldpagina: nooit het hele document.",
        "Kies hoogstens %(max)d voorbeeldpagina's: nooit het hele document.",
        maximum,
    ) % {"max": maximum}


def _listing_update(
    listing: Listing, *, details: ListingDetails, course: Course, book: Book | None, preview: int
) -> Listing:
    listing.course = course
    listing.book = book
    listing.title = details.title.strip()
    listing.slug = slugify(details.title)[:_SLUG_MAX].strip("-") or "document"
    listing.description = details.description.strip()
    listing.document_type = details.document_type
    listing.language = details.language
    listing.academic_year = details.academic_year
    listing.whole_book_summarized = details.whole_book_summarized
    listing.price_cents = details.price_cents
    listing.preview_page_count = preview
    listing.full_clean()
    listing.save()
    audit_record(
        action="listing.updated", obj=listing, actor=listing.seller.user, price_cents=listing.price_cents
    )
    return listing


def _as_field_errors(field: str, create: Callable[..., T], **kwargs: object) -> T:
    # The model's errors are keyed by model field (name, slug); the seller sees them at the
    # form field they typed into.
    try:
        return create(**kwargs)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


M = TypeVar("M", Institution, Programme, Course)


def _by_name(queryset: QuerySet[M], name: str) -> M | None:
    # Two spellings with the same slug ("Odisee", "odisee ") are the same thing.
    return queryset.filter(Q(name__iexact=name) | Q(slug=slugify(name))).first()


def course_find_or_create(*, new: NewCourse) -> Course:
    institution = _by_name(Institution.objects.all(), new.institution)
    if institution is None:
        if not new.country:
            raise ValidationError(
                {
                    "new_institution_country": _(
                        "Kies het land: deze instelling staat nog niet op studymarket."
                    )
                }
            )
        institution = _as_field_errors(
            "new_institution", institution_create, name=new.institution, country=new.country
        )
    programme = _by_name(institution.programmes.all(), new.programme) or _as_field_errors(
        "new_programme", programme_create, institution=institution, name=new.programme
    )
    return _by_name(programme.courses.all(), new.name) or _as_field_errors(
        "new_course_name", course_create, programme=programme, name=new.name, code=new.code
    )


def book_find_or_create(*, spec: BookSpec) -> Book:
    if spec.isbn:
        isbn13 = isbn_normalise(spec.isbn)
        found = Book.objects.filter(isbn13=isbn13).first()
    else:
        isbn13 = None
        found = Book.objects.filter(
            isbn13__isnull=True, title__iexact=spec.title, authors__iexact=spec.authors
        ).first()
    if found is not None:
        return found
    return _as_field_errors(
        "book_title", book_create, title=spec.title, authors=spec.authors, edition=spec.edition, isbn=isbn13
    )


# --- Reads for the seller's pages ------------------------------------------------------


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


def seller_document_list(*, seller: SellerProfile) -> list[SellerDocument]:
    documents = _with_versions(Document.objects.filter(seller=seller).order_by("-created_at", "-pk"))
    return [_seller_document(document) for document in documents if document.versions.all()]


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
