"""Two checkouts of one buyer at the same moment, the cart changed in between (two tabs: {A}
in one, then B added and {A, B} in the other): only one order may claim A (issue 12). The
buyer's cart row lock runs them one after the other, so the second finds the first's order.
PostgreSQL only, with a control that shows two orders for A without the lock."""

import pytest

from studymarket.checkout import services
from studymarket.checkout.models import Cart
from studymarket.checkout.services import cart_item_add, checkout_start
from studymarket.core.errors import ApplicationError
from studymarket.orders.models import Order, OrderLine
from studymarket.payments.models import Payment
from tests.factories import ListingFactory
from tests.orders.race import postgresql_only, race

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True)]


def _two_tabs(monkeypatch, buyer):
    a, b = ListingFactory(title="Account Management Samenvatting"), ListingFactory()
    cart_item_add(user=buyer, listing=a)

    def second_tab():
        cart_item_add(user=buyer, listing=b)
        return checkout_start(withdrawal_consent=True, user=buyer, checkout_token="b" * 43, method="ideal")

    first, second = race(
        monkeypatch,
        # The first tab found no other order claiming A, and is about to make its own.
        meeting_point=(services, "open_order_claims"),
        first=lambda: checkout_start(
            withdrawal_consent=True, user=buyer, checkout_token="a" * 43, method="ideal"
        ),
        second=second_tab,
    )
    return a, first, second


def test_two_tabs_one_order_claims_the_document_postgres(monkeypatch, buyer):
    a, first, second = _two_tabs(monkeypatch, buyer)

    assert isinstance(first, Payment)
    assert isinstance(second, ApplicationError)
    assert "staat al in je openstaande bestelling " + first.order.number in second.message
    assert OrderLine.objects.filter(listing=a).count() == 1
    assert Order.objects.count() == 1


def test_control_without_the_cart_lock_two_orders_claim_the_document_postgres(monkeypatch, buyer):
    def unlocked(*, user):
        return Cart.objects.get_or_create(user=user)[0]

    monkeypatch.setattr(services, "_cart_locked", unlocked)

    a, first, second = _two_tabs(monkeypatch, buyer)

    assert isinstance(first, Payment)
    assert isinstance(second, Payment)
    assert OrderLine.objects.filter(listing=a).count() == 2
