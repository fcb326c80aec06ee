"""A bulk loader for the postgres search backend's tables, for bench/search.py only.

Why it exists: ``PostgresBackend.index()`` keeps the RUM, GIN and trigram indexes up to date
with every batch, which at the benchmark's sizes is slow. bench/search.py measures the indexing
rate on the last ``--pg-sample`` listings through ``index()`` and fills the rest with this
loader: the secondary indexes dropped, the rows written by the backend's own
``postgres.writing.rows_insert`` (the same SQL as ``index()``), the indexes built once at the end.

``check()`` guards against drift: it re-indexes a few filled listings through ``index()`` and
fails if any column differs from what this loader wrote.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from studymarket.search.backends.base import IndexDoc
from studymarket.search.backends.postgres.writing import rows_insert

_COLUMNS = (
    "listing_id, names, small_tsv, tsv, institution, course_id, document_type, academic_year, "
    "language, price_cents, published_at, rating_avg, sold_count"
)
# Listings per INSERT … SELECT FROM unnest(…) statement.
FILL_BATCH = 1000


def fill(docs: Iterable[IndexDoc]) -> None:
    """Insert these listings (not yet in the tables) as ``PostgresBackend.index()`` would: its
    own ``rows_insert``, in bigger batches and without the delete first."""
    with transaction.atomic(), connection.cursor() as cursor:
        iterator = iter(docs)
        while batch := list(itertools.islice(iterator, FILL_BATCH)):
            rows_insert(cursor, batch)


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
            "bring its SQL in line with search/backends/postgres/writing.py"
        )
