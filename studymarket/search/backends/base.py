"""The search backend interface: what the service (and bench/search.py) talk to.

A backend holds one search document per published listing (``IndexDoc``: the listing's words,
its facets and sort keys, and the full text of its pages) and answers a ``SearchQuery`` with
a ``SearchResult`` (search.types, shared with the service above). The database stays the
source of truth: a backend is only ever filled from it (documents.py), by the worker or
``search_rebuild``.

Two implementations: ``tantivy`` (embedded default, an index folder) and ``postgres``
(tables in the default database). ``backend_get`` (search.backends) builds one by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from studymarket.search.types import SearchQuery, SearchResult


class SearchUnavailable(Exception):
    """The configured backend cannot run here (e.g. ``postgres`` on SQLite)."""


@dataclass
class IndexDoc:
    """Everything the search engine knows about one published listing."""

    listing_id: int
    title: str
    description: str = ""
    course_name: str = ""
    course_code: str = ""
    institution_name: str = ""
    institution_slug: str = ""
    programme: str = ""
    course_id: int = 0
    book_titles: list[str] = field(default_factory=list)
    isbns: list[str] = field(default_factory=list)
    toc: list[str] = field(default_factory=list)
    document_type: str = ""
    academic_year: str = ""
    language: str = "nl"
    price_cents: int = 0
    published_at: datetime | None = None
    rating_avg: float = 0.0
    review_count: int = 0
    sold_count: int = 0
    preview_page_count: int = 1
    # Full text per page, in order: pages[0] is page 1. Pages after ``preview_page_count`` are
    # indexed but their text is never stored where a search result could return it.
    pages: list[str] = field(default_factory=list)


@runtime_checkable
class SearchBackend(Protocol):
    name: str

    def index(self, docs: Iterable[IndexDoc]) -> None:
        """Add or replace these listings (by listing_id), then commit: readers see them next."""

    def delete(self, listing_ids: Iterable[int]) -> None:
        """Remove these listings (absent ones are ignored), then commit."""

    def clear(self) -> None:
        """Remove everything."""

    def search(self, query: SearchQuery) -> SearchResult:
        """One page of matching listings, best first for the query's sort, with facet counts.

        Facet labels are the raw values here (slugs, ids, codes); the service labels them."""

    def count(self) -> int:
        """How many listings the index holds."""


# Price facet: buckets in cents, both ends inclusive; None is open. The facet value is
# "low-high" with an open end left empty ("-499", "1500-"), as SearchQuery's price bounds.
PRICE_BUCKETS: tuple[tuple[int | None, int | None], ...] = (
    (None, 499),
    (500, 999),
    (1000, 1499),
    (1500, None),
)
FACET_KEYS = ("institution", "course", "document_type", "academic_year", "language", "price")
# The total and the facet counts stop here: past it the result says ``total_capped`` and the
# page "more than 1.000" (counting every match of a common word is what made searching slow).
COUNT_LIMIT = 1000
# Page hits returned per listing, best first.
PAGE_HITS_PER_LISTING = 3


def price_bucket_value(low: int | None, high: int | None) -> str:
    return f"{'' if low is None else low}-{'' if high is None else high}"
