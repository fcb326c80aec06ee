"""The bell, the page "Meldingen" and the sentence in each language (opening one: test_opening.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from studymarket.notifications.context_processors import notifications as bell_context
from studymarket.notifications.models import Notification, NotificationKind
from studymarket.notifications.selectors import PAGE_SIZE
from studymarket.notifications.services import notification_create, notifications_mark_read, url_path
from studymarket.notifications.texts import notification_text
from tests.factories import UserFactory
from tests.logins import login

pytestmark = pytest.mark.django_db


def _sale(user, title="Marketing H1", amount=949, url="/verkopen/verdiensten/", key=""):
    notification_create(
        recipient_id=user.pk,
        kind=NotificationKind.SALE,
        params={"title": title, "amount": amount, "currency": "EUR"},
        url=url,
        key=key,
    )
    return Notification.objects.filter(recipient=user).latest("pk")


# --- The sentence -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "nl", "en"),
    [
        (
            NotificationKind.SALE,
            {"title": "Marketing H1", "amount": 949},
            "Verkocht: Marketing H1 (€ 9,49)",
            "Sold: Marketing H1 (€9.49)",
        ),
        (
            NotificationKind.REVIEW,
            {"title": "Recht", "rating": 4},
            "Nieuwe review (4 van 5 sterren) op Recht",
            "New review (4 out of 5 stars) on Recht",
        ),
        (
            NotificationKind.PAYOUT_FAILED,
            {"amount": 12050},
            "Uitbetaling van € 120,50 is mislukt; het geld staat weer op je saldo",
            "Payout of €120.50 failed; the money is back in your balance",
        ),
        (
            NotificationKind.STATEMENT,
            {"title": "Recht"},
            "We hebben een besluit genomen over je document Recht: lees waarom en hoe je bezwaar maakt",
            "We have taken a decision about your document Recht: read why and how to appeal",
        ),
        (
            NotificationKind.STATEMENT,
            {"title": ""},
            "We hebben een besluit genomen over je account: lees waarom en hoe je bezwaar maakt",
            "We have taken a decision about your account: read why and how to appeal",
        ),
        (
            NotificationKind.NEW_LISTING_FROM_FOLLOWED,
            {"title": "Statistiek", "source": "Sanne"},
            "Nieuw document van Sanne: Statistiek",
            "New document from Sanne: Statistiek",
        ),
    ],
)
def test_the_sentence_is_written_in_the_readers_language(kind, params, nl, en):
    with translation.override("nl"):
        assert notification_text(kind, params) == nl
    with translation.override("en"):
        assert notification_text(kind, params) == en


def test_a_missing_parameter_leaves_a_gap_not_an_error():
    assert (
        notification_text(NotificationKind.REVIEW, {"title": "Recht"})
        == "Nieuwe review ( van 5 sterren) op Recht"
    )


def test_a_path_is_stored_without_a_language_prefix():
    assert url_path("/en/verkopen/verdiensten/") == "/verkopen/verdiensten/"
    assert url_path("/en/") == "/"
    assert url_path("/verkopen/") == "/verkopen/"
    assert url_path("/enquete/") == "/enquete/"


def test_the_same_event_is_told_once():
    user = UserFactory()
    _sale(user, key="order_line:1")
    _sale(user, key="order_line:1")
    _sale(user, key="order_line:2")

    assert Notification.objects.filter(recipient=user).count() == 2


# --- The bell -----------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_for_the_signed_in_person_only(client):
    anna, other = UserFactory(), UserFactory()
    _sale(anna)
    _sale(anna)
    _sale(other)
    login(client, anna)

    page = client.get(reverse("library:index")).content.decode()

    assert 'aria-label="Meldingen, 2 ongelezen"' in page
    assert '<span class="notification-count" id="notification-count">2</span>' in page


def test_no_bell_for_a_visitor(client):
    page = client.get(reverse("storefront:home")).content.decode()

    assert "notification-bell" not in page


def test_the_bell_without_unread_has_no_badge(client):
    anna = UserFactory()
    login(client, anna)

    page = client.get(reverse("library:index")).content.decode()

    assert 'aria-label="Meldingen, 0 ongelezen"' in page
    assert "notification-count" not in page


def test_the_bell_in_english(client):
    anna = UserFactory()
    _sale(anna)
    login(client, anna)

    page = client.get("/en" + reverse("library:index")).content.decode()

    assert 'aria-label="Notifications, 1 unread"' in page


def test_the_bell_costs_one_query(rf):
    anna = UserFactory()
    _sale(anna)
    request = rf.get("/")
    request.user = anna

    with CaptureQueriesContext(connection) as queries:
        count = bell_context(request)["notification_unread_count"]
        assert int(str(count)) == 1
    assert len(queries) == 1
    assert "COUNT" in queries[0]["sql"].upper()


def test_the_bell_counts_nothing_for_a_visitor(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()

    with CaptureQueriesContext(connection) as queries:
        assert bell_context(request)["notification_unread_count"] == 0
    assert len(queries) == 0


# --- The page -----------------------------------------------------------------------------------


def test_the_page_lists_the_persons_notifications_newest_first_unread_marked(client):
    anna = UserFactory()
    old = _sale(anna, title="Oud")
    _sale(anna, title="Nieuw")
    _sale(UserFactory(), title="Van iemand anders")
    notifications_mark_read(user=anna, ids=[old.pk])
    login(client, anna)

    page = client.get(reverse("notifications:index")).content.decode()

    assert page.index("Verkocht: Nieuw (€ 9,49)") < page.index("Verkocht: Oud (€ 9,49)")
    assert "Van iemand anders" not in page
    assert page.count("notification-unread") == 1
    assert "Alles als gelezen markeren" in page


def test_the_page_in_english(client):
    anna = UserFactory()
    _sale(anna, title="Marketing")
    login(client, anna)

    page = client.get("/en/meldingen/").content.decode()

    assert "Sold: Marketing (€9.49)" in page
    assert "Mark all as read" in page


def test_the_page_is_paginated(client):
    anna = UserFactory()
    for number in range(PAGE_SIZE + 1):
        _sale(anna, title=f"Document {number}")
    login(client, anna)

    first = client.get(reverse("notifications:index")).content.decode()
    second = client.get(reverse("notifications:index") + "?pagina=2").content.decode()

    assert f"Verkocht: Document {PAGE_SIZE} (€ 9,49)" in first
    assert "Verkocht: Document 0 (€ 9,49)" not in first
    assert "Verkocht: Document 0 (€ 9,49)" in second
    assert "Pagina 2 van 2" in second


def test_the_page_asks_to_log_in(client):
    response = client.get(reverse("notifications:index"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_mark_all_read_marks_only_the_persons_own(client):
    anna, other = UserFactory(), UserFactory()
    _sale(anna)
    _sale(anna)
    theirs = _sale(other)
    login(client, anna)

    response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=anna, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    page = client.get(reverse("notifications:index")).content.decode()
    assert 'aria-label="Meldingen, 0 ongelezen"' in page


def test_mark_all_read_needs_a_post(client):
    anna = UserFactory()
    _sale(anna)
    login(client, anna)

    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert Notification.objects.filter(recipient=anna, read_at__isnull=True).count() == 1
