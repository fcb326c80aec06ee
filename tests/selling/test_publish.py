"""Putting a listing on sale and taking it offline, as the seller's journey orchestrates it: the
document's version accepted (documents), the listing's status (catalog), the search index after
the commit (search), followers told once (catalog)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from studymarket.catalog.follows import follow_create
from studymarket.catalog.models import ListingStatus
from studymarket.core.errors import ApplicationError
from studymarket.documents.models import DocumentVersion, VersionStatus
from studymarket.selling.services import listing_publish, listing_unpublish
from tests.factories import DocumentFactory, DocumentVersionFactory, ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

NOON_30_JULY_2021 = datetime(2021, 7, 30, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))


def _queued() -> list[tuple[str, list]]:
    return sorted(
        (task.task_path.rsplit(".", 1)[1], task.args_kwargs["args"]) for task in DBTaskResult.objects.all()
    )


def test_publishing_accepts_the_version_and_the_index_and_followers_follow(
    db_task_backend, django_capture_on_commit_callbacks
):
    # The demo data's way: a version the platform processed itself, still "uploaded".
    listing = ListingFactory(status=ListingStatus.DRAFT, published_at=None)
    follow_create(user=UserFactory(), seller=listing.seller)

    with django_capture_on_commit_callbacks(execute=True):
        published = listing_publish(listing=listing, published_at=NOON_30_JULY_2021)

    assert (published.status, published.published_at) == (ListingStatus.PUBLISHED, NOON_30_JULY_2021)
    version = DocumentVersion.objects.get(document=listing.document)
    assert version.status == VersionStatus.ACCEPTED
    assert _queued() == [
        ("follow_notifications_task", [listing.pk]),
        ("search_index_listing_task", [listing.pk]),
    ]

    # Already on sale: nothing moves, nothing is queued.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = listing_publish(listing=listing)
    assert (again.status, again.published_at) == (ListingStatus.PUBLISHED, NOON_30_JULY_2021)
    assert callbacks == []


def test_publishing_waits_for_the_processed_document(django_capture_on_commit_callbacks):
    document = DocumentFactory()
    document.current_version = DocumentVersionFactory(document=document, page_count=0)
    document.save()
    listing = ListingFactory(
        seller=document.seller, document=document, status=ListingStatus.DRAFT, published_at=None
    )

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ApplicationError):
        listing_publish(listing=listing)

    assert callbacks == []
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT


def test_taking_offline_leaves_the_index_once(db_task_backend, django_capture_on_commit_callbacks):
    listing = ListingFactory()

    with django_capture_on_commit_callbacks(execute=True):
        offline = listing_unpublish(listing_id=listing.pk, reason="auteursrecht")

    assert offline.status == ListingStatus.UNPUBLISHED
    assert _queued() == [("search_index_listing_task", [listing.pk])]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert listing_unpublish(listing_id=listing.pk).status == ListingStatus.UNPUBLISHED
    assert callbacks == []  # already offline: nothing to do
