"""Querying the tantivy index: one page of matching listings in the query's order, the
total and the facet counts.

Queries are built from term/boolean query objects (analysis.query_plan): user text never
reaches tantivy's query parser. A query word is looked up with both stems; course codes are
indexed as typed and normalised ("MAN 3025" → also "man3025"). When the exact words find
nothing, the query is retried with fuzzy terms (edit distance 1, 2 for long words) on
titles, course names and codes.
"""

from __future__ import annotations

import bisect
from collections import Counter
from typing import Any

import tantivy
from tantivy import Occur, Query

from studymarket.search import analysis
from studymarket.search.backends.base import COUNT_LIMIT, PRICE_BUCKETS, price_bucket_value
from studymarket.search.backends.tantivy.schema import (
    FACET_FIELDS,
    SCHEMA,
    TEXT_FIELDS,
    listing_ids_of,
    term_query,
    unscored,
)
from studymarket.search.types import FacetValue, SearchHit, SearchQuery, SearchResult

FUZZY_BOOST = 2.0
SORT_FIELDS = {"newest": "published_at", "rating": "rating_avg", "sales": "sold_count"}
FACET_SIZE = 200


def filters_build(query: SearchQuery) -> list[Query]:
    filters = [unscored(term_query("kind", "listing"))]
    values = {
        "institution": query.institution,
        "course_id": str(query.course) if query.course is not None else None,
        "document_type": query.document_type,
        "academic_year": query.academic_year,
        "language": query.language,
    }
    for name, value in values.items():
        if value:
            filters.append(unscored(term_query(name, value)))
    if query.price_min_cents is not None or query.price_max_cents is not None:
        filters.append(
            unscored(
                Query.range_query(
                    SCHEMA,
                    "price_cents",
                    tantivy.FieldType.Integer,
                    query.price_min_cents,
                    query.price_max_cents,
                )
            )
        )
    return filters


def _word_query(word: analysis.Word, fields: dict[str, float], *, fuzzy: bool) -> Query:
    clauses: list[tuple[Occur, Query]] = []
    for name, boost in fields.items():
        for language in analysis.STEM_LANGUAGES:
            term = term_query(f"{name}_{language}", word.stems[language])
            clauses.append((Occur.Should, Query.boost_query(term, boost) if boost != 1.0 else term))
    if fuzzy and analysis.fuzzy_allowed(word):
        distance = analysis.fuzzy_distance(word)
        fuzzy_query = Query.fuzzy_term_query(SCHEMA, "names", word.plain, distance=distance)
        clauses.append((Occur.Should, Query.boost_query(fuzzy_query, FUZZY_BOOST)))
    return Query.boolean_query(clauses)


def groups_query(plan: list[analysis.Group], fields: dict[str, float], *, fuzzy: bool) -> Query:
    groups: list[tuple[Occur, Query]] = []
    for group in plan:
        alternatives = [
            Query.boolean_query(
                [(Occur.Must, _word_query(word, fields, fuzzy=fuzzy)) for word in alternative]
            )
            for alternative in group.alternatives
        ]
        groups.append(
            (
                Occur.Must,
                alternatives[0]
                if len(alternatives) == 1
                else Query.boolean_query([(Occur.Should, alternative) for alternative in alternatives]),
            )
        )
    return Query.boolean_query(groups)


def words_query(plan: list[analysis.Group], *, fuzzy: bool) -> Query:
    return groups_query(plan, TEXT_FIELDS, fuzzy=fuzzy)


