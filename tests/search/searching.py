"""Helpers for the search tests: listings with given pages and contents, and searching."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from studymarket.catalog.models import Book, Course, Institution, Listing, Programme
from studymarket.documents.models import DocumentPage, TocEntry
from studymarket.search.service import search
from studymarket.search.types import SearchQuery, SearchResult
from tests.factories import DocumentFactory, DocumentVersionFactory, ListingFactory, SellerFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def course_make(
    *, name: str, code: str = "", institution: str = "Odisee", programme: str = "Bedrijfsmanagement"
) -> Course:
    slug = name.lower().replace(" ", "-")
    inst, _ = Institution.objects.get_or_create(
        name=institution, defaults={"slug": institution.lower().replace(" ", "-"), "country": "BE"}
    )
    prog, _ = Programme.objects.get_or_create(
        institution=inst, slug=programme.lower().replace(" ", "-"), defaults={"name": programme}
    )
    return Course.objects.create(programme=prog, name=name, code=code, slug=slug)


def listing_make(
    *,
    title: str,
    course: Course | None = None,
    pages: list[str] | None = None,
    toc: list[str] = (),  # type: ignore[assignment]
    description: str = "Een samenvatting.",
    preview_page_count: int = 2,
    published_at: datetime | None = None,
    book: Book | None = None,
    **fields: Any,
) -> Listing:
    """A published listing whose current version has exactly these pages and this TOC."""
    seller = SellerFactory()
    pages = pages or ["Eerste pagina.", "Tweede pagina.", "Derde pagina."]
    document = DocumentFactory(seller=seller)
    version = DocumentVersionFactory(document=document, page_count=len(pages))
    DocumentPage.objects.bulk_create(
        DocumentPage(version=version, number=n, text=text) for n, text in enumerate(pages, start=1)
    )
    TocEntry.objects.bulk_create(
        TocEntry(version=version, position=n, title=title_) for n, title_ in enumerate(toc, start=1)
    )
    document.current_version = version
    document.save(update_fields=["current_version"])
    return ListingFactory(
        seller=seller,
        document=document,
        course=course or course_make(name=f"Vak voor {title}"),
        title=title,
        description=description,
        preview_page_count=preview_page_count,
        published_at=published_at or datetime(2021, 7, 30, 12, tzinfo=AMSTERDAM),
        book=book,
        **fields,
    )


def found(text: str = "", **options: Any) -> SearchResult:
    return search(SearchQuery(text=text, **options))


def ids(text: str = "", **options: Any) -> list[int]:
    return [hit.listing_id for hit in found(text, **options).hits]
