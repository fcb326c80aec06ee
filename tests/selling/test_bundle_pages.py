"""The seller's bundle pages (issue 17): list, make, edit, put online and take offline."""

import pytest
from django.test import Client
from django.urls import reverse

from studymarket.catalog.models import Bundle, BundleStatus
from studymarket.catalog.services import listing_unpublish
from tests.bundles import bundle_make, listings_of_one_course
from tests.factories import SellerFactory
from tests.logins import login

pytestmark = pytest.mark.django_db

NEW = reverse("selling:sell_bundle_new")
LIST = reverse("selling:sell_bundles")


def _seller_client(seller) -> Client:
    client = Client()
    login(client, seller.user)
    return client


def _data(
    listings, *, price="13,49", action="publish", title="Account Management compleet"
) -> dict[str, object]:
    return {
        "title": title,
        "description": "Alles voor het tentamen.",
        "listings": [str(listing.pk) for listing in listings],
        "price": price,
        "action": action,
    }


def test_visitors_are_sent_to_sign_in():
    for url in (LIST, NEW, reverse("selling:sell_bundle", kwargs={"pk": 1})):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_the_dashboard_links_to_the_bundles(client):
    seller = SellerFactory()
    login(client, seller.user)

    assert f'href="{LIST}"' in client.get(reverse("selling:sell_dashboard")).content.decode()


def test_a_seller_makes_a_bundle_and_puts_it_online():
    listings = listings_of_one_course(prices=(949, 749))
    client = _seller_client(listings[0].seller)
    form = client.get(NEW).content.decode()
    assert listings[0].title in form
    assert "€ 9,49" in form

    response = client.post(NEW, _data(listings))

    bundle = Bundle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("selling:sell_bundle", kwargs={"pk": bundle.pk})
    assert bundle.status == BundleStatus.PUBLISHED
    assert (bundle.title, bundle.price_cents) == ("Account Management compleet", 1349)
    assert [item.listing_id for item in bundle.items.all()] == [listing.pk for listing in listings]
    page = client.get(response["Location"]).content.decode()
    assert "Je bundel staat online." in page
    assert bundle.get_absolute_url() in page
    listed = client.get(LIST).content.decode()
    assert "Account Management compleet" in listed
    assert "€ 16,98" in listed
    assert "€ 13,49" in listed


def test_saved_as_a_draft():
    listings = listings_of_one_course()
    client = _seller_client(listings[0].seller)

    client.post(NEW, _data(listings, action="save"))

    assert Bundle.objects.get().status == BundleStatus.DRAFT


@pytest.mark.parametrize(
    ("price", "field_message"),
    [
        ("16,98", "Maak de bundel goedkoper dan de documenten los: die kosten samen € 16,98."),
        ("0,50", "De prijs is minimaal € 1,00."),
    ],
)
def test_a_price_against_the_rules_is_said_at_the_price(price, field_message):
    listings = listings_of_one_course(prices=(949, 749))
    client = _seller_client(listings[0].seller)

    response = client.post(NEW, _data(listings, price=price))

    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert not Bundle.objects.exists()


def test_documents_of_different_courses_are_refused_at_the_documents():
    seller = SellerFactory()
    listings = listings_of_one_course(seller=seller, prices=(949,)) + listings_of_one_course(
        seller=seller, prices=(749,)
    )
    client = _seller_client(seller)

    response = client.post(NEW, _data(listings, price="9,99"))

    html = response.content.decode()
    assert 'id="id_listings_error"' in html
    assert "hetzelfde vak" in html
    assert not Bundle.objects.exists()


def test_another_sellers_listing_is_not_a_choice():
    mine = listings_of_one_course(prices=(949,))
    theirs = listings_of_one_course(course=mine[0].course, prices=(749,))
    client = _seller_client(mine[0].seller)

    response = client.post(NEW, _data(mine + theirs, price="9,99"))

    assert response.status_code == 200
    assert theirs[0].title not in response.content.decode()
    assert not Bundle.objects.exists()


def test_another_seller_gets_404_on_the_bundle():
    bundle = bundle_make()
    other = _seller_client(SellerFactory())
    url = reverse("selling:sell_bundle", kwargs={"pk": bundle.pk})

    assert other.get(url).status_code == 404
    assert other.post(url, {"action": "withdraw"}).status_code == 404
    assert (
        other.post(url, _data([item.listing for item in bundle.items.all()], title="Van mij")).status_code
        == 404
    )
    assert Bundle.objects.get(pk=bundle.pk).status == BundleStatus.PUBLISHED
    assert bundle.title not in other.get(LIST).content.decode()


def test_edit_withdraw_and_publish_again():
    bundle = bundle_make()
    listings = [item.listing for item in bundle.items.all()]
    client = _seller_client(bundle.seller)
    url = reverse("selling:sell_bundle", kwargs={"pk": bundle.pk})
    assert 'value="13,49"' in client.get(url).content.decode()

    saved = client.post(url, _data(listings, price="12,49", action="save", title="Nieuwe titel"))
    withdrawn = client.post(url, {"action": "withdraw"})
    after_withdraw = Bundle.objects.get(pk=bundle.pk)
    published = client.post(url, {"action": "publish"})

    assert saved.status_code == withdrawn.status_code == published.status_code == 302
    assert after_withdraw.status == BundleStatus.WITHDRAWN
    bundle.refresh_from_db()
    assert (bundle.title, bundle.price_cents, bundle.status) == ("Nieuwe titel", 1249, BundleStatus.PUBLISHED)


def test_publishing_with_a_document_offline_says_what_to_do():
    bundle = bundle_make(publish=False)
    offline = bundle.items.all()[1].listing
    listing_unpublish(listing_id=offline.pk)
    client = _seller_client(bundle.seller)
    url = reverse("selling:sell_bundle", kwargs={"pk": bundle.pk})

    response = client.post(url, {"action": "publish"}, follow=True)

    html = response.content.decode()
    assert "Alleen documenten die online staan kun je bundelen" in html
    assert offline.title in html
    assert Bundle.objects.get(pk=bundle.pk).status == BundleStatus.DRAFT
    assert offline.title in html  # still on the form, so the seller can take it out
