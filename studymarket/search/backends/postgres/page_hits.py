"""Where inside the listings on a result page the words are: each listing's best pages
(at most PAGE_HITS_PER_LISTING), in one query over ``search_page``. A locked page is reported
without its text (its row has none: a check constraint keeps it out)."""

from __future__ import annotations

from typing import Any

from studymarket.search import analysis
from studymarket.search.backends.base import PAGE_HITS_PER_LISTING
from studymarket.search.backends.postgres.querying import plan_tsquery
from studymarket.search.types import PageHit, SearchHit


def page_hits_add(cursor: Any, hits: list[SearchHit], plan: list[analysis.Group]) -> list[SearchHit]:
    """These hits with their best pages (the rank of the words on each page, then its number)."""
    params: list[Any] = []
    q = plan_tsquery(plan, params)
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
