"""The checkout page ("Afrekenen"): inline sign-up and login, the method, "Betalen", and the
order it makes (snapshot lines, idempotent by the page's checkout token)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studymarket.checkout.models import Cart, CartItem
from studymarket.checkout.services import cart_item_add, checkout_start
from studymarket.core.errors import ApplicationError
from studymarket.orders.models import Order, OrderLine, OrderStatus
from studymarket.orders.services import order_mark_paid
from studymarket.payments.models import Payment, PaymentStatus
from tests.checkout.carts import CONSENT, add, bought
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.fakes.mollie import MollieStandIn, mollie, mollie_standin  # noqa: F401  (fixtures)
from tests.logins import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CHECKOUT = "/winkelwagen/afrekenen/"


def _token(html: str) -> str:
    match = re.search(r'<input type="hidden" name="checkout_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _pay(client, token: str, method: str = "ideal"):
    return client.post(CHECKOUT, {"checkout_token": token, "method": method, **CONSENT})


def test_checkout_url():
    assert reverse("checkout:checkout") == CHECKOUT


def test_visitor_sees_the_order_and_both_ways_to_sign_in(client):
    add(client, ListingFactory(title="Account Management", price_cents=949))

    html = client.get(CHECKOUT).content.decode()

    assert "<h1>Afrekenen</h1>" in html
    assert ">Account Management</a>" in html
    assert '<td id="cart-total"><strong>€ 9,49</strong></td>' in html
    assert '<td id="cart-vat" class="muted">€ 1,65</td>' in html
    assert '<input type="hidden" name="action" value="signup">' in html
    assert '<input type="hidden" name="action" value="login">' in html
    assert '<label for="id_signup-email">E-mailadres</label>' in html
    assert '<label for="id_login-username">E-mailadres</label>' in html
    assert "autofocus" not in html
    assert "Betalen</button>" not in html
    assert 'name="checkout_token"' not in html


def test_sign_up_inline_merges_the_cart_and_shows_the_payment_step(client):
    listing = ListingFactory()
    add(client, listing)

    response = client.post(
        CHECKOUT,
        {
            "action": "signup",
            "signup-email": "Nieuw@Example.nl",
            "signup-first_name": "Nina",
            "signup-password": PASSWORD,
            "signup-password_confirm": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == CHECKOUT
    assert [item.listing for item in CartItem.objects.filter(cart__user__email="nieuw@example.nl")] == [
        listing
    ]
    html = client.get(CHECKOUT).content.decode()
    assert "Welkom bij studymarket! Je account is aangemaakt." in html
    assert "<legend>Betaalmethode</legend>" in html
    for value, label in (("ideal", "iDEAL"), ("bancontact", "Bancontact"), ("creditcard", "Creditcard")):
        assert re.search(rf'<input type="radio" name="method" value="{value}"[^>]*> {label}</label>', html)
    assert '<button type="submit">Betalen</button>' in html
    assert len(_token(html)) == 43


def test_sign_up_inline_shows_its_errors_on_the_checkout_page(client, buyer):
    add(client, ListingFactory())

    response = client.post(
        CHECKOUT,
        {
            "action": "signup",
            "signup-email": buyer.email,
            "signup-password": PASSWORD,
            "signup-password_confirm": PASSWORD,
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Afrekenen</h1>" in html
    assert "Er bestaat al een account met dit e-mailadres." in html
    assert not client.session.get("_auth_user_id")


def test_log_in_inline(client, buyer):
    listing = ListingFactory()
    add(client, listing)

    response = client.post(
        CHECKOUT, {"action": "login", "login-username": buyer.email, "login-password": PASSWORD}
    )

    assert response["Location"] == CHECKOUT
    assert client.session["_auth_user_id"] == str(buyer.pk)
    assert [item.listing for item in CartItem.objects.filter(cart__user=buyer)] == [listing]


def test_log_in_inline_with_a_wrong_password(client, buyer):
    add(client, ListingFactory())

    response = client.post(
        CHECKOUT, {"action": "login", "login-username": buyer.email, "login-password": "nee"}
    )

    assert response.status_code == 200
    assert "Het e-mailadres of het wachtwoord klopt niet." in response.content.decode()


def test_betalen_makes_an_order_with_snapshot_lines_and_goes_to_the_payment(buyer_client, buyer):
    seller = SellerFactory(display_name="Lotte")
    listing = ListingFactory(title="Account Management", price_cents=949, seller=seller)
    other = ListingFactory(price_cents=500)
    add(buyer_client, listing)
    add(buyer_client, other)
    token = _token(buyer_client.get(CHECKOUT).content.decode())

    response = buyer_client.post(
        "/en" + CHECKOUT, {"checkout_token": token, "method": "bancontact", **CONSENT}
    )

    order = Order.objects.get()
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == payment.checkout_url
    assert (order.buyer, order.status, order.total_cents, order.checkout_token, order.language) == (
        buyer,
        OrderStatus.PENDING,
        1449,
        token,
        "en",
    )
    assert list(
        OrderLine.objects.filter(order=order)
        .order_by("price_cents")
        .values_list("listing_id", "seller_id", "title", "price_cents", "vat_cents", "vat_rate_percent")
    ) == [
        (other.pk, other.seller_id, other.title, 500, 87, 21),
        (listing.pk, seller.pk, "Account Management", 949, 165, 21),
    ]
    assert (payment.order, payment.method, payment.amount_cents) == (order, "bancontact", 1449)
    # The snapshot stays when the listing changes.
    listing.title, listing.price_cents = "Nieuwe titel", 1299
    listing.save()
    assert OrderLine.objects.get(listing=listing).title == "Account Management"


def test_double_click_on_betalen_makes_one_order_and_one_payment(buyer_client, buyer):
    add(buyer_client, ListingFactory())
    token = _token(buyer_client.get(CHECKOUT).content.decode())

    first, second = _pay(buyer_client, token), _pay(buyer_client, token)

    payment = Payment.objects.get()
    assert Order.objects.count() == 1
    assert first["Location"] == second["Location"] == payment.checkout_url


def test_checking_the_same_cart_out_again_continues_the_unpaid_order(buyer_client, buyer):
    add(buyer_client, ListingFactory())
    first = _pay(buyer_client, _token(buyer_client.get(CHECKOUT).content.decode()))
    # Back to the checkout page (a new token) while the first payment is still open.
    second = _pay(buyer_client, _token(buyer_client.get(CHECKOUT).content.decode()))

    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_changed_cart_makes_a_new_order(buyer_client, buyer):
    add(buyer_client, ListingFactory())
    _pay(buyer_client, _token(buyer_client.get(CHECKOUT).content.decode()))
    # The first order's payment ended: it cannot be paid twice (issue 12; see test_open_orders).
    Payment.objects.update(status=PaymentStatus.EXPIRED)
    add(buyer_client, ListingFactory())

    _pay(buyer_client, _token(buyer_client.get(CHECKOUT).content.decode()))

    assert [order.lines.count() for order in Order.objects.order_by("pk")] == [1, 2]


def test_a_token_replayed_after_payment_goes_to_the_return_page(buyer_client, buyer):
    add(buyer_client, ListingFactory())
    token = _token(buyer_client.get(CHECKOUT).content.decode())
    _pay(buyer_client, token)
    order = Order.objects.get()
    Payment.objects.update(status=PaymentStatus.PAID)
    order_mark_paid(order_id=order.pk, send_receipt=False)

    response = _pay(buyer_client, token)

    assert response["Location"] == reverse("checkout:done", kwargs={"order_number": order.number})
    assert Payment.objects.count() == 1


def test_a_method_is_required(buyer_client):
    add(buyer_client, ListingFactory())
    token = _token(buyer_client.get(CHECKOUT).content.decode())

    response = buyer_client.post(CHECKOUT, {"checkout_token": token})

    html = response.content.decode()
    assert '<small id="method-error">Kies een betaalmethode.</small>' in html
    assert _token(html) == token  # the same checkout when the buyer tries again
    assert not Order.objects.exists()


def test_empty_cart_cannot_be_checked_out(buyer_client, buyer):
    html = buyer_client.get(CHECKOUT).content.decode()
    assert "Je winkelwagen is leeg." in html

    with pytest.raises(ApplicationError) as refused:
        checkout_start(withdrawal_consent=True, user=buyer, checkout_token="t" * 43, method="ideal")

    assert refused.value.message == "Je winkelwagen is leeg."
    assert not Order.objects.exists()


def test_checkout_refuses_an_owned_document_again(buyer_client, buyer):
    listing = ListingFactory(title="Al van mij")
    cart_item_add(user=buyer, listing=listing)
    bought(buyer=buyer, listing=listing)
    # Put in the cart after the purchase, past the check on add (e.g. by a second tab): the
    # purchase does not hide it, and checkout must refuse it.
    CartItem.objects.update(added_at=timezone.now() + timedelta(minutes=1))

    html = buyer_client.get(CHECKOUT).content.decode()
    with pytest.raises(ApplicationError) as refused:
        checkout_start(withdrawal_consent=True, user=buyer, checkout_token="t" * 43, method="ideal")

    reason = "Je hebt dit document al gekocht. Je vindt het in Mijn documenten."
    assert f'<p class="notice notice-error"><small>{reason}</small></p>' in html
    assert "Haal eerst de gemarkeerde documenten uit je winkelwagen." in html
    assert "Betalen</button>" not in html
    assert refused.value.message == f"Al van mij: {reason}"
    assert Order.objects.count() == 1


def test_checkout_refuses_the_buyers_own_document(buyer):
    listing = ListingFactory(title="Zelf geschreven", seller=SellerFactory(user=buyer))
    # Past the check on add, as if the listing had changed hands (the check is made again here).
    CartItem.objects.create(cart=Cart.objects.create(user=buyer), listing=listing)

    with pytest.raises(ApplicationError) as refused:
        checkout_start(withdrawal_consent=True, user=buyer, checkout_token="t" * 43, method="ideal")

    assert refused.value.message == "Zelf geschreven: Dit is je eigen document. Dat kun je niet kopen."
    assert not Order.objects.exists()


def test_another_buyers_token_is_refused(buyer):
    other = UserFactory()
    listing = ListingFactory()
    cart_item_add(user=buyer, listing=listing)
    cart_item_add(user=other, listing=listing)
    checkout_start(withdrawal_consent=True, user=buyer, checkout_token="a" * 43, method="ideal")

    with pytest.raises(ApplicationError):
        checkout_start(withdrawal_consent=True, user=other, checkout_token="a" * 43, method="ideal")

    assert Order.objects.get().buyer == buyer


@pytest.mark.parametrize("fault", ["500", "hang"])
def test_provider_down_at_betalen_loses_nothing(settings, buyer_client, buyer, mollie: MollieStandIn, fault):  # noqa: F811
    """Mollie answers 500, or makes the payment but answers too late: the buyer is told, the
    order and the payment row stay, and "Betalen" again (same page, same token) finishes the
    same payment with the same idempotency key: one order, one payment at Mollie."""
    settings.MOLLIE_TIMEOUT_SECONDS = 1.0
    add(buyer_client, ListingFactory())
    token = _token(buyer_client.get(CHECKOUT).content.decode())
    mollie.fail_next(1, mode=fault)

    down = _pay(buyer_client, token)

    assert down.status_code == 200
    assert "De betaaldienst is nu niet bereikbaar. Er is niets afgeschreven" in down.content.decode()
    order, payment = Order.objects.get(), Payment.objects.get()
    assert (order.status, payment.status, payment.checkout_url) == (
        OrderStatus.PENDING,
        PaymentStatus.OPEN,
        "",
    )
    done = buyer_client.get(reverse("checkout:done", kwargs={"order_number": order.number})).content.decode()
    assert "<h1>De betaling is niet gestart</h1>" in done

    again = _pay(buyer_client, token)

    payment.refresh_from_db()
    assert again["Location"] == payment.checkout_url == f"{mollie.url}/checkout/{payment.provider_id}"
    assert (Order.objects.count(), Payment.objects.count(), len(mollie.payments)) == (1, 1, 1)
