"""Background tasks of the catalog (django_tasks): ids in, idempotent."""

from django_tasks import task

from studymarket.catalog.follows import follow_notifications_reconcile, follow_notifications_send


@task()
def follow_notifications_task(listing_id: int) -> None:
    """E-mail the followers of the listing's seller and course about the new document, once each."""
    follow_notifications_send(listing_id=listing_id)


@task()
def follow_notifications_reconcile_task() -> None:
    """Queue again the e-mails about new documents that a lost task or a failed send left
    unsent (a periodic sweep: config/periodic.py)."""
    follow_notifications_reconcile()
