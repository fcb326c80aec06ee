"""The return page (checkout:done): what the buyer sees after paying, waiting with a poll, and
"Opnieuw proberen" after a failed, canceled or expired payment."""

import pytest
from django.urls import reverse

from studymarket.checkout.services import cart_item_add, checkout_start
from studymarket.orders.models import Order, OrderLine
from studymarket.orders.services import order_mark_paid
from studymarket.payments.models import Payment, PaymentStatus
from tests.factories import ListingFactory, UserFactory
from tests.logins import MODEL_BACKEND

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def payment(buyer) -> Payment:
    cart_item_add(user=buyer, listing=ListingFactory(title="Account Management", price_cents=949))
    return checkout_start(withdrawal_consent=True, user=buyer, checkout_token="t" * 43, method="ideal")


def _done(order: Order) -> str:
    return reverse("checkout:done", kwargs={"order_number": order.number})


def _status(order: Order) -> str:
    return reverse("checkout:done_status", kwargs={"order_number": order.number})


def test_urls():
    assert reverse("checkout:done", kwargs={"order_number": "SM-ABCDEFGH"}) == (
        "/winkelwagen/bestelling/SM-ABCDEFGH/"
    )
    assert reverse("checkout:done_status", kwargs={"order_number": "SM-ABCDEFGH"}) == (
        "/winkelwagen/bestelling/SM-ABCDEFGH/status/"
    )
    assert reverse("checkout:retry", kwargs={"order_number": "SM-ABCDEFGH"}) == (
        "/winkelwagen/bestelling/SM-ABCDEFGH/opnieuw/"
    )


def test_paid_order_says_so_and_links_to_the_library(buyer_client, payment):
    order = payment.order
    order_mark_paid(order_id=order.pk, send_receipt=False)

    html = buyer_client.get(_done(order)).content.decode()

    assert "<h1>Betaling gelukt</h1>" in html
    assert f'<a href="{reverse("library:index")}" role="button">Mijn documenten</a>' in html
    assert f'<h2 id="order-heading">Bestelling {order.number}</h2>' in html
    assert ">Account Management</a>" in html
    assert '<td id="cart-total"><strong>€ 9,49</strong></td>' in html
    assert '<td id="cart-vat" class="muted">€ 1,65</td>' in html
    # No polling (the header's search box has its own data-hx-get).
    assert 'data-hx-trigger="load delay:2s"' not in html


@pytest.mark.parametrize("status", [PaymentStatus.OPEN, PaymentStatus.PENDING])
def test_unconfirmed_payment_waits_and_polls(buyer_client, payment, status):
    Payment.objects.filter(pk=payment.pk).update(status=status)
    order = payment.order

    html = buyer_client.get(_done(order)).content.decode()

    assert "<h1>We wachten op de bevestiging van je betaling</h1>" in html
    assert (
        f'<div id="order-status" data-hx-get="{_status(order)}" data-hx-trigger="load delay:2s" '
        'data-hx-swap="outerHTML">' in html
    )
    assert '<div aria-live="polite">' in html


def test_poll_answers_the_fragment_and_stops_once_paid(buyer_client, payment):
    order = payment.order
    waiting = buyer_client.get(_status(order), HTTP_HX_REQUEST="true").content.decode()
    order_mark_paid(order_id=order.pk, send_receipt=False)

    paid = buyer_client.get(_status(order), HTTP_HX_REQUEST="true").content.decode()

    assert waiting.startswith('<div id="order-status" data-hx-get=')
    assert "<html" not in paid
    assert paid.startswith('<div id="order-status">')
    assert "<h1>Betaling gelukt</h1>" in paid


@pytest.mark.parametrize(
    ("status", "heading"),
    [
        (PaymentStatus.FAILED, "De betaling is mislukt"),
        (PaymentStatus.CANCELED, "De betaling is geannuleerd"),
        (PaymentStatus.EXPIRED, "De betaling is verlopen"),
    ],
)
def test_ended_payment_offers_to_try_again(buyer_client, payment, status, heading):
    Payment.objects.filter(pk=payment.pk).update(status=status)
    order = payment.order

    html = buyer_client.get(_done(order)).content.decode()

    assert f"<h1>{heading}</h1>" in html
    assert (
        f'<form method="post" action="{reverse("checkout:retry", kwargs={"order_number": order.number})}">'
        in html
    )
    assert '<input type="radio" name="method" value="ideal" id="id_method_0" required checked>' in html
    assert '<button type="submit">Opnieuw proberen</button>' in html
    # No polling (the header's search box has its own data-hx-get).
    assert 'data-hx-trigger="load delay:2s"' not in html


def test_try_again_makes_a_new_payment_for_the_same_order(buyer_client, payment):
    order = payment.order
    lines_before = list(OrderLine.objects.filter(order=order).values())
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CANCELED)

    response = buyer_client.post(
        reverse("checkout:retry", kwargs={"order_number": order.number}), {"method": "creditcard"}
    )

    retry = Payment.objects.exclude(pk=payment.pk).get()
    assert response["Location"] == retry.checkout_url
    assert (retry.order, retry.method, retry.amount_cents, retry.status) == (
        order,
        "creditcard",
        949,
        PaymentStatus.OPEN,
    )
    assert Order.objects.count() == 1
    assert list(OrderLine.objects.filter(order=order).values()) == lines_before


def test_try_again_while_the_payment_is_open_goes_back_to_it(buyer_client, payment):
    order = payment.order

    response = buyer_client.post(
        reverse("checkout:retry", kwargs={"order_number": order.number}), {"method": "ideal"}
    )

    assert response["Location"] == payment.checkout_url
    assert Payment.objects.count() == 1


def test_try_again_after_paying_goes_to_the_return_page(buyer_client, payment):
    order = order_mark_paid(order_id=payment.order_id, send_receipt=False)

    response = buyer_client.post(
        reverse("checkout:retry", kwargs={"order_number": order.number}), {"method": "ideal"}
    )

    assert response["Location"] == _done(order)
    assert Payment.objects.count() == 1


def test_only_the_buyer_sees_the_order(client, payment):
    order = payment.order
    urls = [_done(order), _status(order)]

    for url in urls:
        assert client.get(url).status_code == 404  # anonymous
    client.force_login(UserFactory(), backend=MODEL_BACKEND)
    for url in urls:
        assert client.get(url).status_code == 404
    retry = client.post(reverse("checkout:retry", kwargs={"order_number": order.number}), {"method": "ideal"})
    assert retry.status_code == 404
    assert Payment.objects.count() == 1
    assert client.get(reverse("checkout:done", kwargs={"order_number": "SM-NIETBEST"})).status_code == 404
