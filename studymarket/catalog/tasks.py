"""Background tasks of the catalog (django_tasks): ids in, idempotent."""

from django_tasks import task

from studymarket.catalog.counters import listing_views_flush
from studymarket.catalog.follows import follow_notifications_reconcile, follow_notifications_send
from studymarket.core.task_queues import TASK_PRIORITY_BULK, TASK_PRIORITY_SWEEP


@task(priority=TASK_PRIORITY_BULK)
def follow_notifications_task(listing_id: int) -> None:
    """E-mail the followers of the listing's seller and course about the new document, once each."""
    follow_notifications_send(listing_id=listing_id)


@task(priority=TASK_PRIORITY_BULK)
def follow_notifications_reconcile_task() -> None:
    """Queue again the e-mails about new documents that a lost task or a failed send left
    unsent (a periodic sweep: config/periodic.py)."""
    follow_notifications_reconcile()


@task(priority=TASK_PRIORITY_SWEEP)
def listing_views_flush_task() -> None:
    """Move the views counted in the cache into the listings' counters (a periodic task:
    config/periodic.py, every VIEW_COUNT_FLUSH_INTERVAL_SECONDS)."""
    listing_views_flush()
