"""Opening a notification: a POST from the page's button marks it read and leads to where it
points; a GET (a link prefetcher, a mail scanner, another site's link) changes nothing."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from studymarket.notifications.models import Notification, NotificationKind
from studymarket.notifications.services import notification_create
from tests.factories import UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db

EARNINGS = "/verkopen/verdiensten/"


def _sale(user, url=EARNINGS) -> Notification:
    notification_create(
        recipient_id=user.pk,
        kind=NotificationKind.SALE,
        params={"title": "Marketing H1", "amount": 949, "currency": "EUR"},
        url=url,
    )
    return Notification.objects.filter(recipient=user).latest("pk")


def _open(notification: Notification) -> str:
    return reverse("notifications:open", args=[notification.pk])


def _unread(notification: Notification) -> bool:
    notification.refresh_from_db()
    return notification.read_at is None


def test_the_page_opens_each_notification_with_a_form_not_a_link(client):
    anna = UserFactory()
    notification = _sale(anna)
    login(client, anna)

    page = client.get(reverse("notifications:index")).content.decode()

    assert f'<form action="{_open(notification)}" method="post" class="notification-open">' in page
    assert f'href="{_open(notification)}"' not in page
    # The button's name is what the link's was: what a screen reader says.
    assert (
        '<button type="submit"><span class="notification-dot" aria-hidden="true"></span>'
        '<span class="visually-hidden">Ongelezen: </span>Verkocht: Marketing H1 (€ 9,49)</button>'
    ) in page


def test_a_post_marks_it_read_and_goes_where_it_leads(client):
    anna = UserFactory()
    notification, other = _sale(anna), _sale(anna)
    login(client, anna)

    response = client.post(_open(notification))

    assert (response.status_code, response["Location"]) == (302, EARNINGS)
    assert not _unread(notification)
    assert _unread(other)


def test_in_english_it_leads_to_the_english_page(client):
    anna = UserFactory()
    notification = _sale(anna)
    login(client, anna)

    response = client.post(f"/en/meldingen/{notification.pk}/")

    assert response["Location"] == "/en/verkopen/verdiensten/"
    assert not _unread(notification)


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_get_leads_there_but_marks_nothing(client, method):
    anna = UserFactory()
    notification = _sale(anna)
    login(client, anna)

    response = getattr(client, method)(_open(notification))

    assert (response.status_code, response["Location"]) == (302, EARNINGS)
    assert _unread(notification)


def test_a_get_after_signing_in_again_leads_there(client):
    """A session that ran out: the login page sends back to the open address with a GET."""
    anna = UserFactory()
    notification = _sale(anna)

    response = client.post(_open(notification))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={_open(notification)}"
    login(client, anna)

    assert client.get(_open(notification))["Location"] == EARNINGS
    assert _unread(notification)


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_persons_notification_is_404_and_stays_unread(client, method):
    notification = _sale(UserFactory())
    login(client, UserFactory())

    response = getattr(client, method)(_open(notification))

    assert response.status_code == 404
    assert _unread(notification)


def test_opening_twice_is_harmless(client):
    anna = UserFactory()
    notification = _sale(anna)
    login(client, anna)

    first = client.post(_open(notification))
    notification.refresh_from_db()
    read_at = notification.read_at
    second = client.post(_open(notification))

    assert first["Location"] == second["Location"] == EARNINGS
    notification.refresh_from_db()
    assert notification.read_at == read_at is not None


def test_a_notification_without_a_target_leads_to_the_list(client):
    anna = UserFactory()
    notification = _sale(anna, url="")
    login(client, anna)

    response = client.post(_open(notification))

    assert response["Location"] == reverse("notifications:index")


@pytest.mark.parametrize(
    "stored",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "http:/evil.example/",
        "javascript:alert(1)",
        "evil.example/",
    ],
)
def test_a_target_on_another_site_is_refused(client, stored):
    anna = UserFactory()
    notification = Notification.objects.create(
        recipient=anna, kind=NotificationKind.SALE, params={"title": "X", "amount": 949}, url=stored
    )
    login(client, anna)

    for response in (client.post(_open(notification)), client.get(_open(notification))):
        assert (response.status_code, response["Location"]) == (302, reverse("notifications:index"))


# --- CSRF ---------------------------------------------------------------------------------------


def _csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    login(client, user)
    return client


def test_opening_needs_the_csrf_token():
    anna = UserFactory()
    notification = _sale(anna)
    client = _csrf_client(anna)

    response = client.post(_open(notification))

    assert response.status_code == 403
    assert _unread(notification)


def test_the_pages_form_carries_the_csrf_token():
    anna = UserFactory()
    notification = _sale(anna)
    client = _csrf_client(anna)

    page = client.get(reverse("notifications:index")).content.decode()
    form = re.search(rf'<form action="{_open(notification)}" method="post".*?</form>', page, re.DOTALL)
    assert form is not None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0))
    assert token is not None
    response = client.post(_open(notification), {"csrfmiddlewaretoken": token.group(1)})

    assert (response.status_code, response["Location"]) == (302, EARNINGS)
    assert not _unread(notification)


def test_mark_all_read_needs_the_csrf_token():
    anna = UserFactory()
    notification = _sale(anna)
    client = _csrf_client(anna)

    assert client.post(reverse("notifications:read_all")).status_code == 403
    assert _unread(notification)
