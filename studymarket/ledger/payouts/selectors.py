"""Reads for payouts: a seller's payout history, the sales due a Mollie route and the routes
waiting for Mollie's answer.

The seller's balances, pending lines and weekly earnings are ledger.selectors' (shared with the
back office); what only payouts need is here.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from studymarket.core.money import Money
from studymarket.ledger.models import (
    REVERSAL_SOURCES,
    AccountKind,
    Journal,
    JournalSource,
    Payout,
    PayoutStatus,
)
from studymarket.ledger.payouts.providers import MOLLIE_ROUTE, SEPA


def seller_payout_list(*, seller_id: int, limit: int = 50) -> QuerySet[Payout]:
    """The seller's payouts, newest first."""
    return Payout.objects.filter(seller_id=seller_id).order_by("-created_at", "-pk")[:limit]


def seller_payout_open(*, seller_id: int) -> Payout | None:
    """The seller's SEPA payout on its way (created or sent), if any."""
    return (
        Payout.objects.filter(
            seller_id=seller_id, provider=SEPA, status__in=[PayoutStatus.CREATED, PayoutStatus.SENT]
        )
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class RouteDue:
    order_line_id: int
    seller_id: int
    share: Money  # what the release made available (the share less any debt it settled)


def routes_due(*, limit: int = 500) -> list[RouteDue]:
    """Released sales of sellers with a Mollie organisation that have no payout yet and were not
    refunded, oldest release first."""
    has_payout = Exists(Payout.objects.filter(order_line_id=OuterRef("order_line_id")))
    reversed_ = Exists(
        Journal.objects.filter(source__in=REVERSAL_SOURCES, order_line_id=OuterRef("order_line_id"))
    )
    releases = (
        Journal.objects.filter(source=JournalSource.RELEASE, order_line_id__isnull=False)
        .exclude(seller__mollie_organization_id="")
        .filter(~has_payout, ~reversed_)
        .annotate(
            available_cents=-Sum(
                "entries__amount_cents", filter=Q(entries__account__kind=AccountKind.SELLER_AVAILABLE)
            )
        )
        .order_by("booked_at", "pk")
        .values_list("order_line_id", "seller_id", "available_cents")[:limit]
    )
    return [
        RouteDue(
            order_line_id=int(line_id),
            seller_id=seller_id,
            share=Money(int(cents or 0), settings.CURRENCY),
        )
        for line_id, seller_id, cents in releases
        if seller_id is not None and line_id is not None and (cents or 0) > 0
    ]


@dataclass(frozen=True)
class RouteWaiting:
    payout_id: int
    order_line_id: int


def route_payouts_waiting(*, limit: int = 500) -> list[RouteWaiting]:
    """Route payouts made and not answered yet (created), oldest first."""
    rows = (
        Payout.objects.filter(provider=MOLLIE_ROUTE, status=PayoutStatus.CREATED, order_line_id__isnull=False)
        .order_by("pk")
        .values_list("pk", "order_line_id")[:limit]
    )
    return [RouteWaiting(payout_id=pk, order_line_id=line_id) for pk, line_id in rows if line_id is not None]


def route_order_line_ids(*, limit: int = 500) -> list[int]:
    """The order lines a routing run needs the Mollie payment of: the released sales due a route
    and the lines of routes not answered yet. The caller (payments.routing) looks them up, since
    payments sit above the ledger, and hands them to ``payout_routes_run``."""
    lines = [due.order_line_id for due in routes_due(limit=limit)]
    lines += [waiting.order_line_id for waiting in route_payouts_waiting(limit=limit)]
    return sorted(set(lines))
