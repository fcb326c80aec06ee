"""Two checkouts of one cart at the same moment (two tabs, or a double click that sends two
tokens) make one order: the cart's row lock runs them one after the other. PostgreSQL only,
each with a control that shows two orders without the lock."""

import pytest

from studymarket.checkout import services
from studymarket.checkout.models import Cart
from studymarket.checkout.services import cart_item_add, checkout_start
from studymarket.orders.models import Order
from studymarket.payments.models import Payment
from tests.factories import ListingFactory
from tests.orders.race import postgresql_only, race

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True)]


def _two_checkouts(monkeypatch, buyer, *, tokens: tuple[str, str]):
    for listing in ListingFactory.create_batch(2):
        cart_item_add(user=buyer, listing=listing)
    return race(
        monkeypatch,
        # After the first checkout found no unpaid order for this cart (nor another claiming its
        # documents), just before it makes one.
        meeting_point=(services, "open_order_claims"),
        first=lambda: checkout_start(
            withdrawal_consent=True, user=buyer, checkout_token=tokens[0], method="ideal"
        ),
        second=lambda: checkout_start(
            withdrawal_consent=True, user=buyer, checkout_token=tokens[1], method="ideal"
        ),
    )


def test_two_checkouts_of_one_cart_make_one_order_postgres(monkeypatch, buyer):
    first, second = _two_checkouts(monkeypatch, buyer, tokens=("a" * 43, "b" * 43))

    order = Order.objects.get()
    assert first.order_id == second.order_id == order.pk
    assert order.lines.count() == 2
    assert Payment.objects.get() == first == second


def test_control_without_the_cart_lock_two_orders_are_made_postgres(monkeypatch, buyer):
    def unlocked(*, user):
        return Cart.objects.get(user=user)

    monkeypatch.setattr(services, "_cart_locked", unlocked)

    first, second = _two_checkouts(monkeypatch, buyer, tokens=("a" * 43, "b" * 43))

    assert Order.objects.count() == 2
    assert first.order_id != second.order_id


def test_double_click_with_one_token_makes_one_order_postgres(monkeypatch, buyer):
    first, second = _two_checkouts(monkeypatch, buyer, tokens=("a" * 43, "a" * 43))

    assert Order.objects.get().pk == first.order_id == second.order_id
    assert Payment.objects.get() == first == second
