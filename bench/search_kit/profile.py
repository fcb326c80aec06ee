# ruff: noqa: B023  (every lambda here runs at once, inside its own loop turn)
"""Where a search's time goes, step by step, for bench/search.py's "profile" key.

Each step of the backend's search is timed on its own, for every benchmark query (after the
warm-up that ``measure`` already did), and summarised as p50/p95/mean over the queries and for
the common-word queries alone (common1, two_common: where the time went at a million).
Steps that the backend no longer takes are timed too (marked "not in the search"), so that the
result file says what they would cost: counting every match and the facet aggregation of
schema 1, the stored documents of the hits.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.search_kit.corpus import Query
from bench.search_kit.timing import search_query

COMMON = ("common1", "two_common")


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    if not ordered:
        return {}
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
    }


class _Clock:
    def __init__(self) -> None:
        self.times: dict[str, list[tuple[str, float]]] = {}

    def __call__(self, step: str, kind: str, run: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        answer = run()
        self.times.setdefault(step, []).append((kind, time.perf_counter() - start))
        return answer

    def summary(self, notes: dict[str, str]) -> dict[str, Any]:
        return {
            step: {
                "what": notes.get(step, ""),
                "all": _summary([t for _k, t in times]),
                "common_words": _summary([t for k, t in times if k in COMMON]),
            }
            for step, times in self.times.items()
        }


def tantivy_profile(backend: Any, queries: list[Query]) -> dict[str, Any]:
    from tantivy import Occur
    from tantivy import Query as TQuery

    from studymarket.search import analysis
    from studymarket.search.backends.tantivy import querying
    from studymarket.search.backends.tantivy.page_hits import page_hits_find
    from studymarket.search.backends.tantivy.schema import FACET_FIELDS, listing_ids_of

    searcher = backend._searcher()
    # What schema 1 ran (its text fast fields are the code columns now: the same work).
    old_aggregation = {
        **{name: {"terms": {"field": f"{name}_code", "size": querying.FACET_SIZE}} for name in FACET_FIELDS},
        "price": {"range": {"field": "price_cents", "ranges": [{"to": 500}, {"from": 500}]}},
    }
    clock = _Clock()
    for query in queries:
        kind = query.kind
        search = search_query(query)
        plan = clock("parse", kind, lambda: analysis.query_plan(search.text))
        words = clock("build query", kind, lambda: querying.words_query(plan, fuzzy=False))
        filters = querying.filters_build(search)
        full = TQuery.boolean_query([(Occur.Must, f) for f in filters] + [(Occur.Must, words)])
        clock("top 20 (count=False)", kind, lambda: searcher.search(full, limit=20, count=False))
        found = clock(
            "top 1001 (count=False)",
            kind,
            lambda: searcher.search(full, limit=querying.COUNT_LIMIT + 1, count=False),
        )
        addresses = [address for _score, address in found.hits]
        clock("ids of 20 (fast field)", kind, lambda: listing_ids_of(searcher, addresses[:20]))
        clock("facets of 1000 (fast fields)", kind, lambda: querying._facets(searcher, addresses[:1000]))
        clock(
            "count every match (not in the search)", kind, lambda: searcher.search(full, limit=1, count=True)
        )
        clock(
            "facet aggregation over every match (not in the search)",
            kind,
            lambda: searcher.aggregate(full, old_aggregation),
        )
        clock(
            "stored documents of 20 (not in the search)",
            kind,
            lambda: [searcher.doc(address) for address in addresses[:20]],
        )
        if not addresses:
            clock(
                "fuzzy retry (only on no match)",
                kind,
                lambda: querying.listings_find(
                    searcher, search, querying.words_query(plan, fuzzy=True), filters
                ),
            )
        ids = listing_ids_of(searcher, addresses[:20])
        if ids:
            clock("page hits of 20", kind, lambda: page_hits_find(searcher, ids, plan))
        clock("backend.search, all of it", kind, lambda: backend.search(search))
    return clock.summary({})


def postgres_profile(backend: Any, queries: list[Query]) -> dict[str, Any]:
    from django.db import connection, transaction

    from studymarket.search import analysis
    from studymarket.search.backends.postgres import querying
    from studymarket.search.backends.postgres.page_hits import page_hits_add

    clock = _Clock()
    for query in queries:
        kind = query.kind
        search = search_query(query)
        plan = clock("parse", kind, lambda: analysis.query_plan(search.text))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            params: list[Any] = []
            match = f"tsv @@ {querying.plan_tsquery(plan, params)}"
            filter_params: list[Any] = []
            filters = querying._filters(search, filter_params)
            clock(
                "total and facets (first 1001)",
                kind,
                lambda: querying._facets(cursor, f"({match}) AND {filters}", [*params, *filter_params]),
            )
            result = clock(
                "listings_find (page + total + facets)",
                kind,
                lambda: querying.listings_find(cursor, search, plan, fuzzy=False, using="default"),
            )
            if result.hits:
                clock("page hits of 20", kind, lambda: page_hits_add(cursor, result.hits, plan))
        clock("backend.search, all of it", kind, lambda: backend.search(search))
    return clock.summary({})
