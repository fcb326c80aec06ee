"""The embedded search backend: a tantivy index in a folder (settings.SEARCH_INDEX_DIR).

One index holds two kinds of documents:
- a listing document per listing: its words (title, course, book, table of contents,
  description, and all its pages' text, so one word may be in the title and another on
  page 37), its facets as fast fields and its sort keys;
- a page document per page, searched only to say where inside the listings on the result
  page the words are. Only preview pages store their text (for the snippet); a locked page's
  text is indexed but never stored, so no result can carry it.

Every text field exists twice, analysed with the Dutch and with the English snowball
stemmer (after lowercasing and ASCII folding); a query word is looked up in both. Course
codes are indexed as typed and normalised ("MAN 3025" → also "man3025"). Queries are built
from term/boolean query objects (analysis.query_plan): user text never reaches tantivy's
query parser. When the exact words find nothing, the query is retried with fuzzy terms
(edit distance 1, 2 for long words) on titles, course names and codes.

Writers: only the worker (the index task) and ``search_rebuild``; a file lock makes writers
in several processes take turns. Readers check before each search whether the index changed
(meta.json) and reload only then, so a commit is visible to the web processes at once.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings
from tantivy import Occur, Query

from studymarket.catalog.search import analysis
from studymarket.catalog.search.backends.base import (
    PAGE_HITS_PER_LISTING,
    PRICE_BUCKETS,
    IndexDoc,
    price_bucket_value,
)
from studymarket.catalog.search.service import (
    FacetValue,
    PageHit,
    SearchHit,
    SearchQuery,
    SearchResult,
)

# Bump when the schema or the analysers change: a new folder is used, `search_rebuild` fills it.
SCHEMA_VERSION = 1
# Field → boost. Each exists as <field>_nl and <field>_en.
TEXT_FIELDS: dict[str, float] = {
    "title": 5.0,
    "course": 4.0,
    "book": 3.0,
    "toc": 2.0,
    "desc": 1.5,
    "pages": 1.0,
}
FUZZY_BOOST = 2.0
FACET_FIELDS = ("institution", "course_id", "document_type", "academic_year", "language")
SORT_FIELDS = {"newest": "published_at", "rating": "rating_avg", "sales": "sold_count"}
WRITER_HEAP = 64 * 1024 * 1024  # per writer thread; bulk loads may pass more (writer_heap=)
FACET_SIZE = 200

_indexes: dict[Path, tantivy.Index] = {}
_indexes_lock = threading.Lock()


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("listing_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        for language in analysis.STEM_LANGUAGES:
            builder.add_text_field(f"{name}_{language}", tokenizer_name=f"sm_{language}", index_option="freq")
    builder.add_text_field("names", tokenizer_name="sm_plain", index_option="freq")
    for name in FACET_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_integer_field("price_cents", indexed=True, fast=True)
    builder.add_integer_field("published_at", fast=True)
    builder.add_float_field("rating_avg", fast=True)
    builder.add_unsigned_field("sold_count", fast=True)
    # Page documents.
    builder.add_unsigned_field("page_number", stored=True)
    builder.add_unsigned_field("locked", stored=True)
    for language in analysis.STEM_LANGUAGES:
        builder.add_text_field(f"page_{language}", tokenizer_name=f"sm_{language}", index_option="freq")
    builder.add_bytes_field("preview_text", stored=True, indexed=False)
    return builder.build()


SCHEMA = _schema()


def _open(path: Path) -> tantivy.Index:
    with _indexes_lock:
        index = _indexes.get(path)
        if index is None:
            path.mkdir(parents=True, exist_ok=True)
            if (path / "meta.json").exists():
                index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            else:
                # The first process to open it creates it, under the writers' lock so that a
                # web process and the worker starting together do not both create it.
                with _lock(path):
                    index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
            for name in ("plain", *analysis.STEM_LANGUAGES):
                index.register_tokenizer(f"sm_{name}", analysis.analyzer(name))
            index.config_reader(reload_policy="Manual")
            _indexes[path] = index
        return index


def _generation(path: Path) -> bytes | None:
    """The index's committed state: tantivy rewrites meta.json (segments, opstamp) on every
    commit and merge. Its content, not its time: two commits within one tick of the file
    system's clock must not look alike. Reading it takes microseconds."""
    try:
        return (path / "meta.json").read_bytes()
    except FileNotFoundError:
        return None


@dataclass
class _Reader:
    generation: bytes | None
    searcher: tantivy.Searcher


_readers: dict[Path, _Reader] = {}


