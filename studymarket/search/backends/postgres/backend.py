"""The scale-out search backend: PostgreSQL full-text search in the default database.

Tables (created by migration search 0001, plain SQL, see the ADR):
- ``search_listing``: one row per listing. ``small_tsv`` holds the small fields, weighted
  (title A, course/institution B, book and table of contents C, description D); ``tsv`` is
  ``small_tsv`` plus the stripped (position-free, so bounded) words of every page. Facets and
  sort keys are plain columns; ``names`` (title, course, code, institution) feeds pg_trgm.
- ``search_page``: one row per page with its tsvector; ``preview_text`` only for preview
  pages (a check constraint keeps locked pages' text out).

The work is split by what it does: writing.py fills the tables, querying.py finds a page of
listings with the total and the facet counts, page_hits.py finds their best pages, schema.py
knows the extensions. Sequential scans are off for the search's statements (see ``search``).

Measured at 100,000 listings (bench/search.py, 200 queries, bench/results/search-100k-postgres.json):
backend p95 2,064 ms before these measures, 84 ms after; most of the old time went to counting
every match of common words and to sequential scans that de-TOASTed each listing's tsvector.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from django.db import connections, transaction

from studymarket.search import analysis
from studymarket.search.backends.base import IndexDoc, SearchUnavailable
from studymarket.search.backends.postgres import schema
from studymarket.search.backends.postgres.page_hits import page_hits_add
from studymarket.search.backends.postgres.querying import listings_find
from studymarket.search.backends.postgres.writing import index_write, rows_delete
from studymarket.search.types import SearchQuery, SearchResult


class PostgresBackend:
    name = "postgres"

    def __init__(self, using: str = "default") -> None:
        self.using = using
        self.connection = connections[using]
        if self.connection.vendor != "postgresql":
            raise SearchUnavailable(
                "The postgres search backend needs a PostgreSQL database (DATABASE_URL=postgres://…); "
                "use SEARCH_BACKEND=tantivy with SQLite."
            )

    # --- writing ------------------------------------------------------------------------

    def index(self, docs: Iterable[IndexDoc]) -> None:
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            index_write(cursor, docs)

    def delete(self, listing_ids: Iterable[int]) -> None:
        ids = [int(i) for i in listing_ids]
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            rows_delete(cursor, ids)

    def clear(self) -> None:
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_page")
            cursor.execute("DELETE FROM search_listing")

    def indexes_upgrade(self) -> list[str]:
        """Use RUM for the small fields once the extension is installed (and pg_trgm's index
        once that is). Returns what was done, for the rebuild command to report."""
        return schema.indexes_upgrade(using=self.using)

    # --- reading ------------------------------------------------------------------------

    def count(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_listing")
            return int(cursor.fetchone()[0])

    def search(self, query: SearchQuery) -> SearchResult:
        plan = analysis.query_plan(query.text)
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            # Matches come from the indexes, never from reading every row: with a LIMIT (the
            # counts stop at COUNT_LIMIT) the planner likes a sequential scan that stops early,
            # but when fewer rows match than it guessed, that scan de-TOASTs every listing's
            # tsvector (0.6 s at 100,000 listings instead of 8 ms through the GIN index).
            cursor.execute("SET LOCAL enable_seqscan = off")
            result = listings_find(cursor, query, plan, fuzzy=False, using=self.using)
            if plan and result.total == 0 and "pg_trgm" in schema.pg_extensions(self.using):
                result = listings_find(cursor, query, plan, fuzzy=True, using=self.using)
            if plan and result.hits:
                result = dataclasses.replace(result, hits=page_hits_add(cursor, result.hits, plan))
            cursor.execute("RESET enable_seqscan")  # inside a caller's transaction too
        return result
