"""Two checkouts of one cart with a discount code at the same moment (two tabs): one order and
one use of the code. The cart's row lock runs them one after the other and the second continues
the first's order; without it, the code's own row lock (promotions.services.discount_redeem)
still refuses the second use. PostgreSQL only."""

import pytest

from studymarket.checkout import services
from studymarket.checkout.discounts import cart_code_apply
from studymarket.checkout.models import Cart
from studymarket.checkout.services import cart_item_add, checkout_start
from studymarket.core.errors import ApplicationError
from studymarket.orders.models import Order
from studymarket.promotions.models import DiscountRedemption
from tests.factories import ListingFactory, SellerFactory
from tests.orders.race import postgresql_only, race
from tests.promotions.promotion_helpers import code_make

pytestmark = [postgresql_only(), pytest.mark.django_db(transaction=True)]


def _checkout(buyer, token: str):
    """The payment, or the ApplicationError the checkout was refused with."""
    try:
        return checkout_start(withdrawal_consent=True, user=buyer, checkout_token=token, method="ideal")
    except ApplicationError as exc:
        return exc


def _two_checkouts_with_a_code(monkeypatch, buyer):
    seller = SellerFactory()
    for listing in ListingFactory.create_batch(2, seller=seller, price_cents=949):
        cart_item_add(user=buyer, listing=listing)
    code_make(seller=seller, code="TENTAMEN10", percent=10)
    cart_code_apply(user=buyer, code="TENTAMEN10")
    return race(
        monkeypatch,
        # After the first checkout quoted the code and found no unpaid order for this cart.
        meeting_point=(services, "open_order_claims"),
        first=lambda: _checkout(buyer, "a" * 43),
        second=lambda: _checkout(buyer, "b" * 43),
    )


def test_two_checkouts_with_a_code_make_one_order_and_one_use_postgres(monkeypatch, buyer):
    first, second = _two_checkouts_with_a_code(monkeypatch, buyer)

    order = Order.objects.get()
    assert first.order_id == second.order_id == order.pk
    assert (order.total_cents, order.discount_cents) == (1708, 190)
    assert DiscountRedemption.objects.get().order == order


def test_control_without_the_cart_lock_the_codes_lock_refuses_the_second_use_postgres(monkeypatch, buyer):
    monkeypatch.setattr(services, "_cart_locked", lambda *, user: Cart.objects.get(user=user))

    first, second = _two_checkouts_with_a_code(monkeypatch, buyer)

    # The second, let through while the first waited, made its order and used the code; the
    # first was refused when it came to use it, and its order rolled back.
    assert isinstance(first, ApplicationError)
    assert "Je hebt deze kortingscode al gebruikt voor bestelling" in first.message
    assert Order.objects.get().pk == second.order_id
    assert DiscountRedemption.objects.get().order_id == second.order_id
