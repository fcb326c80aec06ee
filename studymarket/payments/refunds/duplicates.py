"""Refunds of lines paid twice (issue 12): a buyer never pays twice for a document they hold.

Checkout refuses a second open order for a document, but a payment can still land for a line
the buyer holds already (two orders from before that rule, an old tab retried, a late iDEAL
confirmation). orders.order_mark_paid then grants no second access and counts no second sale;
it marks the line ``already_held``. Here, in the same transaction (payment_sync's, under the
payment's row lock), each such line gets a Refund of origin "duplicate" with its idempotency key,
BEFORE the provider hears of it; after the commit the refund is sent (refund_execute), and the
sweep (refunds_reconcile) sends again what a crash or an unreachable provider left pending.
Booked as every refund is (refund_book → orders.order_line_reverse, once); the buyer's e-mail
says the document was theirs already.
"""

from django.db import transaction

from studymarket.core.audit import audit_record
from studymarket.orders.selectors import order_lines_already_held
from studymarket.payments.models import Payment, Refund, RefundOrigin, RefundStatus
from studymarket.payments.refunds.policy import line_settled
from studymarket.payments.refunds.provider import refund_execute, refund_idempotency_key


def duplicate_refunds_start(*, payment: Payment) -> list[Refund]:
    """A Refund (pending, key stored) for each line of ``payment``'s order that was paid while
    the buyer held its document. Runs in the transaction that marked the order paid, after
    order_mark_paid, with the payment locked; a line with a refund on its way is skipped."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Duplicate refunds are started in the transaction that books the payment")
    started = []
    for line in order_lines_already_held(order_id=payment.order_id):
        if line_settled(line):
            continue
        attempt = Refund.objects.filter(order_line=line, idempotency_key__isnull=False).count() + 1
        refund = Refund.objects.create(
            payment=payment,
            order_line=line,
            origin=RefundOrigin.DUPLICATE,
            amount_cents=line.price_cents,
            currency=line.order.currency,
            idempotency_key=refund_idempotency_key(order_line=line, attempt=attempt),
        )
        audit_record(
            action="refund.created", obj=refund, amount_cents=refund.amount_cents, origin="duplicate"
        )
        started.append(refund)
    return started


def duplicate_refunds_send(*, payment_id: int) -> int:
    """Send the duplicate refunds of ``payment_id`` still pending to the provider (same key
    every time) and book what it says; how many are settled now. Never inside a transaction."""
    pending = Refund.objects.filter(
        payment_id=payment_id, origin=RefundOrigin.DUPLICATE, status=RefundStatus.PENDING
    ).values_list("pk", flat=True)
    settled = 0
    for refund_id in list(pending.order_by("pk")):
        if refund_execute(refund_id=refund_id).status != RefundStatus.PENDING:
            settled += 1
    return settled
