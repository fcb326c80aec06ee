"""Bundles in the cart (issue 17): one item with its documents, its saving, the documents the
buyer has already left out and not paid for, the rules against buying a document twice, the
merge at login, and the order a bundle makes."""

import re

import pytest
from django.urls import reverse

from studymarket.catalog.bundles import bundle_withdraw
from studymarket.catalog.models import BundleStatus
from studymarket.catalog.services import listing_unpublish
from studymarket.checkout.cart import cart_bundle_ids, cart_listing_ids
from studymarket.checkout.models import CartItem
from studymarket.checkout.services import cart_merge
from studymarket.orders.models import Order, OrderLine
from tests.bundles import bundle_make, listings_of_one_course
from tests.checkout.carts import CONSENT, add, add_bundle, bought, cart_html, shown_messages
from tests.factories import ListingFactory
from tests.logins import PASSWORD

pytestmark = pytest.mark.django_db

TITLE = "Alles voor Account Management"
CHECKOUT = "/winkelwagen/afrekenen/"


@pytest.fixture
def listings():
    """€ 9,49 and € 7,49 (€ 16,98 on their own); the bundle of them costs € 13,49, which splits
    into € 7,54 and € 5,95 (core.pricing.split_cents, in proportion to their prices)."""
    return listings_of_one_course(prices=(949, 749))


@pytest.fixture
def bundle(listings):
    return bundle_make(listings=listings, price_cents=1349, title=TITLE)


def _cart_items() -> list[tuple[int | None, int | None]]:
    return [(item.listing_id, item.bundle_id) for item in CartItem.objects.all()]


def test_bundle_add_url():
    assert reverse("checkout:bundle_add", kwargs={"bundle_id": 7}) == "/winkelwagen/bundel-toevoegen/7/"


def test_the_cart_shows_a_bundle_as_one_item_with_its_documents_and_saving(client, bundle, listings):
    response = add_bundle(client, bundle)

    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:cart")
    assert shown_messages(response) == [f"De bundel {TITLE} zit in je winkelwagen."]
    assert cart_bundle_ids(client.session) == [bundle.pk]
    html = cart_html(client)
    row = html.split(f'<tr id="cart-bundle-{bundle.pk}">')[1].split("</tr>")[0]
    assert f'Bundel: <a href="{bundle.get_absolute_url()}">{TITLE}</a>' in row
    for listing in listings:
        assert f'<a href="{listing.get_absolute_url()}">{listing.title}</a>' in row
    assert "Je bespaart € 3,49 op de losse prijzen." in row
    assert '<td class="price">€ 13,49</td>' in row
    assert f'action="{reverse("checkout:bundle_remove", kwargs={"bundle_id": bundle.pk})}"' in row
    assert '<td id="cart-total"><strong>€ 13,49</strong></td>' in html
    assert '<td id="cart-vat" class="muted">€ 2,34</td>' in html  # € 1,31 + € 1,03, per line
    assert '<span id="cart-count">2</span>' in html  # documents, not items


def test_a_buyer_who_owns_one_document_pays_only_the_others_share(buyer_client, buyer, bundle, listings):
    bought(buyer=buyer, listing=listings[0])

    add_bundle(buyer_client, bundle)

    html = cart_html(buyer_client)
    assert "Je hebt 1 van de 2 documenten al; je betaalt alleen voor het andere: € 5,95" in html
    assert f'{listings[0].title}</a> <small class="muted">(heb je al)</small>' in html
    assert '<td id="cart-total"><strong>€ 5,95</strong></td>' in html


def test_three_documents_one_owned_says_the_other_two(buyer_client, buyer):
    listings = listings_of_one_course(prices=(500, 500, 500))
    bundle = bundle_make(listings=listings, price_cents=1200)
    bought(buyer=buyer, listing=listings[1])

    add_bundle(buyer_client, bundle)

    assert "Je hebt 1 van de 3 documenten al; je betaalt alleen voor de andere 2: € 8,00" in cart_html(
        buyer_client
    )


