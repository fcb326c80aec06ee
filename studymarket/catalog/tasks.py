"""Background tasks of the catalog (django_tasks): ids in, idempotent."""

from django_tasks import task

from studymarket.catalog.follows import follow_notifications_reconcile, follow_notifications_send
from studymarket.catalog.services import listing_finalize

# Processing an upload is the documents app's task; it is named here too because the catalog
# is where a listing's upload is followed (a published version finalises its listing through
# catalog.receivers).
from studymarket.documents.tasks import document_version_process_task

__all__ = [
    "document_version_process_task",
    "follow_notifications_reconcile_task",
    "follow_notifications_task",
    "listing_finalize_task",
]


@task()
def listing_finalize_task(listing_id: int) -> None:
    """Draw the preview pages the seller chose and put the listing on sale when it is ready."""
    listing_finalize(listing_id=listing_id)


@task()
def follow_notifications_task(listing_id: int) -> None:
    """E-mail the followers of the listing's seller and course about the new document, once each."""
    follow_notifications_send(listing_id=listing_id)


@task()
def follow_notifications_reconcile_task() -> None:
    """Queue again the e-mails about new documents that a lost task or a failed send left
    unsent (a periodic sweep: core/management/commands/serve.py PERIODIC_TASKS)."""
    follow_notifications_reconcile()
