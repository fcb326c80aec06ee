"""The values the search service and its backends exchange: a query in, a result out.

They sit below both (the service imports them, so do the backends), so that a backend never
imports the service above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


def _page_size_default() -> int:
    return int(settings.SEARCH_PAGE_SIZE)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    institution: str | None = None  # institution slug
    course: int | None = None  # course id
    document_type: str | None = None
    academic_year: str | None = None
    language: str | None = None
    price_min_cents: int | None = None
    price_max_cents: int | None = None
    sort: str = "relevance"  # relevance | newest | rating | sales
    page: int = 1
    page_size: int = field(default_factory=_page_size_default)


@dataclass(frozen=True)
class PageHit:
    page_number: int
    locked: bool
    snippet_html: str  # "" when locked: never the text


@dataclass(frozen=True)
class SearchHit:
    listing_id: int
    score: float
    page_hits: list[PageHit]  # at most 3, best first


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    # keys: institution, course, document_type, academic_year, language, price
    facets: dict[str, list[FacetValue]]
    # True when the backend stopped counting: there are more than ``total`` matches (and the
    # facet counts are over the first of them).
    total_capped: bool = False


@dataclass(frozen=True)
class Suggestion:
    kind: str  # institution | course | book
    label: str
    detail: str
    url: str
