"""A listing goes on sale when the seller has described it AND its document is accepted, in
whichever order those happen; a new version reaches the listing by itself."""

import pytest

from studymarket.catalog.models import Listing, ListingStatus
from studymarket.documents.models import Document, DocumentVersion, VersionStatus
from studymarket.selling.services import (
    listing_finalize,
    listing_publish_if_ready,
    upload_process,
)
from studymarket.selling.tasks import listing_finalize_task
from tests.factories import SellerFactory
from tests.selling.drafts import draft_listing, preview_pages, stored_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    return SellerFactory()


def test_described_first_then_processed(seller, django_capture_on_commit_callbacks):
    version = stored_upload(seller, pages=8)
    listing = draft_listing(seller, version.document, preview_page_count=3)

    assert listing_publish_if_ready(listing_id=listing.pk).status == ListingStatus.DRAFT

    # Processing accepts the version, and the same task finalises the listing.
    with django_capture_on_commit_callbacks(execute=True):
        upload_process(version_id=version.pk)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert listing.published_at is not None
    assert preview_pages(listing) == [1, 2, 3]


def test_processed_first_then_described(seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = stored_upload(seller, pages=8)
    listing = draft_listing(seller, version.document, preview_page_count=5)

    with django_capture_on_commit_callbacks(execute=True):
        listing_finalize_task.enqueue(listing.pk)

    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    assert preview_pages(listing) == [1, 2, 3, 4, 5]


def test_finalising_twice_changes_nothing(seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = stored_upload(seller, pages=4)
    listing = draft_listing(seller, version.document, preview_page_count=2)
    first = listing_finalize(listing_id=listing.pk)

    again = listing_finalize(listing_id=listing.pk)

    assert (again.status, again.published_at) == (ListingStatus.PUBLISHED, first.published_at)


def test_a_held_or_refused_document_keeps_its_listing_adraft_listing(seller):
    version = stored_upload(seller, pages=4)
    listing = draft_listing(seller, version.document, preview_page_count=2)
    DocumentVersion.objects.filter(pk=version.pk).update(status=VersionStatus.HELD_FOR_REVIEW)

    assert listing_finalize(listing_id=listing.pk).status == ListingStatus.DRAFT


def test_a_listing_taken_offline_stays_offline(seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = stored_upload(seller, pages=4)
    listing = draft_listing(seller, version.document, preview_page_count=2)
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.UNPUBLISHED)

    assert listing_publish_if_ready(listing_id=listing.pk).status == ListingStatus.UNPUBLISHED


def test_a_new_version_reaches_the_listing(seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = stored_upload(seller, pages=8)
    listing = draft_listing(seller, first.document, preview_page_count=3)
    with django_capture_on_commit_callbacks(execute=True):
        listing_finalize_task.enqueue(listing.pk)

    with django_capture_on_commit_callbacks(execute=True):
        second = stored_upload(seller, pages=10, document=first.document)

    listing.refresh_from_db()
    second.refresh_from_db()
    assert second.status == VersionStatus.ACCEPTED
    assert Document.objects.get(pk=listing.document_id).current_version == second
    assert listing.status == ListingStatus.PUBLISHED
    assert preview_pages(listing) == [1, 2, 3]  # the seller's choice, drawn for the new version
    assert DocumentVersion.objects.filter(document=first.document).count() == 2
