"""What "delivered exactly once" means for a paid order, asserted in one place: one paid
transition, one set of entitlements (library), one sale journal per line (ledger), one count
of each sale, and one receipt."""

from django.core import mail

from studymarket.catalog.models import Listing
from studymarket.core.models import AuditEvent
from studymarket.ledger.models import Journal, JournalSource
from studymarket.ledger.selectors import seller_balance
from studymarket.library.models import Entitlement
from studymarket.orders.models import Order, OrderLine, OrderStatus
from studymarket.payments.models import Payment


def assert_delivered_once(order: Order, *, receipt: bool = True) -> None:
    """``receipt=False`` where after-commit work cannot run (a test inside one transaction)."""
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert payment.status == "paid"
    assert order.status == OrderStatus.PAID
    assert AuditEvent.objects.filter(action="payment.paid", object_id=str(payment.pk)).count() == 1
    assert AuditEvent.objects.filter(action="order.paid", object_id=str(order.pk)).count() == 1

    lines = list(order.lines.order_by("pk"))
    entitlements = list(Entitlement.objects.filter(order_line__order=order).order_by("order_line"))
    assert [(e.order_line.pk, e.buyer_id, e.revoked_at) for e in entitlements] == [
        (line.pk, order.buyer_id, None) for line in lines
    ]
    assert [line.entitlement_id for line in lines] == [e.pk for e in entitlements]
    # The sale journal posted once per line (the ledger's unique source would hide a second
    # posting's row, so its audit event is counted too).
    sales = Journal.objects.filter(
        source=JournalSource.SALE, order_line_id__in=[line.pk for line in lines]
    ).order_by("order_line_id")
    assert [(j.source_ref, j.order_line_id) for j in sales] == [(str(line.pk), line.pk) for line in lines]
    # ... and booked once: each seller's held earnings are their share of their paid lines, once.
    for seller_id in {line.seller_id for line in lines}:
        paid = OrderLine.objects.filter(seller_id=seller_id, order__status=OrderStatus.PAID).select_related(
            "order"
        )
        assert seller_balance(seller_id=seller_id).pending.cents == sum(
            line.seller_share.cents for line in paid
        )
    granted = AuditEvent.objects.filter(
        action="entitlement.granted", object_id__in=[str(e.pk) for e in entitlements]
    )
    assert granted.count() == len(lines)
    sold = Listing.objects.filter(pk__in=[line.listing_id for line in lines]).values_list(
        "sold_count", flat=True
    )
    assert list(sold) == [1] * len(lines)

    if receipt:
        assert order.receipt_sent_at is not None
        assert AuditEvent.objects.filter(action="order.receipt_sent", object_id=str(order.pk)).count() == 1
        receipts = [m for m in mail.outbox if m.to == [order.buyer.email]]
        assert len(receipts) == 1
        assert order.number in receipts[0].body
