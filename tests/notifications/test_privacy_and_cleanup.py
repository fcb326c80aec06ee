"""A person's notifications are in their data export and go with their account; old read ones
are cleaned up."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from studymarket.catalog.follows import follow_create, follow_notifications_send
from studymarket.notifications.models import Notification, NotificationKind
from studymarket.notifications.services import READ_NOTIFICATION_DAYS, notification_create
from studymarket.notifications.tasks import notifications_cleanup_task
from studymarket.notifications.texts import notification_text
from studymarket.privacy.erasure import account_erase
from studymarket.privacy.export_data import person_data
from studymarket.privacy.readme import readme_parts
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db


def _review(user, title="Recht"):
    notification_create(
        recipient_id=user.pk, kind=NotificationKind.REVIEW, params={"title": title, "rating": 5}, url="/"
    )


def test_the_export_holds_the_persons_notifications_only():
    anna = UserFactory()
    _review(anna)
    _review(UserFactory(), title="Van een ander")

    data = person_data(anna)

    ((row,),) = [data["notifications.json"]]
    assert row["kind"] == "review"
    assert row["params"] == {"title": "Recht", "rating": 5}
    assert row["text"] == "Nieuwe review (5 van 5 sterren) op Recht"
    assert row["read_at"] is None
    assert "notifications.json" in readme_parts()


def test_erasing_the_account_deletes_its_notifications():
    anna, other = UserFactory(), UserFactory()
    _review(anna)
    _review(other)

    assert account_erase(user_id=anna.pk)

    assert not Notification.objects.filter(recipient=anna).exists()
    assert Notification.objects.filter(recipient=other).count() == 1


def test_an_erased_sellers_name_leaves_their_followers_notifications():
    seller = SellerFactory(display_name="SamenvattingenSanne")
    follower = UserFactory()
    follow_create(user=follower, seller=seller)
    follow_notifications_send(listing_id=ListingFactory(seller=seller, title="Recht").pk)
    assert notification_text(*Notification.objects.values_list("kind", "params").get()) == (
        "Nieuw document van SamenvattingenSanne: Recht"
    )

    assert account_erase(user_id=seller.user_id)

    (params,) = Notification.objects.filter(recipient=follower).values_list("params", flat=True)
    assert params["source"].startswith("verwijderd-")
    assert "SamenvattingenSanne" not in str(params)


def test_the_cleanup_deletes_read_ones_past_half_a_year_and_keeps_the_rest():
    anna = UserFactory()
    for _ in range(3):
        _review(anna)
    old_read, old_unread, recent_read = Notification.objects.order_by("pk")
    long_ago = timezone.now() - timedelta(days=READ_NOTIFICATION_DAYS + 1)
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(created_at=long_ago)
    Notification.objects.filter(pk__in=[old_read.pk, recent_read.pk]).update(read_at=timezone.now())

    notifications_cleanup_task.enqueue()

    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, recent_read.pk}


def test_staff_see_notifications_read_only_in_the_back_office():
    _review(UserFactory(email="anna@example.nl"))
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    login(client, staff)

    page = client.get("/beheer/notifications/notification/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "anna@example.nl" in html
    assert "Nieuwe review" in html
    assert "Melding in de site toevoegen" not in html
    assert client.get("/beheer/notifications/notification/add/").status_code == 403
