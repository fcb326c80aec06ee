"""The signed-in buyer's cart (in the database), the merge of a visitor's cart at login, and the
refusal of documents one cannot buy."""

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from studymarket.checkout.cart import cart_listing_ids
from studymarket.checkout.models import CartItem
from studymarket.checkout.selectors import cart_listing_list
from studymarket.checkout.services import cart_item_add, cart_merge
from studymarket.core.errors import ApplicationError
from tests.checkout.carts import add, bought
from tests.factories import ListingFactory, SellerFactory
from tests.logins import PASSWORD

pytestmark = pytest.mark.django_db

OWN = "Dit is je eigen document. Dat kun je niet kopen."
OWNED = "Je hebt dit document al gekocht. Je vindt het in Mijn documenten."


def _cart_html(client):
    response = client.get(reverse("checkout:cart"))
    assert response.status_code == 200
    return response.content.decode()


def test_signed_in_buyer_cart_is_kept_in_the_database(buyer_client, buyer):
    first, second = ListingFactory(title="Eerste"), ListingFactory(title="Tweede")

    add(buyer_client, first)
    add(buyer_client, second, htmx=True)
    add(buyer_client, first)  # twice: still one line

    assert list(CartItem.objects.filter(cart__user=buyer).values_list("listing_id", flat=True)) == [
        first.pk,
        second.pk,
    ]
    assert cart_listing_ids(buyer_client.session) == []
    html = _cart_html(buyer_client)
    assert html.count(">Eerste</a>") == 1
    assert '<span id="cart-count">2</span>' in html


def test_signed_in_buyer_removes_a_line(buyer_client, buyer):
    kept, removed = ListingFactory(title="Blijft"), ListingFactory(title="Gaat eruit")
    add(buyer_client, kept)
    add(buyer_client, removed)

    response = buyer_client.post(reverse("checkout:remove", kwargs={"listing_id": removed.pk}))

    assert response["Location"] == reverse("checkout:cart")
    assert cart_listing_list(user=buyer) == [kept]


def test_cart_shows_the_total_and_the_vat_in_it(client):
    add(client, ListingFactory(price_cents=949))
    add(client, ListingFactory(price_cents=1200))

    html = _cart_html(client)

    # 21 % VAT included: 949 → 165, 1200 → 208.
    assert '<td id="cart-total"><strong>€ 21,49</strong></td>' in html
    assert '<th scope="row" colspan="2" class="muted">Waarvan btw</th>' in html
    assert '<td id="cart-vat" class="muted">€ 3,73</td>' in html
    assert f'<a href="{reverse("checkout:checkout")}" role="button">Afrekenen</a>' in html


def test_own_document_is_refused_on_add(buyer_client, buyer):
    listing = ListingFactory(seller=SellerFactory(user=buyer))

    response = add(buyer_client, listing)

    assert response["Location"] == listing.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [OWN]
    assert not CartItem.objects.exists()


def test_owned_document_is_refused_on_add_with_htmx(buyer_client, buyer):
    listing = ListingFactory()
    bought(buyer=buyer, listing=listing)

    response = add(buyer_client, listing, htmx=True)

    html = response.content.decode()
    assert f'<div id="cart-button-{listing.pk}" class="cart-button">' in html
    assert "Je hebt dit document al." in html  # the button's own state, from what the buyer owns
    assert "Toegevoegd" not in html
    assert not CartItem.objects.exists()
    with pytest.raises(ApplicationError) as refused:
        cart_item_add(user=buyer, listing=listing)
    assert refused.value.message == OWNED


def test_cart_button_shows_what_the_buyer_can_do(buyer):
    own = ListingFactory(seller=SellerFactory(user=buyer))
    owned = ListingFactory()
    bought(buyer=buyer, listing=owned)
    request = RequestFactory().get("/")
    request.user = buyer
    request.session = {}  # type: ignore[assignment]

    def button(listing) -> str:
        return render_to_string("checkout/_cart_button.html", {"listing": listing}, request=request)

    assert '<p class="muted">Dit is je eigen document.</p>' in button(own)
    owned_html = button(owned)
    assert "<p>Je hebt dit document al.</p>" in owned_html
    assert f'<a href="{reverse("library:index")}" role="button" class="secondary">Mijn documenten</a>' in (
        owned_html
    )
    assert "In winkelwagen" in button(ListingFactory())


def test_cart_button_says_added_for_a_listing_in_the_database_cart(buyer_client, buyer):
    listing = ListingFactory()
    cart_item_add(user=buyer, listing=listing)

    html = buyer_client.get(listing.get_absolute_url()).content.decode()

    assert "Toegevoegd" in html
    assert f'action="{reverse("checkout:add", kwargs={"listing_id": listing.pk})}"' not in html


def test_visitor_cart_is_merged_at_login(client, buyer):
    already = ListingFactory(title="Al in je account")
    cart_item_add(user=buyer, listing=already)
    new = ListingFactory(title="Net toegevoegd")
    add(client, new)
    add(client, already)

    response = client.post(reverse("accounts:login"), {"username": buyer.email, "password": PASSWORD})

    assert response.status_code == 302
    assert cart_listing_list(user=buyer) == [already, new]
    assert cart_listing_ids(client.session) == []
    assert '<span id="cart-count">2</span>' in _cart_html(client)


def test_visitor_cart_is_merged_at_sign_up(client):
    listing = ListingFactory()
    add(client, listing)

    client.post(
        reverse("accounts:signup"),
        {"email": "nieuw@example.nl", "password": PASSWORD, "password_confirm": PASSWORD},
    )

    assert [item.listing for item in CartItem.objects.filter(cart__user__email="nieuw@example.nl")] == [
        listing
    ]


def test_merge_leaves_out_own_and_owned_documents_and_says_why(client, buyer):
    own = ListingFactory(title="Mijn eigen", seller=SellerFactory(user=buyer))
    owned = ListingFactory(title="Al gekocht")
    bought(buyer=buyer, listing=owned)
    wanted = ListingFactory(title="Nieuw")
    for listing in (own, owned, wanted):
        add(client, listing)

    response = client.post(
        reverse("accounts:login"), {"username": buyer.email, "password": PASSWORD}, follow=True
    )

    assert cart_listing_list(user=buyer) == [wanted]
    assert [str(m) for m in response.context["messages"]] == [f"Mijn eigen: {OWN}", f"Al gekocht: {OWNED}"]


def test_merge_skips_listings_that_went_offline(buyer):
    offline = ListingFactory(status="unpublished")

    assert cart_merge(user=buyer, listing_ids=[offline.pk, 987654]) == []
    assert not CartItem.objects.exists()


def test_a_paid_order_takes_its_listings_out_of_the_cart(buyer_client, buyer):
    bought_now, kept = ListingFactory(title="Gekocht"), ListingFactory(title="Nog niet")
    cart_item_add(user=buyer, listing=bought_now)
    cart_item_add(user=buyer, listing=kept)

    bought(buyer=buyer, listing=bought_now)

    assert cart_listing_list(user=buyer) == [kept]
    assert '<span id="cart-count">1</span>' in _cart_html(buyer_client)
    # The cart's next write deletes the line for good.
    cart_item_add(user=buyer, listing=ListingFactory())
    assert not CartItem.objects.filter(listing=bought_now).exists()
