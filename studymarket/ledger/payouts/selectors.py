"""Reads for payouts: a seller's payout history, and the sales due a Mollie route.

The seller's balances, pending lines and weekly earnings are ledger.selectors' (shared with the
back office); what only payouts need is here.
"""

from dataclasses import dataclass

from django.apps import apps
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


def seller_payout_list(*, seller_id: int, limit: int = 50) -> QuerySet[Payout]:
    """The seller's payouts, newest first."""
    return Payout.objects.filter(seller_id=seller_id).order_by("-created_at", "-pk")[:limit]


def seller_payout_open(*, seller_id: int) -> Payout | None:
    """The seller's SEPA payout on its way (created or sent), if any."""
    return (
        Payout.objects.filter(
            seller_id=seller_id, provider="sepa", status__in=[PayoutStatus.CREATED, PayoutStatus.SENT]
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


def route_payment_id_get(*, order_line_id: int) -> str:
    """The Mollie payment (``tr_…``) that paid for the order line, whose money a route moves;
    "" when it was not paid through Mollie.

    payments sits above ledger, so its model is looked up by name, read-only, the way
    CONVENTIONS.md §8 lets a lower app point upwards (a string reference, no import)."""
    payment_model = apps.get_model("payments", "Payment")
    provider_id = (
        payment_model.objects.filter(order__lines__pk=order_line_id, provider="mollie", status="paid")
        .order_by("-pk")
        .values_list("provider_id", flat=True)
        .first()
    )
    return str(provider_id or "")
