import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from studymarket.catalog.models import ListingStatus
from studymarket.checkout.cart import cart_listing_ids
from tests.factories import ListingFactory, SellerFactory

pytestmark = pytest.mark.django_db


def _add(client, listing, **headers):
    return client.post(reverse("checkout:add", kwargs={"listing_id": listing.pk}), **headers)


def _cart(client):
    response = client.get(reverse("checkout:cart"))
    assert response.status_code == 200
    return response.content.decode()


def test_add_without_javascript_redirects_to_the_listing(client):
    listing = ListingFactory(
        title="Account Management Samenvatting", seller=SellerFactory(display_name="Lotte")
    )

    response = _add(client, listing)

    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url()
    html = _cart(client)
    assert "<h1>Winkelwagen</h1>" in html
    assert f'<a href="{listing.get_absolute_url()}">Account Management Samenvatting</a>' in html
    assert f'<a href="{listing.seller.get_absolute_url()}">Lotte</a>' in html
    assert "€ 9,49" in html
    assert f'action="{reverse("checkout:remove", kwargs={"listing_id": listing.pk})}"' in html


def test_add_with_htmx_returns_the_added_state(client):
    listing = ListingFactory()

    response = _add(client, listing, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<div id="cart-button-{listing.pk}" class="cart-button">' in html
    assert "Toegevoegd" in html
    assert f'<a href="{reverse("checkout:cart")}" autofocus>Bekijk winkelwagen</a>' in html
    assert '<span id="cart-count" data-hx-swap-oob="true">1</span>' in html
    assert "In winkelwagen" not in html
    assert "<html" not in html


def test_cart_button_offers_a_form_that_htmx_can_swap():
    listing = ListingFactory()

    html = render_to_string("checkout/_cart_button.html", {"listing": listing, "in_cart": False})

    url = reverse("checkout:add", kwargs={"listing_id": listing.pk})
    assert f'<div id="cart-button-{listing.pk}" class="cart-button">' in html
    assert f'action="{url}" method="post"' in html
    assert f'data-hx-post="{url}" data-hx-target="#cart-button-{listing.pk}" data-hx-swap="outerHTML"' in html
    assert '<button type="submit">In winkelwagen</button>' in html


def test_cart_button_when_already_in_cart_on_a_full_page():
    listing = ListingFactory()

    html = render_to_string("checkout/_cart_button.html", {"listing": listing, "in_cart": True})

    assert "Toegevoegd" in html
    assert f'<a href="{reverse("checkout:cart")}">Bekijk winkelwagen</a>' in html  # no autofocus on page load
    assert "<form" not in html
    assert "data-hx-swap-oob" not in html  # the page's own header shows the count


def test_adding_twice_keeps_one_line(client):
    listing = ListingFactory(title="Eenmalig")

    _add(client, listing)
    _add(client, listing, HTTP_HX_REQUEST="true")

    assert cart_listing_ids(client.session) == [listing.pk]
    assert _cart(client).count(">Eenmalig</a>") == 1


def test_remove_takes_the_line_out(client):
    kept, removed = ListingFactory(title="Blijft"), ListingFactory(title="Gaat eruit")
    _add(client, kept)
    _add(client, removed)

    response = client.post(reverse("checkout:remove", kwargs={"listing_id": removed.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:cart")
    html = _cart(client)
    assert "Blijft" in html
    assert "Gaat eruit" not in html


def test_total_includes_every_line(client):
    for listing in ListingFactory.create_batch(2, price_cents=949):
        _add(client, listing)

    html = _cart(client)

    assert "Totaal (incl. btw)" in html
    assert '<td id="cart-total"><strong>€ 18,98</strong></td>' in html


def test_empty_cart_says_so(client):
    _add(client, listing := ListingFactory())
    client.post(reverse("checkout:remove", kwargs={"listing_id": listing.pk}))

    html = _cart(client)

    assert "Je winkelwagen is leeg." in html
    assert f'<a href="{reverse("storefront:home")}">' in html
    assert "Totaal (incl. btw)" not in html


def test_unpublished_listing_cannot_be_added(client):
    listing = ListingFactory(status=ListingStatus.DRAFT)
    assert _add(client, listing).status_code == 404
    assert cart_listing_ids(client.session) == []


def test_adding_needs_a_post(client):
    listing = ListingFactory()
    assert client.get(reverse("checkout:add", kwargs={"listing_id": listing.pk})).status_code == 405
