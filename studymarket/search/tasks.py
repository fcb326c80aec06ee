"""Index maintenance tasks: ids in, idempotent, run by the worker (the only index writer)."""

from django_tasks import task

from studymarket.search.index_sync import search_index_listings


@task()
def search_index_listing_task(listing_id: int) -> None:
    """Bring one listing's search documents in line with the database (added, changed or gone)."""
    search_index_listings(listing_ids=[listing_id])
