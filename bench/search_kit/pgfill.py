"""A bulk loader for the postgres search backend's tables, for bench/search.py only.

Why it exists: ``PostgresBackend.index()`` writes one listing per statement (right for the index
task, which writes one listing at a time). At the benchmark's sizes that takes hours on this
machine, so bench/search.py measures the indexing rate on the first ``--pg-sample`` listings
through ``index()`` and fills the rest with this loader: COPY into a temporary table, then one
INSERT … SELECT per batch computing the same columns with the same SQL expressions as
``PostgresBackend._insert`` (text folded in Python by the same ``analysis.fold``; tsvectors
from the 'dutch' and 'english' configurations; weights A-D; pages stripped into ``tsv``).

``check()`` guards against drift: it re-indexes a few filled listings through ``index()`` and
fails if any column differs from what this loader wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from studymarket.catalog.search import analysis
from studymarket.catalog.search.backends import postgres as pg
from studymarket.catalog.search.backends.base import IndexDoc

_COLUMNS = (
    "listing_id, names, small_tsv, tsv, institution, course_id, document_type, academic_year, "
    "language, price_cents, published_at, rating_avg, sold_count"
)


def _tsvector(column: str) -> str:
    return " || ".join(f"to_tsvector('{config}', {column})" for config in pg.CONFIGS)


def _rows(doc: IndexDoc) -> tuple[list[Any], list[list[Any]]]:
    """The values ``PostgresBackend._insert`` sends for this listing (its own text helpers)."""
    code = analysis.course_code_normalise(doc.course_code)
    weighted = (
        [doc.title],
        [doc.course_name, doc.course_code, code, doc.institution_name, doc.programme],
        [*doc.book_titles, *doc.isbns, *doc.toc],
        [doc.description],
    )
    texts = [pg._text("\n".join(v for v in values if v), pg.SMALL_TEXT_MAX) for values in weighted]
    pages_text = "\n".join(pg._text(page, pg.PAGE_TEXT_MAX) for page in doc.pages)
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
        pages.append(
            [
                doc.listing_id,
                number,
                locked,
                None if locked else text,
                page_config,
                pg._text(text, pg.PAGE_TEXT_MAX),
            ]
        )
    return listing, pages


def fill(docs: Iterable[IndexDoc]) -> None:
    """Insert these listings (not yet in the tables) as ``PostgresBackend.index()`` would."""
    listings: list[list[Any]] = []
    pages: list[list[Any]] = []
    for doc in docs:
        listing, listing_pages = _rows(doc)
        listings.append(listing)
        pages.extend(listing_pages)
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS bench_fill_listing (listing_id bigint, names text, "
                "a text, b text, c text, d text, config text, pages text, institution text, "
                "course_id bigint, "
                "document_type text, academic_year text, language text, price_cents integer, "
                "published_at timestamptz, rating_avg double precision, sold_count integer) "
                "ON COMMIT DELETE ROWS"
            )
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS bench_fill_page (listing_id bigint, page_number integer, "
                "locked boolean, preview_text text, config text, folded text) ON COMMIT DELETE ROWS"
            )
            with cursor.copy("COPY bench_fill_listing FROM STDIN") as copy:
                for row in listings:
                    copy.write_row(row)
            small = " || ".join(
                f"setweight({_tsvector(column)}, '{weight}')"
                for column, weight in zip("abcd", "ABCD", strict=True)
            )
            cursor.execute(
                f"""INSERT INTO search_listing ({_COLUMNS})
                SELECT listing_id, names, small.v, small.v || strip(to_tsvector(config::regconfig, pages)),
                       institution, course_id, document_type, academic_year, language, price_cents,
                       published_at, rating_avg, sold_count
                FROM bench_fill_listing, LATERAL (SELECT {small} AS v) AS small"""
            )
            if pages:
                with cursor.copy("COPY bench_fill_page FROM STDIN") as copy:
                    for row in pages:
                        copy.write_row(row)
                cursor.execute(
                    """INSERT INTO search_page (listing_id, page_number, locked, preview_text, tsv)
                    SELECT listing_id, page_number, locked, preview_text,
                           to_tsvector(config::regconfig, folded)
                    FROM bench_fill_page"""
                )


def indexes_drop() -> list[str]:
    """Drop the search tables' secondary indexes (a bulk load then builds each once, as a
    restore would); returns their definitions for ``indexes_restore``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.tablename IN ('search_listing', 'search_page') AND i.schemaname = current_schema() "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def indexes_restore(definitions: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("ANALYZE search_listing")
        cursor.execute("ANALYZE search_page")


def _snapshot(listing_ids: list[int]) -> tuple[list[Any], list[Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS.replace('small_tsv', 'small_tsv::text').replace(' tsv,', ' tsv::text,')} "
            "FROM search_listing WHERE listing_id = ANY(%s) ORDER BY listing_id",
            [listing_ids],
        )
        listings = cursor.fetchall()
        cursor.execute(
            "SELECT listing_id, page_number, locked, preview_text, tsv::text FROM search_page "
            "WHERE listing_id = ANY(%s) ORDER BY listing_id, page_number",
            [listing_ids],
        )
        return listings, cursor.fetchall()


def check(backend: Any, docs: list[IndexDoc]) -> None:
    """Re-index ``docs`` (already filled) through the backend; raise if anything differs."""
    ids = [doc.listing_id for doc in docs]
    filled = _snapshot(ids)
    backend.index(docs)
    indexed = _snapshot(ids)
    if filled != indexed:
        raise RuntimeError(
            "bench/search_kit/pgfill.py no longer writes what PostgresBackend.index() writes: "
            "bring its SQL in line with backends/postgres.py"
        )
