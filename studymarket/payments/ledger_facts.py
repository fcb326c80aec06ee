"""The business facts the ledger check compares the ledger with, gathered where they may be read.

The check itself (ledger.health) lives with the ledger and records its run there; but paid and
reversed order lines belong to orders, and refunds and chargebacks to payments, both above the
ledger, which may not import them (pyproject.toml's layers). payments sits above both orders and
the ledger, so this small collector reads them and hands them down as plain dataclasses.

``ledger_check`` (collect, then check) is what `manage.py ledger_check`, the periodic task and the
back office's "check now" call.
"""

from studymarket.core.pricing import FUNDER_PLATFORM
from studymarket.ledger.health import (
    CompletedRefund,
    LedgerFacts,
    PaidLine,
    RefundedLine,
    ledger_health_check,
)
from studymarket.orders.models import OrderLine, OrderStatus
from studymarket.payments.models import Refund, RefundOrigin, RefundStatus


def ledger_facts_collect() -> LedgerFacts:
    """Paid lines (price, VAT, commission, seller, buyer country, a platform-funded discount),
    reversed lines, and completed
    refunds and chargebacks, as they are now."""
    paid = OrderLine.objects.filter(order__status=OrderStatus.PAID).values_list(
        "pk",
        "order__number",
        "price_cents",
        "vat_cents",
        "commission_cents",
        "seller_id",
        "order__buyer_country",
        "discount_net_cents",
        "discount_funder",
    )
    refunded = OrderLine.objects.filter(refunded_at__isnull=False).values_list("pk", "order__number")
    refunds = Refund.objects.filter(status=RefundStatus.REFUNDED).values_list("pk", "order_line_id", "origin")
    return LedgerFacts(
        paid_lines=[
            PaidLine(
                line_id=pk,
                order_number=number,
                price_cents=price,
                vat_cents=vat,
                commission_cents=commission,
                seller_id=seller_id,
                country=country,
                platform_discount_cents=discount_net if funder == FUNDER_PLATFORM else 0,
            )
            for pk, number, price, vat, commission, seller_id, country, discount_net, funder in paid.order_by(
                "pk"
            )
        ],
        refunded_lines=[
            RefundedLine(line_id=pk, order_number=number) for pk, number in refunded.order_by("pk")
        ],
        refunds=[
            CompletedRefund(refund_id=pk, line_id=line_id, chargeback=origin == RefundOrigin.CHARGEBACK)
            for pk, line_id, origin in refunds.order_by("pk")
        ],
    )


def ledger_check(*, record: bool = True) -> list[str]:
    """The whole ledger check on today's facts; ``record`` stores the run for the back office."""
    return ledger_health_check(facts=ledger_facts_collect(), record=record)
