"""discount_redeem: a code's use recorded in checkout's transaction, with the maximum and "one
use per buyer" checked again under the code's lock; a canceled or expired order frees its use."""

import pytest
from django.db import transaction
from django.utils import timezone

from studymarket.core.errors import ApplicationError
from studymarket.core.models import AuditEvent
from studymarket.core.money import Money
from studymarket.orders.models import Order, OrderStatus
from studymarket.orders.services import order_cancel, order_create, order_mark_paid
from studymarket.orders.specs import LineSpec
from studymarket.orders.states import order_transition
from studymarket.promotions import services
from studymarket.promotions.models import DiscountCode, DiscountRedemption
from studymarket.promotions.selectors import code_uses
from studymarket.promotions.services import discount_quote, discount_redeem
from tests.factories import ListingFactory, SellerFactory, UserFactory
from tests.orders.race import postgresql_only, race
from tests.promotions.promotion_helpers import bundle_of, code_make, line_of

UNKNOWN = "Deze kortingscode kennen we niet of hij is niet (meer) geldig."
USED_UP = "Deze kortingscode is op: hij is al zo vaak gebruikt als kan."
USED = "Je hebt deze kortingscode al gebruikt. Elke koper kan hem één keer gebruiken."


def _order(buyer, listing) -> Order:
    return order_create(buyer=buyer, listings=[listing])


def _redeem(code: DiscountCode, buyer, order: Order) -> DiscountRedemption:
    return discount_redeem(code_id=code.pk, buyer=buyer, order_id=order.pk, total_cents=95)


def test_a_use_is_recorded_once_for_its_order(seller, listing, buyer):
    code = code_make(seller=seller)
    order = _order(buyer, listing)

    first = _redeem(code, buyer, order)
    again = _redeem(code, buyer, order)  # checkout retried

    assert again.pk == first.pk
    assert DiscountRedemption.objects.count() == 1
    assert (first.buyer, first.order, first.total_cents) == (buyer, order, 95)
    assert code_uses(code_id=code.pk) == 1
    assert AuditEvent.objects.filter(action="discount_code.redeemed", object_id=str(code.pk)).count() == 1


def test_one_code_per_order(seller, listing, buyer):
    order = _order(buyer, listing)
    _redeem(code_make(seller=seller), buyer, order)

    with pytest.raises(ApplicationError) as refused:
        _redeem(code_make(seller=seller), buyer, order)

    assert refused.value.message == (
        "Er staat al een kortingscode op deze bestelling. Je kunt één code per bestelling gebruiken."
    )


def test_the_second_of_two_redeems_past_the_maximum_is_refused(seller, listing):
    code = code_make(seller=seller, max_uses=1)
    anna, bram = UserFactory(), UserFactory()
    _redeem(code, anna, _order(anna, listing))

    with pytest.raises(ApplicationError) as refused:
        _redeem(code, bram, _order(bram, listing))

    assert refused.value.message == USED_UP
    assert code_uses(code_id=code.pk) == 1


def test_one_use_per_buyer(seller, listing, buyer):
    code = code_make(seller=seller)
    _redeem(code, buyer, _order(buyer, listing))

    with pytest.raises(ApplicationError) as refused:
        _redeem(code, buyer, _order(buyer, ListingFactory(seller=seller)))

    assert refused.value.message.startswith("Je hebt deze kortingscode al gebruikt voor bestelling")


@pytest.mark.parametrize("closed", [OrderStatus.CANCELED, OrderStatus.EXPIRED])
def test_a_canceled_or_expired_order_frees_its_use(seller, listing, buyer, closed):
    code = code_make(seller=seller, max_uses=1)
    first = _order(buyer, listing)
    _redeem(code, buyer, first)
    if closed == OrderStatus.CANCELED:
        order_cancel(order_id=first.pk, reason="test")
    else:
        order_transition(order_id=first.pk, status=OrderStatus.EXPIRED)

    assert code_uses(code_id=code.pk) == 0
    again = _redeem(code, buyer, _order(buyer, listing))

    assert again.order.status == OrderStatus.PENDING
    assert code_uses(code_id=code.pk) == 1