def listings_find(
    searcher: tantivy.Searcher, query: SearchQuery, words: Query | None, filters: list[Query]
) -> SearchResult:
    """One page of the matching listings in the query's order, the total and the facet counts.

    One top-N search serves all three: it fetches the best ``COUNT_LIMIT + 1`` matches (or down
    to the page asked for, if deeper), so the page is a slice of them, and the total and the
    facet counts are counted over them from their fast-field columns. Past the limit the result
    says ``total_capped`` (the page shows "more than 1.000") and the facets count the best
    ``COUNT_LIMIT``. Counting every match instead (an aggregation or a count collector) visits
    all of them and cannot skip the ones that will never reach the top (block-max WAND): at a
    million listings that was four times the cost of the search itself."""
    clauses = [(Occur.Must, f) for f in filters]
    if words is not None:
        clauses.append((Occur.Must, words))
    full = Query.boolean_query(clauses)
    page_size = max(1, query.page_size)
    offset = (max(1, query.page) - 1) * page_size
    sort = query.sort if query.sort in SORT_FIELDS else "relevance"
    if sort == "relevance" and words is None:
        sort = "newest"
    limit = max(COUNT_LIMIT + 1, offset + page_size)
    if sort == "relevance":
        found = searcher.search(full, limit=limit, count=False)
    else:
        found = searcher.search(
            full, limit=limit, count=False, order_by_field=SORT_FIELDS[sort], order=tantivy.Order.Desc
        )
    matches = found.hits
    if not matches:
        return SearchResult(hits=[], total=0, facets={})
    page = matches[offset : offset + page_size]
    # The ids come from the fast field (a column read), not from the stored documents.
    listing_ids = listing_ids_of(searcher, [address for _key, address in page])
    hits = [
        SearchHit(listing_id=listing_id, score=float(key) if sort == "relevance" else 0.0, page_hits=[])
        for (key, _address), listing_id in zip(page, listing_ids, strict=True)
    ]
    capped = len(matches) > COUNT_LIMIT
    counted = [address for _key, address in matches[:COUNT_LIMIT]]
    return SearchResult(
        hits=hits,
        total=len(counted) if capped else len(matches),
        facets=_facets(searcher, counted),
        total_capped=capped,
    )


# Facet values by (field, code), learnt from the stored documents the first time a code shows
# up: a handful of values per field, and the same codes in every process (schema.facet_code).
_facet_values: dict[tuple[str, int], str] = {}


def _facet_name(
    searcher: tantivy.Searcher, name: str, code: Any, codes: list[Any], addresses: list[Any]
) -> str:
    """The value of a facet code: known, or learnt from the stored document of one listing
    that has it (the first time a process sees the code)."""
    value = _facet_values.get((name, code))
    if value is None:
        address = addresses[codes.index(code)]
        value = _facet_values[(name, code)] = str(searcher.doc(address).get_first(name) or "")
    return value


def _facets(searcher: tantivy.Searcher, addresses: list[Any]) -> dict[str, list[FacetValue]]:
    """The facet counts over these listing documents, from their facet-code columns (a few
    hundred microseconds for a thousand: column reads and one Counter per facet)."""
    facets: dict[str, list[FacetValue]] = {}
    for name in FACET_FIELDS:
        codes = searcher.fast_field_values(f"{name}_code", addresses)
        counts: Counter[Any] = Counter(codes)  # counted in C: a thousand values in microseconds
        counts.pop(None, None)
        facets["course" if name == "course_id" else name] = [
            FacetValue(value=value, label=value, count=count)
            for code, count in counts.most_common(FACET_SIZE)
            if (
                value := _facet_values.get((name, code))
                or _facet_name(searcher, name, code, codes, addresses)
            )
        ]
    prices: Counter[Any] = Counter(searcher.fast_field_values("price_cents", addresses))
    prices.pop(None, None)
    buckets = [0] * len(PRICE_BUCKETS)
    for price, count in prices.items():
        position = _price_bucket(price)
        if position is not None:
            buckets[position] += count
    facets["price"] = [
        FacetValue(value=value, label=value, count=count)
        for value, count in zip(_PRICE_VALUES, buckets, strict=True)
        if count
    ]
    return facets


_PRICE_VALUES = [price_bucket_value(low, high) for low, high in PRICE_BUCKETS]


# The buckets' lower bounds, for bisect: bucket i holds the prices from _PRICE_LOWS[i - 1] on.
_PRICE_LOWS = [low for low, _high in PRICE_BUCKETS[1:] if low is not None]
# Whether every price falls in exactly one bucket (open at both ends, no gaps): then bisect.
_PRICE_PARTITION = (
    PRICE_BUCKETS[0][0] is None
    and PRICE_BUCKETS[-1][1] is None
    and len(_PRICE_LOWS) == len(PRICE_BUCKETS) - 1
    and all(
        high is not None and high + 1 == low
        for (_l, high), low in zip(PRICE_BUCKETS, _PRICE_LOWS, strict=False)
    )
)


def _price_bucket(cents: int) -> int | None:
    if _PRICE_PARTITION:
        return bisect.bisect_right(_PRICE_LOWS, cents)
    for position, (low, high) in enumerate(PRICE_BUCKETS):
        if (low is None or cents >= low) and (high is None or cents <= high):
            return position
    return None
