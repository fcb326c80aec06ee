"""Querying the postgres backend: the matching listings, one page of them in the query's
order, the total and the facet counts.

Words only ever travel as query parameters (plainto_tsquery), so no input can break the query
syntax. Query strategy ("rank on the small fields first"): listings whose small fields match
come first, ordered by RUM's index-ordered distance ``small_tsv <=> q`` when the rum extension
is installed (one index scan, no de-TOASTing) or by ``ts_rank`` over the small tsvector
otherwise; listings found only inside their pages follow, newest first. The small-field
matches are never counted in full: the RUM scan's own length, or a count bounded by the page
asked for, says where the page-only matches begin. The total and the facet counts come from one
GROUPING SETS query over the first ``COUNT_LIMIT + 1`` rows of ``tsv @@ q`` (GIN): past the
limit the result says ``total_capped`` and the page "more than 1.000". When the exact words
find nothing, each word may instead nearly match ``names`` (pg_trgm word similarity), each
word through its own index.
"""

from __future__ import annotations

from typing import Any

from studymarket.search import analysis
from studymarket.search.backends.base import PRICE_BUCKETS, price_bucket_value
from studymarket.search.backends.postgres import schema
from studymarket.search.types import FacetValue, SearchHit, SearchQuery, SearchResult

FACET_COLUMNS = {
    "institution": "institution",
    "course": "course_id",
    "document_type": "document_type",
    "academic_year": "academic_year",
    "language": "language",
}
# ts_rank_cd weights for D, C, B, A: description, book/TOC, course, title.
RANK_WEIGHTS = "'{0.1, 0.3, 0.6, 1.0}'"
# With RUM: how many of the index-ordered best are re-ranked by weight.
RERANK = 200
# The total and the facet counts stop here: past it the page says "more than 1.000" (counting
# every match of a common word is what made searching slow).
COUNT_LIMIT = 1000
SORT_COLUMNS = {"newest": "published_at", "rating": "rating_avg", "sales": "sold_count"}


def word_tsquery(word: analysis.Word, params: list[Any]) -> str:
    parts = []
    for config in schema.CONFIGS:
        parts.append(f"plainto_tsquery('{config}', %s)")
        params.append(word.plain)
    return "(" + " || ".join(parts) + ")"


def _fuzzy_ids(plan: list[analysis.Group], params: list[Any]) -> str:
    """The ids of the listings matching the plan with each long word allowed to be in the text
    or nearly one of the names.

    Written as set operations over listing ids (INTERSECT for "and", UNION for "or"), so that
    every word is looked up in its own index (GIN for the text, pg_trgm for the names): as one
    boolean condition the planner used the index for the first word only and tested the
    others on every row it found, de-TOASTing their tsvectors (0.1 s for three rare words)."""

    def word_ids(word: analysis.Word) -> str:
        text = f"SELECT listing_id FROM search_listing WHERE tsv @@ {word_tsquery(word, params)}"
        if not analysis.fuzzy_allowed(word):
            return text
        params.append(word.plain)
        return f"{text} UNION SELECT listing_id FROM search_listing WHERE %s <%% names"

    groups = []
    for group in plan:
        alternatives = [
            " INTERSECT ".join(f"({word_ids(word)})" for word in alternative)
            for alternative in group.alternatives
        ]
        groups.append(" UNION ".join(f"({alternative})" for alternative in alternatives))
    return " INTERSECT ".join(f"({group})" for group in groups)


def plan_tsquery(plan: list[analysis.Group], params: list[Any]) -> str:
    groups = []
    for group in plan:
        alternatives = [
            "(" + " && ".join(word_tsquery(word, params) for word in alternative) + ")"
            for alternative in group.alternatives
        ]
        groups.append("(" + " || ".join(alternatives) + ")")
    return "(" + " && ".join(groups) + ")"


def _filters(query: SearchQuery, params: list[Any]) -> str:
    clauses = ["TRUE"]
    values = {
        "institution": query.institution,
        "course_id": query.course,
        "document_type": query.document_type,
        "academic_year": query.academic_year,
        "language": query.language,
    }
    for column, value in values.items():
        if value is not None and value != "":
            clauses.append(f"{column} = %s")
            params.append(value)
    if query.price_min_cents is not None:
        clauses.append("price_cents >= %s")
        params.append(query.price_min_cents)
    if query.price_max_cents is not None:
        clauses.append("price_cents <= %s")
        params.append(query.price_max_cents)
    return " AND ".join(clauses)


