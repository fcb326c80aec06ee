"""A document's price lowered after its bundle was made (issue 17, ADR 0028): the save stands, the
seller is warned about each bundle that no longer costs less than its documents separately, with
a link to it, and their bundle list and the bundle's own page flag it."""

import pytest
from django.test import Client
from django.urls import reverse

from studymarket.catalog.bundles import bundle_withdraw
from studymarket.catalog.models import Listing
from tests.bundles import bundle_make, listings_of_one_course
from tests.logins import login
from tests.selling.drafts import describe_data

pytestmark = pytest.mark.django_db

TITLE = "Account Management compleet"


@pytest.fixture
def listings() -> list[Listing]:
    return listings_of_one_course(prices=(949, 749))  # € 16,98 together


@pytest.fixture
def seller_client(listings) -> Client:
    client = Client()
    login(client, listings[0].seller.user)
    return client


def _price_save(client: Client, listing: Listing, price: str):
    """The seller's describe form, saved with only the price changed; the page it leads to."""
    url = reverse("selling:sell_document", kwargs={"pk": listing.document_id})
    data = describe_data(listing.course, title=listing.title, price=price, preview_page_count="2")
    return client.post(url, data, follow=True)


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def test_a_price_that_ends_the_saving_is_saved_with_a_warning_and_a_link(seller_client, listings):
    bundle = bundle_make(listings=listings, price_cents=1349, title=TITLE)
    edit_url = reverse("selling:sell_bundle", kwargs={"pk": bundle.pk})

    response = _price_save(seller_client, listings[1], "1,00")

    assert response.redirect_chain == [(response.request["PATH_INFO"], 302)]
    listings[1].refresh_from_db()
    assert listings[1].price_cents == 100  # the save stands
    assert _messages(response) == [
        ("success", "Je beschrijving is opgeslagen."),
        (
            "warning",
            f"Je bundel {TITLE} is nu niet goedkoper dan de losse documenten; verlaag de bundelprijs "
            f'of haal een document uit de bundel. Tot dan is de bundel niet te koop. <a href="{edit_url}">'
            "Bundel bewerken</a>",
        ),
    ]
    page = response.content.decode()
    assert f'<a href="{edit_url}">Bundel bewerken</a>' in page  # a link, not escaped text
    assert 'class="notice notice-warning"' in page


def test_the_bundle_list_and_page_flag_the_bundle_until_its_price_is_lowered(seller_client, listings):
    bundle = bundle_make(listings=listings, price_cents=1349, title=TITLE)
    fine = bundle_make(listings=listings, price_cents=999, title="Nog steeds voordelig")
    _price_save(seller_client, listings[1], "1,00")  # € 10,49 together

    listed = seller_client.get(reverse("selling:sell_bundles")).content.decode()
    own_page = seller_client.get(reverse("selling:sell_bundle", kwargs={"pk": bundle.pk})).content.decode()

    assert f'id="no-saving-{bundle.pk}"' in listed
    assert "Geen korting meer" in listed
    assert f'id="no-saving-{fine.pk}"' not in listed
    assert 'id="bundle-no-saving"' in own_page
    assert (
        'de documenten kosten los samen <span class="price">€ 10,49</span> en de bundel '
        '<span class="price">€ 13,49</span>'
    ) in own_page

    seller_client.post(
        reverse("selling:sell_bundle", kwargs={"pk": bundle.pk}),
        {
            "title": TITLE,
            "description": "",
            "listings": [str(listing.pk) for listing in listings],
            "price": "9,99",
            "action": "save",
        },
    )

    listed = seller_client.get(reverse("selling:sell_bundles")).content.decode()
    assert "Geen korting meer" not in listed
    assert bundle.get_absolute_url() in seller_client.get(listings[0].get_absolute_url()).content.decode()


def test_no_warning_while_the_bundle_still_saves_or_once_it_is_offline(seller_client, listings):
    bundle = bundle_make(listings=listings, price_cents=1349, title=TITLE)

    still_cheaper = _price_save(seller_client, listings[1], "5,00")  # € 14,49 together
    bundle_withdraw(bundle_id=bundle.pk, seller=bundle.seller)
    offline = _price_save(seller_client, listings[1], "1,00")

    assert _messages(still_cheaper) == [("success", "Je beschrijving is opgeslagen.")]
    assert _messages(offline) == [("success", "Je beschrijving is opgeslagen.")]
    listed = seller_client.get(reverse("selling:sell_bundles")).content.decode()
    assert "Geen korting meer" not in listed  # offline: not sold anyway
