"""A paid order with a document the buyer holds already (issue 12, finding 2): the line gets no
second entitlement and no second sale; it is marked already_held, for payments to refund. Two
payments of one buyer landing at the same moment still grant one entitlement (the buyer's row
lock; PostgreSQL race test with its control)."""

import pytest

from studymarket.accounts.models import User
from studymarket.catalog.models import Listing
from studymarket.core.models import AuditEvent
from studymarket.ledger.models import Journal, JournalSource
from studymarket.library.models import Entitlement
from studymarket.orders import services
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.orders.selectors import order_lines_already_held, sales_count_since
from studymarket.orders.services import order_create, order_line_reverse, order_mark_paid
from tests.factories import ListingFactory, UserFactory
from tests.orders.race import postgresql_only, race


def _active(buyer: User, listing: Listing) -> int:
    return Entitlement.objects.filter(
        buyer=buyer, document_id=listing.document_id, revoked_at__isnull=True
    ).count()


@pytest.mark.django_db
@pytest.mark.usefixtures("ledger_balanced")
def test_a_line_the_buyer_holds_gets_no_second_entitlement_and_no_second_sale():
    buyer = UserFactory()
    a, b = ListingFactory(sold_count=0), ListingFactory(sold_count=0)
    first = order_create(buyer=buyer, listings=[a])
    second = order_create(buyer=buyer, listings=[a, b])
    order_mark_paid(order_id=first.pk, send_receipt=False)

    order_mark_paid(order_id=second.pk, send_receipt=False)

    assert second.lines.get(listing=a).already_held is True
    assert second.lines.get(listing=b).already_held is False
    assert (_active(buyer, a), _active(buyer, b)) == (1, 1)
    assert second.lines.get(listing=a).entitlement_id is None
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.sold_count, b.sold_count) == (1, 1)
    assert sales_count_since(days=1) == 2
    # The money did come in: its sale is booked, to be reversed by the refund.
    assert Journal.objects.filter(source=JournalSource.SALE).count() == 3
    assert [line.listing_id for line in order_lines_already_held(order_id=second.pk)] == [a.pk]
    assert order_lines_already_held(order_id=first.pk) == []
    assert AuditEvent.objects.filter(action="order_line.already_held").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("ledger_balanced")
def test_a_revoked_entitlement_is_not_held_and_a_new_purchase_grants_again():
    buyer = UserFactory()
    a = ListingFactory()
    first = order_mark_paid(order_id=order_create(buyer=buyer, listings=[a]).pk, send_receipt=False)
    Entitlement.objects.filter(buyer=buyer).update(revoked_at=first.paid_at)

    second = order_mark_paid(order_id=order_create(buyer=buyer, listings=[a]).pk, send_receipt=False)

    assert second.lines.get().already_held is False
    assert _active(buyer, a) == 1


@pytest.mark.django_db  # no ledger_balanced: refund 991 is made up, payments' tests book real ones
def test_reversing_an_already_held_line_leaves_the_other_access_and_the_count_alone():
    from django.db import transaction

    buyer = UserFactory()
    a = ListingFactory(sold_count=0)
    order_mark_paid(order_id=order_create(buyer=buyer, listings=[a]).pk, send_receipt=False)
    second = order_mark_paid(order_id=order_create(buyer=buyer, listings=[a]).pk, send_receipt=False)
    line = second.lines.get()

    with transaction.atomic():
        assert order_line_reverse(order_line_id=line.pk, source="refund", refund_id=991, reason="duplicate")

    a.refresh_from_db()
    assert a.sold_count == 1
    assert _active(buyer, a) == 1
    assert OrderLine.objects.get(pk=line.pk).refunded_at is not None
    assert order_lines_already_held(order_id=second.pk) == []


# --- Two payments of one buyer at the same moment (PostgreSQL) ----------------------------


def _two_payments_land(monkeypatch):
    buyer = UserFactory()
    a = ListingFactory()
    first = order_create(buyer=buyer, listings=[a])
    second = order_create(buyer=buyer, listings=[a])
    race(
        monkeypatch,
        # The first has looked at what the buyer holds and is about to grant.
        meeting_point=(services, "_documents_held"),
        first=lambda: order_mark_paid(order_id=first.pk, send_receipt=False),
        second=lambda: order_mark_paid(order_id=second.pk, send_receipt=False),
    )
    return buyer, a, [first, second]


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_two_payments_landing_at_once_grant_one_entitlement_postgres(monkeypatch):
    buyer, a, orders = _two_payments_land(monkeypatch)

    assert _active(buyer, a) == 1
    held = OrderLine.objects.filter(order__in=orders, already_held=True)
    assert held.count() == 1
    assert {o.status for o in type(orders[0]).objects.filter(pk__in=[o.pk for o in orders])} == {
        OrderStatus.PAID
    }


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_control_without_the_buyer_lock_two_entitlements_are_granted_postgres(monkeypatch):
    monkeypatch.setattr(services, "_buyer_lock", lambda buyer_id: None)

    buyer, a, _orders = _two_payments_land(monkeypatch)

    assert _active(buyer, a) == 2
