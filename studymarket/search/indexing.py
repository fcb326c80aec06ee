"""The one way other apps keep the search index in line: ``search_index_later``, after their
change commits. The worker then brings those listings' search documents in line (index_sync.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction

from studymarket.search.tasks import search_index_listing_task

# Set inside search_index_deferred(): the ids search_index_later was asked for, not yet queued.
_deferred: ContextVar[set[int] | None] = ContextVar("search_index_deferred", default=None)


@contextmanager
def search_index_deferred() -> Iterator[set[int]]:
    """Within it, search_index_later only collects the listing ids: a bulk load (the demo data)
    indexes them once at the end, instead of once per sale and review (159 index runs, over half
    of the demo load's time, issue 15)."""
    ids: set[int] = set()
    token = _deferred.set(ids)
    try:
        yield ids
    finally:
        _deferred.reset(token)


def search_index_later(*, listing_ids: Iterable[int]) -> None:
    """After the current transaction commits, have the worker bring these listings' search
    documents in line with the database: for any change the index shows (published, edited,
    taken offline, or the counters behind the "best selling" and "best rated" sorts)."""
    deferred = _deferred.get()
    if deferred is not None:
        deferred.update(int(pk) for pk in listing_ids)
        return
    for listing_id in sorted({int(pk) for pk in listing_ids}):
        transaction.on_commit(partial(search_index_listing_task.enqueue, listing_id))
