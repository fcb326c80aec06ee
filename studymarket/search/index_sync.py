"""Bringing the search index in line with the database (the source of truth).

Only the worker (search_index_listing_task), the ``search_rebuild`` command and the demo loader
call these: they are the index's writers. Everything else asks for it later, through
``indexing.search_index_later``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.search.backends import backend_get
from studymarket.search.backends.base import SearchBackend
from studymarket.search.documents import index_docs_published


def search_index_listings(*, listing_ids: Iterable[int], backend: SearchBackend | None = None) -> None:
    """Bring these listings' search documents in line with the database: published ones are
    added or replaced, all others (offline, draft, deleted) removed. Safe to repeat."""
    ids = sorted({int(pk) for pk in listing_ids})
    if not ids:
        return
    backend = backend or backend_get()
    published = set(
        Listing.objects.filter(pk__in=ids, status=ListingStatus.PUBLISHED).values_list("pk", flat=True)
    )
    gone = [pk for pk in ids if pk not in published]
    if published:
        backend.index(index_docs_published(listing_ids=published))
    if gone:
        backend.delete(gone)


def search_rebuild(
    *, backend: SearchBackend | None = None, clear: bool = False, log: Callable[[str], None] | None = None
) -> int:
    """Index every published listing and remove every other one; returns how many are indexed.

    Without ``clear`` the index stays searchable throughout (listings are replaced in place);
    with it, the index is emptied first (after a schema change or to drop strays)."""
    backend = backend or backend_get()
    say = log or (lambda message: None)
    if clear:
        backend.clear()
    count = 0

    def counted() -> Iterable:
        nonlocal count
        for doc in index_docs_published():
            count += 1
            if count % 1000 == 0:
                say(f"  {count} listings")
            yield doc

    backend.index(counted())
    backend.delete(Listing.objects.exclude(status=ListingStatus.PUBLISHED).values_list("pk", flat=True))
    return count