def test_owning_every_document_is_refused(buyer_client, buyer, bundle, listings):
    for listing in listings:
        bought(buyer=buyer, listing=listing)

    response = add_bundle(buyer_client, bundle)

    assert response["Location"] == bundle.get_absolute_url()
    assert shown_messages(response) == ["Je hebt alle documenten van deze bundel al."]
    assert not CartItem.objects.exists()


def test_the_sellers_own_bundle_is_refused(client, bundle):
    client.force_login(bundle.seller.user)

    response = add_bundle(client, bundle)

    assert shown_messages(response) == ["Dit is je eigen bundel. Die kun je niet kopen."]
    assert not CartItem.objects.exists()


def test_a_withdrawn_bundle_is_refused_and_a_draft_is_not_found(client, bundle, listings):
    bundle_withdraw(bundle_id=bundle.pk, seller=bundle.seller)
    draft = bundle_make(listings=listings, publish=False)
    assert draft.status == BundleStatus.DRAFT

    response = add_bundle(client, bundle)

    assert shown_messages(response) == ["Deze bundel is niet meer te koop."]
    assert cart_bundle_ids(client.session) == []
    assert add_bundle(client, draft).status_code == 404
    assert client.get(reverse("checkout:bundle_add", kwargs={"bundle_id": bundle.pk})).status_code == 405


@pytest.mark.parametrize("signed_in", [False, True])
def test_listings_of_the_bundle_leave_the_cart_when_it_comes_in(client, buyer, bundle, listings, signed_in):
    if signed_in:
        client.force_login(buyer)
    other = ListingFactory(title="Iets anders")
    add(client, listings[1])
    add(client, other)

    response = add_bundle(client, bundle)

    assert shown_messages(response) == [
        f"{listings[1].title} zit in de bundel en is uit je winkelwagen gehaald.",
        f"De bundel {TITLE} zit in je winkelwagen.",
    ]
    html = cart_html(client)
    assert html.count(f">{listings[1].title}</a>") == 1  # in the bundle only
    assert '<td id="cart-total"><strong>€ 22,98</strong></td>' in html  # € 13,49 + € 9,49


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_listing_of_a_bundle_in_the_cart_is_refused(client, buyer, bundle, listings, signed_in):
    if signed_in:
        client.force_login(buyer)
    add_bundle(client, bundle)

    response = add(client, listings[0])

    assert response["Location"] == listings[0].get_absolute_url()
    assert shown_messages(response)[-1] == f"Dit document zit al in de bundel {TITLE} in je winkelwagen."
    if signed_in:
        assert _cart_items() == [(None, bundle.pk)]
    else:
        assert cart_listing_ids(client.session) == []


def test_two_bundles_sharing_a_document_are_refused(buyer_client, bundle, listings):
    third = ListingFactory(seller=listings[0].seller, course=listings[0].course, price_cents=500)
    overlapping = bundle_make(listings=[listings[0], third], price_cents=1200, title="Ander pakket")
    add_bundle(buyer_client, bundle)

    response = add_bundle(buyer_client, overlapping)

    assert shown_messages(response)[-1] == (
        f"Deze bundel heeft documenten gemeen met de bundel {TITLE} in je winkelwagen. "
        "Haal die eerst uit je winkelwagen."
    )
    assert list(CartItem.objects.values_list("bundle_id", flat=True)) == [bundle.pk]


def test_removing_the_bundle(buyer_client, buyer, bundle):
    add_bundle(buyer_client, bundle)

    response = buyer_client.post(reverse("checkout:bundle_remove", kwargs={"bundle_id": bundle.pk}))

    assert response["Location"] == reverse("checkout:cart")
    assert not CartItem.objects.exists()
    assert "Je winkelwagen is leeg." in cart_html(buyer_client)


def test_the_visitors_bundle_moves_into_the_account_at_login(client, buyer, bundle, listings):
    add_bundle(client, bundle)

    client.post(reverse("accounts:login"), {"username": buyer.email, "password": PASSWORD})

    assert list(CartItem.objects.filter(cart__user=buyer).values_list("bundle_id", flat=True)) == [bundle.pk]
    assert cart_bundle_ids(client.session) == []


