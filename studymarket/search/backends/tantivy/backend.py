"""The embedded search backend: a tantivy index in a folder (settings.SEARCH_INDEX_DIR).

One index holds two kinds of documents:
- a listing document per listing: its words (title, course, book, table of contents,
  description, and all its pages' text, so one word may be in the title and another on
  page 37), its facets as fast fields and its sort keys;
- a page document per page, searched only to say where inside the listings on the result
  page the words are. Only preview pages store their text (for the snippet); a locked page's
  text is indexed but never stored, so no result can carry it.

The work is split by what it does: schema.py (fields and query helpers), store.py (opening the
folder, the writers' lock, readers that reload only after a commit), writing.py (the documents
of a listing), querying.py (a page of listings, total and facets), page_hits.py (their best
pages).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings

from studymarket.search import analysis
from studymarket.search.backends.base import IndexDoc
from studymarket.search.backends.tantivy.page_hits import page_hits_find
from studymarket.search.backends.tantivy.querying import filters_build, listings_find, words_query
from studymarket.search.backends.tantivy.schema import SCHEMA_VERSION, hit_count, term_query
from studymarket.search.backends.tantivy.store import (
    index_forget,
    index_open,
    readers_forget,
    searcher_current,
    writers_lock,
)
from studymarket.search.backends.tantivy.writing import documents_build
from studymarket.search.types import SearchHit, SearchQuery, SearchResult

WRITER_HEAP = 64 * 1024 * 1024  # per writer thread; bulk loads may pass more (writer_heap=)


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
        index = index_open(self.path)
        with writers_lock(self.path):
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
            readers_forget(self.path)

    def index(self, docs: Iterable[IndexDoc]) -> None:
        with self._writer() as writer:
            for doc in docs:
                writer.delete_documents_by_query(term_query("listing_id", doc.listing_id))
                for document in documents_build(doc):
                    writer.add_document(document)

    def delete(self, listing_ids: Iterable[int]) -> None:
        with self._writer() as writer:
            for listing_id in listing_ids:
                writer.delete_documents_by_query(term_query("listing_id", int(listing_id)))

    def clear(self) -> None:
        with self._writer() as writer:
            writer.delete_all_documents()

    def destroy(self) -> None:
        """Remove the index folder (tests, and rebuilds after a schema change)."""
        index_forget(self.path)
        shutil.rmtree(self.path, ignore_errors=True)

    # --- reading ------------------------------------------------------------------------

    def _searcher(self) -> tantivy.Searcher:
        return searcher_current(self.path)

    def count(self) -> int:
        searcher = self._searcher()
        return hit_count(searcher.search(term_query("kind", "listing"), limit=1, count=True))

    def search(self, query: SearchQuery) -> SearchResult:
        searcher = self._searcher()
        plan = analysis.query_plan(query.text)
        filters = filters_build(query)
        words = words_query(plan, fuzzy=False) if plan else None
        result = listings_find(searcher, query, words, filters)
        if plan and result.total == 0:
            result = listings_find(searcher, query, words_query(plan, fuzzy=True), filters)
        if not plan or not result.hits:
            return result
        page_hits = page_hits_find(searcher, [hit.listing_id for hit in result.hits], plan)
        hits = [
            SearchHit(listing_id=hit.listing_id, score=hit.score, page_hits=page_hits.get(hit.listing_id, []))
            for hit in result.hits
        ]
        return dataclasses.replace(result, hits=hits)
