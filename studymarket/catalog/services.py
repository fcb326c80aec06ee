from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Course, Institution, Listing, ListingStatus, Programme
from studymarket.catalog.states import listing_transition
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.core.page_cache import public_pages_changed
from studymarket.documents.models import Document
from studymarket.documents.previews import (
    default_preview_page_count,
    preview_page_count_allowed,
    preview_page_count_max,
)

_SLUG_MAX = Listing._meta.get_field("slug").max_length or 220


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
    """A draft listing for the seller's document; ``listing_publish`` puts it on sale.

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
            % {"max": preview_page_count_max(page_count)}
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
    """Draft (or taken offline) → published: on sale. "Already published" returns quietly.

    The listing's own write: the seller's journey (selling.services.listing_publish) accepts
    the document's version and has the search index follow. ``published_at`` is the upload
    date buyers see; it defaults to now. The first time, followers hear of the new document.
    """
    moved, before = listing_transition(
        listing_id=listing.pk,
        to=ListingStatus.PUBLISHED,
        actor=listing.seller.user,
        published_at=published_at,
        check=_document_processed,
    )
    if before == ListingStatus.DRAFT:
        transaction.on_commit(partial(_followers_notify, moved.pk))
    return moved


def _document_processed(listing: Listing) -> None:
    version = Document.objects.select_related("current_version").get(pk=listing.document_id).current_version
    if version is None or version.page_count == 0:
        raise ApplicationError(_("Het document is nog niet verwerkt; probeer het straks opnieuw."))


def _followers_notify(listing_id: int) -> None:
    # The task module imports this one, hence the import here.
    from studymarket.catalog.tasks import follow_notifications_task

    follow_notifications_task.enqueue(listing_id)


def listing_unpublish(*, listing_id: int, actor: Any = None, reason: str = "") -> Listing:
    """Published → taken offline: no longer found, listed or sold (earlier buyers keep their
    copies). "Already offline" (or never published) returns quietly."""
    listing, _before = listing_transition(
        listing_id=listing_id, to=ListingStatus.UNPUBLISHED, actor=actor, reason=reason
    )
    return listing


def listing_preview_page_count_set(*, listing_id: int, preview_page_count: int) -> None:
    """The number of preview pages, as the finalising found it fits the current version."""
    Listing.objects.filter(pk=listing_id).update(preview_page_count=preview_page_count)
    public_pages_changed()
