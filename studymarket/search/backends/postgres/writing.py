"""Writing the postgres backend's tables: one ``search_listing`` row per listing, one
``search_page`` row per page.

Text is folded in Python (analysis.fold, the same folding as the tantivy index) and then
analysed by PostgreSQL with both the 'dutch' and the 'english' configurations. ``index_write``
sends ``INDEX_BATCH`` listings per statement (``rows_insert``: arrays unnested server-side);
the caller holds the transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from studymarket.search import analysis
from studymarket.search.backends.base import IndexDoc
from studymarket.search.backends.postgres.schema import CONFIGS

# A page's text is cut here before analysis (PostgreSQL's tsvector limit is 1 MB).
PAGE_TEXT_MAX = 100_000
SMALL_TEXT_MAX = 100_000
# index_write() writes this many listings per statement (one round trip, one plan).
INDEX_BATCH = 200

_NOT_MARKUP = str.maketrans({"<": " ", ">": " "})


def _text(text: str, limit: int) -> str:
    """Folded text for to_tsvector. The document text is plain text, never markup: without
    "<" and ">" PostgreSQL's parser cannot take "<script>…</script>" for a tag and skip it."""
    return analysis.fold(text[:limit]).translate(_NOT_MARKUP)


def _tsvector(text_sql: str) -> str:
    return " || ".join(f"to_tsvector('{config}', {text_sql})" for config in CONFIGS)


_LISTING_COLUMNS = (
    ("listing_id", "bigint"),
    ("names", "text"),
    ("a", "text"),
    ("b", "text"),
    ("c", "text"),
    ("d", "text"),
    ("config", "regconfig"),
    ("pages", "text"),
    ("institution", "text"),
    ("course_id", "bigint"),
    ("document_type", "text"),
    ("academic_year", "text"),
    ("language", "text"),
    ("price_cents", "integer"),
    ("published_at", "timestamptz"),
    ("rating_avg", "double precision"),
    ("sold_count", "integer"),
)


_PAGE_COLUMNS = (
    ("listing_id", "bigint"),
    ("page_number", "integer"),
    ("locked", "boolean"),
    ("preview_text", "text"),
    ("config", "regconfig"),
    ("folded", "text"),
)


def _unnest(columns: Sequence[tuple[str, str]]) -> str:
    arrays = ", ".join(f"%s::{kind}[]" for _name, kind in columns)
    return f"unnest({arrays}) AS t({', '.join(name for name, _kind in columns)})"


def _doc_rows(doc: IndexDoc) -> tuple[list[Any], list[list[Any]]]:
    """One listing's values for ``_LISTING_COLUMNS`` and its pages' for ``_PAGE_COLUMNS``: the
    text folded here, analysed by PostgreSQL."""
    code = analysis.course_code_normalise(doc.course_code)
    weighted = (
        [doc.title],  # A
        [doc.course_name, doc.course_code, code, doc.institution_name, doc.programme],  # B
        [*doc.book_titles, *doc.isbns, *doc.toc],  # C
        [doc.description],  # D
    )
    texts = [_text("\n".join(v for v in values if v), SMALL_TEXT_MAX) for values in weighted]
    pages_text = "\n".join(_text(page, PAGE_TEXT_MAX) for page in doc.pages)
    # Pages are long: analysed once, with the listing's language (queries try both).
    page_config = "english" if analysis.language_of(doc.language) == "en" else "dutch"
    names = analysis.fold(
        " ".join(v for v in (doc.title, doc.course_name, doc.course_code, code, doc.institution_name) if v)
    )
    listing = [
        doc.listing_id,
        names,
        *texts,
        page_config,
        pages_text,
        doc.institution_slug,
        doc.course_id,
        doc.document_type,
        doc.academic_year,
        doc.language,
        doc.price_cents,
        doc.published_at,
        float(doc.rating_avg),
        doc.sold_count,
    ]
    pages = []
    for number, text in enumerate(doc.pages, start=1):
        if not text.strip():
            continue
        locked = number > doc.preview_page_count
        folded = _text(text, PAGE_TEXT_MAX)
        pages.append([doc.listing_id, number, locked, None if locked else text, page_config, folded])
    return listing, pages


def rows_insert(cursor: Any, docs: Sequence[IndexDoc]) -> None:
    """Insert these listings (not in the tables) and their pages: one statement for the
    listings and one for the pages, whatever their number. bench/search_kit/pgfill.py uses
    it too."""
    listings: list[list[Any]] = []
    pages: list[list[Any]] = []
    for doc in docs:
        listing, listing_pages = _doc_rows(doc)
        listings.append(listing)
        pages.extend(listing_pages)
    if not listings:
        return
    small = " || ".join(
        f"setweight({_tsvector(column)}, '{weight}')" for column, weight in zip("abcd", "ABCD", strict=True)
    )
    cursor.execute(
        f"""
        INSERT INTO search_listing (listing_id, names, small_tsv, tsv, institution, course_id,
            document_type, academic_year, language, price_cents, published_at, rating_avg, sold_count)
        SELECT listing_id, names, small.v, small.v || strip(to_tsvector(config, pages)),
            institution, course_id, document_type, academic_year, language, price_cents,
            published_at, rating_avg, sold_count
        FROM {_unnest(_LISTING_COLUMNS)}, LATERAL (SELECT {small} AS v) AS small
        """,
        [list(column) for column in zip(*listings, strict=True)],
    )
    if pages:
        cursor.execute(
            f"""
            INSERT INTO search_page (listing_id, page_number, locked, preview_text, tsv)
            SELECT listing_id, page_number, locked, preview_text, to_tsvector(config, folded)
            FROM {_unnest(_PAGE_COLUMNS)}
            """,
            [list(column) for column in zip(*pages, strict=True)],
        )


# The first key of the advisory locks that keep two writers of one listing apart.
_LOCK_NAMESPACE = 0x5EA2C4


def rows_lock(cursor: Any, listing_ids: Sequence[int]) -> None:
    """Until the transaction ends, this listing's rows are ours to replace: two workers that
    index one listing at once would both delete nothing and both insert, and the second would
    fail on the primary key (seen under `make scale-test`). In id order, so two batches cannot
    wait for each other."""
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s, listing_id::int) FROM unnest(%s::bigint[]) AS listing_id "
        "ORDER BY listing_id",
        [_LOCK_NAMESPACE, sorted(listing_ids)],
    )


def rows_delete(cursor: Any, listing_ids: Sequence[int]) -> None:
    rows_lock(cursor, listing_ids)
    cursor.execute("DELETE FROM search_page WHERE listing_id = ANY(%s)", [list(listing_ids)])
    cursor.execute("DELETE FROM search_listing WHERE listing_id = ANY(%s)", [list(listing_ids)])


def index_write(cursor: Any, docs: Iterable[IndexDoc]) -> None:
    """Add or replace these listings, ``INDEX_BATCH`` at a time."""
    iterator = iter(docs)
    while batch := list(itertools.islice(iterator, INDEX_BATCH)):
        latest = {doc.listing_id: doc for doc in batch}  # the last one wins, as one by one
        rows_delete(cursor, list(latest))
        rows_insert(cursor, list(latest.values()))
