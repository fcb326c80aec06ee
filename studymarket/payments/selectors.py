from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from studymarket.core.money import Money
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


@dataclass(frozen=True)
class GuaranteeBundle:
    """What one guarantee request for a line bought in a bundle covers: the bundle's lines of
    that order (payments.refunds.requests makes, approves and refunds them together)."""

    title: str
    amount: Money  # what the buyer paid for them, back in full
    titles: tuple[str, ...]


def guarantee_bundle_get(*, order_line: OrderLine) -> GuaranteeBundle | None:
    """The bundle ``order_line`` was bought in, as the guarantee page names it; None for a
    line bought on its own."""
    if order_line.bundle_id is None:
        return None
    lines = list(
        OrderLine.objects.filter(
            order_id=order_line.order_id, bundle_id=order_line.bundle_id, already_held=False
        )
        .select_related("bundle", "order")
        .order_by("pk")
    )
    if not lines:
        return None
    bundle = lines[0].bundle
    assert bundle is not None
    return GuaranteeBundle(
        title=bundle.title,
        amount=Money(sum(line.price_cents for line in lines), order_line.order.currency),
        titles=tuple(line.title for line in lines),
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