def _searcher_current(path: Path) -> tantivy.Searcher:
    """A searcher over the index as last committed by any process. Reloading costs a tenth of
    a millisecond and more as the index grows, so it happens only when meta.json changed;
    until then the same searcher serves every search."""
    index = _open(path)
    generation = _generation(path)
    reader = _readers.get(path)
    if reader is not None and reader.generation == generation:
        return reader.searcher
    with _indexes_lock:
        reader = _readers.get(path)
        if reader is None or reader.generation != generation:
            index.reload()
            reader = _Reader(generation=generation, searcher=index.searcher())
            _readers[path] = reader
        return reader.searcher


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    """The writers' lock: one writer at a time across processes (tantivy's own lock would
    make a second writer fail instead of wait)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _forget(path: Path) -> None:
    with _indexes_lock:
        _indexes.pop(path, None)
        _readers.pop(path, None)


class TantivyBackend:
    name = "tantivy"

    def __init__(
        self,
        index_dir: str | os.PathLike[str] | None = None,
        *,
        writer_heap: int = WRITER_HEAP,
        writer_threads: int = 1,
    ) -> None:
        root = Path(index_dir or settings.SEARCH_INDEX_DIR)
        self.path = root / f"tantivy-v{SCHEMA_VERSION}"
        self.writer_heap = writer_heap
        self.writer_threads = writer_threads

    # --- writing ------------------------------------------------------------------------

    @contextmanager
    def _writer(self) -> Iterator[Any]:
        index = _open(self.path)
        with _lock(self.path):
            writer = index.writer(
                heap_size=self.writer_heap * self.writer_threads, num_threads=self.writer_threads
            )
            try:
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            with _indexes_lock:
                _readers.pop(self.path, None)  # the next search reloads

    def index(self, docs: Iterable[IndexDoc]) -> None:
        with self._writer() as writer:
            for doc in docs:
                writer.delete_documents_by_query(_term("listing_id", doc.listing_id))
                for document in _documents(doc):
                    writer.add_document(document)

    def delete(self, listing_ids: Iterable[int]) -> None:
        with self._writer() as writer:
            for listing_id in listing_ids:
                writer.delete_documents_by_query(_term("listing_id", int(listing_id)))

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    def destroy(self) -> None:
        """Remove the index folder (tests, and rebuilds after a schema change)."""
        _forget(self.path)
        shutil.rmtree(self.path, ignore_errors=True)

    # --- reading ------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        return _searcher_current(self.path)

    def count(self) -> int:
        searcher = self._searcher()
        return _count(searcher.search(_term("kind", "listing"), limit=1, count=True))

    def search(self, query: SearchQuery) -> SearchResult:
        searcher = self._searcher()
        plan = analysis.query_plan(query.text)
        filters = _filters(query)
        words = _words_query(plan, fuzzy=False) if plan else None
        result = _run(searcher, query, words, filters)
        if plan and result.total == 0:
            result = _run(searcher, query, _words_query(plan, fuzzy=True), filters)
        if not plan or not result.hits:
            return result
        page_hits = _page_hits(searcher, [hit.listing_id for hit in result.hits], plan)
        hits = [
            SearchHit(listing_id=hit.listing_id, score=hit.score, page_hits=page_hits.get(hit.listing_id, []))
            for hit in result.hits
        ]
        return SearchResult(hits=hits, total=result.total, facets=result.facets)


# --- documents -------------------------------------------------------------------------


def _text_fields(document: tantivy.Document, name: str, values: Iterable[str]) -> None:
    for value in values:
        if value:
            for language in analysis.STEM_LANGUAGES:
                document.add_text(f"{name}_{language}", value)


def _documents(doc: IndexDoc) -> Iterator[tantivy.Document]:
    listing = tantivy.Document()
    listing.add_unsigned("listing_id", doc.listing_id)
    listing.add_text("kind", "listing")
    code = analysis.course_code_normalise(doc.course_code)
    _text_fields(listing, "title", [doc.title])
    _text_fields(
        listing, "course", [doc.course_name, doc.course_code, code, doc.institution_name, doc.programme]
    )
    _text_fields(listing, "book", [*doc.book_titles, *doc.isbns])
    _text_fields(listing, "toc", ["\n".join(doc.toc)])
    _text_fields(listing, "desc", [doc.description])
    # Pages are long: analysed once, with the stemmer of the listing's language (the query
    # looks a word up with both stems, so each finds its own).
    page_field = f"pages_{analysis.language_of(doc.language)}"
    for text in doc.pages:
        if text:
            listing.add_text(page_field, text)
    for value in (doc.title, doc.course_name, doc.course_code, code, doc.institution_name, *doc.book_titles):
        if value:
            listing.add_text("names", value)
    facets = {
        "institution": doc.institution_slug,
        "course_id": str(doc.course_id),
        "document_type": doc.document_type,
        "academic_year": doc.academic_year,
        "language": doc.language,
    }
    for name, value in facets.items():
        listing.add_text(name, value)
    listing.add_integer("price_cents", doc.price_cents)
    listing.add_integer("published_at", int(doc.published_at.timestamp()) if doc.published_at else 0)
    listing.add_float("rating_avg", float(doc.rating_avg))
    listing.add_unsigned("sold_count", doc.sold_count)
    yield listing
    for number, text in enumerate(doc.pages, start=1):
        if not text.strip():
            continue
        page = tantivy.Document()
        page.add_unsigned("listing_id", doc.listing_id)
        page.add_text("kind", "page")
        page.add_unsigned("page_number", number)
        locked = number > doc.preview_page_count
        page.add_unsigned("locked", int(locked))
        page.add_text(f"page_{analysis.language_of(doc.language)}", text)
        if not locked:
            page.add_bytes("preview_text", text.encode())
        yield page


# --- queries ---------------------------------------------------------------------------


def _count(found: Any) -> int:
    # tantivy's type stubs leave out SearchResult.count (set when searching with count=True).
    return int(found.count or 0)


def _term(field: str, value: Any) -> Query:
    return Query.term_query(SCHEMA, field, value)


def _filter(query: Query) -> Query:
    return Query.const_score_query(query, 0.0)


def _filters(query: SearchQuery) -> list[Query]:
    filters = [_filter(_term("kind", "listing"))]
    values = {
        "institution": query.institution,
        "course_id": str(query.course) if query.course is not None else None,
        "document_type": query.document_type,
        "academic_year": query.academic_year,
        "language": query.language,
    }
    for name, value in values.items():
        if value:
            filters.append(_filter(_term(name, value)))
    if query.price_min_cents is not None or query.price_max_cents is not None:
        filters.append(
            _filter(
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
            term = _term(f"{name}_{language}", word.stems[language])
            clauses.append((Occur.Should, Query.boost_query(term, boost) if boost != 1.0 else term))
    if fuzzy and analysis.fuzzy_allowed(word):
        distance = analysis.fuzzy_distance(word)
        fuzzy_query = Query.fuzzy_term_query(SCHEMA, "names", word.plain, distance=distance)
        clauses.append((Occur.Should, Query.boost_query(fuzzy_query, FUZZY_BOOST)))
    return Query.boolean_query(clauses)


def _groups_query(plan: list[analysis.Group], fields: dict[str, float], *, fuzzy: bool) -> Query:
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


def _words_query(plan: list[analysis.Group], *, fuzzy: bool) -> Query:
    return _groups_query(plan, TEXT_FIELDS, fuzzy=fuzzy)


def _run(
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
    listing_ids = _listing_ids(searcher, [address for _key, address in found.hits])
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


def _listing_ids(searcher: tantivy.Searcher, addresses: list[Any]) -> list[int]:
    if not addresses:
        return []
    return [int(value or 0) for value in searcher.fast_field_values("listing_id", addresses)]


# One query fetches up to this many pages per listing on the result page; a listing that got
# fewer than PAGE_HITS_PER_LISTING of them while more pages matched is asked again alone.
PAGE_HITS_FETCHED_PER_LISTING = 4 * PAGE_HITS_PER_LISTING


def _pages_query(words: Query, listing_ids: list[int]) -> Query:
    return Query.boolean_query(
        [
            (Occur.Must, _filter(_term("kind", "page"))),
            (Occur.Must, _filter(Query.term_set_query(SCHEMA, "listing_id", listing_ids))),
            (Occur.Must, words),
        ]
    )


def _page_hits(
    searcher: tantivy.Searcher, listing_ids: list[int], plan: list[analysis.Group]
) -> dict[int, list[PageHit]]:
    """Where inside each of these listings the words are: its best pages (at most
    PAGE_HITS_PER_LISTING, best first), by listing id.

    One query over the pages of all the listings at once. Scores do not depend on which
    listings are asked for (the listing filter scores nothing), so a listing's best pages
    among the best pages of all are its best pages; only a listing left short while more
    pages matched than were fetched needs a query of its own."""
    words = _groups_query(plan, {"page": 1.0}, fuzzy=False)
    limit = PAGE_HITS_FETCHED_PER_LISTING * len(listing_ids)
    found = searcher.search(_pages_query(words, listing_ids), limit=limit, count=True)
    addresses = [address for _score, address in found.hits]
    best: dict[int, list[Any]] = {}
    for listing_id, address in zip(_listing_ids(searcher, addresses), addresses, strict=True):
        pages = best.setdefault(listing_id, [])
        if len(pages) < PAGE_HITS_PER_LISTING:
            pages.append(address)
    if _count(found) > len(addresses):
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
