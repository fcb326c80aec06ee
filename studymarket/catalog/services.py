from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Course, Institution, Listing, ListingStatus, Programme
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.documents.models import Document
from studymarket.documents.services import document_version_publish

_SLUG_MAX = Listing._meta.get_field("slug").max_length or 220


def default_preview_page_count(page_count: int) -> int:
    """Preview pages for a document of this length (settings.PREVIEW_PAGES_BY_LENGTH)."""
    for minimum_pages, preview_pages in settings.PREVIEW_PAGES_BY_LENGTH:
        if page_count >= minimum_pages:
            return int(preview_pages)
    raise ValueError(f"A document has at least one page, not {page_count}")


def preview_page_count_allowed(*, preview_page_count: int, page_count: int) -> bool:
    """The seller may show more than the default, never the whole document (one page
    is the exception: its single page is all there is to preview)."""
    return 1 <= preview_page_count <= max(default_preview_page_count(page_count), page_count - 1)


def institution_create(*, name: str, country: str, city: str = "") -> Institution:
    institution = Institution(name=name, slug=slugify(name), country=country, city=city)
    institution.full_clean()
    institution.save()
    return institution


def programme_create(*, institution: Institution, name: str) -> Programme:
    programme = Programme(institution=institution, name=name, slug=slugify(name))
    programme.full_clean()
    programme.save()
    return programme


def course_create(*, programme: Programme, name: str, code: str = "") -> Course:
    course = Course(programme=programme, name=name, code=code, slug=slugify(name))
    course.full_clean()
    course.save()
    return course


def book_create(*, title: str, authors: str = "", edition: str = "", isbn: str | None = None) -> Book:
    """A book; an ISBN-10 is stored as its ISBN-13 so one book never appears twice."""
    book = Book(title=title, authors=authors, edition=edition, isbn13=isbn_normalise(isbn) if isbn else None)
    book.full_clean()
    book.save()
    return book


def listing_create(
    *,
    seller: SellerProfile,
    document: Document,
    course: Course,
    title: str,
    description: str,
    document_type: str,
    language: str,
    academic_year: str,
    price_cents: int,
    whole_book_summarized: bool = False,
    book: Book | None = None,
    preview_page_count: int | None = None,
) -> Listing:
    """A draft listing for the seller's document; ``listing_publish`` makes it public.

    Without ``preview_page_count`` the default for the document's length applies.
    """
    if document.seller_id != seller.pk:
        raise ApplicationError(_("Je kunt alleen je eigen documenten aanbieden."))
    version = document.current_version
    page_count = version.page_count if version else 0
    if preview_page_count is None:
        preview_page_count = default_preview_page_count(page_count) if page_count else 1
    if page_count and not preview_page_count_allowed(
        preview_page_count=preview_page_count, page_count=page_count
    ):
        raise ApplicationError(
            _("Kies tussen 1 en %(max)d voorbeeldpagina's: nooit het hele document.")
            % {"max": max(default_preview_page_count(page_count), page_count - 1)}
        )
    listing = Listing(
        seller=seller,
        document=document,
        course=course,
        book=book,
        title=title.strip(),
        slug=slugify(title)[:_SLUG_MAX].strip("-") or "document",
        description=description.strip(),
        document_type=document_type,
        language=language,
        academic_year=academic_year,
        whole_book_summarized=whole_book_summarized,
        price_cents=price_cents,
        preview_page_count=preview_page_count,
    )
    listing.full_clean()
    with transaction.atomic():
        listing.save()
        audit_record(action="listing.created", obj=listing, actor=seller.user, price_cents=price_cents)
    return listing


def listing_publish(*, listing: Listing, published_at: datetime | None = None) -> Listing:
    """Draft (or taken offline) → published. "Already published" returns quietly.

    ``published_at`` is the upload date buyers see; it defaults to now.
    """
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.status == ListingStatus.PUBLISHED:
            return locked
        version = (
            Document.objects.select_related("current_version").get(pk=locked.document_id).current_version
        )
        if version is None or version.page_count == 0:
            raise ApplicationError(_("Het document is nog niet verwerkt; probeer het straks opnieuw."))
        document_version_publish(version=version)
        locked.status = ListingStatus.PUBLISHED
        locked.published_at = published_at or locked.published_at or timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(action="listing.published", obj=locked, actor=locked.seller.user)
    return locked