def listings_find(
    cursor: Any, query: SearchQuery, plan: list[analysis.Group], *, fuzzy: bool, using: str
) -> SearchResult:
    """One page of the listings matching the plan (or, ``fuzzy``, nearly matching it), with the
    total and the facet counts; no page hits yet."""
    page_size = max(1, query.page_size)
    offset = (max(1, query.page) - 1) * page_size
    sort = query.sort if query.sort in SORT_COLUMNS else "relevance"
    if not plan and sort == "relevance":
        sort = "newest"

    # The match condition over search_listing, and the same over the small fields only.
    match_params: list[Any] = []
    small_params: list[Any] = []
    if not plan:
        match, small = "TRUE", "TRUE"
    elif fuzzy:
        # The near misses once, by id: the facet and the ranking queries both use them.
        cursor.execute(_fuzzy_ids(plan, match_params), match_params)
        fuzzy_ids = [row[0] for row in cursor.fetchall()]
        if not fuzzy_ids:
            return SearchResult(hits=[], total=0, facets={})
        match, match_params = "listing_id = ANY(%s)", [fuzzy_ids]
        small, small_params = match, list(match_params)
    else:
        match = f"tsv @@ {plan_tsquery(plan, match_params)}"
        small = f"small_tsv @@ {plan_tsquery(plan, small_params)}"
    filter_params: list[Any] = []
    filters = _filters(query, filter_params)

    total, facets, capped = _facets(cursor, f"({match}) AND {filters}", [*match_params, *filter_params])
    if total == 0:
        return SearchResult(hits=[], total=0, facets={})
    if capped:
        total = COUNT_LIMIT

    if sort != "relevance":
        column = SORT_COLUMNS[sort]
        cursor.execute(
            f"SELECT listing_id FROM search_listing WHERE ({match}) AND {filters} "
            f"ORDER BY {column} DESC NULLS LAST, listing_id DESC LIMIT %s OFFSET %s",
            [*match_params, *filter_params, page_size, offset],
        )
        ids = [(row[0], 0.0) for row in cursor.fetchall()]
    else:
        ids = _relevance(
            cursor,
            plan,
            fuzzy,
            match,
            match_params,
            small,
            small_params,
            filters,
            filter_params,
            page_size,
            offset,
            using,
        )
    hits = [SearchHit(listing_id=int(pk), score=float(score), page_hits=[]) for pk, score in ids]
    return SearchResult(hits=hits, total=total, facets=facets, total_capped=capped)


