"""Mollie's delayed routing (PAYOUT_PROVIDER=mollie_route): each released sale's share is routed
to the seller's Mollie organisation, one payout per sale line.

A route moves the money of the Mollie payment that paid for the line. Payments sit above the
ledger, so the ledger never looks them up: the caller (payments.routing) hands the payment ids
down as plain values, per order line, for the lines ``route_order_line_ids`` names.

Routes are outside calls, so they run between transactions: the payout and its journal are
committed first, the route is asked for with the payout's stored idempotency key, and the answer
is booked in a second transaction (states.payout_transition).
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from studymarket.accounts.models import SellerProfile
from studymarket.core import clock
from studymarket.core.audit import audit_record
from studymarket.core.money import Money
from studymarket.ledger.models import Payout, PayoutStatus, PayoutTrigger
from studymarket.ledger.payouts.providers import MOLLIE_ROUTE, payout_provider_get
from studymarket.ledger.payouts.providers.base import PayoutInstruction
from studymarket.ledger.payouts.selectors import route_payouts_waiting, routes_due
from studymarket.ledger.payouts.services.common import (
    payout_description,
    payout_locked,
    payout_reference,
    seller_available_lock,
)
from studymarket.ledger.payouts.states import payout_transition
from studymarket.ledger.postings import payout_post

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RouteResult:
    created: int  # payouts made this run
    paid: int  # routes Mollie accepted (this run's and earlier unanswered ones)
    failed: int  # routes Mollie refused: the money is back on the seller's balance
    waiting: int  # no answer (Mollie unreachable): asked again next run, same idempotency key


@transaction.atomic
def route_payout_create(*, order_line_id: int, seller_id: int, share: Money) -> Payout | None:
    """A route payout for one released sale: the share released to "available", as far as the
    balance still goes (a refund after the release may have taken part of it). None when there
    is nothing left to route or the line has its payout already."""
    seller = SellerProfile.objects.get(pk=seller_id)
    if not seller.mollie_organization_id:
        return None
    available_cents = seller_available_lock(seller_id)
    if Payout.objects.filter(order_line_id=order_line_id).exists():
        return None
    amount = Money(min(available_cents, share.cents), share.currency)
    if amount.cents <= 0:
        return None
    now = clock.now()
    payout = Payout.objects.create(
        seller=seller,
        amount_cents=amount.cents,
        currency=amount.currency,
        provider=MOLLIE_ROUTE,
        trigger=PayoutTrigger.RELEASE,
        destination=seller.mollie_organization_id,
        order_line_id=order_line_id,
        # One route per sale, ever: a route Mollie refused is not asked for again (the money is
        # back on the seller's balance, which a SEPA payout can take).
        idempotency_key=f"route:{order_line_id}",
    )
    payout_post(payout_id=payout.pk, seller_id=seller_id, amount=amount, booked_at=now)
    audit_record(
        action="payout.created",
        obj=payout,
        amount_cents=payout.amount_cents,
        trigger=str(PayoutTrigger.RELEASE),
        provider=MOLLIE_ROUTE,
        order_line=order_line_id,
    )
    return payout


def route_payout_send(*, payout_id: int, payment_id: str) -> str:
    """Ask Mollie to route a created route payout's money out of ``payment_id`` (the Mollie
    payment that paid for its line; "" when it was not paid through Mollie, which Mollie's
    adapter refuses), outside any transaction; then book the answer: accepted (created → sent →
    paid), refused (→ failed, money back), or no answer (left created; the next run asks again
    with the same idempotency key). Returns the payout's status."""
    payout = Payout.objects.get(pk=payout_id)
    if payout.status != PayoutStatus.CREATED or payout.provider != MOLLIE_ROUTE:
        return str(payout.status)
    instruction = PayoutInstruction(
        reference=payout_reference(payout),
        amount_cents=payout.amount_cents,
        currency=payout.currency,
        description=payout_description(payout),
        idempotency_key=payout.idempotency_key,
        payment_id=payment_id,
        destination=payout.destination,
    )
    outcome = payout_provider_get(MOLLIE_ROUTE).send([instruction]).outcomes[0]
    with transaction.atomic():
        payout = payout_locked(payout_id)
        if payout.status != PayoutStatus.CREATED:
            return str(payout.status)  # answered by a run that overlapped this one
        if outcome.status == "paid":
            now = clock.now()
            reference = outcome.provider_reference[:100]
            payout_transition(
                payout,
                to=PayoutStatus.SENT,
                now=now,
                changes={"provider_reference": reference},
                details={"route": reference},
            )
            payout_transition(payout, to=PayoutStatus.PAID, now=now)
        elif outcome.status == "refused":
            reason = (outcome.reason or "refused by Mollie")[:300]
            payout_transition(payout, to=PayoutStatus.FAILED, changes={"failure_reason": reason})
        else:
            logger.warning("Mollie route for payout %s not answered: %s", payout.pk, outcome.reason)
        return str(payout.status)


def payout_routes_run(*, payment_ids: Mapping[int, str], limit: int = 500) -> RouteResult:
    """With PAYOUT_PROVIDER=mollie_route: route every released sale of a seller with a Mollie
    organisation, and ask again for routes left unanswered. ``payment_ids`` maps the order lines
    of ``route_order_line_ids`` to their Mollie payment ids ("" for a line not paid through
    Mollie); a line it does not name (released after the caller looked) waits for the next run.

    Idempotent: a sale is routed once (one payout per line that did not fail), and a retry sends
    the stored idempotency key."""
    if settings.PAYOUT_PROVIDER != MOLLIE_ROUTE:
        return RouteResult(0, 0, 0, 0)
    created = 0
    for due in routes_due(limit=limit):
        if due.order_line_id not in payment_ids:
            continue
        if route_payout_create(order_line_id=due.order_line_id, seller_id=due.seller_id, share=due.share):
            created += 1
    statuses = [
        route_payout_send(payout_id=waiting.payout_id, payment_id=payment_ids[waiting.order_line_id])
        for waiting in route_payouts_waiting(limit=limit)
        if waiting.order_line_id in payment_ids
    ]
    return RouteResult(
        created=created,
        paid=statuses.count(PayoutStatus.PAID),
        failed=statuses.count(PayoutStatus.FAILED),
        waiting=statuses.count(PayoutStatus.CREATED),
    )
