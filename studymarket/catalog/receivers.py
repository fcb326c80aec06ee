"""The catalog's answers to signals of the apps below it (connected in apps.py)."""

from typing import Any

from django.dispatch import receiver

from studymarket.catalog.models import Listing
from studymarket.catalog.tasks import listing_finalize_task
from studymarket.documents.signals import document_version_published


@receiver(document_version_published, dispatch_uid="catalog.listing_finalize_on_publish")
def listing_finalize_on_publish(sender: Any, *, document_id: int, **kwargs: Any) -> None:
    """A described listing waiting for its document (or showing an older version) catches up."""
    listing_id = Listing.objects.filter(document_id=document_id).values_list("pk", flat=True).first()
    if listing_id is not None:
        listing_finalize_task.enqueue(listing_id)