def _relevance(
    cursor: Any,
    plan: list[analysis.Group],
    fuzzy: bool,
    match: str,
    match_params: list[Any],
    small: str,
    small_params: list[Any],
    filters: str,
    filter_params: list[Any],
    limit: int,
    offset: int,
    using: str,
) -> list[tuple[int, float]]:
    if fuzzy:
        # Few rows by nature (near-misses on names): order by similarity.
        fuzzy_words = [word.plain for word in analysis.plan_words(plan) if analysis.fuzzy_allowed(word)]
        similarity = " + ".join(["strict_word_similarity(%s, names)"] * len(fuzzy_words)) or "0"
        sim_params = fuzzy_words
        cursor.execute(
            f"SELECT listing_id, {similarity} AS s FROM search_listing WHERE ({match}) AND {filters} "
            f"ORDER BY s DESC, listing_id DESC LIMIT %s OFFSET %s",
            [*sim_params, *match_params, *filter_params, limit, offset],
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]
    # 1. Matches in the small fields, ranked; 2. then matches only inside the pages.
    found: list[tuple[int, float]] = []
    end = offset + limit
    q_params: list[Any] = []
    q = plan_tsquery(plan, q_params)
    rank = f"ts_rank_cd({RANK_WEIGHTS}, small_tsv, {q})"
    where = f"{small} AND {filters}"
    where_params = [*small_params, *filter_params]
    # How many listings match in their small fields, counted only as far as this page
    # needs (never all of them: that is what made common words slow).
    small_total: int | None = None
    if "rum" in schema.pg_extensions(using):
        # RUM's index order picks the best RERANK candidates in one index scan; the
        # weighted cover-density rank re-orders those few (RUM's distance ignores weights).
        if offset < RERANK:
            cursor.execute(
                f"""
                SELECT listing_id, {rank} AS score, published_at FROM (
                    SELECT listing_id, small_tsv, published_at FROM search_listing WHERE {where}
                    ORDER BY small_tsv <=> {q} LIMIT %s
                ) AS candidates
                ORDER BY score DESC, published_at DESC NULLS LAST, listing_id DESC
                """,
                [*q_params, *where_params, *q_params, RERANK],
            )
            candidates = [(row[0], float(row[1])) for row in cursor.fetchall()]
            if len(candidates) < RERANK:
                small_total = len(candidates)
            found.extend(candidates[offset:end])
        position = offset + len(found)
        if position < end and small_total is None:
            # Past the re-ranked window: RUM's own order.
            start = max(position, RERANK)
            cursor.execute(
                f"SELECT listing_id, 1.0 / (1.0 + (small_tsv <=> {q})) FROM search_listing "
                f"WHERE {where} ORDER BY small_tsv <=> {q} LIMIT %s OFFSET %s",
                [*q_params, *where_params, *q_params, end - start, start],
            )
            rows = cursor.fetchall()
            found.extend((row[0], float(row[1])) for row in rows)
            if rows and start + len(rows) < end:
                small_total = start + len(rows)
    else:
        cursor.execute(
            f"SELECT listing_id, {rank} AS score FROM search_listing WHERE {where} "
            "ORDER BY score DESC, published_at DESC NULLS LAST, listing_id DESC LIMIT %s OFFSET %s",
            [*q_params, *where_params, limit, offset],
        )
        found.extend((row[0], float(row[1])) for row in cursor.fetchall())
        if found and len(found) < limit:
            small_total = offset + len(found)
    position = offset + len(found)
    if position < end:
        if small_total is None or small_total > position:
            # The page starts past the small-field matches without reaching them (a deep
            # page): count them, as far as needed.
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM search_listing WHERE {where} LIMIT %s) AS s",
                [*where_params, end],
            )
            small_total = int(cursor.fetchone()[0])
        if position >= small_total:
            cursor.execute(
                f"SELECT listing_id FROM search_listing WHERE ({match}) AND NOT ({small}) AND {filters} "
                f"ORDER BY published_at DESC NULLS LAST, listing_id DESC LIMIT %s OFFSET %s",
                [*match_params, *small_params, *filter_params, end - position, position - small_total],
            )
            found.extend((row[0], 0.0) for row in cursor.fetchall())
    return found


def _facets(cursor: Any, where: str, params: list[Any]) -> tuple[int, dict[str, list[FacetValue]], bool]:
    """The total and the facet counts over the first ``COUNT_LIMIT + 1`` matches (any
    order: whatever the scan finds first); the flag says the limit was reached."""
    bucket_cases = []
    bucket_params: list[Any] = []
    for low, high in PRICE_BUCKETS:
        conditions = []
        if low is not None:
            conditions.append("price_cents >= %s")
            bucket_params.append(low)
        if high is not None:
            conditions.append("price_cents <= %s")
            bucket_params.append(high)
        bucket_cases.append(f"WHEN {' AND '.join(conditions)} THEN %s")
        bucket_params.append(price_bucket_value(low, high))
    price = f"CASE {' '.join(bucket_cases)} END"
    columns = [*FACET_COLUMNS.values(), "price"]
    cursor.execute(
        f"""
        WITH matched AS (
            SELECT institution, course_id::text AS course_id, document_type, academic_year, language,
                   {price} AS price
            FROM search_listing WHERE {where} LIMIT %s
        )
        SELECT {", ".join(f"GROUPING({c})" for c in columns)}, {", ".join(columns)}, count(*)
        FROM matched
        GROUP BY GROUPING SETS ((), {", ".join(f"({c})" for c in columns)})
        """,
        [*bucket_params, *params, COUNT_LIMIT + 1],
    )
    total = 0
    facets: dict[str, list[FacetValue]] = {key: [] for key in [*FACET_COLUMNS, "price"]}
    keys = [*FACET_COLUMNS, "price"]
    n = len(columns)
    for row in cursor.fetchall():
        grouping, values, count = row[:n], row[n : 2 * n], int(row[-1])
        if all(grouping):
            total = count
            continue
        position = list(grouping).index(0)
        value = values[position]
        if value is None or value == "":
            continue
        facets[keys[position]].append(FacetValue(value=str(value), label=str(value), count=count))
    order = [price_bucket_value(low, high) for low, high in PRICE_BUCKETS]
    facets["price"].sort(key=lambda f: order.index(f.value))
    return total, facets, total > COUNT_LIMIT
