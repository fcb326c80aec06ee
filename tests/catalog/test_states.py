"""The listing's state machine (catalog/states.py): draft → published ⇄ unpublished, each move
under the row lock and audited; "already there" and moves the table does not allow return quietly."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from studymarket.catalog.models import ListingStatus
from studymarket.catalog.states import ALLOWED, listing_transition
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

S = ListingStatus
NOON = datetime(2021, 7, 30, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))


def _actions(listing) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="catalog.listing", object_id=str(listing.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_the_table():
    assert ALLOWED == {
        S.PUBLISHED: frozenset({S.DRAFT, S.UNPUBLISHED}),
        S.UNPUBLISHED: frozenset({S.PUBLISHED}),
        S.TAKEN_DOWN: frozenset({S.DRAFT, S.PUBLISHED, S.UNPUBLISHED}),
    }


def test_draft_to_published_to_unpublished_and_back():
    listing = ListingFactory(status=S.DRAFT, published_at=None)
    staff = UserFactory(is_staff=True)

    published, before = listing_transition(listing_id=listing.pk, to=S.PUBLISHED, published_at=NOON)
    assert (published.status, published.published_at, before) == (S.PUBLISHED, NOON, S.DRAFT)

    offline, before = listing_transition(
        listing_id=listing.pk, to=S.UNPUBLISHED, actor=staff, reason="auteursrecht"
    )
    assert (offline.status, before) == (S.UNPUBLISHED, S.PUBLISHED)

    again, before = listing_transition(listing_id=listing.pk, to=S.PUBLISHED)
    assert (again.status, again.published_at, before) == (
        S.PUBLISHED,
        NOON,
        S.UNPUBLISHED,
    )  # the first date stays
    assert _actions(listing) == ["listing.published", "listing.unpublished", "listing.published"]
    unpublished = AuditEvent.objects.get(action="listing.unpublished")
    assert (unpublished.actor, unpublished.data) == (staff, {"reason": "auteursrecht"})


@pytest.mark.parametrize(
    ("start", "to"), [(S.PUBLISHED, S.PUBLISHED), (S.UNPUBLISHED, S.UNPUBLISHED), (S.DRAFT, S.UNPUBLISHED)]
)
def test_already_there_or_not_allowed_returns_quietly(start, to):
    listing = ListingFactory(status=start)

    moved, before = listing_transition(listing_id=listing.pk, to=to)

    assert (moved.status, before) == (start, None)
    assert _actions(listing) == []


def test_the_check_refuses_under_the_lock_and_nothing_is_written():
    listing = ListingFactory(status=S.DRAFT, published_at=None)

    def refuse(locked):
        assert locked.status == S.DRAFT
        raise ApplicationError("nog niet")

    with pytest.raises(ApplicationError):
        listing_transition(listing_id=listing.pk, to=S.PUBLISHED, check=refuse)

    listing.refresh_from_db()
    assert (listing.status, listing.published_at) == (S.DRAFT, None)
    assert _actions(listing) == []
