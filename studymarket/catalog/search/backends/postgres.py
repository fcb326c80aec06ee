"""The scale-out search backend: PostgreSQL full-text search in the default database.

Tables (created by migration catalog 0004, plain SQL, see the ADR):
- ``search_listing``: one row per listing. ``small_tsv`` holds the small fields, weighted
  (title A, course/institution B, book and table of contents C, description D); ``tsv`` is
  ``small_tsv`` plus the stripped (position-free, so bounded) words of every page. Facets and
  sort keys are plain columns; ``names`` (title, course, code, institution) feeds pg_trgm.
- ``search_page``: one row per page with its tsvector; ``preview_text`` only for preview
  pages (a check constraint keeps locked pages' text out).

Text is folded in Python (analysis.fold, the same folding as the tantivy index) and then
analysed with both the 'dutch' and the 'english' configurations; a query word matches
either. Words only ever travel as query parameters (plainto_tsquery), so no input can break
the query syntax.

Query strategy ("rank on the small fields first"): listings whose small fields match come
first, ordered by RUM's index-ordered distance ``small_tsv <=> q`` when the rum extension is
installed (one index scan, no de-TOASTing) or by ``ts_rank`` over the small tsvector
otherwise; listings found only inside their pages follow, newest first. The small-field
matches are never counted in full: the RUM scan's own length, or a count bounded by the page
asked for, says where the page-only matches begin. The total and the facet counts come from one
GROUPING SETS query over the first ``COUNT_LIMIT + 1`` rows of ``tsv @@ q`` (GIN): past the
limit the result says ``total_capped`` and the page "more than 1.000". Sequential scans are
off for the search's statements (see ``search``). When the exact words find nothing, each word
may instead nearly match ``names`` (pg_trgm word similarity), each word through its own index.

Writing: ``index()`` sends ``INDEX_BATCH`` listings per statement (``rows_insert``: arrays
unnested server-side), all in one transaction.

Measured at 100,000 listings (bench/search.py, 200 queries, bench/results/search-100k-postgres.json):
backend p95 2,064 ms before these measures, 84 ms after; most of the old time went to counting
every match of common words and to sequential scans that de-TOASTed each listing's tsvector.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, transaction

from studymarket.catalog.search import analysis
from studymarket.catalog.search.backends.base import (
    PAGE_HITS_PER_LISTING,
    PRICE_BUCKETS,
    IndexDoc,
    SearchUnavailable,
    price_bucket_value,
)
from studymarket.catalog.search.service import (
    FacetValue,
    PageHit,
    SearchHit,
    SearchQuery,
    SearchResult,
)

CONFIGS = ("dutch", "english")
# A page's text is cut here before analysis (PostgreSQL's tsvector limit is 1 MB).
PAGE_TEXT_MAX = 100_000
SMALL_TEXT_MAX = 100_000
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
# index() writes this many listings per statement (one round trip, one plan).
INDEX_BATCH = 200
# The total and the facet counts stop here: past it the page says "more than 1.000" (counting
# every match of a common word is what made searching slow).
COUNT_LIMIT = 1000
SORT_COLUMNS = {"newest": "published_at", "rating": "rating_avg", "sales": "sold_count"}


@functools.lru_cache(maxsize=8)
def _extensions(alias: str, database: str) -> frozenset[str]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        return frozenset(row[0] for row in cursor.fetchall())


def pg_extensions(using: str = "default") -> frozenset[str]:
    """The extensions installed in this PostgreSQL database (cached per process)."""
    connection = connections[using]
    return _extensions(using, str(connection.settings_dict.get("NAME")))


_NOT_MARKUP = str.maketrans({"<": " ", ">": " "})


def _text(text: str, limit: int) -> str:
    """Folded text for to_tsvector. The document text is plain text, never markup: without
    "<" and ">" PostgreSQL's parser cannot take "<script>…</script>" for a tag and skip it."""
    return analysis.fold(text[:limit]).translate(_NOT_MARKUP)


def _tsvector(text_sql: str) -> str:
    return " || ".join(f"to_tsvector('{config}', {text_sql})" for config in CONFIGS)


def _word_tsquery(word: analysis.Word, params: list[Any]) -> str:
    parts = []
    for config in CONFIGS:
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
        text = f"SELECT listing_id FROM search_listing WHERE tsv @@ {_word_tsquery(word, params)}"
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


