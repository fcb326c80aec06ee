"""A listing taken down after a notice vanishes from search (search_index_later after the
commit), and comes back when staff restore it."""

import pytest

from studymarket.catalog.models import ListingStatus
from studymarket.selling.services import listing_publish
from studymarket.trust.decisions import notice_restore, notice_take_down
from tests.search.searching import ids, listing_make
from tests.trust.factories import NoticeFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_taken_down_leaves_search_and_restored_comes_back(settings, django_capture_on_commit_callbacks):
    settings.SEARCH_BACKEND = "tantivy"
    listing = listing_make(title="Kansrekening", status=ListingStatus.DRAFT, published_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        listing_publish(listing=listing)
    assert ids("kansrekening") == [listing.pk]
    staff = StaffFactory()
    notice = NoticeFactory(listing=listing)

    with django_capture_on_commit_callbacks(execute=True):
        notice_take_down(notice_id=notice.pk, actor=staff)
    assert ids("kansrekening") == []

    with django_capture_on_commit_callbacks(execute=True):
        notice_restore(notice_id=notice.pk, actor=staff)
    assert ids("kansrekening") == [listing.pk]
