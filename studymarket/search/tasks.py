"""Index maintenance tasks: ids in, idempotent, run by the worker (the only index writer)."""

from django_tasks import task

from studymarket.core.task_queues import TASK_PRIORITY_BULK
from studymarket.search.index_sync import search_index_listings


@task(priority=TASK_PRIORITY_BULK)
def search_index_listing_task(listing_id: int) -> None:
    """Bring one listing's search documents in line with the database (added, changed or gone)."""
    search_index_listings(listing_ids=[listing_id])
