"""Querying the tantivy index: one page of matching listings in the query's order, the
total and the facet counts.

Queries are built from term/boolean query objects (analysis.query_plan): user text never
reaches tantivy's query parser. A query word is looked up with both stems; course codes are
indexed as typed and normalised ("MAN 3025" → also "man3025"). When the exact words find
nothing, the query is retried with fuzzy terms (edit distance 1, 2 for long words) on
titles, course names and codes.
"""

from __future__ import annotations

from typing import Any

import tantivy
from tantivy import Occur, Query

from studymarket.search import analysis
from studymarket.search.backends.base import PRICE_BUCKETS, price_bucket_value
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
    clauses = [(Occur.Must, f) for f in filters]
    if words is not None:
        clauses.append((Occur.Must, words))
    full = Query.boolean_query(clauses)
    page_size = max(1, query.page_size)
    offset = (max(1, query.page) - 1) * page_size
    sort = query.sort if query.sort in SORT_FIELDS else "relevance"
    if sort == "relevance" and words is None:
        sort = "newest"
    # No count here: the aggregation below visits every match anyway and gives the total, and
    # without a count tantivy may skip the matches that cannot reach the top (block-max WAND).
    if sort == "relevance":
        found = searcher.search(full, limit=page_size, count=False, offset=offset)
    else:
        found = searcher.search(
            full,
            limit=page_size,
            count=False,
            offset=offset,
            order_by_field=SORT_FIELDS[sort],
            order=tantivy.Order.Desc,
        )
    # The ids come from the fast field (a column read), not from the stored documents.
    listing_ids = listing_ids_of(searcher, [address for _key, address in found.hits])
    hits = [
        SearchHit(listing_id=listing_id, score=float(key) if sort == "relevance" else 0.0, page_hits=[])
        for (key, _address), listing_id in zip(found.hits, listing_ids, strict=True)
    ]
    total, facets = _facets(searcher, full)
    return SearchResult(hits=hits, total=total, facets=facets)


def _price_ranges() -> list[dict[str, Any]]:
    ranges = []
    for low, high in PRICE_BUCKETS:
        bucket: dict[str, Any] = {"key": price_bucket_value(low, high)}
        if low is not None:
            bucket["from"] = low
        if high is not None:
            bucket["to"] = high + 1
        ranges.append(bucket)
    return ranges


def _price_buckets_partition() -> bool:
    """Whether every price falls in exactly one bucket (open at both ends, no gaps)."""
    lows = [low for low, _high in PRICE_BUCKETS]
    highs = [high for _low, high in PRICE_BUCKETS]
    return (
        lows[0] is None
        and highs[-1] is None
        and all(high is not None and low == high + 1 for high, low in zip(highs[:-1], lows[1:], strict=True))
    )


# One aggregation request gives every facet's counts and, as the price buckets split all
# prices between them, the number of matches.
AGGREGATION: dict[str, Any] = {
    **{name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS},
    "price": {"range": {"field": "price_cents", "ranges": _price_ranges()}},
    **({} if _price_buckets_partition() else {"total": {"value_count": {"field": "price_cents"}}}),
}


def _facets(searcher: tantivy.Searcher, query: Query) -> tuple[int, dict[str, list[FacetValue]]]:
    """How many listings match, and the facet counts over all of them."""
    answer = searcher.aggregate(query, AGGREGATION)
    price_buckets = answer.get("price", {}).get("buckets", [])
    if isinstance(price_buckets, dict):
        price_buckets = [{"key": k, **v} for k, v in price_buckets.items()]
    by_key = {b["key"]: int(b["doc_count"]) for b in price_buckets}
    if "total" in answer:
        total = int(answer["total"]["value"] or 0)
    else:
        total = sum(by_key.values())
    if not total:
        return 0, {}
    facets: dict[str, list[FacetValue]] = {}
    for name in FACET_FIELDS:
        key = "course" if name == "course_id" else name
        facets[key] = [
            FacetValue(value=str(b["key"]), label=str(b["key"]), count=int(b["doc_count"]))
            for b in answer.get(name, {}).get("buckets", [])
            if b["doc_count"]
        ]
    facets["price"] = [
        FacetValue(value=value, label=value, count=by_key[value])
        for value in (price_bucket_value(low, high) for low, high in PRICE_BUCKETS)
        if by_key.get(value)
    ]
    return total, facets
