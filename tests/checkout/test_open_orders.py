"""One open order per document (issue 12, finding 2): checkout does not make an order for a
document that another order of the buyer may still be paid for (an open tab, a payment at the
bank), and cancels an old order that can no longer be paid instead of letting it be retried
into a second payment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from studymarket.catalog.models import Listing
from studymarket.checkout.services import cart_item_add, cart_item_remove, checkout_retry, checkout_start
from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.orders.models import Order, OrderStatus
from studymarket.orders.services import order_create
from studymarket.payments.models import Payment, PaymentStatus
from studymarket.payments.services import payment_start
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

A = "Account Management Samenvatting"


def _refusal(number: str) -> str:
    return (
        f"{A}: Dit document staat al in je openstaande bestelling {number}. Rond die betaling af, "
        "of wacht tot ze verloopt en probeer het dan opnieuw."
    )


def _open_order_for_a(buyer) -> tuple[Listing, Payment]:
    a = ListingFactory(title=A)
    cart_item_add(user=buyer, listing=a)
    payment = checkout_start(withdrawal_consent=True, user=buyer, checkout_token="t" * 43, method="ideal")
    return a, payment


@pytest.mark.parametrize("status", [PaymentStatus.OPEN, PaymentStatus.PENDING])
def test_a_document_in_an_order_that_may_still_be_paid_is_refused(buyer, status):
    _a, payment = _open_order_for_a(buyer)
    Payment.objects.filter(pk=payment.pk).update(status=status)
    cart_item_add(user=buyer, listing=ListingFactory())

    with pytest.raises(ApplicationError) as refused:
        checkout_start(withdrawal_consent=True, user=buyer, checkout_token="u" * 43, method="ideal")

    assert refused.value.message == _refusal(payment.order.number)
    assert Order.objects.count() == 1
    assert Order.objects.get().status == OrderStatus.PENDING


def test_the_same_cart_again_continues_its_order(buyer):
    _a, payment = _open_order_for_a(buyer)

    again = checkout_start(withdrawal_consent=True, user=buyer, checkout_token="u" * 43, method="ideal")

    assert again == payment
    assert Order.objects.count() == 1


def test_an_order_whose_payment_ended_is_canceled_by_the_new_checkout(buyer):
    a, payment = _open_order_for_a(buyer)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.EXPIRED)
    b = ListingFactory()
    cart_item_add(user=buyer, listing=b)

    new = checkout_start(withdrawal_consent=True, user=buyer, checkout_token="u" * 43, method="ideal")

    old = payment.order
    old.refresh_from_db()
    assert old.status == OrderStatus.CANCELED
    assert sorted(new.order.lines.values_list("listing_id", flat=True)) == sorted([a.pk, b.pk])
    event = AuditEvent.objects.get(action="order.canceled", object_id=str(old.pk))
    assert event.data["reason"] == "superseded by a new checkout"
    # The old order cannot be retried into a second payment for A.
    with pytest.raises(ApplicationError) as refused:
        checkout_retry(user=buyer, order_number=old.number, method="ideal")
    assert refused.value.message == "Deze bestelling kan niet meer betaald worden. Reken opnieuw af."
    assert Payment.objects.filter(order=old).count() == 1


def test_an_order_just_made_claims_its_documents_before_its_payment_exists(buyer):
    a = ListingFactory(title=A)
    starting = order_create(buyer=buyer, listings=[a])  # its checkout is calling the provider
    cart_item_add(user=buyer, listing=a)
    cart_item_add(user=buyer, listing=ListingFactory())

    with pytest.raises(ApplicationError) as refused:
        checkout_start(withdrawal_consent=True, user=buyer, checkout_token="u" * 43, method="ideal")
    assert refused.value.message == _refusal(starting.number)

    # Left behind without a payment (the process died): it holds nothing, and is canceled.
    Order.objects.filter(pk=starting.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    checkout_start(withdrawal_consent=True, user=buyer, checkout_token="v" * 43, method="ideal")
    starting.refresh_from_db()
    assert starting.status == OrderStatus.CANCELED


def test_a_retry_is_refused_while_another_order_for_the_document_may_be_paid(buyer):
    a = ListingFactory(title=A)
    old = order_create(buyer=buyer, listings=[a])
    failed = payment_start(order=old, method="ideal")
    Payment.objects.filter(pk=failed.pk).update(status=PaymentStatus.FAILED)
    # Made before checkout refused it (or around it): {A, B} with an open payment.
    newer = order_create(buyer=buyer, listings=[a, ListingFactory()])
    payment_start(order=newer, method="ideal")

    with pytest.raises(ApplicationError) as refused:
        checkout_retry(user=buyer, order_number=old.number, method="ideal")

    assert refused.value.message == _refusal(newer.number)
    assert Payment.objects.filter(order=old).count() == 1


def test_the_cart_and_checkout_pages_mark_the_document_and_offer_no_payment(buyer_client, buyer):
    _a, payment = _open_order_for_a(buyer)
    cart_item_add(user=buyer, listing=ListingFactory())
    number = payment.order.number
    notice = (
        f'<p class="notice notice-error"><small>Dit document staat al in je openstaande bestelling {number}. '
        "Rond die betaling af, of wacht tot ze verloopt en probeer het dan opnieuw.</small></p>"
    )

    cart = buyer_client.get(reverse("checkout:cart")).content.decode()
    page = buyer_client.get(reverse("checkout:checkout")).content.decode()

    assert notice in cart
    assert notice in page
    assert "Haal eerst de gemarkeerde documenten uit je winkelwagen." in page
    assert 'name="checkout_token"' not in page


def test_removing_the_document_lets_the_rest_be_paid(buyer_client, buyer):
    a, _payment = _open_order_for_a(buyer)
    cart_item_add(user=buyer, listing=ListingFactory())
    cart_item_remove(user=buyer, listing_id=a.pk)

    page = buyer_client.get(reverse("checkout:checkout")).content.decode()

    assert "staat al in je openstaande bestelling" not in page
    assert 'name="checkout_token"' in page
