"""Booking what the provider did with a refund: refunded (everything a reversal means, through
orders.order_line_reverse, once) or failed (for staff). Each under the payment's row lock."""

import logging
from functools import partial

from django.db import transaction

from studymarket.core import clock
from studymarket.orders.services import order_line_reverse
from studymarket.payments.models import Refund, RefundOrigin, RefundRequest, RefundStatus
from studymarket.payments.refunds.mail import refund_notices_enqueue
from studymarket.payments.refunds.state import payment_lock, refund_transition

logger = logging.getLogger(__name__)


@transaction.atomic(durable=True)
def refund_complete(*, refund_id: int, provider_refund_id: str) -> Refund:
    """The provider accepted our refund: book it (refund_book) in a transaction of its own."""
    payment_lock(Refund.objects.values_list("payment_id", flat=True).get(pk=refund_id))
    refund = Refund.objects.get(pk=refund_id)  # read under the payment's lock: current
    refund_book(refund=refund, provider_refund_id=provider_refund_id)
    refund.refresh_from_db()
    return refund


def refund_book(*, refund: Refund, provider_refund_id: str) -> bool:
    """The provider returned the money: ``refund`` becomes refunded and its line is reversed
    (orders.order_line_reverse: access, ledger reversal, sales count, search; the review's
    label follows from the line), and the e-mails are queued after the commit. "Already
    settled" returns False quietly. In the caller's transaction; the payment's row lock is
    taken (again) by refund_transition."""
    refund, moved = refund_transition(
        refund_id=refund.pk,
        status=RefundStatus.REFUNDED,
        changes={"provider_id": refund.provider_id or provider_refund_id, "completed_at": clock.now()},
        provider_id=refund.provider_id or provider_refund_id,
        origin=refund.origin,
    )
    if not moved:
        return False
    reversed_now = order_line_reverse(
        order_line_id=refund.order_line_id,
        source="chargeback" if refund.origin == RefundOrigin.CHARGEBACK else "refund",
        refund_id=refund.pk,
        reason=_reason(refund),
    )
    if not reversed_now:
        logger.error("Refund %s: order line %s was refunded already", refund.pk, refund.order_line_id)
    transaction.on_commit(partial(refund_notices_enqueue, refund.pk))
    return True


def _reason(refund: Refund) -> str:
    if refund.origin == RefundOrigin.REQUEST and refund.request_id is not None:
        return (
            f"guarantee: {RefundRequest.objects.values_list('reason', flat=True).get(pk=refund.request_id)}"
        )
    return str(refund.origin)


@transaction.atomic(durable=True)
def refund_fail(*, refund_id: int, reason: str) -> Refund:
    """The provider refused our refund: failed, in the back office's problem list. The buyer's
    access stays revoked (the request was approved); staff retry (refund_retry) or settle it."""
    refund, _ = refund_transition(
        refund_id=refund_id,
        status=RefundStatus.FAILED,
        changes={"failure_reason": reason[:300]},
        reason=reason[:300],
    )
    return refund


def refund_mark_failed(*, refund: Refund, reason: str) -> bool:
    """``refund`` failed at the provider (its status there is failed or canceled); "already
    settled" returns False quietly. In the caller's transaction."""
    _, moved = refund_transition(
        refund_id=refund.pk,
        status=RefundStatus.FAILED,
        changes={"failure_reason": reason[:300]},
        reason=reason[:300],
    )
    return moved
