"""The one way other apps keep the search index in line: ``search_index_later``, after their
change commits. The worker then brings those listings' search documents in line (index_sync.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import transaction

from studymarket.search.tasks import search_index_listing_task


def search_index_later(*, listing_ids: Iterable[int]) -> None:
    """After the current transaction commits, have the worker bring these listings' search
    documents in line with the database: for any change the index shows (published, edited,
    taken offline, or the counters behind the "best selling" and "best rated" sorts)."""
    for listing_id in sorted({int(pk) for pk in listing_ids}):
        transaction.on_commit(partial(search_index_listing_task.enqueue, listing_id))
