from typing import Any

from django.db.models import QuerySet

from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.payments.models import (
    Payment,
    Refund,
    RefundRequest,
    RefundStatus,
    SimulatedPayment,
    UnmatchedReversal,
    UnmatchedReversalStatus,
)


def payment_id_by_provider_id(*, provider: str, provider_id: str) -> int | None:
    return (
        Payment.objects.filter(provider=provider, provider_id=provider_id)
        .values_list("pk", flat=True)
        .first()
    )


def payment_order_number(*, payment_id: int) -> str:
    return Payment.objects.values_list("order__number", flat=True).get(pk=payment_id)


def simulated_payment_get(*, simulated_id: str) -> SimulatedPayment | None:
    return SimulatedPayment.objects.filter(pk=simulated_id).first()


def guarantee_line_get(*, user: Any, order_line_id: int) -> OrderLine | None:
    """The user's own paid order line (the satisfaction guarantee's page), or None: another
    buyer's line, an unpaid one, or no user at all get the same answer."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        OrderLine.objects.filter(pk=order_line_id, order__buyer=user, order__status=OrderStatus.PAID)
        .select_related("order", "listing", "seller")
        .first()
    )


def refund_request_of_line(*, order_line: OrderLine) -> RefundRequest | None:
    return RefundRequest.objects.filter(order_line=order_line).first()


def refund_of_line(*, order_line: OrderLine) -> Refund | None:
    """The line's refund that did not fail (there is at most one), if any."""
    return Refund.objects.filter(order_line=order_line).exclude(status=RefundStatus.FAILED).first()


def unmatched_reversal_list(*, status: str = UnmatchedReversalStatus.OPEN) -> QuerySet[UnmatchedReversal]:
    """Refunds and chargebacks made at the provider that payment_sync could not book by itself,
    oldest first: the back office's queue (status open)."""
    return (
        UnmatchedReversal.objects.filter(status=status)
        .select_related("payment__order")
        .order_by("created_at", "pk")
    )
