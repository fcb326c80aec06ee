from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from studymarket.accounts.models import SellerProfile
from studymarket.catalog.isbn import isbn_normalise
from studymarket.catalog.models import Book, Course, Institution, Listing, ListingStatus, Programme
from studymarket.core.audit import audit_record
from studymarket.core.errors import ApplicationError
from studymarket.documents.models import Document, VersionStatus
from studymarket.documents.previews import (
    default_preview_page_count,
    preview_page_count_allowed,
    preview_page_count_clamp,
    preview_page_count_max,
)
from studymarket.documents.processing import document_version_previews_ensure
from studymarket.documents.services import document_version_publish

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
    """Draft (or taken offline) → published. "Already published" returns quietly.

    ``published_at`` is the upload date buyers see; it defaults to now.
    """
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.status == ListingStatus.PUBLISHED:
            return locked
        first_time = locked.status == ListingStatus.DRAFT
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
        transaction.on_commit(partial(_listing_changed, locked.pk, newly_published=first_time))
    return locked


def _listing_changed(listing_id: int, *, newly_published: bool = False) -> None:
    """After commit: the search index follows the listing; followers hear of a new document.
    (The task modules import this one, hence the imports here.)"""
    from studymarket.catalog.search.tasks import search_index_listing_task
    from studymarket.catalog.tasks import follow_notifications_task

    search_index_listing_task.enqueue(listing_id)
    if newly_published:
        follow_notifications_task.enqueue(listing_id)


def listing_unpublish(*, listing_id: int, actor: Any = None, reason: str = "") -> Listing:
    """Published → taken offline: no longer found, listed or sold (earlier buyers keep their
    copies). "Already offline" (or never published) returns quietly."""
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if listing.status != ListingStatus.PUBLISHED:
            return listing
        listing.status = ListingStatus.UNPUBLISHED
        listing.save(update_fields=["status", "updated_at"])
        audit_record(action="listing.unpublished", obj=listing, actor=actor, reason=reason)
        transaction.on_commit(partial(_listing_changed, listing.pk))
    return listing


def listing_publish_if_ready(*, listing_id: int) -> Listing:
    """Draft → published once the seller has described it (the listing exists) and its document
    has a published version. Anything else returns the listing as it is: still waiting, already
    published, or taken offline (which only a person undoes)."""
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if listing.status != ListingStatus.DRAFT:
            return listing
        version = (
            Document.objects.select_related("current_version").get(pk=listing.document_id).current_version
        )
        if version is None or version.status != VersionStatus.PUBLISHED:
            return listing
        return listing_publish(listing=listing)


def listing_finalize(*, listing_id: int) -> Listing:
    """Bring a listing up to date with its document's current version: the preview pages the
    seller chose, drawn for that version, then on sale if it is ready. Safe to repeat."""
    listing = Listing.objects.select_related("document__current_version").get(pk=listing_id)
    version = listing.document.current_version
    if version is not None and version.status == VersionStatus.PUBLISHED and version.page_count:
        count = preview_page_count_clamp(
            preview_page_count=listing.preview_page_count, page_count=version.page_count
        )
        if count != listing.preview_page_count:
            Listing.objects.filter(pk=listing_id).update(preview_page_count=count)
        document_version_previews_ensure(version_id=version.pk, count=count)
    finalized = listing_publish_if_ready(listing_id=listing_id)
    if finalized.status == ListingStatus.PUBLISHED:
        # A new version of a published listing: its pages in the index change too.
        transaction.on_commit(partial(_listing_changed, listing_id))
    return finalized
