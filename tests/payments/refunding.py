"""Building blocks for the refund tests: purchases paid through the real payment flow (the
simulated provider, or Mollie's stand-in), downloads, and what a refunded line must look like."""

from django.db.models import Sum

from studymarket.core.models import AuditEvent
from studymarket.ledger.models import Journal, JournalSource
from studymarket.library.models import Entitlement, StampedCopy, StampedCopyStatus
from studymarket.library.services import download_record
from studymarket.orders.models import Order, OrderLine
from studymarket.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from studymarket.payments.providers.simulated import simulated_payment_decide
from studymarket.payments.services import payment_start, payment_sync
from tests.factories import ListingFactory, OrderFactory
from tests.fakes.mollie import MollieStandIn
from tests.purchases import listing_with_pdf


def paid_order(
    *, prices: tuple[int, ...] = (949,), mollie: MollieStandIn | None = None, with_pdf: bool = False
) -> Order:
    """An order paid the way a buyer pays it: payment_start, the provider's "paid", payment_sync
    (which marks the order paid: entitlements, sale journals). ``with_pdf``: real PDFs, so
    that the online reader opens."""
    listings = [
        listing_with_pdf(price_cents=price) if with_pdf else ListingFactory(price_cents=price)
        for price in prices
    ]
    order: Order = OrderFactory(listings=listings, buyer_country="NL")
    payment = payment_start(order=order, method="ideal")
    assert payment.provider_id is not None
    if mollie is None:
        simulated_payment_decide(simulated_id=payment.provider_id, status="paid")
    else:
        mollie.set_status(payment.provider_id, "paid", webhook=False)
    assert payment_sync(payment_id=payment.pk).status == PaymentStatus.PAID
    order.refresh_from_db()
    return order


def first_line(order: Order) -> OrderLine:
    return (
        OrderLine.objects.select_related("order", "listing", "seller").filter(order=order).order_by("pk")[0]
    )


def the_payment(order: Order) -> Payment:
    return Payment.objects.get(order=order, status=PaymentStatus.PAID)


def downloaded(line: OrderLine) -> None:
    """The buyer downloads the PDF of ``line`` once (the copy made ready by hand)."""
    entitlement = Entitlement.objects.get(order_line=line)
    copy = StampedCopy.objects.get(entitlement=entitlement)
    StampedCopy.objects.filter(pk=copy.pk).update(status=StampedCopyStatus.READY)
    copy.refresh_from_db()
    download_record(stamped_copy=copy, ip="127.0.0.1", user_agent="test")


def assert_refunded_once(line: OrderLine, *, source: str = JournalSource.REFUND) -> Refund:
    """The line refunded exactly once: one refund, access gone, one reversal of its kind, the
    sale no longer counted, one "refund.refunded" event."""
    line.refresh_from_db()
    assert line.refunded_at is not None
    (refund,) = Refund.objects.filter(order_line=line).exclude(status=RefundStatus.FAILED)
    assert refund.status == RefundStatus.REFUNDED
    assert refund.completed_at is not None
    entitlement = Entitlement.objects.get(order_line=line)
    assert entitlement.revoked_at is not None
    reversals = Journal.objects.filter(
        order_line_id=line.pk, source__in=[JournalSource.REFUND, JournalSource.CHARGEBACK]
    )
    assert [(j.source, j.source_ref) for j in reversals] == [(source, str(refund.pk))]
    assert AuditEvent.objects.filter(action="refund.refunded", object_id=str(refund.pk)).count() == 1
    assert AuditEvent.objects.filter(action="order_line.refunded", object_id=str(line.pk)).count() == 1
    return refund


def assert_not_refunded(line: OrderLine) -> None:
    line.refresh_from_db()
    assert line.refunded_at is None
    assert not Refund.objects.filter(order_line=line).exclude(status=RefundStatus.FAILED).exists()
    assert Entitlement.objects.get(order_line=line).revoked_at is None
    assert not Journal.objects.filter(
        order_line_id=line.pk, source__in=[JournalSource.REFUND, JournalSource.CHARGEBACK]
    ).exists()


def refunded_cents_at_simulated(payment: Payment) -> int:
    from studymarket.payments.models import SimulatedRefund

    return int(
        SimulatedRefund.objects.filter(payment_id=payment.provider_id).aggregate(t=Sum("amount_cents"))["t"]
        or 0
    )
