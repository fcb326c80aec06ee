"""The demo's notifications: the demo seller's and the demo buyer's page "Meldingen" tells what
the demo's own history would have told them (storefront/demo/notifications.py), dated when it
happened, made once however often the demo is loaded.

The demo is loaded once for this package, in a transaction rolled back at the end."""

from datetime import datetime

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from studymarket.accounts.models import User
from studymarket.catalog.models import Follow, Listing
from studymarket.notifications.models import Notification, NotificationKind
from studymarket.notifications.selectors import notification_list
from studymarket.notifications.services import notifications_mark_read
from studymarket.orders.models import OrderLine
from studymarket.reviews.models import Review
from studymarket.storefront.demo.listings import reference_facts
from studymarket.storefront.demo.load import DemoLoadResult, demo_data_load
from studymarket.storefront.demo.notifications import (
    READ_AFTER,
    TOLD_AFTER_PUBLICATION,
    demo_notifications_load,
)
from studymarket.storefront.demo.people import REFERENCE_REVIEWER, REFERENCE_SELLER, SELLERS
from tests.demo.loading import DemoLoad
from tests.logins import login

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_data")]

FACTS = reference_facts()["listing"]
SANNE = SELLERS["demo-sanne"]


@pytest.fixture
def loaded(demo_load: DemoLoad) -> datetime:
    """The moment of loading."""
    return demo_load.now


@pytest.fixture
def seller(loaded) -> User:
    return User.objects.get(email=REFERENCE_SELLER.email)


@pytest.fixture
def buyer(loaded) -> User:
    return User.objects.get(email=REFERENCE_REVIEWER.email)


def _texts(user: User) -> list[tuple[str, bool]]:
    """The page's sentences, newest first, each with whether it is unread."""
    return [(item.text, item.unread) for item in notification_list(user).items]


def _sanne_newest() -> list[Listing]:
    return list(Listing.objects.filter(seller__user__email=SANNE.email).order_by("-published_at")[:2])


def test_the_demo_seller_hears_of_the_reference_listings_sales_and_review(seller):
    title = FACTS["title"]

    assert _texts(seller) == [
        (f"Nieuwe review (5 van 5 sterren) op {title}", True),
        (f"Verkocht: {title} (€ 9,49)", True),
        (f"Verkocht: {title} (€ 9,49)", True),
        (f"Verkocht: {title} (€ 9,49)", True),
    ]


def test_the_demo_sellers_notifications_are_dated_by_their_sales_and_keyed_as_the_producers_key(seller):
    lines = OrderLine.objects.filter(listing__title=FACTS["title"]).select_related("order")
    (review,) = Review.objects.filter(listing__title=FACTS["title"])
    dated = dict(Notification.objects.filter(recipient=seller).values_list("key", "created_at"))

    assert dated == {
        **{f"order_line:{line.pk}": line.order.paid_at for line in lines},
        f"review:{review.pk}": review.created_at,
    }


def test_the_demo_buyer_follows_sanne_and_heard_of_her_newest_documents(buyer, loaded):
    newest, second = _sanne_newest()
    (follow,) = Follow.objects.filter(user=buyer)
    assert second.published_at is not None

    assert follow.seller is not None
    assert follow.seller.user.email == SANNE.email
    assert buyer.date_joined < follow.created_at < second.published_at
    assert _texts(buyer) == [
        (f"Nieuw document van {SANNE.display_name}: {newest.title}", True),
        (f"Nieuw document van {SANNE.display_name}: {second.title}", False),
    ]
    told = Notification.objects.get(recipient=buyer, key=f"listing:{second.pk}")
    assert told.created_at == second.published_at + TOLD_AFTER_PUBLICATION
    assert told.read_at == told.created_at + READ_AFTER < loaded
    assert told.params["seller_id"] == follow.seller_id


def test_every_demo_notification_happened_before_the_load(loaded, seller, buyer):
    rows = Notification.objects.filter(recipient__in=[seller, buyer])

    assert rows.count() == 6
    assert all(row.created_at < loaded for row in rows)


def test_nobody_else_hears_of_the_demos_history(seller, buyer):
    assert not Notification.objects.exclude(recipient__in=[seller, buyer]).exists()
    assert set(Notification.objects.values_list("kind", flat=True)) <= {
        NotificationKind.SALE,
        NotificationKind.REVIEW,
        NotificationKind.NEW_LISTING_FROM_FOLLOWED,
    }


def test_the_bell_and_the_page_of_the_demo_seller(client, seller):
    login(client, seller)

    page = client.get(reverse("notifications:index")).content.decode()

    assert 'aria-label="Meldingen, 4 ongelezen"' in page
    assert page.count('class="notification-open"') == 4


@pytest.mark.parametrize("email", [REFERENCE_SELLER.email, REFERENCE_REVIEWER.email])
def test_each_demo_notification_leads_to_a_page_that_exists(client, loaded, email):
    user = User.objects.get(email=email)
    login(client, user)

    for notification in Notification.objects.filter(recipient=user):
        target = client.post(reverse("notifications:open", args=[notification.pk]))["Location"]
        path, _, _fragment = target.partition("#")
        resolve(path)
        assert client.get(path).status_code == 200, target


def test_loading_again_makes_no_notification_twice_and_keeps_what_was_read(seller, buyer):
    notifications_mark_read(user=seller)
    before = sorted(Notification.objects.values_list("recipient_id", "key", "created_at", "read_at"))
    follows = Follow.objects.count()

    demo_notifications_load(
        users={REFERENCE_SELLER.key: seller, REFERENCE_REVIEWER.key: buyer, "demo-sanne": _sanne_user()},
        listings={listing.slug: listing for listing in Listing.objects.all()},
        now=timezone.now(),
    )

    assert sorted(Notification.objects.values_list("recipient_id", "key", "created_at", "read_at")) == before
    assert Follow.objects.count() == follows


def test_a_demo_loaded_before_gets_its_notifications(seller, buyer):
    """A database loaded before the demo had notifications: the quick check sees them missing."""
    Notification.objects.all().delete()
    Follow.objects.all().delete()

    assert demo_data_load() == DemoLoadResult(already_loaded=False)

    assert Notification.objects.filter(recipient=seller).count() == 4
    assert Notification.objects.filter(recipient=buyer).count() == 2
    assert demo_data_load() == DemoLoadResult(already_loaded=True)


def _sanne_user() -> User:
    return User.objects.select_related("seller_profile").get(email=SANNE.email)