def _plan_tsquery(plan: list[analysis.Group], params: list[Any]) -> str:
    groups = []
    for group in plan:
        alternatives = [
            "(" + " && ".join(_word_tsquery(word, params) for word in alternative) + ")"
            for alternative in group.alternatives
        ]
        groups.append("(" + " || ".join(alternatives) + ")")
    return "(" + " && ".join(groups) + ")"


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
            iterator = iter(docs)
            while batch := list(itertools.islice(iterator, INDEX_BATCH)):
                latest = {doc.listing_id: doc for doc in batch}  # the last one wins, as one by one
                self._delete(cursor, list(latest))
                rows_insert(cursor, list(latest.values()))

    def _delete(self, cursor: Any, listing_ids: Sequence[int]) -> None:
        cursor.execute("DELETE FROM search_page WHERE listing_id = ANY(%s)", [list(listing_ids)])
        cursor.execute("DELETE FROM search_listing WHERE listing_id = ANY(%s)", [list(listing_ids)])

    def delete(self, listing_ids: Iterable[int]) -> None:
        ids = [int(i) for i in listing_ids]
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            self._delete(cursor, ids)

    def clear(self) -> None:
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_page")
            cursor.execute("DELETE FROM search_listing")

    def indexes_upgrade(self) -> list[str]:
        """Use RUM for the small fields once the extension is installed (and pg_trgm's index
        once that is). Returns what was done, for the rebuild command to report."""
        done = []
        _extensions.cache_clear()
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_available_extensions WHERE name IN ('rum', 'pg_trgm')")
            for (name,) in cursor.fetchall():
                if name not in pg_extensions(self.using):
                    try:
                        with transaction.atomic(using=self.using):
                            cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
                        done.append(f"extension {name}")
                    except Exception:  # no privilege: carry on without
                        pass
            _extensions.cache_clear()
            installed = pg_extensions(self.using)
            if "rum" in installed:
                cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'search_listing_small_rum'")
                if cursor.fetchone() is None:
                    cursor.execute(
                        "CREATE INDEX search_listing_small_rum ON search_listing "
                        "USING rum (small_tsv rum_tsvector_ops)"
                    )
                    cursor.execute("DROP INDEX IF EXISTS search_listing_small_gin")
                    done.append("RUM index")
            if "pg_trgm" in installed:
                cursor.execute(
                    "CREATE INDEX IF NOT EXISTS search_listing_names_trgm ON search_listing "
                    "USING gin (names gin_trgm_ops)"
                )
        return done

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
            result = self._search(cursor, query, plan, fuzzy=False)
            if plan and result.total == 0 and "pg_trgm" in pg_extensions(self.using):
                result = self._search(cursor, query, plan, fuzzy=True)
            if plan and result.hits:
                result = dataclasses.replace(result, hits=self._page_hits(cursor, result.hits, plan))
            cursor.execute("RESET enable_seqscan")  # inside a caller's transaction too
        return result

    def _filters(self, query: SearchQuery, params: list[Any]) -> str:
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

    def _search(
        self, cursor: Any, query: SearchQuery, plan: list[analysis.Group], *, fuzzy: bool
    ) -> SearchResult:
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
            match = f"tsv @@ {_plan_tsquery(plan, match_params)}"
            small = f"small_tsv @@ {_plan_tsquery(plan, small_params)}"
        filter_params: list[Any] = []
        filters = self._filters(query, filter_params)

        total, facets, capped = self._facets(
            cursor, f"({match}) AND {filters}", [*match_params, *filter_params]
        )
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
            ids = self._relevance(
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
            )
        hits = [SearchHit(listing_id=int(pk), score=float(score), page_hits=[]) for pk, score in ids]
        return SearchResult(hits=hits, total=total, facets=facets, total_capped=capped)

    def _relevance(
        self,
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
        q = _plan_tsquery(plan, q_params)
        rank = f"ts_rank_cd({RANK_WEIGHTS}, small_tsv, {q})"
        where = f"{small} AND {filters}"
        where_params = [*small_params, *filter_params]
        # How many listings match in their small fields, counted only as far as this page
        # needs (never all of them: that is what made common words slow).
        small_total: int | None = None
        if "rum" in pg_extensions(self.using):
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

    def _facets(
        self, cursor: Any, where: str, params: list[Any]
    ) -> tuple[int, dict[str, list[FacetValue]], bool]:
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

    def _page_hits(self, cursor: Any, hits: list[SearchHit], plan: list[analysis.Group]) -> list[SearchHit]:
        params: list[Any] = []
        q = _plan_tsquery(plan, params)
        cursor.execute(
            f"""
            SELECT listing_id, page_number, locked, preview_text FROM (
                SELECT listing_id, page_number, locked, CASE WHEN locked THEN NULL ELSE preview_text END
                       AS preview_text,
                       row_number() OVER (
                           PARTITION BY listing_id ORDER BY ts_rank(tsv, query.q) DESC, page_number
                       ) AS position
                FROM search_page, (SELECT {q} AS q) AS query
                WHERE listing_id = ANY(%s) AND tsv @@ query.q
            ) ranked WHERE position <= %s ORDER BY listing_id, position
            """,
            [*params, [hit.listing_id for hit in hits], PAGE_HITS_PER_LISTING],
        )
        words = analysis.plan_words(plan)
        pages: dict[int, list[PageHit]] = {}
        for listing_id, number, locked, text in cursor.fetchall():
            pages.setdefault(listing_id, []).append(
                PageHit(
                    page_number=number,
                    locked=bool(locked),
                    snippet_html="" if locked else analysis.snippet_html(text or "", words),
                )
            )
        return [
            SearchHit(listing_id=hit.listing_id, score=hit.score, page_hits=pages.get(hit.listing_id, []))
            for hit in hits
        ]
