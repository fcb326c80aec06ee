"""The tantivy documents of one listing: its listing document and one per page.

Only preview pages store their text (for the snippet); a locked page's text is indexed but
never stored, so no result can carry it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import tantivy

from studymarket.search import analysis
from studymarket.search.backends.base import IndexDoc
from studymarket.search.backends.tantivy.schema import facet_code


def _text_fields(
    document: tantivy.Document,
    name: str,
    values: Iterable[str],
    languages: tuple[str, ...] = analysis.STEM_LANGUAGES,
) -> None:
    for value in values:
        if value:
            for language in languages:
                document.add_text(f"{name}_{language}", value)


def documents_build(doc: IndexDoc) -> Iterator[tantivy.Document]:
    listing = tantivy.Document()
    listing.add_unsigned("listing_id", doc.listing_id)
    listing.add_text("kind", "listing")
    code = analysis.course_code_normalise(doc.course_code)
    _text_fields(listing, "title", [doc.title])
    _text_fields(
        listing, "course", [doc.course_name, doc.course_code, code, doc.institution_name, doc.programme]
    )
    _text_fields(listing, "book", [*doc.book_titles, *doc.isbns])
    # Long texts are analysed once, with the stemmer of the listing's language (the query looks
    # a word up with both stems, so each finds its own): half the postings a common word has
    # to go through (schema.ONE_LANGUAGE_FIELDS).
    own = (analysis.language_of(doc.language),)
    _text_fields(listing, "toc", ["\n".join(doc.toc)], own)
    _text_fields(listing, "desc", [doc.description], own)
    page_field = f"pages_{own[0]}"
    for text in doc.pages:
        if text:
            listing.add_text(page_field, text)
    for value in (doc.title, doc.course_name, doc.course_code, code, doc.institution_name, *doc.book_titles):
        if value:
            listing.add_text("names", value)
    facets = {
        "institution": doc.institution_slug,
        "course_id": str(doc.course_id),
        "document_type": doc.document_type,
        "academic_year": doc.academic_year,
        "language": doc.language,
    }
    for name, value in facets.items():
        listing.add_text(name, value)
        listing.add_unsigned(f"{name}_code", facet_code(value))
    listing.add_integer("price_cents", doc.price_cents)
    listing.add_integer("published_at", int(doc.published_at.timestamp()) if doc.published_at else 0)
    listing.add_float("rating_avg", float(doc.rating_avg))
    listing.add_unsigned("sold_count", doc.sold_count)
    yield listing
    for number, text in enumerate(doc.pages, start=1):
        if not text.strip():
            continue
        page = tantivy.Document()
        page.add_unsigned("listing_id", doc.listing_id)
        page.add_text("kind", "page")
        page.add_unsigned("page_number", number)
        locked = number > doc.preview_page_count
        page.add_unsigned("locked", int(locked))
        page.add_text(f"page_{analysis.language_of(doc.language)}", text)
        if not locked:
            page.add_bytes("preview_text", text.encode())
        yield page