def test_merge_leaves_out_a_bundle_the_buyer_has_and_a_listing_of_a_merged_bundle(buyer, bundle, listings):
    owned_all = bundle_make(listings=listings_of_one_course(), title="Al van mij")
    for listing in owned_all.items.all():
        bought(buyer=buyer, listing=listing.listing)

    left_out = cart_merge(user=buyer, listing_ids=[listings[0].pk], bundle_ids=[owned_all.pk, bundle.pk])

    assert left_out == [
        ("Al van mij", "Je hebt alle documenten van deze bundel al."),
        (listings[0].title, f"Dit document zit al in de bundel {TITLE} in je winkelwagen."),
    ]
    assert _cart_items() == [(None, bundle.pk)]


def test_a_bundle_gone_off_sale_is_marked_and_cannot_be_checked_out(buyer_client, buyer, bundle, listings):
    add_bundle(buyer_client, bundle)
    listing_unpublish(listing_id=listings[1].pk)

    html = buyer_client.get(CHECKOUT).content.decode()

    assert "Deze bundel is niet meer te koop." in html
    assert "Haal eerst de gemarkeerde documenten uit je winkelwagen." in html
    assert "Betalen</button>" not in html


def _token(html: str) -> str:
    match = re.search(r'<input type="hidden" name="checkout_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_checkout_makes_one_line_per_document_at_its_share(buyer_client, buyer, bundle, listings):
    add_bundle(buyer_client, bundle)
    html = buyer_client.get(CHECKOUT).content.decode()
    assert '<p id="pay-total">Te betalen: <strong>€ 13,49</strong> (incl. btw)</p>' in html

    response = buyer_client.post(CHECKOUT, {"checkout_token": _token(html), "method": "ideal", **CONSENT})

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.total_cents == 1349
    assert list(
        OrderLine.objects.filter(order=order)
        .order_by("pk")
        .values_list("listing_id", "bundle_id", "list_price_cents", "discount_cents", "price_cents")
    ) == [(listings[0].pk, bundle.pk, 754, 0, 754), (listings[1].pk, bundle.pk, 595, 0, 595)]
    # The same cart again continues that order.
    buyer_client.post(
        CHECKOUT,
        {"checkout_token": _token(buyer_client.get(CHECKOUT).content.decode()), "method": "ideal", **CONSENT},
    )
    assert Order.objects.count() == 1


def _price_lowered(listing, cents: int = 100) -> None:
    # The seller lowered a document's price after making the bundle: € 9,49 + € 1,00 < € 13,49.
    listing.price_cents = cents
    listing.save(update_fields=["price_cents"])


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_bundle_that_no_longer_saves_is_refused(client, buyer, bundle, listings, signed_in):
    if signed_in:
        client.force_login(buyer)
    _price_lowered(listings[1])

    response = add_bundle(client, bundle)

    assert shown_messages(response) == ["Deze bundel is niet meer te koop."]
    assert cart_bundle_ids(client.session) == []
    assert _cart_items() == []


def test_a_bundle_in_the_cart_that_no_longer_saves_is_marked_and_not_checked_out(
    buyer_client, buyer, bundle, listings
):
    add_bundle(buyer_client, bundle)
    html = buyer_client.get(CHECKOUT).content.decode()
    token = _token(html)
    _price_lowered(listings[1])

    html = buyer_client.get(CHECKOUT).content.decode()
    response = buyer_client.post(CHECKOUT, {"checkout_token": token, "method": "ideal", **CONSENT})

    assert "Deze bundel is niet meer te koop." in html
    assert "Betalen</button>" not in html
    assert response.status_code == 200
    assert "Deze bundel is niet meer te koop." in response.content.decode()
    assert not Order.objects.exists()
    assert _cart_items() == [(None, bundle.pk)]  # there for the buyer to see and take out
