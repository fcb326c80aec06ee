"""Where inside the listings on a result page the words are: each listing's best pages."""

from __future__ import annotations

from typing import Any

import tantivy
from tantivy import Occur, Query

from studymarket.search import analysis
from studymarket.search.backends.base import PAGE_HITS_PER_LISTING
from studymarket.search.backends.tantivy.querying import groups_query
from studymarket.search.backends.tantivy.schema import SCHEMA, hit_count, listing_ids_of, term_query, unscored
from studymarket.search.types import PageHit

# One query fetches up to this many pages per listing on the result page; a listing that got
# fewer than PAGE_HITS_PER_LISTING of them while more pages matched is asked again alone.
PAGE_HITS_FETCHED_PER_LISTING = 4 * PAGE_HITS_PER_LISTING


def _pages_query(words: Query, listing_ids: list[int]) -> Query:
    return Query.boolean_query(
        [
            (Occur.Must, unscored(term_query("kind", "page"))),
            (Occur.Must, unscored(Query.term_set_query(SCHEMA, "listing_id", listing_ids))),
            (Occur.Must, words),
        ]
    )


def page_hits_find(
    searcher: tantivy.Searcher, listing_ids: list[int], plan: list[analysis.Group]
) -> dict[int, list[PageHit]]:
    """Where inside each of these listings the words are: its best pages (at most
    PAGE_HITS_PER_LISTING, best first), by listing id.

    One query over the pages of all the listings at once. Scores do not depend on which
    listings are asked for (the listing filter scores nothing), so a listing's best pages
    among the best pages of all are its best pages; only a listing left short while more
    pages matched than were fetched needs a query of its own."""
    words = groups_query(plan, {"page": 1.0}, fuzzy=False)
    limit = PAGE_HITS_FETCHED_PER_LISTING * len(listing_ids)
    found = searcher.search(_pages_query(words, listing_ids), limit=limit, count=True)
    addresses = [address for _score, address in found.hits]
    best: dict[int, list[Any]] = {}
    for listing_id, address in zip(listing_ids_of(searcher, addresses), addresses, strict=True):
        pages = best.setdefault(listing_id, [])
        if len(pages) < PAGE_HITS_PER_LISTING:
            pages.append(address)
    if hit_count(found) > len(addresses):
        for listing_id in listing_ids:
            if len(best.get(listing_id, [])) < PAGE_HITS_PER_LISTING:
                alone = searcher.search(
                    _pages_query(words, [listing_id]), limit=PAGE_HITS_PER_LISTING, count=False
                )
                best[listing_id] = [address for _score, address in alone.hits]
    matched = analysis.plan_words(plan)
    return {
        listing_id: [_page_hit(searcher.doc(address), matched) for address in addresses]
        for listing_id, addresses in best.items()
        if addresses
    }


def _page_hit(stored: tantivy.Document, words: list[analysis.Word]) -> PageHit:
    locked = bool(stored["locked"][0])
    text = b"" if locked else (stored.get_first("preview_text") or b"")
    return PageHit(
        page_number=int(stored["page_number"][0]),
        locked=locked,
        snippet_html="" if locked else analysis.snippet_html(bytes(text).decode(), words),
    )