def test_a_paid_order_keeps_its_use(seller, listing, buyer):
    code = code_make(seller=seller)
    order = _order(buyer, listing)
    _redeem(code, buyer, order)
    order_mark_paid(order_id=order.pk, send_receipt=False)

    with pytest.raises(ApplicationError) as refused:
        _redeem(code, buyer, _order(buyer, ListingFactory(seller=seller)))

    assert refused.value.message == USED


def test_a_code_switched_off_after_the_quote_is_refused_at_checkout(seller, listing, buyer):
    code = code_make(seller=seller)
    discount_quote(code=code.code, buyer=buyer, lines=[line_of(listing)])
    DiscountCode.objects.filter(pk=code.pk).update(disabled_at=timezone.now())

    with pytest.raises(ApplicationError) as refused:
        _redeem(code, buyer, _order(buyer, listing))

    assert refused.value.message == UNKNOWN


def test_only_the_buyers_own_order(seller, listing, buyer):
    code = code_make(seller=seller)

    with pytest.raises(ValueError, match="is not buyer"):
        _redeem(code, buyer, _order(UserFactory(), listing))


def test_quote_order_and_redeem_fit_together_in_one_checkout(seller, buyer):
    """What checkout does: quote the lines, make the order from them, redeem, in one transaction."""
    a = ListingFactory(seller=seller, price_cents=499)
    b = ListingFactory(seller=seller, price_cents=799)
    bundle = bundle_of([a, b], price_cents=999)
    code = code_make(seller=seller, code="TENTAMEN10")
    lines = [line_of(a, bundle=bundle, price=384), line_of(b, bundle=bundle, price=615)]

    quote = discount_quote(code="TENTAMEN10", buyer=buyer, lines=lines)
    with transaction.atomic():
        order = order_create(
            buyer=buyer,
            lines=[
                LineSpec(
                    listing=listing,
                    bundle_id=bundle.pk,
                    list_price_cents=line.list_price_cents,
                    discount_cents=cents,
                    discount_funder=quote.funder,
                )
                for listing, line, cents in zip([a, b], lines, quote.per_line, strict=True)
            ],
            discount_code=quote.code,
        )
        discount_redeem(code_id=quote.code_id, buyer=buyer, order_id=order.pk, total_cents=quote.total_cents)

    assert quote.per_line == (38, 62)
    assert order.total == Money(999 - 100)
    assert order.discount_cents == 100
    assert DiscountRedemption.objects.get(order=order).total_cents == 100
    assert code.redemptions.count() == 1


# --- Two checkouts at the same moment (PostgreSQL) ----------------------------------------


def _two_buyers_redeem_the_last_use(monkeypatch, seller):
    listing = ListingFactory(seller=seller)
    code = code_make(seller=seller, max_uses=1)
    anna, bram = UserFactory(), UserFactory()
    anna_order, bram_order = _order(anna, listing), _order(bram, listing)
    return race(
        monkeypatch,
        # The first has counted the uses and is about to record its own.
        meeting_point=(services, "code_uses"),
        first=lambda: _redeem(code, anna, anna_order),
        second=lambda: _redeem(code, bram, bram_order),
    ), code


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_buyers_taking_the_last_use_at_once_one_is_refused_postgres(monkeypatch):
    (first, second), code = _two_buyers_redeem_the_last_use(monkeypatch, SellerFactory())

    assert isinstance(first, DiscountRedemption)
    assert isinstance(second, ApplicationError)
    assert second.message == USED_UP
    assert code_uses(code_id=code.pk) == 1


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_control_without_the_code_lock_both_take_the_last_use_postgres(monkeypatch):
    monkeypatch.setattr(services, "_code_lock", lambda code_id: DiscountCode.objects.get(pk=code_id))

    (first, second), code = _two_buyers_redeem_the_last_use(monkeypatch, SellerFactory())

    assert isinstance(first, DiscountRedemption)
    assert isinstance(second, DiscountRedemption)
    assert code_uses(code_id=code.pk) == 2
