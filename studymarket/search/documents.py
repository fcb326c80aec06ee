"""Search documents built from the database, the source of truth: one ``IndexDoc`` per
published listing, with the text of its current version's pages (locked pages only with the
words the listing shows anyway: search/locked_words.py, ADR 0013)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import DocumentPage, TocEntry
from studymarket.search.backends.base import IndexDoc
from studymarket.search.locked_words import pages_for_index


def _published() -> QuerySet[Listing]:
    return Listing.objects.filter(status=ListingStatus.PUBLISHED).select_related(
        "course__programme__institution", "book", "document"
    )


def index_doc_build(listing: Listing) -> IndexDoc:
    """The search document for one listing (whatever its status: callers decide)."""
    return next(iter(_build([listing])))


def _build(listings: list[Listing]) -> Iterator[IndexDoc]:
    version_ids = {
        listing.pk: listing.document.current_version_id
        for listing in listings
        if listing.document.current_version_id
    }
    pages: dict[int, list[str]] = {}
    for page_version_id, number, text in (
        DocumentPage.objects.filter(version_id__in=version_ids.values())
        .order_by("version_id", "number")
        .values_list("version_id", "number", "text")
    ):
        texts = pages.setdefault(page_version_id, [])
        # Pages are 1-based and in order; a missing page stays an empty string.
        texts.extend([""] * (number - 1 - len(texts)))
        texts.append(text)
    toc: dict[int, list[str]] = {}
    for toc_version_id, title in (
        TocEntry.objects.filter(version_id__in=version_ids.values())
        .order_by("version_id", "position")
        .values_list("version_id", "title")
    ):
        toc.setdefault(toc_version_id, []).append(title)
    for listing in listings:
        version_id = version_ids.get(listing.pk)
        course = listing.course
        institution = course.programme.institution
        book = listing.book
        book_titles = [t for t in (book.title, book.authors) if t] if book else []
        toc_titles = toc.get(version_id, []) if version_id else []
        public = [
            listing.title,
            listing.description,
            course.name,
            course.code,
            institution.name,
            course.programme.name,
            *book_titles,
            *toc_titles,
        ]
        yield IndexDoc(
            listing_id=listing.pk,
            title=listing.title,
            description=listing.description,
            course_name=course.name,
            course_code=course.code,
            institution_name=institution.name,
            institution_slug=institution.slug,
            programme=course.programme.name,
            course_id=course.pk,
            book_titles=book_titles,
            isbns=[book.isbn13] if book and book.isbn13 else [],
            toc=toc_titles,
            document_type=listing.document_type,
            academic_year=listing.academic_year,
            language=listing.language,
            price_cents=listing.price_cents,
            published_at=listing.published_at,
            rating_avg=(listing.rating_sum / listing.review_count) if listing.review_count else 0.0,
            review_count=listing.review_count,
            sold_count=listing.sold_count,
            preview_page_count=listing.preview_page_count,
            pages=pages_for_index(
                pages.get(version_id, []) if version_id else [],
                preview_page_count=listing.preview_page_count,
                public_texts=public,
            ),
        )


def index_docs_published(*, listing_ids: Iterable[int] | None = None, batch: int = 100) -> Iterator[IndexDoc]:
    """Search documents of every published listing (or of those among ``listing_ids``), in
    batches so that a rebuild holds only ``batch`` listings' pages in memory at once."""
    queryset = _published().order_by("pk")
    if listing_ids is not None:
        queryset = queryset.filter(pk__in=list(listing_ids))
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:batch])
        if not chunk:
            return
        yield from _build(chunk)
        last = chunk[-1].pk
