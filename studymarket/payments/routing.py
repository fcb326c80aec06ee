"""Mollie's delayed routing of sellers' shares (PAYOUT_PROVIDER=mollie_route), fed with the
Mollie payment ids it needs.

A route moves money out of the Mollie payment that paid for an order line. The routing itself
is the ledger's (ledger.payouts.services.routes), but payments sit above the ledger, which may
not read them; so this collects the lines' payment ids here and hands them down as plain values.
"""

from django.conf import settings

from studymarket.ledger.payouts.providers import MOLLIE_ROUTE
from studymarket.ledger.payouts.selectors import route_order_line_ids
from studymarket.ledger.payouts.services import RouteResult, payout_routes_run
from studymarket.payments.models import Payment, PaymentStatus

MOLLIE = "mollie"


def mollie_payment_ids(*, order_line_ids: list[int]) -> dict[int, str]:
    """Per order line, the Mollie payment (``tr_…``) that paid for it: its order's paid Mollie
    payment, the newest if there were more; "" for a line not paid through Mollie."""
    found = dict.fromkeys(order_line_ids, "")
    rows = (
        Payment.objects.filter(
            order__lines__pk__in=order_line_ids, provider=MOLLIE, status=PaymentStatus.PAID
        )
        .order_by("pk")
        .values_list("order__lines__pk", "provider_id")
    )
    for line_id, provider_id in rows:
        found[line_id] = provider_id or ""  # ordered by pk: the newest payment wins
    return found


def mollie_routes_run(*, limit: int = 500) -> RouteResult:
    """Route every released sale of a seller with a Mollie organisation and ask again for routes
    not answered yet (ledger's ``payout_routes_run``), with the payment ids of their lines.
    Does nothing unless PAYOUT_PROVIDER=mollie_route."""
    if settings.PAYOUT_PROVIDER != MOLLIE_ROUTE:
        return RouteResult(0, 0, 0, 0)
    line_ids = route_order_line_ids(limit=limit)
    return payout_routes_run(payment_ids=mollie_payment_ids(order_line_ids=line_ids), limit=limit)
