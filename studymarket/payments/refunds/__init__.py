"""The satisfaction guarantee ("Tevredenheidsgarantie") and the refunds it starts, exactly once.

A buyer asks for their money back for one order line (refund_request_create). Within
GUARANTEE_WINDOW_DAYS of the payment and never downloaded (reading online is fine), the rule
approves it at once; otherwise it waits for staff (refund_request_approve / _reject). Approval
ends the buyer's access in the same transaction (orders.order_line_access_end), so nothing can
be downloaded between "approved" and "refunded", and creates the Refund row with its idempotency
key BEFORE the provider hears of it. refund_execute then asks the provider (outside any
transaction) and books the result (refund_book): one orders.order_line_reverse (the line
refunded, access, ledger reversal, sales count, search; the review's "Terugbetaald" label
follows from the line); the e-mails go after the commit.

Locks, always in this order: payment → order line → entitlement → ledger accounts. A Refund's
status changes only under its payment's row lock (payment_lock), so a platform refund and a
webhook's payment_sync that finds the same refund at the provider (payments.reversals) add up
to one reversal.

By concern:
- policy: what the guarantee allows (who, what, which words; the automatic rule);
- state: the refund request and refund state machines, one apply function each;
- requests: the buyer's request, staff's approval, rejection and retry, the Refund they start;
- provider: sending our refunds to the provider, and the sweep;
- booking: what the provider did, booked (refunded → the reversal; failed);
- mail: the e-mails about it, after the commit.
"""

from studymarket.payments.refunds.booking import refund_book, refund_fail, refund_mark_failed
from studymarket.payments.refunds.policy import (
    EXPLANATION_MAX,
    GuaranteeCheck,
    RefundRefused,
    guarantee_check,
)
from studymarket.payments.refunds.provider import (
    REFUND_RECONCILE_BATCH,
    refund_execute,
    refund_idempotency_key,
    refunds_reconcile,
)
from studymarket.payments.refunds.requests import (
    refund_request_approve,
    refund_request_create,
    refund_request_reject,
    refund_retry,
)
from studymarket.payments.refunds.state import payment_lock

__all__ = [
    "EXPLANATION_MAX",
    "REFUND_RECONCILE_BATCH",
    "GuaranteeCheck",
    "RefundRefused",
    "guarantee_check",
    "payment_lock",
    "refund_book",
    "refund_execute",
    "refund_fail",
    "refund_idempotency_key",
    "refund_mark_failed",
    "refund_request_approve",
    "refund_request_create",
    "refund_request_reject",
    "refund_retry",
    "refunds_reconcile",
]
